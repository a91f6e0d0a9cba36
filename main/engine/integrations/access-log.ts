/**
 * The access-control log (table access_log): every badge read, granted or
 * denied, with the cameras of its door and the alarm it raised. Written by
 * SensorIngest; read by access.search and `gatehouse alarms access`.
 */
import type { AccessEntry, AlarmSetup, Page } from '../../api/alarms.js';
import { mediaFor } from '../recording/media-links.js';
import type { Db } from '../store/db.js';
import { parseJson } from '../store/json.js';
import { KeysetPager } from '../store/keyset.js';

export interface AccessRow {
  id: number;
  time_ms: number;
  sensor_id: string;
  door: string;
  badge: string;
  person: string | null;
  granted: number;
  direction: string | null;
  reason: string | null;
  camera_ids: string;
  alarm_id: number | null;
}

export interface AccessFilter {
  badge?: string;
  door?: string;
  from?: string;
  to?: string;
  granted?: boolean;
}

export class AccessLog {
  private pager: KeysetPager;
  private byId;

  constructor(
    private readonly db: Db,
    private readonly setup: () => AlarmSetup,
  ) {
    this.pager = new KeysetPager(db);
    this.byId = db.prepare('SELECT * FROM access_log WHERE id = ?');
  }

  get(id: number): AccessEntry | null {
    const r = this.byId.get(id) as AccessRow | undefined;
    return r ? this.toEntry(r) : null;
  }

  toEntry(r: AccessRow): AccessEntry {
    const cameraIds = parseJson<string[]>(r.camera_ids, []);
    return {
      id: r.id,
      time: new Date(r.time_ms).toISOString(),
      sensorId: r.sensor_id,
      door: r.door,
      badge: r.badge,
      person: r.person,
      granted: r.granted === 1,
      direction: r.direction as AccessEntry['direction'],
      reason: r.reason,
      cameraIds,
      alarmId: r.alarm_id,
      media: mediaFor(cameraIds, r.time_ms, this.setup()),
    };
  }

  /** The entry/exit log, newest first, by badge, door, time and result (keyset pages). */
  search(f: AccessFilter, cursor: string | null | undefined, limit: number): Page<AccessEntry> {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (f.badge) {
      where.push('badge = @badge');
      args.badge = f.badge;
    }
    if (f.door) {
      where.push('door = @door');
      args.door = f.door;
    }
    if (f.from) {
      where.push('time_ms >= @from');
      args.from = Date.parse(f.from);
    }
    if (f.to) {
      where.push('time_ms < @to');
      args.to = Date.parse(f.to);
    }
    if (f.granted !== undefined) {
      where.push('granted = @granted');
      args.granted = f.granted ? 1 : 0;
    }
    const { rows, nextCursor } = this.pager.page<AccessRow>(
      { select: 'SELECT * FROM access_log', where, args, time: 'time_ms', id: 'id' },
      cursor,
      limit,
      (r) => ({ ms: r.time_ms, id: r.id }),
    );
    return { items: rows.map((r) => this.toEntry(r)), nextCursor };
  }
}
