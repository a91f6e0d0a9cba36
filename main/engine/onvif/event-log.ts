/**
 * The `events` table: one row per camera event (ONVIF motion, tamper,
 * inputs, relays; detections and other producers can use it too). Rows are
 * committed before the event goes out on the bus.
 */
import type { StoredEvent } from '../../api/onvif.js';
import type { Db } from '../store/db.js';

export interface NewEvent {
  cameraId: string | null;
  timeMs: number;
  kind: string;
  source: string;
  data: Record<string, unknown>;
}

export interface EventQuery {
  cameraId?: string;
  fromMs: number;
  toMs: number;
  kinds?: string[];
  limit?: number;
}

interface Row {
  id: number;
  camera_id: string | null;
  time_ms: number;
  kind: string;
  source: string;
  data: string;
}

function toEvent(r: Row): StoredEvent {
  let data: Record<string, unknown> = {};
  try {
    const d = JSON.parse(r.data) as unknown;
    if (d && typeof d === 'object' && !Array.isArray(d)) data = d as Record<string, unknown>;
  } catch {
    /* a damaged row still lists, without data */
  }
  return { id: r.id, cameraId: r.camera_id, time: new Date(r.time_ms).toISOString(), kind: r.kind, source: r.source, data };
}

export class EventLog {
  private ins;
  constructor(private readonly db: Db) {
    this.ins = db.prepare('INSERT INTO events (camera_id, time_ms, kind, source, data) VALUES (?, ?, ?, ?, ?)');
  }

  insert(e: NewEvent): number {
    const r = this.ins.run(e.cameraId, Math.round(e.timeMs), e.kind, e.source, JSON.stringify(e.data));
    return Number(r.lastInsertRowid);
  }

  list(q: EventQuery): { events: StoredEvent[]; truncated: boolean } {
    const limit = Math.min(Math.max(q.limit ?? 1000, 1), 10_000);
    const where = ['time_ms >= ?', 'time_ms < ?'];
    const args: (string | number)[] = [q.fromMs, q.toMs];
    if (q.cameraId) {
      where.push('camera_id = ?');
      args.push(q.cameraId);
    }
    if (q.kinds?.length) {
      where.push(`kind IN (${q.kinds.map(() => '?').join(',')})`);
      args.push(...q.kinds);
    }
    const rows = this.db
      .prepare(`SELECT id, camera_id, time_ms, kind, source, data FROM events WHERE ${where.join(' AND ')} ORDER BY time_ms, id LIMIT ?`)
      .all(...args, limit + 1) as Row[];
    const truncated = rows.length > limit;
    return { events: rows.slice(0, limit).map(toEvent), truncated };
  }

  /** Delete events older than `ms` (for retention). Returns how many went. */
  purgeBefore(ms: number): number {
    return this.db.prepare('DELETE FROM events WHERE time_ms < ?').run(ms).changes;
  }
}
