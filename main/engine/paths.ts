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
  ensure(): void {
    for (const d of [this.root, this.recordings, this.run, this.exports]) fs.mkdirSync(d, { recursive: true });
  }
}
