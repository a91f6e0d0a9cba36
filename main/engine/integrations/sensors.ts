/**
 * Intrusion and access-control sensor messages, whichever way they come
 * (MQTT topic gatehouse/sensors/<sensor-id>, or the webhook). Validates the
 * JSON with zod, keeps every message in sensor_events (and badge reads in the
 * access log), and hands the alarm-worthy ones to the alarm service.
 */
import { SensorId, SensorMessage, type AlarmSetup, type AlarmType } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import type { AlarmIntake, IngestResult, SourceEvent } from '../alarms/intake.js';
import type { EventBus } from '../bus.js';
import type { Db } from '../store/db.js';
import { logger } from '../log.js';
import { AccessLog } from './access-log.js';

const log = logger('sensors');

export interface SensorDeps {
  db: Db;
  bus: EventBus;
  setup: () => AlarmSetup;
  /** Where alarm-worthy messages go (the alarms module). */
  alarms: AlarmIntake;
  now?: () => number;
}

export interface SensorOutcome {
  sensorId: string;
  type: SensorMessage['type'];
  duplicate: boolean;
  /** Alarm raised or counted, if any. */
  alarmId: number | null;
  outcome: IngestResult['outcome'] | 'duplicate' | 'entry';
}

/** Turn zod issues into one sentence naming the field and what is allowed. */
export function describeIssue(err: { issues: { path: PropertyKey[]; message: string; code: string }[] }, prefix = ''): string {
  const i = err.issues[0]!;
  const field = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
  let msg = i.message;
  if (i.code === 'invalid_union' || /discriminator/i.test(msg)) msg = 'type must be one of door, window, motion, badge.granted, badge.denied';
  if (i.code === 'unrecognized_keys') msg = `unknown field(s): ${(i as unknown as { keys: string[] }).keys.join(', ')}`;
  return field ? `${field}: ${msg}` : msg;
}

/** Validate a sensor id and payload; throws ApiError('bad_request') saying what is wrong. */
export function parseSensorMessage(sensorId: unknown, payload: unknown, where = 'message'): { sensorId: string; msg: SensorMessage } {
  const id = SensorId.safeParse(sensorId);
  if (!id.success) throw new ApiError('bad_request', `${where}: sensor id ${JSON.stringify(sensorId)}: ${id.error.issues[0]!.message}`, 'sensor');
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new ApiError('bad_request', `${where}: expected a JSON object like {"type":"door","state":"open"}`);
  }
  const r = SensorMessage.safeParse(payload);
  if (!r.success) throw new ApiError('bad_request', `${where}: ${describeIssue(r.error)}`);
  return { sensorId: id.data, msg: r.data };
}

/**
 * A sensor message as a source event for the alarm intake (null: nothing for the alarms, a door opened just
 * after a granted badge at it). `lastGranted` (door → time of the last granted badge) carries the entry grace
 * from message to message; a badge granted here is recorded in it. Pure apart from that map: the dry run
 * replays stored messages through it as the live path did (rules/records.ts).
 */
export function sensorSourceEvent(
  sensorId: string,
  msg: SensorMessage,
  via: string,
  t: number,
  setup: AlarmSetup,
  lastGranted: Map<string, number>,
): { ev: SourceEvent | null; cameraIds: string[]; zone: string | null } {
  const sensor = setup.sensors.find((x) => x.id === sensorId);
  const doorName = 'door' in msg && msg.door ? msg.door : msg.type === 'door' ? sensorId : null;
  const door = doorName ? setup.doors.find((x) => x.door === doorName) : undefined;
  const zone = msg.zone ?? sensor?.zone ?? door?.zone ?? null;
  const cameraIds = [...new Set([...(sensor?.cameraIds ?? []), ...(door?.cameraIds ?? [])])];
  const label = sensor?.name ?? door?.name ?? sensorId;
  const base = { source: sensorId, sensorId, cameraIds, zone, time: t, details: { ...msg, via } as Record<string, unknown> };
  let ev: SourceEvent | null = null;
  switch (msg.type) {
    case 'door': {
      const doorKey = doorName ?? sensorId;
      const granted = lastGranted.get(doorKey);
      const grace = setup.entryGraceSeconds * 1000;
      if (msg.state === 'closed') ev = { ...base, type: 'sensor.door', title: `Door closed: ${label}`, clears: true };
      else if (msg.state === 'open' && granted !== undefined && t - granted <= grace && t >= granted - 1000) {
        // a badge was granted at this door just before: a normal entry
        ev = null;
      } else {
        const what = { open: 'Door open', forced: 'Door forced', held: 'Door held open' }[msg.state];
        ev = { ...base, type: 'sensor.door', title: `${what}: ${label}${zone ? ` (${zone})` : ''}` };
      }
      break;
    }
    case 'window':
      ev = { ...base, type: 'sensor.window', title: msg.state === 'broken' ? `Glass break: ${label}` : `Window ${msg.state}: ${label}`, clears: msg.state === 'closed' };
      break;
    case 'motion':
      ev = { ...base, type: 'sensor.motion', title: `Motion: ${label}${zone ? ` (${zone})` : ''}`, clears: msg.state === 'idle' };
      break;
    case 'badge.granted':
    case 'badge.denied': {
      const granted = msg.type === 'badge.granted';
      if (granted) lastGranted.set(msg.door, t);
      const type: AlarmType = granted ? 'access.granted' : 'access.denied';
      const who = msg.person ? `${msg.person} (${msg.badge})` : `badge ${msg.badge}`;
      const doorLabel = door?.name ?? msg.door;
      ev = {
        ...base,
        type,
        source: `${msg.door}`,
        sourceKey: `${type}:${msg.door}:${msg.badge}`,
        title: granted ? `Badge granted: ${who} at ${doorLabel}` : `Badge denied: ${who} at ${doorLabel}${msg.type === 'badge.denied' && msg.reason ? ` (${msg.reason})` : ''}`,
      };
      break;
    }
  }
  return { ev, cameraIds, zone };
}

export class SensorIngest {
  private q;
  private access: AccessLog;
  private lastGranted = new Map<string, number>();
  private now: () => number;
  counters = { received: 0, rejected: 0, lastMessageAt: null as string | null };

  constructor(private readonly d: SensorDeps) {
    this.now = d.now ?? Date.now;
    this.access = new AccessLog(d.db, d.setup);
    const db = d.db;
    this.q = {
      event: db.prepare(
        'INSERT OR IGNORE INTO sensor_events (time_ms, via, sensor_id, type, state, zone, msg_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      linkEvent: db.prepare('UPDATE sensor_events SET alarm_id = ? WHERE id = ?'),
      access: db.prepare(
        'INSERT INTO access_log (time_ms, sensor_id, door, badge, person, granted, direction, reason, camera_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      linkAccess: db.prepare('UPDATE access_log SET alarm_id = ? WHERE id = ?'),
    };
  }

  /** Count a message that failed validation (for the integrations status). */
  reject(): void {
    this.counters.rejected++;
  }

  /**
   * Handle one validated message. The raw message is committed before the
   * alarm; the MQTT client acknowledges the broker only after this returns.
   */
  handle(sensorId: string, msg: SensorMessage, via: string): SensorOutcome {
    const receivedMs = this.now();
    const t = msg.time ? Date.parse(msg.time) : receivedMs;
    this.counters.received++;
    this.counters.lastMessageAt = new Date(receivedMs).toISOString();
    const state = 'state' in msg ? msg.state : msg.type === 'badge.granted' ? 'granted' : 'denied';
    const { ev, cameraIds, zone } = sensorSourceEvent(sensorId, msg, via, t, this.d.setup(), this.lastGranted);
    const ins = this.q.event.run(t, via, sensorId, msg.type, state, zone, msg.msgId ?? null, JSON.stringify(msg));
    if (ins.changes === 0) {
      log.debug(`duplicate message ${msg.msgId} from ${sensorId} dropped`);
      return { sensorId, type: msg.type, duplicate: true, alarmId: null, outcome: 'duplicate' };
    }
    const eventId = Number(ins.lastInsertRowid);
    let accessId: number | null = null;
    if (msg.type === 'badge.granted' || msg.type === 'badge.denied') {
      const info = this.q.access.run(
        t,
        sensorId,
        msg.door,
        msg.badge,
        msg.person ?? null,
        msg.type === 'badge.granted' ? 1 : 0,
        msg.direction ?? null,
        msg.type === 'badge.denied' ? (msg.reason ?? null) : null,
        JSON.stringify(cameraIds),
      );
      accessId = Number(info.lastInsertRowid);
    }
    let alarmId: number | null = null;
    let outcome: SensorOutcome['outcome'] = 'entry';
    if (ev) {
      const r = this.d.alarms.ingest(ev);
      outcome = r.outcome;
      if ((r.outcome === 'raised' || r.outcome === 'coalesced') && r.alarm) alarmId = r.alarm.id;
    } else outcome = 'logged';
    if (alarmId !== null) this.q.linkEvent.run(alarmId, eventId);
    if (accessId !== null) {
      if (alarmId !== null) this.q.linkAccess.run(alarmId, accessId);
      const entry = this.access.get(accessId);
      if (entry) this.d.bus.emit('access.entry', entry);
    }
    return { sensorId, type: msg.type, duplicate: false, alarmId, outcome };
  }
}
