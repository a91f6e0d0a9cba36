/**
 * What a rule is matched against: the facts of one event (a TriggerEvent),
 * derived from the source event the alarm intake gets (SourceEvent). Live
 * and in the dry run the same source events are built from the same data
 * (the bus event, or the stored row it was committed as), so both match
 * the same way. Pure.
 */
import type { AlarmType } from '../../api/alarms.js';
import { HEALTH_TYPES, type HealthCondition, type TriggerKind } from '../../api/rules.js';
import type { SourceEvent } from '../alarms/intake.js';

export interface TriggerEvent {
  kind: Exclude<TriggerKind, 'any'>;
  /** The alarm type it raises. */
  type: AlarmType;
  /** ms since the epoch. */
  time: number;
  /** Camera id, sensor id, door, user or "storage" (as on the alarm). */
  source: string;
  cameraIds: string[];
  /** A sensor's or door's zone, or the detection zone's name. */
  zone: string | null;
  zoneId: string | null;
  sensorId: string | null;
  /** object: seen | enter | dwell | leave; motion: start | end. */
  phase: string | null;
  label: string | null;
  /** Objects of the label in the zone at once. */
  count: number | null;
  trackId: number | null;
  objectEventId: number | null;
  /** Seconds inside the zone this event stands for (dwell events). */
  dwellSeconds: number | null;
  /** The dwell already reached before this event for the same object and zone (-1: none); see stream.ts. */
  dwellFrom: number | null;
  /** Made by the dwell stream (a rule's own dwell time reached), not by the detector. */
  synthetic: boolean;
  /** Software motion: share of the picture that changed. */
  score: number | null;
  sensorType: 'door' | 'window' | 'motion' | null;
  state: string | null;
  door: string | null;
  onvifEvent: 'motion' | 'tamper' | 'input' | null;
  /** Face events: watchlist | unknown | mismatch. */
  faceEvent: 'watchlist' | 'unknown' | 'mismatch' | null;
  health: HealthCondition | null;
}

/** The alarm types of the sources that existed before rules: what a "*" (any) rule matches. */
export const LEGACY_TYPES: readonly AlarmType[] = [
  'camera.offline',
  'camera.stalled',
  'camera.recordingFailed',
  'camera.clockSkew',
  'system.clockStep',
  'disk.low',
  'disk.full',
  'onvif.motion',
  'onvif.tamper',
  'onvif.input',
  'detection.person',
  'sensor.door',
  'sensor.window',
  'sensor.motion',
  'access.denied',
  'access.granted',
  'panic',
];

const HEALTH_OF = Object.fromEntries(Object.entries(HEALTH_TYPES).map(([c, t]) => [t, c])) as Partial<Record<AlarmType, HealthCondition>>;

export function kindOfType(type: AlarmType): TriggerEvent['kind'] {
  if (HEALTH_OF[type]) return 'health';
  if (type.startsWith('onvif.')) return 'onvif';
  if (type.startsWith('sensor.')) return 'sensor';
  if (type.startsWith('face.') || type === 'access.mismatch') return 'face';
  if (type.startsWith('access.')) return 'access';
  if (type === 'detection.motion') return 'motion';
  if (type.startsWith('detection.')) return 'object';
  return 'panic';
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The facts of a source event. Facts the source set itself (`ev.trigger`: zones, motion) win. */
export function triggerOf(ev: SourceEvent): TriggerEvent {
  const d = ev.details ?? {};
  const kind = kindOfType(ev.type);
  const t: TriggerEvent = {
    kind,
    type: ev.type,
    time: ev.time,
    source: ev.source,
    cameraIds: ev.cameraIds,
    zone: ev.zone,
    zoneId: null,
    sensorId: ev.sensorId ?? null,
    phase: null,
    label: null,
    count: null,
    trackId: null,
    objectEventId: null,
    dwellSeconds: null,
    dwellFrom: null,
    synthetic: false,
    score: null,
    sensorType: null,
    state: null,
    door: null,
    onvifEvent: null,
    faceEvent: null,
    health: HEALTH_OF[ev.type] ?? null,
  };
  switch (kind) {
    case 'sensor':
      t.sensorType = ev.type.slice(7) as TriggerEvent['sensorType'];
      t.state = str(d.state);
      break;
    case 'access':
      t.door = str(d.door);
      t.state = ev.type === 'access.granted' ? 'granted' : 'denied';
      break;
    case 'onvif':
      t.onvifEvent = ev.type.slice(6) as TriggerEvent['onvifEvent'];
      break;
    case 'face':
      t.faceEvent = ev.type === 'access.mismatch' ? 'mismatch' : ev.type === 'face.watchlist' ? 'watchlist' : 'unknown';
      t.door = str(d.door);
      t.label = 'person';
      break;
    case 'object':
      // a tracked object anywhere in the picture (zones come with their own facts)
      t.phase = 'seen';
      t.label = str(d.label) ?? (ev.type === 'detection.person' ? 'person' : null);
      t.trackId = num(d.trackId);
      t.objectEventId = num(d.objectEventId);
      break;
    default:
      break;
  }
  return ev.trigger ? { ...t, ...ev.trigger } : t;
}

/** The camera an event is about (the first linked one, else a source that is a camera). */
export function cameraOf(t: Pick<TriggerEvent, 'cameraIds'>): string | null {
  return t.cameraIds[0] ?? null;
}

/** What matched, in words, for the dry run's list and the log. */
export function describeTrigger(t: TriggerEvent): string {
  switch (t.kind) {
    case 'object':
      if (t.phase === 'seen') return `${t.label ?? 'object'} seen${t.trackId !== null ? ` (track ${t.trackId})` : ''}`;
      return `${t.label ?? 'object'} ${t.phase === 'enter' ? 'entered' : t.phase === 'leave' ? 'left' : `dwelt ${t.dwellSeconds ?? 0} s in`} ${t.zone ?? t.zoneId ?? 'a zone'}${t.count && t.count > 1 ? ` (${t.count} there)` : ''}${t.trackId !== null ? ` (track ${t.trackId})` : ''}`;
    case 'motion':
      return `motion ${t.phase ?? ''}${t.score !== null ? ` (${Math.round(t.score * 100)}% of the picture)` : ''}`.trim();
    case 'sensor':
      return `${t.sensorType ?? 'sensor'} ${t.sensorId ?? ''} ${t.state ?? ''}${t.zone ? ` (${t.zone})` : ''}`.replace(/\s+/g, ' ').trim();
    case 'access':
      return `badge ${t.state ?? ''} at ${t.door ?? '?'}`;
    case 'face':
      return t.faceEvent === 'mismatch' ? `badge and face do not match at ${t.door ?? t.source}` : `${t.faceEvent ?? 'face'} face on ${t.source}`;
    case 'onvif':
      return `ONVIF ${t.onvifEvent ?? 'event'} on ${t.source}`;
    case 'health':
      return `${t.health ?? 'health'}: ${t.source}`;
    case 'panic':
      return `panic by ${t.source}`;
  }
}
