/**
 * Keyset paging, newest first: the one way the engine pages a long table
 * (alarm history, the access log, the audit trail).
 *
 * A page is `ORDER BY <time> DESC, <id> DESC LIMIT n+1` with, from the second
 * page on, `(<time>, <id>) < (cursor.ms, cursor.id)`, so page N costs the same
 * as page 1 on an index that ends with (time, id). The extra row only says
 * whether there is a next page. The cursor is opaque to clients:
 * base64url("<ms>:<id>"). A table ordered by id alone (the audit trail, by
 * seq) passes `time: null`; its cursors carry ms 0.
 */
import type Database from 'better-sqlite3';
import { ApiError } from '../../api/contract.js';
import type { Db } from './db.js';

export interface Cursor {
  /** The time key of the last row of the page, ms since the epoch (0 when the order is by id alone). */
  ms: number;
  id: number;
}

export function encodeCursor(ms: number, id: number): string {
  return Buffer.from(`${ms}:${id}`).toString('base64url');
}

/** null for no cursor (the first page); throws a bad_request for one this server did not hand out. */
export function decodeCursor(c: string | null | undefined): Cursor | null {
  if (!c) return null;
  const m = /^(-?\d+):(\d+)$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  if (!m) throw new ApiError('bad_request', 'cursor is not one this server handed out; start again without a cursor', 'cursor');
  return { ms: Number(m[1]), id: Number(m[2]) };
}

export interface KeysetQuery {
  /** `SELECT … FROM …` (a table or a join), without WHERE. */
  select: string;
  /** Conditions joined with AND; the cursor's is added here. */
  where: string[];
  /** Named parameters of the conditions (@name). `cMs` and `cId` are the cursor's. */
  args: Record<string, unknown>;
  /** The ordering columns: time (null to order by id alone) and a unique id. */
  time: string | null;
  id: string;
}

/** Runs keyset-paged queries on one connection, keeping the prepared statements of the few shapes it sees. */
export class KeysetPager {
  private stmts = new Map<string, Database.Statement>();

  constructor(private readonly db: Db) {}

  /**
   * One page of rows. `keyOf` reads the (time, id) key of a row for the next cursor.
   * Returns the rows (at most `limit`) and the cursor of the next page, or null at the end.
   */
  page<R>(q: KeysetQuery, cursor: string | null | undefined, limit: number, keyOf: (r: R) => Cursor): { rows: R[]; nextCursor: string | null } {
    const where = [...q.where];
    const args = { ...q.args };
    const c = decodeCursor(cursor);
    if (c) {
      if (q.time) {
        where.push(`(${q.time}, ${q.id}) < (@cMs, @cId)`);
        args.cMs = c.ms;
      } else where.push(`${q.id} < @cId`);
      args.cId = c.id;
    }
    const order = q.time ? `${q.time} DESC, ${q.id} DESC` : `${q.id} DESC`;
    const sql = `${q.select} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order} LIMIT ${Math.trunc(limit) + 1}`;
    const rows = this.statement(sql).all(args) as R[];
    const more = rows.length > limit;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    if (!more || !last) return { rows, nextCursor: null };
    const k = keyOf(last);
    return { rows, nextCursor: encodeCursor(k.ms, k.id) };
  }

  private statement(sql: string): Database.Statement {
    let st = this.stmts.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      if (this.stmts.size > 200) this.stmts.clear();
      this.stmts.set(sql, st);
    }
    return st;
  }
}
