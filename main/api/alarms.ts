/**
 * Alarms, the access-control log, the audit trail and the sensor
 * integrations (MQTT, webhooks). Part of the one API contract, merged in
 * contract.ts. Imported by the renderer too: no Node APIs here.
 *
 * The alarm life cycle (see docs/alarms.md and main/engine/alarms/state-machine.ts):
 *   new → acknowledged → in_progress ⇄ on_hold → closed
 */
import { z } from 'zod';

// ───────────────────────────── states, actions, priorities ─────────────────────────────

export const ALARM_STATES = ['new', 'acknowledged', 'in_progress', 'on_hold', 'closed'] as const;
export const AlarmState = z.enum(ALARM_STATES);
export type AlarmState = z.infer<typeof AlarmState>;
export const OPEN_STATES: readonly AlarmState[] = ['new', 'acknowledged', 'in_progress', 'on_hold'];

/** Actions that move an alarm between states (see the transition table). */
export const ALARM_ACTIONS = ['acknowledge', 'start', 'hold', 'resume', 'close', 'reopen'] as const;
export const AlarmAction = z.enum(ALARM_ACTIONS);
export type AlarmAction = z.infer<typeof AlarmAction>;

export const Priority = z.number().int().min(1, 'priority runs from 1 (highest) to 5').max(5, 'priority runs from 1 (highest) to 5');
export type Priority = 1 | 2 | 3 | 4 | 5;

/** What a priority means to the engine. Its colours and sounds are the console's (renderer/src/views/alarms/priority-style.ts). */
export interface PriorityInfo {
  priority: Priority;
  label: string;
  /** Seconds an alarm may stay unacknowledged before it escalates (null = never). */
  ackSeconds: number | null;
}

export const PRIORITIES: Record<Priority, PriorityInfo> = {
  1: { priority: 1, label: 'Critical', ackSeconds: 30 },
  2: { priority: 2, label: 'High', ackSeconds: 60 },
  3: { priority: 3, label: 'Medium', ackSeconds: 180 },
  4: { priority: 4, label: 'Low', ackSeconds: 600 },
  5: { priority: 5, label: 'Info', ackSeconds: null },
};

// ───────────────────────────── alarm types ─────────────────────────────

export const ALARM_TYPES = [
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
  'detection.object',
  'detection.zone',
  'detection.motion',
  'sensor.door',
  'sensor.window',
  'sensor.motion',
  'access.denied',
  'access.granted',
  'access.mismatch',
  'face.watchlist',
  'face.unknown',
  'panic',
] as const;
export const AlarmType = z.enum(ALARM_TYPES);
export type AlarmType = z.infer<typeof AlarmType>;

export const ALARM_TYPE_LABELS: Record<AlarmType, string> = {
  'camera.offline': 'Camera offline',
  'camera.stalled': 'Camera stalled',
  'camera.recordingFailed': 'Recording failed',
  'camera.clockSkew': 'Camera clock skew',
  'system.clockStep': 'System clock stepped',
  'disk.low': 'Disk space low',
  'disk.full': 'Disk full',
  'onvif.motion': 'Camera motion',
  'onvif.tamper': 'Camera tamper',
  'onvif.input': 'Camera digital input',
  'detection.person': 'Person detected',
  'detection.object': 'Object detected',
  'detection.zone': 'Object in a zone',
  'detection.motion': 'Motion (software)',
  'sensor.door': 'Door sensor',
  'sensor.window': 'Window sensor',
  'sensor.motion': 'Motion sensor',
  'access.denied': 'Badge denied',
  'access.granted': 'Badge granted',
  'access.mismatch': 'Badge and face do not match',
  'face.watchlist': 'Watchlist face',
  'face.unknown': 'Unknown face',
  panic: 'Panic',
};

// ───────────── rules before schema 3 (config.alarmRules; now main/api/rules.ts) ─────────────

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time of day must be HH:MM, 24-hour');
export const AlarmSchedule = z
  .object({
    /** Days of the week, 0 = Sunday … 6 = Saturday. */
    days: z.array(z.number().int().min(0).max(6)).min(1).max(7).default([0, 1, 2, 3, 4, 5, 6]),
    /** Start of the active window (local time in settings.timeZone). */
    from: HHMM.default('00:00'),
    /** End of the window; before `from` means it runs past midnight. Equal means all day. */
    to: HHMM.default('00:00'),
  })
  .strict();
export type AlarmSchedule = z.infer<typeof AlarmSchedule>;

/** A type pattern: an exact alarm type, a prefix like "sensor.*", or "*". */
const TypePattern = z
  .string()
  .regex(/^(\*|[a-z]+\.\*|[a-z]+(\.[a-zA-Z]+)?)$/, 'type must be an alarm type such as sensor.door, a prefix such as sensor.*, or *');

/**
 * The rule shape of config schema 2 (`config.alarmRules`, matched on alarm types). Schema 3 converts these
 * into `config.rules` (main/engine/rules/legacy.ts); `alarms.setRules` still takes them.
 */
export const AlarmRule = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'rule id must be lower-case letters, digits and . _ -'),
    name: z.string().trim().min(1).max(80),
    enabled: z.boolean().default(true),
    match: z
      .object({
        type: TypePattern,
        cameraId: z.string().max(80).optional(),
        zone: z.string().max(64).optional(),
        sensorId: z.string().max(128).optional(),
      })
      .strict(),
    /** Only active inside this weekly window; null = always. */
    schedule: AlarmSchedule.nullable().default(null),
    /** alarm: raise an alarm; log: keep the event in the log only; ignore: drop it. */
    action: z.enum(['alarm', 'log', 'ignore']).default('alarm'),
    priority: Priority.default(3),
    /** Repeats from the same source within this many seconds of the last one are counted on one alarm. */
    coalesceSeconds: z.number().int().min(0).max(86_400).default(60),
    /** Overrides the priority's acknowledgement time before escalation; null = never escalate. */
    ackSeconds: z.number().int().min(5).max(86_400).nullable().optional(),
    /** Standard operating procedure shown on the alarm; defaults to the type's text. */
    sop: z.string().max(4000).optional(),
    /** Cameras to link in addition to the source's own. */
    cameraIds: z.array(z.string().max(80)).max(16).optional(),
    /** Close the alarm by itself when the source clears, if nobody acknowledged it yet. */
    autoClose: z.boolean().default(false),
  })
  .strict();
export type AlarmRule = z.infer<typeof AlarmRule>;
export type AlarmRuleInput = z.input<typeof AlarmRule>;

// ───────────────────────────── setup (stored in config.alarmSetup) ─────────────────────────────

const SensorId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'sensor id may hold letters, digits and . _ : - (max 128)');
const TopicPrefix = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^#+\s]+[^/#+\s]$/, 'topic prefix may not hold # + or spaces, nor end with /');

/** What an outbound notice URL may ask for ("checkpoint": each signed audit checkpoint, docs/security.md). */
export const NOTICE_EVENTS = ['raised', 'escalated', 'closed', 'checkpoint'] as const;
export type NoticeEvent = (typeof NOTICE_EVENTS)[number];

export const AlarmSetup = z
  .object({
    mqtt: z
      .object({
        /** Broker URL (mqtt://host:port); `gatehouse serve --mqtt URL` overrides it. */
        url: z.string().max(2048).nullable().default(null),
        /** Fixed client id of the persistent session; default gatehouse-<hash of the data dir>. */
        clientId: z.string().min(1).max(64).nullable().default(null),
        sensorPrefix: TopicPrefix.default('gatehouse/sensors'),
        alarmPrefix: TopicPrefix.default('gatehouse/alarms'),
      })
      .strict()
      .default({ url: null, clientId: null, sensorPrefix: 'gatehouse/sensors', alarmPrefix: 'gatehouse/alarms' }),
    /** Inbound webhook integrations: each has its own bearer token (only its SHA-256 is kept). */
    webhooks: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
            name: z.string().min(1).max(80),
            tokenSha256: z.string().regex(/^[0-9a-f]{64}$/),
            disabled: z.boolean().default(false),
            createdAt: z.string(),
            /** What the token may do: post sensor messages (/api/webhook/sensors), switch the arming mode (/api/webhook/arming). */
            scopes: z.array(z.enum(['sensors', 'arming'])).min(1).max(2).optional(),
          })
          .strict(),
      )
      .default([]),
    /** Outbound notices (escalations by default) POSTed as JSON to these URLs. */
    notify: z
      .array(
        z
          .object({
            url: z.string().regex(/^https?:\/\/\S+$/, 'notify url must be http(s)://…'),
            /** "checkpoint": each signed audit checkpoint (docs/security.md), for an archive the site's PC can't rewrite. */
            events: z.array(z.enum(NOTICE_EVENTS)).min(1).default(['escalated']),
            /** Bearer token sent with each notice, if the receiver wants one. */
            token: z.string().max(512).nullable().default(null),
          })
          .strict(),
      )
      .default([]),
    /** Sensors: where they are and which cameras watch them. Unknown sensors still work. */
    sensors: z
      .array(
        z
          .object({
            id: SensorId,
            name: z.string().max(80).optional(),
            zone: z.string().max(64).optional(),
            cameraIds: z.array(z.string().max(80)).max(16).default([]),
          })
          .strict(),
      )
      .default([]),
    /** Door → camera mapping for access-control messages and door sensors. */
    doors: z
      .array(
        z
          .object({
            door: z.string().min(1).max(128),
            name: z.string().max(80).optional(),
            zone: z.string().max(64).optional(),
            cameraIds: z.array(z.string().max(80)).max(16).default([]),
          })
          .strict(),
      )
      .default([]),
    /** The site's procedure (SOP) per alarm type, shown on its alarms (a rule's own SOP comes first). */
    sops: z.partialRecord(AlarmType, z.string().max(4000)).optional(),
    /** A door opening this many seconds after a granted badge at it is a normal entry, not an alarm. */
    entryGraceSeconds: z.number().int().min(0).max(300).default(15),
    /** Seconds of video linked before and after an alarm. */
    preRollSeconds: z.number().int().min(0).max(600).default(10),
    postRollSeconds: z.number().int().min(0).max(600).default(20),
    /** Difference between a camera's clock and the server's that raises camera.clockSkew. */
    clockSkewSeconds: z.number().int().min(2).max(86_400).default(30),
  })
  .strict();
export type AlarmSetup = z.infer<typeof AlarmSetup>;

// ───────────────────────────── sensor messages (MQTT payload, webhook body) ─────────────────────────────

const SensorCommon = {
  /** When it happened (ISO 8601); default: when Gatehouse received it. */
  time: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'time must be ISO 8601, e.g. 2026-11-26T08:00:00Z').optional(),
  /** Overrides the zone configured for the sensor. */
  zone: z.string().max(64).optional(),
  /** A unique message id; repeats of the same id are dropped (at-least-once delivery). */
  msgId: z.string().max(128).optional(),
};
export const DoorMessage = z.object({ type: z.literal('door'), state: z.enum(['open', 'closed', 'forced', 'held']), door: z.string().min(1).max(128).optional(), ...SensorCommon }).strict();
export const WindowMessage = z.object({ type: z.literal('window'), state: z.enum(['open', 'closed', 'broken']), ...SensorCommon }).strict();
export const MotionMessage = z.object({ type: z.literal('motion'), state: z.enum(['active', 'idle']), ...SensorCommon }).strict();
const BadgeFields = {
  badge: z.string().min(1).max(128),
  door: z.string().min(1).max(128),
  person: z.string().max(128).optional(),
  direction: z.enum(['in', 'out']).optional(),
};
export const BadgeGrantedMessage = z.object({ type: z.literal('badge.granted'), ...BadgeFields, ...SensorCommon }).strict();
export const BadgeDeniedMessage = z
  .object({ type: z.literal('badge.denied'), ...BadgeFields, reason: z.string().max(200).optional(), ...SensorCommon })
  .strict();
export const SensorMessage = z.discriminatedUnion('type', [DoorMessage, WindowMessage, MotionMessage, BadgeGrantedMessage, BadgeDeniedMessage]);
export type SensorMessage = z.infer<typeof SensorMessage>;
export { SensorId };

// ───────────────────────────── what consoles see ─────────────────────────────

export interface AlarmMedia {
  cameraId: string;
  /** Still image at the alarm time (served by the recorder). */
  snapshotUrl: string;
  /** Pre/post-roll time range for playback. */
  from: string;
  to: string;
}

export interface Alarm {
  id: number;
  type: AlarmType;
  title: string;
  priority: Priority;
  state: AlarmState;
  /** What raised it: a camera id, sensor id, door, user (panic) or "storage". */
  source: string;
  /** Repeats with the same key coalesce: type + source. */
  sourceKey: string;
  cameraIds: string[];
  zone: string | null;
  ruleId: string | null;
  createdAt: string;
  updatedAt: string;
  /** Time of the latest repeat. */
  lastAt: string;
  /** How many times the source fired into this alarm. */
  count: number;
  /** When it escalates unless acknowledged; null once acknowledged or for priorities that never escalate. */
  ackDueAt: string | null;
  /** 0 = not escalated; each escalation adds one. */
  escalation: number;
  claimedBy: string | null;
  /** The source cleared (camera back online, door closed). */
  resolvedAt: string | null;
  closedAt: string | null;
  closeReason: string | null;
  sop: string;
  media: AlarmMedia[];
  details: Record<string, unknown>;
}

export const ENTRY_KINDS = ['raised', 'transition', 'comment', 'claim', 'release', 'takeover', 'escalated', 'resolved', 'notice'] as const;
export type AlarmEntryKind = (typeof ENTRY_KINDS)[number];
/** One line of an alarm's history: every transition records user, time and comment. */
export interface AlarmEntry {
  id: number;
  alarmId: number;
  kind: AlarmEntryKind;
  action: AlarmAction | null;
  from: AlarmState | null;
  to: AlarmState | null;
  user: string;
  time: string;
  comment: string | null;
}

export interface AccessEntry {
  id: number;
  time: string;
  sensorId: string;
  door: string;
  badge: string;
  person: string | null;
  granted: boolean;
  direction: 'in' | 'out' | null;
  reason: string | null;
  cameraIds: string[];
  alarmId: number | null;
  media: AlarmMedia[];
}

export interface AuditRecord {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** A signed audit checkpoint (docs/security.md, "Audit checkpoints"): what is stored, published and verified. */
export interface AuditCheckpoint {
  type: 'gatehouse.audit.checkpoint';
  v: 1;
  /** 1, 2, 3 … in signing order. */
  n: number;
  /** It vouches for records 1..seq. */
  seq: number;
  /** The hash of record `seq` when signed. */
  hash: string;
  /** audit_head when signed. */
  head: { seq: number; hash: string } | null;
  /** How many records there were. */
  count: number;
  time: string;
  /** Why it was made: periodic, start, shutdown, cli. */
  reason: string;
  /** Fingerprint of the site key that signed it. */
  key: string;
  /** Ed25519 signature (base64) of the canonical JSON of every other field. */
  sig: string;
}

export type AuditProblem =
  | 'tampered'
  | 'missing'
  | 'broken_link'
  | 'truncated'
  /** A checkpoint's hash of record seq differs from the trail's: records up to seq were rewritten. */
  | 'checkpoint_mismatch'
  /** A checkpoint covers records the trail no longer has. */
  | 'checkpoint_missing_records'
  /** A checkpoint's signature does not verify, or its key is not one of this site's. */
  | 'checkpoint_signature'
  /** Checkpoints missing from the index (numbering gap, or an external copy newer than any in the index). */
  | 'checkpoint_missing';

/** One check `audit verify` ran, and how it went, in words. */
export interface AuditVerifyCheck {
  check: 'chain' | 'head' | 'checkpoints';
  /** For checkpoints: "index" or the external file it read. */
  source?: string;
  ok: boolean;
  message: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  records: number;
  /** The first record that does not check out, or null. */
  firstBad: { seq: number; problem: AuditProblem; message: string } | null;
  headHash: string | null;
  /** Every check that ran (the chain, the head, the checkpoints of each source). */
  checks?: AuditVerifyCheck[];
  /** The newest valid checkpoint, and how many records after it no checkpoint covers yet. */
  checkpoints?: { checked: number; newest: { n: number; seq: number; time: string; key: string } | null; uncovered: number };
}

export interface IntegrationStatus {
  mqtt: {
    configured: boolean;
    /** Broker URL without credentials. */
    url: string | null;
    connected: boolean;
    clientId: string | null;
    sensorTopic: string | null;
    lastError: string | null;
    lastMessageAt: string | null;
    received: number;
    rejected: number;
  };
  webhooks: { id: string; name: string; disabled: boolean; lastUsedAt: string | null; received: number; rejected: number }[];
}

export interface AlarmsMeta {
  priorities: PriorityInfo[];
  types: { type: AlarmType; label: string; sop: string }[];
  /** Default pre/post-roll, seconds. */
  preRollSeconds: number;
  postRollSeconds: number;
}

// ───────────────────────────── requests ─────────────────────────────

const AlarmId = z.number().int().positive();
const Comment = z.string().trim().min(1, 'comment is empty').max(2000, 'comment is longer than 2000 characters');
const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time such as 2026-11-26T08:00:00Z');
const Cursor = z.string().max(200).nullish();
const Limit = z.number().int().min(1).max(500).default(100);

export const HistoryFilter = z
  .object({
    from: IsoTime.optional(),
    to: IsoTime.optional(),
    cameraId: z.string().max(80).optional(),
    type: AlarmType.optional(),
    /** A state, or "open" (any state but closed). */
    state: z.union([AlarmState, z.literal('open')]).optional(),
    priority: Priority.optional(),
    /** Anyone who acted on the alarm (acknowledged, commented, closed...). */
    user: z.string().max(64).optional(),
    /** Free text in title or source. */
    text: z.string().max(100).optional(),
  })
  .strict();
export type HistoryFilter = z.infer<typeof HistoryFilter>;

export const alarmsRequests = {
  /** Open alarms, sorted by priority then age (oldest first). */
  'alarms.queue': { role: 'guard', input: z.object({}).strict() },
  'alarms.get': { role: 'guard', input: z.object({ id: AlarmId }).strict() },
  /** Alarm history with keyset paging: pass back `nextCursor` for the next page (newest first). */
  'alarms.history': { role: 'guard', input: z.object({ filter: HistoryFilter.default({}), cursor: Cursor, limit: Limit }).strict() },
  /** Move an alarm through its life cycle. `close` needs a reason. */
  'alarms.transition': {
    role: 'guard',
    input: z
      .object({
        id: AlarmId,
        action: AlarmAction,
        comment: Comment.optional(),
        reason: z.string().trim().min(1, 'a reason is needed to close an alarm').max(500).optional(),
      })
      .strict(),
  },
  'alarms.comment': { role: 'guard', input: z.object({ id: AlarmId, comment: Comment }).strict() },
  /** Take an alarm to work on it. `takeover` (supervisor) takes it from another user. */
  'alarms.claim': { role: 'guard', input: z.object({ id: AlarmId, takeover: z.boolean().optional() }).strict() },
  'alarms.release': { role: 'guard', input: z.object({ id: AlarmId }).strict() },
  /** Escalate to supervisors by hand. */
  'alarms.escalate': { role: 'guard', input: z.object({ id: AlarmId, comment: Comment.optional() }).strict() },
  /** Raise a manual priority-1 panic alarm from the console. */
  'alarms.panic': { role: 'guard', input: z.object({ cameraId: z.string().max(80).optional(), comment: Comment.optional() }).strict() },
  /** Mute this console's alarm sounds for a while; audited. */
  'alarms.mute': { role: 'guard', input: z.object({ seconds: z.number().int().min(5).max(600).default(30) }).strict() },
  'alarms.meta': { role: 'guard', input: z.object({}).strict() },
  // alarms.rules and alarms.setRules are declared with the rules in rules.ts.

  /** Entry/exit log from access control, newest first. */
  'access.search': {
    role: 'guard',
    input: z
      .object({
        badge: z.string().max(128).optional(),
        door: z.string().max(128).optional(),
        from: IsoTime.optional(),
        to: IsoTime.optional(),
        granted: z.boolean().optional(),
        cursor: Cursor,
        limit: Limit,
      })
      .strict(),
  },

  'audit.list': {
    role: 'supervisor',
    input: z
      .object({
        from: IsoTime.optional(),
        to: IsoTime.optional(),
        actor: z.string().max(64).optional(),
        /** Action prefix, e.g. "alarm." or "auth.login". */
        action: z.string().max(64).optional(),
        cursor: Cursor,
        limit: Limit,
      })
      .strict(),
  },
  'audit.verify': { role: 'supervisor', input: z.object({}).strict() },

  'integrations.status': { role: 'guard', input: z.object({}).strict() },
  /** Create an inbound webhook integration; the token is shown only in this answer. */
  'integrations.addWebhook': {
    role: 'admin',
    input: z.object({ name: z.string().trim().min(1).max(80), scopes: z.array(z.enum(['sensors', 'arming'])).min(1).max(2).optional() }).strict(),
  },
  'integrations.removeWebhook': { role: 'admin', input: z.object({ id: z.string().max(64) }).strict() },
} as const;

export interface Page<T> {
  items: T[];
  /** Opaque cursor of the next (older) page, or null at the end. */
  nextCursor: string | null;
}

export interface AlarmsResults {
  'alarms.queue': Alarm[];
  'alarms.get': { alarm: Alarm; entries: AlarmEntry[] };
  'alarms.history': Page<Alarm>;
  'alarms.transition': Alarm;
  'alarms.comment': Alarm;
  'alarms.claim': Alarm;
  'alarms.release': Alarm;
  'alarms.escalate': Alarm;
  'alarms.panic': Alarm;
  'alarms.mute': { until: string };
  'alarms.meta': AlarmsMeta;
  'access.search': Page<AccessEntry>;
  'audit.list': Page<AuditRecord>;
  'audit.verify': AuditVerifyResult;
  'integrations.status': IntegrationStatus;
  'integrations.addWebhook': { id: string; name: string; token: string; url: string; scopes: ('sensors' | 'arming')[] };
  'integrations.removeWebhook': { ok: true };
}

export interface AlarmsEvents {
  /** A new alarm, already committed to the database. */
  'alarm.raised': Alarm;
  /** An alarm changed: transition, comment, claim, repeat count, source cleared. */
  'alarm.changed': { alarm: Alarm; entry: AlarmEntry | null };
  /** Not acknowledged in time (or escalated by hand): supervisors are told. */
  'alarm.escalated': { alarm: Alarm; level: number; reason: 'timeout' | 'manual'; by: string };
  'access.entry': AccessEntry;
  'integrations.status': IntegrationStatus;
  /** A signed audit checkpoint was made: integrations publish it (MQTT retained, notify webhooks). */
  'audit.checkpoint': AuditCheckpoint;
}
export const ALARMS_EVENT_NAMES = ['alarm.raised', 'alarm.changed', 'alarm.escalated', 'access.entry', 'integrations.status', 'audit.checkpoint'] as const;
