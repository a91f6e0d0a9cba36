import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
import { logger } from '../log.js';

const log = logger('index');

export type Db = Database.Database;

/** Open the SQLite index in WAL mode and bring it to the newest migration. */
export function openIndex(file: string, opts: { readonly?: boolean } = {}): Db {
  const db = new Database(file, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  }
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) migrate(db, file);
  return db;
}

export function migrate(db: Db, file = 'index'): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`${file} is at index schema ${current}, newer than this Gatehouse knows (${MIGRATIONS.length}); upgrade Gatehouse, or run "gatehouse index rebuild" to recreate it from the media files`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
    log.info(`index migrated to schema ${v + 1}`);
  }
}
