import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/contract.js';
import { openIndex, type Db } from './db.js';
import { decodeCursor, encodeCursor, KeysetPager } from './keyset.js';

let db: Db;
beforeEach(() => {
  db = openIndex(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, tag TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO t (id, time_ms, tag) VALUES (?, ?, ?)');
  // ids 1..7; 3 and 4 share a time, so the id breaks the tie
  for (const [id, ms, tag] of [[1, 100, 'a'], [2, 200, 'b'], [3, 300, 'a'], [4, 300, 'b'], [5, 400, 'a'], [6, 500, 'b'], [7, 600, 'a']] as const) ins.run(id, ms, tag);
});
afterEach(() => db.close());

type Row = { id: number; time_ms: number; tag: string };
const all = (pager: KeysetPager, time: string | null, where: string[] = [], args: Record<string, unknown> = {}, limit = 2) => {
  const pages: number[][] = [];
  let cursor: string | null = null;
  do {
    const p: { rows: Row[]; nextCursor: string | null } = pager.page<Row>({ select: 'SELECT * FROM t', where, args, time, id: 'id' }, cursor, limit, (r) => ({
      ms: time ? r.time_ms : 0,
      id: r.id,
    }));
    pages.push(p.rows.map((r) => r.id));
    cursor = p.nextCursor;
  } while (cursor && pages.length < 20);
  return pages;
};

describe('keyset paging', () => {
  it('pages newest first by (time, id), each row once, ties broken by id', () => {
    expect(all(new KeysetPager(db), 'time_ms')).toEqual([[7, 6], [5, 4], [3, 2], [1]]);
  });

  it('orders by id alone when there is no time column, and keeps the filters on every page', () => {
    expect(all(new KeysetPager(db), null, ['tag = @tag'], { tag: 'a' })).toEqual([[7, 5], [3, 1]]);
  });

  it('has no next page when the last page is exactly full', () => {
    expect(all(new KeysetPager(db), 'time_ms', [], {}, 7)).toEqual([[7, 6, 5, 4, 3, 2, 1]]);
  });

  it('round-trips cursors and refuses one it did not hand out', () => {
    expect(decodeCursor(encodeCursor(-5, 42))).toEqual({ ms: -5, id: 42 });
    expect(decodeCursor(null)).toBeNull();
    expect(() => decodeCursor('bm90IGEgY3Vyc29y')).toThrow(ApiError);
  });
});
