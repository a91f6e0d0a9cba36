/**
 * Alarm rules: which source events become alarms, at what priority, when.
 * Pure: no I/O. The configured rules (config.alarmRules) are tried in
 * order, then the built-in defaults below; the first enabled rule that
 * matches the event and whose schedule is active decides.
 */
import { AlarmRule, type AlarmRuleInput, type AlarmSchedule, type AlarmType, type Priority } from '../../api/alarms.js';
import { localParts } from '../util/time-zone.js';
import type { SourceEvent } from './intake.js';

export const DEFAULT_SOPS: Record<AlarmType, string> = {
  'camera.offline':
    '1. Look at the camera tile: is the whole site dark, or one camera?\n2. Check the camera and its switch port or PoE injector.\n3. If it stays offline, call maintenance and log the time it went dark.\n4. Close with the cause once it is back.',
  'camera.stalled':
    '1. The camera is connected but sends no video. Check the live tile.\n2. Power-cycle the camera if it does not recover within 2 minutes.\n3. Call maintenance if it stalls again.',
  'camera.recordingFailed':
    '1. Read the camera status message (wrong password, unsupported codec, no ffmpeg).\n2. Tell the administrator: nothing from this camera is being recorded.\n3. Close once recording runs again.',
  'camera.clockSkew':
    "1. The camera's clock differs from the server's: recordings are time-stamped by the server, but on-screen time may differ.\n2. Ask the administrator to set NTP on the camera.",
  'system.clockStep':
    "1. The server's own clock jumped (NTP correction, or someone changed the time). Recording goes on; the jump is marked on the timeline as a clock step.\n2. Ask the administrator to check the server's time source (NTP) and who changed the time.\n3. Note the step in the shift log: evidence times around it need care.",
  'disk.low':
    '1. Recordings will soon be deleted early to make room.\n2. Tell the administrator now: free space or add a disk.\n3. Do not delete recordings by hand.',
  'disk.full':
    '1. Recording has stopped or is deleting footage to keep going.\n2. Call the administrator immediately (on call, any hour).\n3. Note which cameras show "disk full".',
  'onvif.motion': '1. Look at the live view and the replay.\n2. Close as "no threat" or act per the site instructions.',
  'onvif.tamper':
    '1. Someone may have covered, moved or sprayed the camera. Check live and the seconds before.\n2. Send a patrol to the camera.\n3. Call the police if there is an intrusion.',
  'onvif.input': "1. A device wired to the camera's input fired (door contact, button). Check the linked view.\n2. Act per the site instructions for that input.",
  'detection.person': '1. The detector saw a person. Look at the live view and the replay.\n2. Act per the site instructions if nobody should be there.',
  'sensor.door':
    '1. Look at the door camera live and the replay before the alarm.\n2. If nobody with a badge is seen, send a patrol.\n3. Call the police if forced entry is seen.\n4. Close with what was found.',
  'sensor.window': '1. Look at the cameras of the zone.\n2. Send a patrol to the window.\n3. Call the police if entry is seen.',
  'sensor.motion': '1. Look at the cameras of the zone.\n2. Send a patrol if a person is seen out of hours.',
  'access.denied':
    '1. Look at the door camera: who tried the badge?\n2. Several denials in a row: send a patrol to the door.\n3. Note badge and person in the comment.',
  'access.granted': 'Normal entry; no action.',
  panic:
    '1. A guard pressed panic. Call the guard on the radio now.\n2. No answer within 30 s: send help and call the police.\n3. Keep the linked cameras on screen.',
};

function rule(r: AlarmRuleInput): AlarmRule {
  return AlarmRule.parse(r);
}

/** The built-in rules: the fallback after the configured ones. */
export const DEFAULT_RULES: AlarmRule[] = [
  rule({ id: 'default-disk-full', name: 'Disk full', match: { type: 'disk.full' }, priority: 1, coalesceSeconds: 600 }),
  rule({ id: 'default-panic', name: 'Panic button', match: { type: 'panic' }, priority: 1, coalesceSeconds: 0 }),
  rule({ id: 'default-camera-offline', name: 'Camera offline', match: { type: 'camera.offline' }, priority: 2, coalesceSeconds: 300 }),
  rule({ id: 'default-recording-failed', name: 'Recording failed', match: { type: 'camera.recordingFailed' }, priority: 2, coalesceSeconds: 300 }),
  rule({ id: 'default-camera-stalled', name: 'Camera stalled', match: { type: 'camera.stalled' }, priority: 3, coalesceSeconds: 300 }),
  rule({ id: 'default-clock-skew', name: 'Camera clock skew', match: { type: 'camera.clockSkew' }, priority: 4, coalesceSeconds: 3600 }),
  rule({ id: 'default-clock-step', name: 'System clock stepped', match: { type: 'system.clockStep' }, priority: 3, coalesceSeconds: 600 }),
  rule({ id: 'default-disk-low', name: 'Disk space low', match: { type: 'disk.low' }, priority: 3, coalesceSeconds: 3600 }),
  rule({ id: 'default-tamper', name: 'Camera tamper', match: { type: 'onvif.tamper' }, priority: 2, coalesceSeconds: 120 }),
  rule({ id: 'default-input', name: 'Camera digital input', match: { type: 'onvif.input' }, priority: 2, coalesceSeconds: 60 }),
  rule({ id: 'default-onvif-motion', name: 'Camera motion (log only)', match: { type: 'onvif.motion' }, action: 'log', priority: 5, coalesceSeconds: 120 }),
  rule({ id: 'default-person', name: 'Person detected (log only)', match: { type: 'detection.person' }, action: 'log', priority: 4, coalesceSeconds: 120 }),
  rule({ id: 'default-door', name: 'Door open', match: { type: 'sensor.door' }, priority: 2, coalesceSeconds: 60 }),
  rule({ id: 'default-window', name: 'Window open', match: { type: 'sensor.window' }, priority: 2, coalesceSeconds: 60 }),
  rule({ id: 'default-motion-sensor', name: 'Motion sensor', match: { type: 'sensor.motion' }, priority: 3, coalesceSeconds: 120 }),
  rule({ id: 'default-badge-denied', name: 'Badge denied', match: { type: 'access.denied' }, priority: 3, coalesceSeconds: 60 }),
  rule({ id: 'default-badge-granted', name: 'Badge granted (log only)', match: { type: 'access.granted' }, action: 'log', priority: 5, coalesceSeconds: 0 }),
  rule({ id: 'default-catch-all', name: 'Anything else', match: { type: '*' }, priority: 3, coalesceSeconds: 60 }),
];

export function typeMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Minutes since midnight of an HH:MM time of day. */
const minuteOfDayOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Is the schedule active at `atMs` (local time in `timeZone`)? A window that runs past midnight belongs
 * to the day it starts on (Fri 22:00–06:00 covers Saturday 03:00).
 */
export function scheduleActive(s: AlarmSchedule | null, atMs: number, timeZone: string): boolean {
  if (!s) return true;
  const local = localParts(atMs, timeZone);
  const weekday = local.weekday;
  const minuteOfDay = local.hour * 60 + local.minute;
  const fromMinute = minuteOfDayOf(s.from);
  const toMinute = minuteOfDayOf(s.to);
  if (fromMinute === toMinute) return s.days.includes(weekday);
  if (fromMinute < toMinute) return s.days.includes(weekday) && minuteOfDay >= fromMinute && minuteOfDay < toMinute;
  // past midnight
  if (minuteOfDay >= fromMinute) return s.days.includes(weekday);
  if (minuteOfDay < toMinute) return s.days.includes((weekday + 6) % 7);
  return false;
}

export function ruleMatches(r: AlarmRule, ev: SourceEvent, timeZone: string): boolean {
  if (!r.enabled) return false;
  const m = r.match;
  if (!typeMatches(m.type, ev.type)) return false;
  if (m.cameraId !== undefined && !ev.cameraIds.includes(m.cameraId) && ev.source !== m.cameraId) return false;
  if (m.zone !== undefined && ev.zone !== m.zone) return false;
  if (m.sensorId !== undefined && ev.sensorId !== m.sensorId) return false;
  return scheduleActive(r.schedule, ev.time, timeZone);
}

/** The configured rules followed by the built-in ones. */
export function effectiveRules(configured: AlarmRule[] | undefined): AlarmRule[] {
  return configured && configured.length ? [...configured, ...DEFAULT_RULES] : DEFAULT_RULES;
}

export interface Decision {
  rule: AlarmRule;
  action: AlarmRule['action'];
  priority: Priority;
  sop: string;
}

/** The first matching rule decides. The catch-all default means there always is one. */
export function decide(rules: AlarmRule[], ev: SourceEvent, timeZone: string): Decision {
  const r = rules.find((x) => ruleMatches(x, ev, timeZone)) ?? DEFAULT_RULES[DEFAULT_RULES.length - 1]!;
  return { rule: r, action: r.action, priority: r.priority as Priority, sop: r.sop ?? DEFAULT_SOPS[ev.type] };
}
