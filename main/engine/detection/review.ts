/**
 * The review list (docs/detection.md "Review list"): object events (rows of
 * `events`, kind 'object') with their zones, whether an alarm was raised for
 * them (an *alert*: the alarm's details carry `objectEventId`), whether and by
 * whom they were reviewed (`event_reviews`), and their best-shot crop. Shared
 * by the review.* handlers and `gatehouse events list`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../api/contract.js';
import type { NormBox, ReviewItem, ReviewKind, ReviewSnapshot } from '../../api/detection.js';
import type { Db } from '../store/db.js';
import { parseJson } from '../store/json.js';
import { KeysetPager } from '../store/keyset.js';

export interface ReviewQuery {
  cameraId?: string;
  label?: string;
  /** Zone ids (a zone named in the request may match zones of several cameras). */
  zoneIds?: string[];
  fromMs?: number;
  toMs?: number;
  kind?: ReviewKind;
  reviewed?: boolean;
}

interface Row {
  id: number;
  camera_id: string;
  time_ms: number;
  data: string;
  reviewed_ms: number | null;
  reviewed_by: string | null;
}

interface ObjectData {
  label?: string;
  score?: number;
  box?: NormBox;
  trackId?: number;
  start?: string;
  end?: string | null;
  zones?: { id: string; name: string }[];
  snapshot?: { file: string; width: number; height: number; time: string; quality: number } | null;
  face?: unknown;
}

const ALERT_IDS = "SELECT json_extract(details, '$.objectEventId') FROM alarms WHERE json_extract(details, '$.objectEventId') IS NOT NULL";

export class ReviewStore {
  private pager: KeysetPager;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
  ) {
    this.pager = new KeysetPager(db);
  }

  list(q: ReviewQuery, cursor: string | null | undefined, limit: number): { items: ReviewItem[]; nextCursor: string | null } {
    const where = ["e.kind = 'object'"];
    const args: Record<string, unknown> = {};
    if (q.cameraId) {
      where.push('e.camera_id = @cam');
      args.cam = q.cameraId;
    }
    if (q.fromMs !== undefined) {
      where.push('e.time_ms >= @from');
      args.from = q.fromMs;
    }
    if (q.toMs !== undefined) {
      where.push('e.time_ms < @to');
      args.to = q.toMs;
    }
    if (q.label) {
      where.push("json_extract(e.data, '$.label') = @label");
      args.label = q.label;
    }
    if (q.zoneIds) {
      if (!q.zoneIds.length) return { items: [], nextCursor: null };
      const names = q.zoneIds.map((z, i) => {
        args[`z${i}`] = z;
        return `@z${i}`;
      });
      where.push(`EXISTS (SELECT 1 FROM json_each(e.data, '$.zones') j WHERE json_extract(j.value, '$.id') IN (${names.join(', ')}))`);
    }
    if (q.kind === 'alerts') where.push(`e.id IN (${ALERT_IDS})`);
    else if (q.kind === 'detections') where.push(`e.id NOT IN (${ALERT_IDS})`);
    if (q.reviewed === true) where.push('r.event_id IS NOT NULL');
    else if (q.reviewed === false) where.push('r.event_id IS NULL');
    const { rows, nextCursor } = this.pager.page<Row>(
      {
        select: 'SELECT e.id, e.camera_id, e.time_ms, e.data, r.reviewed_ms, r.reviewed_by FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id',
        where,
        args,
        time: 'e.time_ms',
        id: 'e.id',
      },
      cursor,
      limit,
      (r) => ({ ms: r.time_ms, id: r.id }),
    );
    const alarms = this.alarmsFor(rows.map((r) => r.id));
    return { items: rows.map((r) => this.item(r, alarms.get(r.id) ?? [])), nextCursor };
  }

  /** Alarm ids per object event id (newest first). */
  private alarmsFor(ids: number[]): Map<number, number[]> {
    const m = new Map<number, number[]>();
    if (!ids.length) return m;
    const rows = this.db
      .prepare(
        `SELECT id, json_extract(details, '$.objectEventId') AS oid FROM alarms WHERE json_extract(details, '$.objectEventId') IN (${ids.map(() => '?').join(',')}) ORDER BY id DESC`,
      )
      .all(...ids) as { id: number; oid: number }[];
    for (const r of rows) {
      const l = m.get(r.oid) ?? [];
      l.push(r.id);
      m.set(r.oid, l);
    }
    return m;
  }

  private item(r: Row, alarmIds: number[]): ReviewItem {
    const d = parseJson<ObjectData>(r.data, {});
    return {
      id: r.id,
      cameraId: r.camera_id,
      label: d.label ?? '?',
      score: d.score ?? 0,
      trackId: d.trackId ?? 0,
      start: d.start ?? new Date(r.time_ms).toISOString(),
      end: d.end ?? null,
      box: d.box ?? [0, 0, 0, 0],
      zones: Array.isArray(d.zones) ? d.zones : [],
      alert: alarmIds.length > 0,
      alarmIds,
      snapshot: !!d.snapshot?.file,
      ...(d.face && typeof d.face === 'object' ? { face: d.face as ReviewItem['face'] } : {}),
      reviewed: r.reviewed_ms !== null ? { at: new Date(r.reviewed_ms).toISOString(), by: r.reviewed_by ?? '?' } : null,
    };
  }

  /** Mark object events reviewed (or not). Unknown ids and ids of other kinds are refused, naming them. */
  mark(ids: number[], reviewed: boolean, by: string, nowMs = Date.now()): number {
    const uniq = [...new Set(ids)];
    const found = this.db.prepare(`SELECT id FROM events WHERE kind = 'object' AND id IN (${uniq.map(() => '?').join(',')})`).all(...uniq) as { id: number }[];
    const known = new Set(found.map((f) => f.id));
    const missing = uniq.filter((i) => !known.has(i));
    if (missing.length) throw new ApiError('not_found', `no object event ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? '…' : ''}; the review list shows which exist`, 'ids');
    const ins = this.db.prepare('INSERT INTO event_reviews (event_id, reviewed_ms, reviewed_by) VALUES (?, ?, ?) ON CONFLICT(event_id) DO NOTHING');
    const del = this.db.prepare('DELETE FROM event_reviews WHERE event_id = ?');
    let n = 0;
    this.db.transaction(() => {
      for (const id of uniq) n += (reviewed ? ins.run(id, nowMs, by) : del.run(id)).changes;
    })();
    return n;
  }

  /** The best-shot crop of an object event. */
  snapshot(id: number): ReviewSnapshot {
    const row = this.db.prepare("SELECT data FROM events WHERE id = ? AND kind = 'object'").get(id) as { data: string } | undefined;
    if (!row) throw new ApiError('not_found', `no object event ${id}`, 'id');
    const s = parseJson<ObjectData>(row.data, {}).snapshot;
    if (!s?.file) throw new ApiError('not_found', `object event ${id} has no snapshot (the object was not seen sharply enough, or its crop was not written yet)`, 'id');
    const file = path.resolve(this.dataDir, s.file);
    if (!file.startsWith(path.resolve(this.dataDir, 'snapshots') + path.sep)) throw new ApiError('not_found', `object event ${id} has no snapshot`, 'id');
    let jpeg: Buffer;
    try {
      jpeg = fs.readFileSync(file);
    } catch {
      throw new ApiError('not_found', `the snapshot of object event ${id} is gone (deleted with old events, or the data dir was moved)`, 'id');
    }
    return { id, dataUrl: `data:image/jpeg;base64,${jpeg.toString('base64')}`, width: s.width, height: s.height, time: s.time, quality: s.quality };
  }
}
