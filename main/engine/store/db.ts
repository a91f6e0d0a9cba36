import fs from 'node:fs';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
import { logger } from '../log.js';

const log = logger('index');

export type Db = Database.Database;

/** What openIndex({ recover: true }) did about an index it could not use. */
export interface IndexRecovery {
  /** 'missing': there was no index file; 'damaged': it could not be read and was moved aside. */
  kind: 'missing' | 'damaged';
  /** SQLite's words, e.g. "database disk image is malformed". */
  detail: string;
  /** Where the damaged file went (index.sqlite.corrupt-<time>), or null. */
  movedTo: string | null;
}

const recoveries = new WeakMap<Db, IndexRecovery>();

/** What the engine found when it opened this index with { recover: true } (null: it was fine). */
export function indexRecovery(db: Db): IndexRecovery | null {
  return recoveries.get(db) ?? null;
}

/** Errors that mean the file is not a usable SQLite database (as opposed to a busy, read-only or newer one). */
export function isCorruption(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === 'SQLITE_CORRUPT' ||
    e?.code === 'SQLITE_NOTADB' ||
    e?.code === 'SQLITE_CORRUPT_INDEX' ||
    e?.code === 'SQLITE_CORRUPT_VTAB' ||
    e instanceof CorruptIndexError ||
    /database disk image is malformed|file is not a database|file is encrypted or is not a database/i.test(e?.message ?? '')
  );
}

class CorruptIndexError extends Error {}

/**
 * Open the SQLite index in WAL mode and bring it to the newest migration.
 *
 * With `recover` (the engine at start): an index that SQLite cannot read
 * (not a database, a truncated or malformed file, a failed quick_check) is
 * moved aside as `index.sqlite.corrupt-<time>` (with its -wal/-shm) and a
 * fresh one is created, so recording can start at once; the recorder then
 * re-indexes the media files in the background (docs/storage.md,
 * "Recovering"). indexRecovery(db) says what happened.
 */
export function openIndex(file: string, opts: { readonly?: boolean; recover?: boolean } = {}): Db {
  if (opts.readonly || !opts.recover) return openAndMigrate(file, opts);
  const existed = fs.existsSync(file);
  if (!existed) moveAside(file, ['-wal', '-shm'], 'a stale write-ahead log of a missing index');
  try {
    const db = openAndMigrate(file, { check: existed });
    if (!existed) recoveries.set(db, { kind: 'missing', detail: 'no index file', movedTo: null });
    return db;
  } catch (err) {
    if (!isCorruption(err)) throw err;
    const detail = (err as Error).message;
    const movedTo = moveAside(file, ['', '-wal', '-shm'], detail);
    log.error(
      `${file} is damaged (${detail}): moved it to ${movedTo ?? '(could not move it)'} and started a fresh index. ` +
        'Recording goes on; the recordings are indexed again from their media files in the background. ' +
        'Sessions, alarms and the audit trail of the old index are only in the moved file.',
    );
    const db = openAndMigrate(file, {});
    recoveries.set(db, { kind: 'damaged', detail, movedTo });
    return db;
  }
}

function openAndMigrate(file: string, opts: { readonly?: boolean; check?: boolean }): Db {
  const db = new Database(file, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
  try {
    if (!opts.readonly) {
      whileBusy(() => db.pragma('journal_mode = WAL'));
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    }
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) immediateTransactions(db);
    if (opts.check) {
      // a damaged page shows here rather than at some later query
      const res = db.pragma('quick_check', { simple: true });
      if (res !== 'ok') throw new CorruptIndexError(`quick_check: ${String(res)}`);
    }
    if (!opts.readonly) migrate(db, file);
    return db;
  } catch (err) {
    try {
      db.close();
    } catch {
      /* already unusable */
    }
    throw err;
  }
}

/**
 * Run `fn` again while SQLite answers SQLITE_BUSY, for up to `ms`. Switching a
 * new file to WAL needs an exclusive lock, and SQLite does not call the busy
 * handler for it: when several processes open one new index at once (two CLI
 * commands, the CLI next to a starting engine), all but one got SQLITE_BUSY at
 * once (test/integration/index-migrate-race.test.ts).
 */
function whileBusy<T>(fn: () => T, ms = 5000): T {
  const until = Date.now() + ms;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY') !== true || Date.now() >= until) throw err;
      Atomics.wait(pause, 0, 0, 10 + Math.random() * 20); // a short synchronous pause: opening the index is synchronous
    }
  }
}

/**
 * Every `db.transaction(fn)` on a writable index begins IMMEDIATE (takes the
 * write lock first) unless the caller asks for `.deferred`. In WAL mode a
 * deferred transaction that reads and then writes cannot wait for the lock:
 * when another connection (a CLI command, say) holds it at that moment, the
 * write fails at once with SQLITE_BUSY and the busy timeout never applies.
 * The recorder lost a segment's row that way under load (docs/storage.md S2).
 * Nested calls become savepoints, as before.
 */
function immediateTransactions(db: Db): void {
  const plain = db.transaction.bind(db);
  db.transaction = ((fn: (...args: never[]) => unknown) => {
    const tx = plain(fn);
    const run = (...args: never[]) => (db.inTransaction ? tx(...args) : tx.immediate(...args));
    return Object.assign(run, { default: run, deferred: tx.deferred, immediate: tx.immediate, exclusive: tx.exclusive, database: db });
  }) as unknown as Db['transaction'];
}

/** Rename `file`+suffix to `<file>.corrupt-<time>`+suffix for each suffix present; returns the main new name (or null). */
function moveAside(file: string, suffixes: string[], why: string): string | null {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const target = `${file}.corrupt-${stamp}`;
  let moved: string | null = null;
  for (const s of suffixes) {
    if (!fs.existsSync(file + s)) continue;
    try {
      fs.renameSync(file + s, target + s);
      if (s === '') moved = target;
      else if (suffixes[0] !== '') log.warn(`moved ${file + s} to ${target + s}: ${why}`);
    } catch (err) {
      log.error(`could not move ${file + s} aside`, err);
      if (s === '') throw err;
    }
  }
  return moved;
}

export function migrate(db: Db, file = 'index'): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`${file} is at index schema ${current}, newer than this Gatehouse knows (${MIGRATIONS.length}); upgrade Gatehouse, or run "gatehouse index rebuild" to recreate it from the media files`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    // Each step takes the write lock first (BEGIN IMMEDIATE) and reads the version again under it: two processes
    // opening a new index at once (two CLI commands, the CLI and the engine) run each step once, not twice.
    const ran = db.transaction(() => {
      if ((db.pragma('user_version', { simple: true }) as number) > v) return false;
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
      return true;
    }).immediate();
    if (ran) log.info(`index migrated to schema ${v + 1}`);
  }
}
