/**
 * The stored records a dry run replays, in time order, turned into the same
 * inputs the live path had: `events` rows (kind zone, software motion,
 * object, ONVIF motion/tamper/input), sensor messages (`sensor_events`:
 * doors, windows, motion sensors, badge reads; the access log holds the
 * same badge reads), and alarms of the sources that keep no other record
 * (camera health, disk, clock, panic: one input per alarm row).
 */
import type { AlarmType } from '../../api/alarms.js';
import { SensorMessage } from '../../api/alarms.js';
import type { MotionEvent, ZoneObjectEvent } from '../../api/detection.js';
import type { AlarmSetup } from '../../api/alarms.js';
import type { SourceEvent } from '../alarms/intake.js';
import { objectSourceEvent, onvifSourceEvent } from '../alarms/sources.js';
import { sensorSourceEvent } from '../integrations/sensors.js';
import type { Db } from '../store/db.js';
import { parseJson } from '../store/json.js';

export type RecordRef = { table: 'events' | 'sensor_events' | 'alarms'; id: number };

export type RecordInput =
  | { kind: 'zone'; ms: number; ref: RecordRef; zone: ZoneObjectEvent }
  | { kind: 'motion'; ms: number; ref: RecordRef; motion: MotionEvent }
  | { kind: 'source'; ms: number; ref: RecordRef; ev: SourceEvent };

/** Alarm types whose alarms are their only record (health, disk, clock, panic). */
export const ALARM_ONLY_TYPES: readonly AlarmType[] = [
  'camera.offline',
  'camera.stalled',
  'camera.recordingFailed',
  'camera.clockSkew',
  'system.clockStep',
  'disk.low',
  'disk.full',
  'panic',
];

/** Most rows read per table for one dry run. */
export const MAX_ROWS = 500_000;

interface EventRow {
  id: number;
  camera_id: string | null;
  time_ms: number;
  kind: string;
  source: string;
  data: string;
}

export interface ReadOptions {
  fromMs: number;
  toMs: number;
  /** Zone rows are read from this much earlier, so objects already inside at `fromMs` have their dwell. */
  zoneLookbackMs: number;
  /** Sensor rows from this much earlier, for the entry grace after a badge. */
  sensorLookbackMs: number;
  setup: AlarmSetup;
  cameraName: (id: string) => string | null;
}

const num = (v: unknown, d = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const str = (v: unknown, d = '') => (typeof v === 'string' ? v : d);

/** Every stored input in [fromMs - lookback, toMs), oldest first; `truncated` when a table had more than MAX_ROWS. */
export function readRecords(db: Db, o: ReadOptions): { inputs: RecordInput[]; truncated: boolean } {
  const out: RecordInput[] = [];
  let truncated = false;
  const name = (id: string) => o.cameraName(id) ?? id;

  const events = db
    .prepare(
      `SELECT id, camera_id, time_ms, kind, source, data FROM events
       WHERE time_ms >= ? AND time_ms < ? AND kind IN ('zone', 'object', 'motion', 'tamper', 'input')
       ORDER BY time_ms, id LIMIT ?`,
    )
    .all(Math.min(o.fromMs - o.zoneLookbackMs, o.fromMs), o.toMs, MAX_ROWS + 1) as EventRow[];
  if (events.length > MAX_ROWS) {
    truncated = true;
    events.length = MAX_ROWS;
  }
  for (const r of events) {
    const ref: RecordRef = { table: 'events', id: r.id };
    const data = parseJson<Record<string, unknown>>(r.data, {});
    const cam = r.camera_id ?? '';
    if (r.kind === 'zone') {
      const z: ZoneObjectEvent = {
        cameraId: str(data.cameraId, cam),
        zoneId: str(data.zoneId),
        zone: str(data.zone, str(data.zoneId)),
        label: str(data.label, 'object'),
        trackId: num(data.trackId),
        objectEventId: num(data.objectEventId),
        phase: (['enter', 'dwell', 'leave'].includes(str(data.phase)) ? data.phase : 'enter') as ZoneObjectEvent['phase'],
        dwellSeconds: num(data.dwellSeconds),
        count: num(data.count, 1),
        time: str(data.time, new Date(r.time_ms).toISOString()),
        eventId: r.id,
      };
      out.push({ kind: 'zone', ms: r.time_ms, ref, zone: z });
      continue;
    }
    if (r.time_ms < o.fromMs) continue;
    if (r.kind === 'motion' && r.source === 'software') {
      const phase = str(data.phase) === 'end' ? 'end' : 'start';
      out.push({
        kind: 'motion',
        ms: r.time_ms,
        ref,
        motion: { cameraId: cam, phase, score: num(data.score), time: new Date(r.time_ms).toISOString(), eventId: r.id },
      });
    } else if (r.kind === 'object' && r.source === 'detector') {
      const ev = objectSourceEvent(
        { cameraId: cam, label: str(data.label, 'object'), score: num(data.score), trackId: num(data.trackId), box: data.box, id: r.id },
        name(cam),
        o.cameraName(cam) !== null,
        r.time_ms,
      );
      out.push({ kind: 'source', ms: r.time_ms, ref, ev });
    } else if (r.source === 'onvif') {
      if (data.initial) continue;
      const ev = onvifSourceEvent(
        {
          cameraId: cam,
          kind: r.kind,
          state: data.state,
          source: typeof data.source === 'string' ? data.source : undefined,
          topic: str(data.topic) || undefined,
          time: typeof data.cameraTime === 'string' ? data.cameraTime : undefined,
        },
        name(cam),
        o.cameraName(cam) !== null,
        r.time_ms,
      );
      if (ev && !ev.clears) out.push({ kind: 'source', ms: r.time_ms, ref, ev });
    }
  }

  const sensors = db
    .prepare(
      'SELECT id, time_ms, via, sensor_id, payload FROM sensor_events WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id LIMIT ?',
    )
    .all(o.fromMs - o.sensorLookbackMs, o.toMs, MAX_ROWS + 1) as {
    id: number;
    time_ms: number;
    via: string;
    sensor_id: string;
    payload: string;
  }[];
  if (sensors.length > MAX_ROWS) {
    truncated = true;
    sensors.length = MAX_ROWS;
  }
  const lastGranted = new Map<string, number>();
  for (const r of sensors) {
    const msg = SensorMessage.safeParse(parseJson<unknown>(r.payload, null));
    if (!msg.success) continue;
    const { ev } = sensorSourceEvent(r.sensor_id, msg.data, r.via, r.time_ms, o.setup, lastGranted);
    if (ev && !ev.clears && r.time_ms >= o.fromMs)
      out.push({ kind: 'source', ms: r.time_ms, ref: { table: 'sensor_events', id: r.id }, ev });
  }

  const alarms = db
    .prepare(
      `SELECT id, type, title, source, source_key, camera_ids, zone, created_ms, details FROM alarms
       WHERE created_ms >= ? AND created_ms < ? AND type IN (${ALARM_ONLY_TYPES.map(() => '?').join(',')}) ORDER BY created_ms, id LIMIT ?`,
    )
    .all(o.fromMs, o.toMs, ...ALARM_ONLY_TYPES, MAX_ROWS + 1) as {
    id: number;
    type: AlarmType;
    title: string;
    source: string;
    source_key: string;
    camera_ids: string;
    zone: string | null;
    created_ms: number;
    details: string;
  }[];
  if (alarms.length > MAX_ROWS) {
    truncated = true;
    alarms.length = MAX_ROWS;
  }
  for (const a of alarms) {
    const ev: SourceEvent = {
      type: a.type,
      source: a.source,
      sourceKey: a.source_key,
      title: a.title,
      cameraIds: parseJson<string[]>(a.camera_ids, []),
      zone: a.zone,
      time: a.created_ms,
      details: parseJson<Record<string, unknown>>(a.details, {}),
    };
    out.push({ kind: 'source', ms: a.created_ms, ref: { table: 'alarms', id: a.id }, ev });
  }

  // one order for everything: time, then table (events, sensors, alarms), then id (a stable sort keeps that)
  out.sort((a, b) => a.ms - b.ms);
  return { inputs: out, truncated };
}
