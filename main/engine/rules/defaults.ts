/**
 * The built-in rules and procedures. Without a `rules` list in the config
 * these are the rules; a site's own list starts as a copy of them (schema 3,
 * see legacy.ts), so a new rule goes before them and a site can change or
 * disable any. They raise the same alarms as the type-matched defaults of
 * schema 2 did, rule for rule (same ids, priorities, coalescing).
 */
import type { AlarmType } from '../../api/alarms.js';
import { Rule, type RuleInput } from '../../api/rules.js';

/** The built-in procedure of each alarm type (the alarm setup can set a site's own). */
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
  'onvif.input':
    "1. A device wired to the camera's input fired (door contact, button). Check the linked view.\n2. Act per the site instructions for that input.",
  'detection.person':
    '1. The detector saw a person. Look at the live view and the replay.\n2. Act per the site instructions if nobody should be there.',
  'detection.object':
    '1. The detector saw an object (vehicle, animal...). Look at the snapshot, the live view and the replay.\n2. Act per the site instructions.',
  'detection.zone':
    '1. Look at the snapshot and the live view: who or what is in the zone?\n2. Replay the seconds before: how did they get there?\n3. Send a patrol or call the police per the site instructions if nobody should be there.\n4. Close with what was found.',
  'detection.motion':
    '1. Motion on a camera with nobody expected. Look at the live view and the replay.\n2. Close as "no threat" or act per the site instructions.',
  'sensor.door':
    '1. Look at the door camera live and the replay before the alarm.\n2. If nobody with a badge is seen, send a patrol.\n3. Call the police if forced entry is seen.\n4. Close with what was found.',
  'sensor.window': '1. Look at the cameras of the zone.\n2. Send a patrol to the window.\n3. Call the police if entry is seen.',
  'sensor.motion': '1. Look at the cameras of the zone.\n2. Send a patrol if a person is seen out of hours.',
  'access.denied':
    '1. Look at the door camera: who tried the badge?\n2. Several denials in a row: send a patrol to the door.\n3. Note badge and person in the comment.',
  'access.granted': 'Normal entry; no action.',
  'access.mismatch':
    "1. Compare the badge holder's enrolled face with the face the door camera saw (side by side in the alarm).\n2. Replay the door camera around the badge time: someone else using the badge, or two people on one badge (tailgating)?\n3. Send a patrol to the door or call the holder per the site instructions.\n4. A face recognition error is possible: close as \"no threat\" with what you checked.",
  'face.watchlist':
    '1. A person on the watchlist was recognised. Look at the face crop, the live view and the replay.\n2. Act per the site instructions for that person.\n3. A face recognition error is possible: check the face before acting.',
  'face.unknown': '1. A face that is not enrolled was seen while the site is armed. Look at the face crop and the live view.\n2. Send a patrol if nobody should be there.',
  panic:
    '1. A guard pressed panic. Call the guard on the radio now.\n2. No answer within 30 s: send help and call the police.\n3. Keep the linked cameras on screen.',
};

function rule(r: RuleInput): Rule {
  return Rule.parse(r);
}

const alarm = (priority: number, coalesceSeconds: number) => [{ type: 'alarm' as const, priority, coalesceSeconds }];
const logOnly = [{ type: 'log' as const }];

/** The built-in rules, in the order they are tried. */
export const DEFAULT_RULES: Rule[] = [
  rule({ id: 'default-disk-full', name: 'Disk full', trigger: { kind: 'health', conditions: ['diskFull'] }, actions: alarm(1, 600) }),
  rule({ id: 'default-panic', name: 'Panic button', trigger: { kind: 'panic' }, actions: alarm(1, 0) }),
  rule({
    id: 'default-camera-offline',
    name: 'Camera offline',
    trigger: { kind: 'health', conditions: ['offline'] },
    actions: alarm(2, 300),
  }),
  rule({
    id: 'default-recording-failed',
    name: 'Recording failed',
    trigger: { kind: 'health', conditions: ['recordingFailed'] },
    actions: alarm(2, 300),
  }),
  rule({
    id: 'default-camera-stalled',
    name: 'Camera stalled',
    trigger: { kind: 'health', conditions: ['stalled'] },
    actions: alarm(3, 300),
  }),
  rule({
    id: 'default-clock-skew',
    name: 'Camera clock skew',
    trigger: { kind: 'health', conditions: ['clockSkew'] },
    actions: alarm(4, 3600),
  }),
  rule({
    id: 'default-clock-step',
    name: 'System clock stepped',
    trigger: { kind: 'health', conditions: ['clockStep'] },
    actions: alarm(3, 600),
  }),
  rule({ id: 'default-disk-low', name: 'Disk space low', trigger: { kind: 'health', conditions: ['diskLow'] }, actions: alarm(3, 3600) }),
  rule({ id: 'default-tamper', name: 'Camera tamper', trigger: { kind: 'onvif', events: ['tamper'] }, actions: alarm(2, 120) }),
  rule({ id: 'default-input', name: 'Camera digital input', trigger: { kind: 'onvif', events: ['input'] }, actions: alarm(2, 60) }),
  rule({ id: 'default-onvif-motion', name: 'Camera motion (log only)', trigger: { kind: 'onvif', events: ['motion'] }, actions: logOnly }),
  rule({
    id: 'default-person',
    name: 'Person detected (log only)',
    trigger: { kind: 'object', phase: 'seen' },
    conditions: { labels: ['person'] },
    actions: logOnly,
  }),
  rule({ id: 'default-door', name: 'Door open', trigger: { kind: 'sensor', types: ['door'] }, actions: alarm(2, 60) }),
  rule({ id: 'default-window', name: 'Window open', trigger: { kind: 'sensor', types: ['window'] }, actions: alarm(2, 60) }),
  rule({ id: 'default-motion-sensor', name: 'Motion sensor', trigger: { kind: 'sensor', types: ['motion'] }, actions: alarm(3, 120) }),
  rule({ id: 'default-badge-denied', name: 'Badge denied', trigger: { kind: 'access', result: 'denied' }, actions: alarm(3, 60) }),
  rule({ id: 'default-face-mismatch', name: 'Badge and face do not match', trigger: { kind: 'face', events: ['mismatch'] }, actions: alarm(2, 60) }),
  rule({ id: 'default-face-watchlist', name: 'Watchlist face', trigger: { kind: 'face', events: ['watchlist'] }, actions: alarm(2, 300) }),
  // off by default: turn it on (and pick the modes) where unknown faces at night are worth an alarm
  rule({
    id: 'default-face-unknown',
    name: 'Unknown face while armed (off)',
    enabled: false,
    trigger: { kind: 'face', events: ['unknown'] },
    conditions: { modes: ['night', 'away'] },
    actions: alarm(3, 300),
  }),
  rule({ id: 'default-face-log', name: 'Other face events (log only)', trigger: { kind: 'face' }, actions: logOnly }),
  rule({ id: 'default-badge-granted', name: 'Badge granted (log only)', trigger: { kind: 'access', result: 'granted' }, actions: logOnly }),
  rule({
    id: 'default-catch-all',
    name: 'Anything else',
    trigger: { kind: 'any' },
    actions: [{ type: 'alarm', priority: 3, coalesceSeconds: 60, coalesceBy: 'camera' }],
  }),
];

/** Is this one of the built-in rules (or a site's copy of one)? New rules go before the first of them. */
export const isBuiltInId = (id: string): boolean => id.startsWith('default-');
