import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The OS's per-user app-data folder for Gatehouse. */
export function defaultDataDir(): string {
  if (process.env.GATEHOUSE_DATA) return path.resolve(process.env.GATEHOUSE_DATA);
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(process.env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Gatehouse');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Gatehouse');
    default:
      return path.join(process.env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'gatehouse');
  }
}

/** Root of the installed package (where package.json, assets/ and dist/ live). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'main'))) return dir;
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'dist'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export function assetPath(...parts: string[]): string {
  return path.join(packageRoot(), 'assets', ...parts);
}

export function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version as string;
  } catch {
    return '0.0.0';
  }
}

/** Every path inside a data dir, in one place. See docs/storage.md. */
export class DataPaths {
  constructor(readonly root: string) {}
  get config(): string {
    return path.join(this.root, 'config.json');
  }
  get secretKey(): string {
    return path.join(this.root, 'secret.key');
  }
  get index(): string {
    return path.join(this.root, 'index.sqlite');
  }
  get recordings(): string {
    return path.join(this.root, 'recordings');
  }
  get run(): string {
    return path.join(this.root, 'run');
  }
  get lock(): string {
    return path.join(this.run, 'engine.json');
  }
  get children(): string {
    return path.join(this.run, 'children.json');
  }
  get exports(): string {
    return path.join(this.root, 'exports');
  }
  /** Create the folders (0700) and tighten the modes of what is already there (see `secureDataDir`). */
  ensure(): string[] {
    const fixed = secureDataDir(this);
    for (const d of [this.recordings, this.run, this.exports]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    return fixed;
  }
}

/** The files of a data dir that only its owner may read (docs/security.md, "Files"). */
export const PRIVATE_FILES = [
  'config.json',
  'config.json.lock',
  'secret.key',
  'secret.key.safe',
  'index.sqlite',
  'index.sqlite-wal',
  'index.sqlite-shm',
  'index.sqlite-journal',
  'export-keys.json',
];

/**
 * The data dir is its owner's alone: the folder 0700, the config, keys and
 * index 0600 (config backups `config.json.v<N>.bak` too). Creates the folder
 * (0700) if needed, tightens anything looser and returns a line per fix (the
 * engine logs them). Run again right after the index is first opened: SQLite
 * creates it with 0644, and its -wal and -shm take the index's mode. Nothing
 * to do on Windows, where the per-user app-data folder is private already.
 */
export function secureDataDir(paths: DataPaths): string[] {
  const fixed: string[] = [];
  fs.mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return fixed;
  const tighten = (p: string, mode: number) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink() || (st.mode & 0o077) === 0) return;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return; // not ours to change
    try {
      fs.chmodSync(p, mode);
      fixed.push(`${p} was mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}; now ${mode.toString(8).padStart(4, '0')}`);
    } catch {
      /* read-only file system: leave it */
    }
  };
  tighten(paths.root, 0o700);
  for (const d of [paths.recordings, paths.run, paths.exports]) tighten(d, 0o700);
  let names: string[] = [];
  try {
    names = fs.readdirSync(paths.root);
  } catch {
    /* just made */
  }
  for (const n of names) if (PRIVATE_FILES.includes(n) || /^config\.json\.v\d+\.bak$/.test(n)) tighten(path.join(paths.root, n), 0o600);
  // the self-signed TLS certificate and its key (main/server/self-signed.ts)
  const tlsDir = path.join(paths.root, 'tls');
  tighten(tlsDir, 0o700);
  for (const n of ['cert.pem', 'key.pem']) tighten(path.join(tlsDir, n), 0o600);
  return fixed;
}
