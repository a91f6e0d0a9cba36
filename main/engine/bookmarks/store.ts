/**
 * The bookmarks' SQL (tables `bookmarks` and `bookmark_cameras`, migration
 * "bookmarks" in store/migrations.ts). No rules here: who may change what is
 * service.ts. Pages newest first with store/keyset.ts.
 */
import type { Page } from '../../api/alarms.js';
import type { Bookmark, BookmarkFilter } from '../../api/bookmarks.js';
import type { Db } from '../store/db.js';
import { KeysetPager } from '../store/keyset.js';

interface BookmarkRow {
  id: number;
  time_ms: number;
  camera_ids: string;
  note: string;
  author: string;
  created_ms: number;
  updated_ms: number;
  updated_by: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function toBookmark(r: BookmarkRow): Bookmark {
  let cameraIds: string[] = [];
  try {
    const v = JSON.parse(r.camera_ids) as unknown;
    if (Array.isArray(v)) cameraIds = v.filter((x): x is string => typeof x === 'string');
  } catch {
    /* a hand-edited row: no cameras */
  }
  return {
    id: r.id,
    cameraIds,
    time: iso(r.time_ms),
    note: r.note,
    author: r.author,
    createdAt: iso(r.created_ms),
    updatedAt: iso(r.updated_ms),
    updatedBy: r.updated_by,
  };
}

export class BookmarkStore {
  private q;
  private pager: KeysetPager;

  constructor(readonly db: Db) {
    this.pager = new KeysetPager(db);
    this.q = {
      insert: db.prepare(
        `INSERT INTO bookmarks (time_ms, camera_ids, note, author, created_ms, updated_ms, updated_by)
         VALUES (@timeMs, @cameraIds, @note, @author, @now, @now, @author)`,
      ),
      update: db.prepare(`UPDATE bookmarks SET time_ms = @timeMs, camera_ids = @cameraIds, note = @note, updated_ms = @now, updated_by = @by WHERE id = @id`),
      remove: db.prepare('DELETE FROM bookmarks WHERE id = ?'),
      get: db.prepare('SELECT * FROM bookmarks WHERE id = ?'),
      addCam: db.prepare('INSERT OR IGNORE INTO bookmark_cameras (camera_id, time_ms, bookmark_id) VALUES (?, ?, ?)'),
      dropCams: db.prepare('DELETE FROM bookmark_cameras WHERE bookmark_id = ?'),
      forCamera: db.prepare(
        `SELECT b.* FROM bookmark_cameras c JOIN bookmarks b ON b.id = c.bookmark_id
         WHERE c.camera_id = ? AND c.time_ms >= ? AND c.time_ms < ? ORDER BY c.time_ms, c.bookmark_id LIMIT ?`,
      ),
    };
  }

  get(id: number): Bookmark | null {
    const r = this.q.get.get(id) as BookmarkRow | undefined;
    return r ? toBookmark(r) : null;
  }

  /** Insert; the caller holds the transaction (with its audit record). */
  insert(b: { timeMs: number; cameraIds: string[]; note: string; author: string; now: number }): Bookmark {
    const id = Number(this.q.insert.run({ ...b, cameraIds: JSON.stringify(b.cameraIds) }).lastInsertRowid);
    for (const c of b.cameraIds) this.q.addCam.run(c, b.timeMs, id);
    return this.get(id)!;
  }

  update(id: number, b: { timeMs: number; cameraIds: string[]; note: string; by: string; now: number }): Bookmark {
    this.q.update.run({ id, timeMs: b.timeMs, cameraIds: JSON.stringify(b.cameraIds), note: b.note, by: b.by, now: b.now });
    this.q.dropCams.run(id);
    for (const c of b.cameraIds) this.q.addCam.run(c, b.timeMs, id);
    return this.get(id)!;
  }

  remove(id: number): void {
    this.q.dropCams.run(id);
    this.q.remove.run(id);
  }

  /** A camera's bookmarks in [fromMs, toMs), oldest first (the timeline). */
  forCamera(cameraId: string, fromMs: number, toMs: number, limit: number): Bookmark[] {
    return (this.q.forCamera.all(cameraId, fromMs, toMs, limit) as BookmarkRow[]).map(toBookmark);
  }

  /** A page of bookmarks, newest first, filtered; keyset paging over (time_ms, id). */
  list(f: BookmarkFilter, cursor: string | null | undefined, limit: number): Page<Bookmark> {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    let from = 'bookmarks b';
    let t = 'b.time_ms';
    let idc = 'b.id';
    if (f.cameraId) {
      from = 'bookmark_cameras c JOIN bookmarks b ON b.id = c.bookmark_id';
      where.push('c.camera_id = @cameraId');
      args.cameraId = f.cameraId;
      [t, idc] = ['c.time_ms', 'c.bookmark_id'];
    }
    if (f.from) {
      where.push(`${t} >= @fromMs`);
      args.fromMs = Date.parse(f.from);
    }
    if (f.to) {
      where.push(`${t} < @toMs`);
      args.toMs = Date.parse(f.to);
    }
    if (f.author) {
      where.push('b.author = @author');
      args.author = f.author;
    }
    if (f.text?.trim()) {
      // every word must appear in the note (case-insensitive for ASCII, as SQLite's LIKE)
      f.text
        .trim()
        .split(/\s+/)
        .slice(0, 8)
        .forEach((w, i) => {
          where.push(`b.note LIKE @w${i} ESCAPE '\\'`);
          args[`w${i}`] = `%${w.replace(/[\\%_]/g, (m) => '\\' + m)}%`;
        });
    }
    const { rows, nextCursor } = this.pager.page<BookmarkRow>(
      { select: `SELECT b.* FROM ${from}`, where, args, time: t, id: idc },
      cursor,
      limit,
      (r) => ({ ms: r.time_ms, id: r.id }),
    );
    return { items: rows.map(toBookmark), nextCursor };
  }
}
