/**
 * The timeline's markers for one camera in a time range: alarms and panics
 * linked to the camera (alarm_cameras), sensor messages from sensors and
 * doors the alarm setup maps to the camera or that raised one of its alarms
 * (sensor_events), and bookmarks (bookmarks/store.ts).
 *
 * A read model: it only reads the alarms' and sensors' tables (their
 * writers are alarms/store.ts and integrations/sensors.ts), through the
 * indexes they keep for exactly this (camera, time) and (time) shape.
 */
import type { AlarmSetup, Priority } from '../../api/alarms.js';
import type { MarkerKind, TimelineMarker } from '../../api/bookmarks.js';
import type { BookmarkStore } from '../bookmarks/store.js';
import type { Db } from '../store/db.js';

interface AlarmMarkRow {
  id: number;
  type: string;
  title: string;
  priority: number;
  state: string;
  created_ms: number;
  last_ms: number;
  camera_ids: string;
}

interface SensorMarkRow {
  id: number;
  time_ms: number;
  sensor_id: string;
  type: string;
  state: string | null;
  zone: string | null;
  door: string | null;
  alarm_id: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

function jsonIds(s: string): string[] {
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

const SENSOR_WORDS: Record<string, string> = {
  door: 'Door',
  window: 'Window',
  motion: 'Motion',
  'badge.granted': 'Badge granted',
  'badge.denied': 'Badge denied',
};

/** What a guard reads on hover for a sensor message. */
export function sensorLabel(r: Pick<SensorMarkRow, 'type' | 'state' | 'sensor_id' | 'door'>, name?: string): string {
  const what = SENSOR_WORDS[r.type] ?? r.type;
  const state = r.type.startsWith('badge.') ? '' : r.state ? ` ${r.state}` : '';
  const where = name ?? (r.door && r.door !== r.sensor_id ? `${r.door}, ${r.sensor_id}` : r.sensor_id);
  return `${what}${state} (${where})`;
}

export class TimelineMarkers {
  private q;

  constructor(
    private readonly db: Db,
    private readonly bookmarks: BookmarkStore,
    private readonly setup: () => AlarmSetup,
  ) {
    this.q = {
      alarms: db.prepare(
        `SELECT a.id, a.type, a.title, a.priority, a.state, a.created_ms, a.last_ms, a.camera_ids
         FROM alarm_cameras c JOIN alarms a ON a.id = c.alarm_id
         WHERE c.camera_id = ? AND c.created_ms >= ? AND c.created_ms < ? ORDER BY c.created_ms, c.alarm_id LIMIT ?`,
      ),
    };
  }

  list(cameraId: string, fromMs: number, toMs: number, kinds: readonly MarkerKind[], limit: number): { markers: TimelineMarker[]; truncated: boolean } {
    const want = new Set(kinds);
    const out: TimelineMarker[] = [];
    let truncated = false;
    if (want.has('alarm') || want.has('panic')) {
      const rows = this.q.alarms.all(cameraId, fromMs, toMs, limit + 1) as AlarmMarkRow[];
      if (rows.length > limit) truncated = true;
      for (const r of rows.slice(0, limit)) {
        const kind: MarkerKind = r.type === 'panic' ? 'panic' : 'alarm';
        if (!want.has(kind)) continue;
        out.push({
          kind,
          id: `alarm:${r.id}`,
          time: iso(r.created_ms),
          end: r.last_ms > r.created_ms ? iso(r.last_ms) : null,
          cameraIds: jsonIds(r.camera_ids),
          label: `P${r.priority} ${r.title} (#${r.id}, ${r.state.replace('_', ' ')})`,
          alarmId: r.id,
          priority: r.priority as Priority,
          state: r.state,
        });
      }
    }
    if (want.has('sensor')) {
      const s = this.setup();
      const sensors = s.sensors.filter((x) => x.cameraIds.includes(cameraId));
      const doors = s.doors.filter((x) => x.cameraIds.includes(cameraId)).map((x) => x.door);
      const names = new Map<string, string>();
      for (const x of s.sensors) if (x.name) names.set(x.id, x.name);
      const ids = sensors.map((x) => x.id);
      const sql = `SELECT s.id, s.time_ms, s.sensor_id, s.type, s.state, s.zone, json_extract(s.payload, '$.door') AS door, s.alarm_id
        FROM sensor_events s
        WHERE s.time_ms >= ? AND s.time_ms < ? AND (
          ${ids.length ? `s.sensor_id IN (${ids.map(() => '?').join(',')}) OR` : ''}
          ${doors.length ? `json_extract(s.payload, '$.door') IN (${doors.map(() => '?').join(',')}) OR (s.type = 'door' AND s.sensor_id IN (${doors.map(() => '?').join(',')})) OR` : ''}
          EXISTS (SELECT 1 FROM alarms a JOIN alarm_cameras c ON c.alarm_id = a.id AND c.created_ms = a.created_ms
                  WHERE a.id = s.alarm_id AND c.camera_id = ?))
        ORDER BY s.time_ms, s.id LIMIT ?`;
      const rows = this.db.prepare(sql).all(fromMs, toMs, ...ids, ...doors, ...doors, cameraId, limit + 1) as SensorMarkRow[];
      if (rows.length > limit) truncated = true;
      for (const r of rows.slice(0, limit)) {
        out.push({
          kind: 'sensor',
          id: `sensor:${r.id}`,
          time: iso(r.time_ms),
          end: null,
          cameraIds: [cameraId],
          label: sensorLabel(r, names.get(r.sensor_id)),
          sensorId: r.sensor_id,
          ...(r.alarm_id ? { alarmId: r.alarm_id } : {}),
        });
      }
    }
    if (want.has('bookmark')) {
      const rows = this.bookmarks.forCamera(cameraId, fromMs, toMs, limit + 1);
      if (rows.length > limit) truncated = true;
      for (const b of rows.slice(0, limit)) {
        out.push({
          kind: 'bookmark',
          id: `bookmark:${b.id}`,
          time: b.time,
          end: null,
          cameraIds: b.cameraIds,
          label: `Bookmark${b.note ? `: ${b.note}` : ''} (${b.author})`,
          bookmarkId: b.id,
          author: b.author,
        });
      }
    }
    out.sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.id.localeCompare(b.id));
    return { markers: out.slice(0, limit), truncated: truncated || out.length > limit };
  }
}
