import fs from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { ConfigFile, CURRENT_SCHEMA_VERSION, emptyConfig, MigrationError, MIGRATIONS } from './schema.js';
import { logger } from '../log.js';

const log = logger('config');

/** A config file that can't be used as it is. Names the file, the field and the fix. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | null,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${file}${field ? ` (field ${field})` : ''}: ${problem}. Fix: ${fix}`);
    this.name = 'ConfigError';
  }
}

function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `line ${line}, column ${col}`;
}

/** Offset of the first syntax error in JSON text, or -1 (V8 does not always say where). */
export function jsonErrorOffset(t: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < t.length && ' \t\n\r'.includes(t[i]!)) i++;
  };
  const str = () => {
    i++;
    while (i < t.length) {
      const c = t[i]!;
      if (c === '\\') i += 2;
      else if (c === '"') return void i++;
      else if (c < ' ') fail();
      else i++;
    }
    fail();
  };
  const value = (): void => {
    ws();
    const c = t[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (t[i] === close) return void i++;
      for (;;) {
        if (c === '{') {
          ws();
          if (t[i] !== '"') fail();
          str();
          ws();
          if (t[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === close) return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    const lit = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(t.slice(i, i + 512));
    if (!lit) fail();
    i += lit![0].length;
  };
  try {
    value();
    ws();
    if (i < t.length) fail();
    return -1;
  } catch (e) {
    return typeof e === 'number' ? Math.min(e, t.length) : -1;
  }
}

/** Parse, migrate and validate config text. Throws ConfigError; never guesses. */
export function parseConfigText(file: string, text: string): { config: ConfigFile; migratedFrom: number | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message.replace(/\s+/g, ' ');
    const m = /position (\d+)/.exec(msg);
    // Node 20's V8 often leaves the position out ("Unexpected token ',', ..."): find it ourselves.
    const pos = m ? Number(m[1]) : jsonErrorOffset(text);
    const where = pos >= 0 ? ` at ${lineCol(text, pos)}` : '';
    throw new ConfigError(file, null, `is not valid JSON${where} (${msg})`, `correct the JSON by hand, or move the file away to start with an empty configuration`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, null, 'does not hold a JSON object', 'the file must be an object like {"schemaVersion": 1, "cameras": [] ...}');
  }
  let obj = raw as Record<string, unknown>;
  let version = obj.schemaVersion === undefined ? 0 : obj.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new ConfigError(file, 'schemaVersion', `is ${JSON.stringify(version)}, not a whole number`, `set "schemaVersion": ${CURRENT_SCHEMA_VERSION}`);
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    throw new ConfigError(file, 'schemaVersion', `is ${version}, written by a newer Gatehouse (this one reads up to ${CURRENT_SCHEMA_VERSION})`, 'upgrade Gatehouse, or restore the backup config.json.v*.bak');
  }
  const migratedFrom = version < CURRENT_SCHEMA_VERSION ? version : null;
  while (version < CURRENT_SCHEMA_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) throw new ConfigError(file, 'schemaVersion', `has no migration from version ${version}`, 'restore a backup');
    try {
      obj = step(obj);
    } catch (err) {
      if (err instanceof MigrationError) throw new ConfigError(file, err.field, `${err.problem} (while moving the file from schema ${version} to ${version + 1})`, err.fix);
      throw err;
    }
    version++;
  }
  const r = ConfigFile.safeParse(obj);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    let problem = issue.message;
    let fix = 'correct or remove that field';
    if (issue.code === 'unrecognized_keys') {
      problem = `has unknown key(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
      fix = 'remove the key(s), or check their spelling';
    } else if (issue.code === 'invalid_type') {
      fix = `give it a value of type ${issue.expected}`;
    } else if (issue.code === 'invalid_value' && 'values' in issue) {
      fix = `use one of ${(issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    throw new ConfigError(file, field || null, problem, fix);
  }
  return { config: r.data, migratedFrom };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lowdb-backed config. Writers in any process (the server, the CLI)
 * take a lock file, re-read the file, change it and write it atomically;
 * a running server notices outside changes through a file watch.
 */
export class ConfigStore {
  private db: Low<ConfigFile>;
  private lockFile: string;
  private watching = false;
  private lastText = '';
  private listeners = new Set<(cfg: ConfigFile) => void>();

  constructor(readonly file: string) {
    this.lockFile = file + '.lock';
    this.db = new Low<ConfigFile>(
      new DataFile<ConfigFile>(file, {
        parse: (text) => {
          const { config, migratedFrom } = parseConfigText(file, text);
          if (migratedFrom !== null) this.pendingMigrationFrom = migratedFrom;
          return config;
        },
        stringify: (data) => JSON.stringify(data, null, 2) + '\n',
      }),
      emptyConfig(),
    );
  }
  private pendingMigrationFrom: number | null = null;

  get data(): ConfigFile {
    return this.db.data;
  }

  /** Read the file (creating it if absent). Throws ConfigError if it can't be used. */
  async load(): Promise<ConfigFile> {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    if (!fs.existsSync(this.file)) {
      this.db.data = emptyConfig();
      await this.withLock(async () => {
        if (!fs.existsSync(this.file)) await this.write();
      });
    }
    this.pendingMigrationFrom = null;
    await this.db.read();
    if (this.pendingMigrationFrom !== null) {
      const backup = `${this.file}.v${this.pendingMigrationFrom}.bak`;
      fs.copyFileSync(this.file, backup);
      log.info(`migrated ${this.file} from schema ${this.pendingMigrationFrom} to ${CURRENT_SCHEMA_VERSION}; the old file is kept as ${backup}`);
      await this.withLock(() => this.write());
    }
    this.lastText = this.readText();
    return this.db.data;
  }

  /**
   * Write the file (lowdb writes a temp file and renames it) and make it 0600:
   * it holds the password hashes. The temp file lives in the 0700 data dir.
   */
  private async write(): Promise<void> {
    await this.db.write();
    if (process.platform === 'win32') return;
    try {
      fs.chmodSync(this.file, 0o600);
    } catch {
      /* a read-only or foreign file system: the data dir's 0700 still holds */
    }
  }

  private readText(): string {
    try {
      return fs.readFileSync(this.file, 'utf8');
    } catch {
      return '';
    }
  }

  /** This store's writers, one after another: the file lock is per process, not per caller. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Run `fn` holding config.json.lock. Calls in this process queue up first: a
   * second update while the first awaits its read or write would otherwise find
   * the lock held by its own process and spin (blocking the first) until it gives up.
   */
  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.withFileLock(fn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async withFileLock<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        fs.writeFileSync(this.lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        let holder = NaN;
        try {
          holder = Number(fs.readFileSync(this.lockFile, 'utf8'));
        } catch {
          continue;
        }
        if (!Number.isFinite(holder) || !pidAlive(holder)) {
          fs.rmSync(this.lockFile, { force: true });
          continue;
        }
        if (Date.now() > deadline) throw new Error(`${this.lockFile} is held by process ${holder}; try again, or delete the file if that process is gone`);
        await sleep(25); // another process (a CLI command) holds it: the engine's event loop goes on meanwhile
      }
    }
    try {
      return await fn();
    } finally {
      fs.rmSync(this.lockFile, { force: true });
    }
  }

  /**
   * Change the config: lock, re-read from disk (another process may have
   * written), apply `fn`, validate, write atomically. If the file on disk
   * can't be parsed, nothing is written and the ConfigError is thrown.
   */
  async update<T>(fn: (cfg: ConfigFile) => T): Promise<T> {
    return this.withLock(async () => {
      await this.db.read();
      const draft = structuredClone(this.db.data);
      const result = fn(draft);
      const { config } = parseConfigText(this.file, JSON.stringify(draft));
      this.db.data = config;
      await this.write();
      this.lastText = this.readText();
      this.notify();
      return result;
    });
  }

  onChange(fn: (cfg: ConfigFile) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    for (const l of this.listeners) {
      try {
        l(this.db.data);
      } catch (err) {
        log.error('config listener failed', err);
      }
    }
  }

  /** Watch for edits by other processes (the CLI, a text editor). */
  watch(): void {
    if (this.watching) return;
    this.watching = true;
    fs.watchFile(this.file, { interval: 500 }, () => {
      const text = this.readText();
      if (text === this.lastText || text === '') return;
      try {
        const { config } = parseConfigText(this.file, text);
        this.lastText = text;
        this.db.data = config;
        log.info('configuration changed on disk; reloaded');
        this.notify();
      } catch (err) {
        this.lastText = text;
        log.error(`ignoring the edited configuration, the running engine keeps its last good one: ${(err as Error).message}`);
      }
    });
  }

  unwatch(): void {
    if (!this.watching) return;
    fs.unwatchFile(this.file);
    this.watching = false;
  }
}
