/**
 * Rules (trigger → conditions → actions), arming modes and the alarm setup
 * (sensors, doors, webhooks, MQTT, notices, procedures). Part of the one API
 * contract, merged in contract.ts. Imported by the renderer too: no Node
 * APIs here. The model is described in docs/alarms.md ("Rules").
 *
 * A rule's stored shape is `Rule` (config.json `rules`). Requests that take a
 * rule take it loosely (`RuleDraft`, any object) and the engine validates it
 * field by field (main/engine/rules/validate.ts), so the editor can show an
 * error next to each field (`RuleFieldError.field` is the path, e.g.
 * `conditions.zones[0]` or `actions[1].topic`).
 */
import { z } from 'zod';
import { AlarmRule, AlarmSchedule, AlarmType, NOTICE_EVENTS, Priority, SensorId, type Alarm, type NoticeEvent } from './alarms.js';

// ───────────────────────────── triggers ─────────────────────────────

export const TRIGGER_KINDS = ['object', 'motion', 'sensor', 'access', 'face', 'onvif', 'health', 'panic', 'any'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];
export const TRIGGER_LABELS: Record<TriggerKind, string> = {
  object: 'Object (in a zone, or seen)',
  motion: 'Software motion',
  sensor: 'Sensor message',
  access: 'Access event (badge)',
  face: 'Face (watchlist, unknown, badge mismatch)',
  onvif: 'ONVIF camera event',
  health: 'Camera / system health',
  panic: 'Panic',
  any: 'Any alarm source (old "*" rules)',
};

export const OBJECT_PHASES = ['dwell', 'enter', 'seen'] as const;
export const SENSOR_TYPES = ['door', 'window', 'motion'] as const;
export const SENSOR_STATES = ['open', 'forced', 'held', 'broken', 'active'] as const;
export const ONVIF_TRIGGER_EVENTS = ['motion', 'tamper', 'input'] as const;
export const HEALTH_CONDITIONS = ['offline', 'stalled', 'recordingFailed', 'clockSkew', 'clockStep', 'diskLow', 'diskFull'] as const;
export type HealthCondition = (typeof HEALTH_CONDITIONS)[number];
/** The alarm type each health condition raises. */
export const HEALTH_TYPES: Record<HealthCondition, AlarmType> = {
  offline: 'camera.offline',
  stalled: 'camera.stalled',
  recordingFailed: 'camera.recordingFailed',
  clockSkew: 'camera.clockSkew',
  clockStep: 'system.clockStep',
  diskLow: 'disk.low',
  diskFull: 'disk.full',
};
/** Labels the detector reports (the editor offers these; others are accepted). */
export const OBJECT_LABELS = ['person', 'vehicle', 'bicycle', 'motorcycle', 'dog', 'cat'] as const;

const Name64 = z.string().trim().min(1).max(64);

export const ObjectTrigger = z
  .object({
    kind: z.literal('object'),
    /** dwell: the zone's dwell (or `dwellSeconds` in it); enter: on entering a zone; seen: a tracked object anywhere in the picture. */
    phase: z.enum(OBJECT_PHASES).default('dwell'),
    /** Seconds inside the zone before it counts (phase dwell); absent = the zone's own minimum dwell. */
    dwellSeconds: z.number().int().min(1, "dwell is at least 1 s (leave it out to use the zone's own)").max(86_400).optional(),
  })
  .strict();
export const MotionTrigger = z
  .object({
    kind: z.literal('motion'),
    /** Least share of the picture that changed, 0–1. */
    minScore: z.number().min(0).max(1).optional(),
  })
  .strict();
export const SensorTrigger = z
  .object({
    kind: z.literal('sensor'),
    /** Sensor types (none = every type). */
    types: z.array(z.enum(SENSOR_TYPES)).max(3).default([]),
    /** Message states that count (none = every state that is not a "cleared" one). */
    states: z.array(z.enum(SENSOR_STATES)).max(5).default([]),
  })
  .strict();
export const AccessTrigger = z
  .object({
    kind: z.literal('access'),
    result: z.enum(['denied', 'granted', 'any']).default('denied'),
    /** Doors (the `door` of badge messages; none = every door). */
    doors: z.array(z.string().min(1).max(128)).max(64).default([]),
  })
  .strict();
/** Face events: a watchlist person seen, an unknown (clear, not enrolled) face, a badge whose holder's face is not the one seen. */
export const FACE_TRIGGER_EVENTS = ['watchlist', 'unknown', 'mismatch'] as const;
export type FaceTriggerEvent = (typeof FACE_TRIGGER_EVENTS)[number];
export const FaceTrigger = z
  .object({
    kind: z.literal('face'),
    /** Face events (none = all three). */
    events: z.array(z.enum(FACE_TRIGGER_EVENTS)).max(3).default([]),
  })
  .strict();
export const OnvifTrigger = z
  .object({
    kind: z.literal('onvif'),
    /** ONVIF events (none = motion, tamper and input). */
    events: z.array(z.enum(ONVIF_TRIGGER_EVENTS)).max(3).default([]),
  })
  .strict();
export const HealthTrigger = z
  .object({
    kind: z.literal('health'),
    /** Health conditions (none = every one). */
    conditions: z.array(z.enum(HEALTH_CONDITIONS)).max(HEALTH_CONDITIONS.length).default([]),
  })
  .strict();
export const PanicTrigger = z.object({ kind: z.literal('panic') }).strict();
/** Every event of the sources that existed before rules (what a "*" rule matched): not zones or software motion. */
export const AnyTrigger = z.object({ kind: z.literal('any') }).strict();

export const Trigger = z.discriminatedUnion('kind', [
  ObjectTrigger,
  MotionTrigger,
  SensorTrigger,
  AccessTrigger,
  FaceTrigger,
  OnvifTrigger,
  HealthTrigger,
  PanicTrigger,
  AnyTrigger,
]);
export type Trigger = z.infer<typeof Trigger>;

// ───────────────────────────── conditions ─────────────────────────────

export const RuleConditions = z
  .object({
    /** Arming modes (ids) the rule runs in; none = every mode. */
    modes: z.array(z.string().min(1).max(32)).max(16).default([]),
    /** A weekly window (settings.timeZone); null = always. */
    schedule: AlarmSchedule.nullable().default(null),
    /** Object labels (object triggers); none = every label. */
    labels: z.array(z.string().trim().min(1).max(32)).max(16).default([]),
    /** At least this many objects of the label in the zone at once (object triggers in a zone). */
    minCount: z.number().int().min(1).max(100).optional(),
    /** Cameras (ids); none = every camera. */
    cameraIds: z.array(z.string().min(1).max(80)).max(64).default([]),
    /** Zones: detection zones (id or name) for object triggers, the configured zone of a sensor or door otherwise. */
    zones: z.array(Name64).max(32).default([]),
    /** Sensor ids (sensor and access triggers: the sensor or reader). */
    sensorIds: z.array(SensorId).max(64).default([]),
  })
  .strict();
export type RuleConditions = z.infer<typeof RuleConditions>;

// ───────────────────────────── actions ─────────────────────────────

export const ACTION_TYPES = ['alarm', 'bookmark', 'mqtt', 'webhook', 'relay', 'ptz', 'log', 'ignore'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];
export const ACTION_LABELS: Record<ActionType, string> = {
  alarm: 'Raise an alarm',
  bookmark: 'Bookmark the moment',
  mqtt: 'Publish on MQTT',
  webhook: 'POST to a notice URL',
  relay: 'Drive an ONVIF relay',
  ptz: 'Move a PTZ camera to a preset',
  log: 'Log only',
  ignore: 'Ignore (drop the event)',
};

/** MQTT topic to publish on: no wildcards, no leading or trailing slash. */
export const PublishTopic = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^#+\s/][^#+\s]*[^#+\s/]$|^[^#+\s/]$/, 'topic may not hold # + or spaces, nor start or end with /');

export const AlarmActionSpec = z
  .object({
    type: z.literal('alarm'),
    priority: Priority.default(3),
    /** The alarm's title; default: the event's own ("Person in Gate zone: Yard"). */
    title: z.string().trim().min(1).max(200).optional(),
    /** The procedure (SOP) shown with the alarm; default: the alarm type's (alarm setup), else the built-in. */
    sop: z.string().max(4000).optional(),
    /** Time to acknowledge before escalation (default: the priority's); null = never escalate. */
    ackSeconds: z.number().int().min(5).max(86_400).nullable().optional(),
    /** Repeats within this many seconds of the last one count on the open alarm. */
    coalesceSeconds: z.number().int().min(0).max(86_400).default(60),
    /** Object and motion triggers: what counts as a repeat. object: the same tracked object in the zone (one alarm per person); zone: anything in the zone; camera: anything on the camera. */
    coalesceBy: z.enum(['object', 'zone', 'camera']).default('object'),
    /** Close by itself when the source clears and nobody acknowledged it. */
    autoClose: z.boolean().default(false),
    /** Cameras to link besides the event's own. */
    cameraIds: z.array(z.string().max(80)).max(16).default([]),
  })
  .strict();
export const BookmarkAction = z.object({ type: z.literal('bookmark'), note: z.string().max(1000).optional() }).strict();
export const MqttAction = z.object({ type: z.literal('mqtt'), topic: PublishTopic, retain: z.boolean().default(false) }).strict();
export const WebhookAction = z.object({ type: z.literal('webhook'), url: z.string().min(1).max(2048) }).strict();
export const RelayAction = z
  .object({
    type: z.literal('relay'),
    cameraId: z.string().min(1).max(80),
    /** The relay output's token (onvif.relays). */
    token: z.string().min(1).max(128),
    active: z.boolean().default(true),
    /** Switch back after this many seconds (a pulse); absent = leave it. */
    seconds: z.number().int().min(1).max(3600).optional(),
  })
  .strict();
export const PtzAction = z
  .object({ type: z.literal('ptz'), cameraId: z.string().min(1).max(80), preset: z.string().min(1).max(128) })
  .strict();
export const LogAction = z.object({ type: z.literal('log') }).strict();
export const IgnoreAction = z.object({ type: z.literal('ignore') }).strict();
export const RuleAction = z.discriminatedUnion('type', [
  AlarmActionSpec,
  BookmarkAction,
  MqttAction,
  WebhookAction,
  RelayAction,
  PtzAction,
  LogAction,
  IgnoreAction,
]);
export type RuleAction = z.infer<typeof RuleAction>;
export type AlarmActionSpec = z.infer<typeof AlarmActionSpec>;

// ───────────────────────────── the rule ─────────────────────────────

export const RuleId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'rule id must be lower-case letters, digits and . _ - (at most 64)');

export const Rule = z
  .object({
    id: RuleId,
    name: z.string().trim().min(1, 'give the rule a name').max(80),
    enabled: z.boolean().default(true),
    trigger: Trigger,
    conditions: RuleConditions.default({ modes: [], schedule: null, labels: [], cameraIds: [], zones: [], sensorIds: [] }),
    actions: z.array(RuleAction).min(1, 'a rule needs at least one action (Raise an alarm, Log only, ...)').max(16),
  })
  .strict();
export type Rule = z.infer<typeof Rule>;
export type RuleInput = z.input<typeof Rule>;

/** A rule as an editor or a file sends it: checked field by field by the engine. */
export const RuleDraft = z.record(z.string(), z.unknown());
export type RuleDraft = Record<string, unknown>;

export interface RuleFieldError {
  /** Path of the field, e.g. "trigger.kind", "conditions.zones[0]", "actions[1].topic"; "" for the rule as a whole. */
  field: string;
  message: string;
}

// ───────────────────────────── arming ─────────────────────────────

export const ModeId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'mode id must be lower-case letters, digits and - (at most 32)');
export const ArmingMode = z
  .object({
    id: ModeId,
    name: z.string().trim().min(1).max(40),
    /** Guards may switch to this mode (supervisors and admins switch to any). */
    guardSwitchable: z.boolean().default(true),
  })
  .strict();
export type ArmingMode = z.infer<typeof ArmingMode>;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time of day must be HH:MM, 24-hour');
export const ArmingScheduleEntry = z
  .object({
    mode: ModeId,
    /** Days of the week, 0 = Sunday … 6 = Saturday. */
    days: z.array(z.number().int().min(0).max(6)).min(1).max(7).default([0, 1, 2, 3, 4, 5, 6]),
    /** Local time (settings.timeZone) of the switch. */
    at: HHMM,
  })
  .strict();
export type ArmingScheduleEntry = z.infer<typeof ArmingScheduleEntry>;

export const DEFAULT_ARMING_MODES: ArmingMode[] = [
  { id: 'day', name: 'Day', guardSwitchable: true },
  { id: 'night', name: 'Night', guardSwitchable: true },
  { id: 'away', name: 'Away', guardSwitchable: false },
];

export const ArmingSetup = z
  .object({
    modes: z.array(ArmingMode).min(1).max(16).default(DEFAULT_ARMING_MODES),
    /** The mode before anyone switched. */
    initial: ModeId.default('day'),
    /** Switch by itself at these local times (the latest one passed wins over an older manual switch). */
    schedule: z.array(ArmingScheduleEntry).max(64).default([]),
    mqtt: z
      .object({
        /** Listen for a mode name on `setTopic`; publish the state (retained) on `stateTopic`. */
        enabled: z.boolean().default(true),
        setTopic: PublishTopic.default('gatehouse/arming/set'),
        stateTopic: PublishTopic.default('gatehouse/arming/state'),
      })
      .strict()
      .default({ enabled: true, setTopic: 'gatehouse/arming/set', stateTopic: 'gatehouse/arming/state' }),
  })
  .strict();
export type ArmingSetup = z.infer<typeof ArmingSetup>;

export const ARMING_VIAS = ['console', 'cli', 'mqtt', 'webhook', 'schedule'] as const;
export type ArmingVia = (typeof ARMING_VIAS)[number];

export interface ArmingChange {
  id: number;
  time: string;
  mode: string;
  previous: string | null;
  /** Who: a username, cli:<os user>, webhook:<integration id>, mqtt, schedule. */
  actor: string;
  via: ArmingVia;
  /** From where: the client address, the MQTT topic, the schedule entry. */
  peer: string | null;
}

export interface ArmingStatus {
  mode: ArmingMode;
  /** When the current mode began (null: never switched, the initial mode). */
  since: string | null;
  by: string | null;
  via: ArmingVia | null;
  modes: ArmingMode[];
  /** Modes the caller may switch to. */
  allowed: string[];
  schedule: ArmingScheduleEntry[];
  /** The next scheduled switch, if any. */
  next: { mode: string; at: string } | null;
  mqtt: { enabled: boolean; setTopic: string; stateTopic: string };
}

// ───────────────────────────── dry run ─────────────────────────────

export interface DryRunItem {
  time: string;
  cameraId: string | null;
  /** What matched, in words ("person dwelt 12 s in Loading bay (track 7)"). */
  what: string;
  /** The alarm type (and title) it would have raised. */
  type: AlarmType;
  title: string;
  priority: Priority | null;
  /** raised: a new alarm; coalesced: counted on the one before; logged / ignored: no alarm (the rule's action). */
  outcome: 'raised' | 'coalesced' | 'logged' | 'ignored';
  /** An earlier rule in the list takes this event first (it would not reach this rule). */
  shadowedBy: string | null;
  /** The stored record: events, sensor_events or alarms row. */
  ref: { table: 'events' | 'sensor_events' | 'alarms'; id: number } | null;
  objectEventId: number | null;
}

export interface DryRunResult {
  ruleId: string;
  from: string;
  to: string;
  /** Events that matched the rule's trigger and conditions. */
  matched: number;
  /** New alarms it would have raised (not shadowed, not coalesced). */
  alarms: number;
  coalesced: number;
  shadowed: number;
  /** Stored records looked at. */
  scanned: number;
  items: DryRunItem[];
  /** More items than `limit` matched (the counts are complete). */
  truncated: boolean;
}

// ───────────────────────────── alarm setup view ─────────────────────────────

export const WEBHOOK_SCOPES = ['sensors', 'arming'] as const;
export type WebhookScope = (typeof WEBHOOK_SCOPES)[number];

export interface AlarmSetupView {
  mqtt: {
    url: string | null;
    hasCredentials: boolean;
    overridden: string | null;
    clientId: string | null;
    sensorPrefix: string;
    alarmPrefix: string;
  };
  doors: { door: string; name: string | null; zone: string | null; cameraIds: string[] }[];
  sensors: { id: string; name: string | null; zone: string | null; cameraIds: string[] }[];
  webhooks: { id: string; name: string; scopes: WebhookScope[]; disabled: boolean; createdAt: string }[];
  notify: { url: string; events: NoticeEvent[]; hasToken: boolean }[];
  /** Procedures per alarm type: the site's own where set, else the built-in. */
  sops: { type: AlarmType; label: string; sop: string; custom: boolean }[];
  entryGraceSeconds: number;
  preRollSeconds: number;
  postRollSeconds: number;
}

export interface RulesMeta {
  triggers: { kind: TriggerKind; label: string }[];
  actions: { type: ActionType; label: string }[];
  healthConditions: readonly HealthCondition[];
  labels: readonly string[];
  cameras: { id: string; name: string; zones: { id: string; name: string }[]; onvif: boolean }[];
  modes: ArmingMode[];
  /** The configured notice URLs (webhook actions pick one). */
  notifyUrls: string[];
  sensors: string[];
  doors: string[];
}

// ───────────────────────────── requests ─────────────────────────────

const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time such as 2026-11-26T08:00:00Z');
const DoorName = z.string().trim().min(1).max(128);
const CameraIds = z.array(z.string().min(1).max(80)).max(16);

export const rulesRequests = {
  /** The rules (same as rules.list; kept for scripts written before rules.*). */
  'alarms.rules': { role: 'supervisor', input: z.object({}).strict() },
  /** Replace the rules with rules of the schema-2 shape (each converted, then the built-in rules); null = the built-in rules. Prefer rules.*. */
  'alarms.setRules': { role: 'admin', input: z.object({ rules: z.array(AlarmRule).max(500).nullable() }).strict() },
  /** The rules in the order they are tried (the first that matches decides). */
  'rules.list': { role: 'supervisor', input: z.object({}).strict() },
  'rules.meta': { role: 'supervisor', input: z.object({}).strict() },
  /** Check a rule without saving it: every field error at once. */
  'rules.validate': { role: 'supervisor', input: z.object({ rule: RuleDraft }).strict() },
  /** Add a rule (before the built-in default-* rules unless `position` says where, 0 = first). */
  'rules.add': { role: 'admin', input: z.object({ rule: RuleDraft, position: z.number().int().min(0).max(1000).optional() }).strict() },
  /** Replace the rule with the same id. */
  'rules.update': { role: 'admin', input: z.object({ rule: RuleDraft }).strict() },
  'rules.remove': { role: 'admin', input: z.object({ id: z.string().max(64) }).strict() },
  'rules.setEnabled': { role: 'admin', input: z.object({ id: z.string().max(64), enabled: z.boolean() }).strict() },
  /** Move a rule to a place in the list (0 = first). */
  'rules.move': { role: 'admin', input: z.object({ id: z.string().max(64), to: z.number().int().min(0).max(1000) }).strict() },
  /** Back to the built-in rules. */
  'rules.reset': { role: 'admin', input: z.object({}).strict() },
  /** What would this rule (saved or draft) have done over a range of stored events (default: the last 24 h)? */
  'rules.dryRun': {
    role: 'supervisor',
    input: z
      .object({
        rule: RuleDraft.optional(),
        id: z.string().max(64).optional(),
        from: IsoTime.optional(),
        to: IsoTime.optional(),
        limit: z.number().int().min(1).max(5000).default(500),
      })
      .strict()
      .refine((p) => !!p.rule !== !!p.id, 'give either rule (a draft) or id (a saved rule)'),
  },

  'arming.status': { role: 'guard', input: z.object({}).strict() },
  /** Switch the site's arming mode (by id or name). Guards: only modes marked guard-switchable. */
  'arming.set': { role: 'guard', input: z.object({ mode: z.string().trim().min(1).max(40) }).strict() },
  'arming.history': { role: 'guard', input: z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict() },
  /** Define the modes, the schedule and the MQTT topics (admin). */
  'arming.configure': {
    role: 'admin',
    input: z
      .object({
        modes: z.array(ArmingMode).min(1).max(16).optional(),
        initial: ModeId.optional(),
        schedule: z.array(ArmingScheduleEntry).max(64).optional(),
        mqtt: z.object({ enabled: z.boolean(), setTopic: PublishTopic, stateTopic: PublishTopic }).strict().optional(),
      })
      .strict(),
  },

  'alarmSetup.get': { role: 'supervisor', input: z.object({}).strict() },
  'alarmSetup.setDoor': {
    role: 'admin',
    input: z
      .object({ door: DoorName, name: z.string().max(80).nullish(), zone: z.string().max(64).nullish(), cameraIds: CameraIds })
      .strict(),
  },
  'alarmSetup.removeDoor': { role: 'admin', input: z.object({ door: DoorName }).strict() },
  'alarmSetup.setSensor': {
    role: 'admin',
    input: z
      .object({ id: SensorId, name: z.string().max(80).nullish(), zone: z.string().max(64).nullish(), cameraIds: CameraIds })
      .strict(),
  },
  'alarmSetup.removeSensor': { role: 'admin', input: z.object({ id: SensorId }).strict() },
  /**
   * Broker URL (null = none), without credentials: they go in `username` / `password` (kept out of the audit
   * trail; absent keeps the stored ones for the same broker). Takes effect within a second, unless `serve --mqtt`
   * overrides it.
   */
  'alarmSetup.setMqtt': {
    role: 'admin',
    input: z
      .object({
        url: z.string().trim().max(2048).nullable(),
        username: z.string().max(128).nullish(),
        password: z.string().max(512).nullish(),
      })
      .strict(),
  },
  'alarmSetup.setNotify': {
    role: 'admin',
    input: z
      .object({
        targets: z
          .array(
            z
              .object({
                url: z.string().regex(/^https?:\/\/\S+$/, 'notice URL must be http(s)://…'),
                events: z.array(z.enum(NOTICE_EVENTS)).min(1),
                /** A new bearer token; absent keeps the stored one (for the same URL); null removes it. */
                token: z.string().max(512).nullable().optional(),
              })
              .strict(),
          )
          .max(32),
      })
      .strict(),
  },
  /** The procedure (SOP) of an alarm type; null = back to the built-in. */
  'alarmSetup.setSop': { role: 'admin', input: z.object({ type: AlarmType, sop: z.string().max(4000).nullable() }).strict() },
} as const;

export interface RulesResults {
  'alarms.rules': { rules: Rule[]; builtIn: boolean };
  'alarms.setRules': { rules: Rule[]; builtIn: boolean };
  'rules.list': { rules: Rule[]; builtIn: boolean };
  'rules.meta': RulesMeta;
  'rules.validate': { ok: boolean; errors: RuleFieldError[]; rule: Rule | null };
  'rules.add': Rule;
  'rules.update': Rule;
  'rules.remove': { ok: true };
  'rules.setEnabled': Rule;
  'rules.move': { rules: Rule[] };
  'rules.reset': { rules: Rule[] };
  'rules.dryRun': DryRunResult;
  'arming.status': ArmingStatus;
  'arming.set': ArmingStatus;
  'arming.history': { changes: ArmingChange[] };
  'arming.configure': ArmingStatus;
  'alarmSetup.get': AlarmSetupView;
  'alarmSetup.setDoor': AlarmSetupView;
  'alarmSetup.removeDoor': AlarmSetupView;
  'alarmSetup.setSensor': AlarmSetupView;
  'alarmSetup.removeSensor': AlarmSetupView;
  'alarmSetup.setMqtt': AlarmSetupView;
  'alarmSetup.setNotify': AlarmSetupView;
  'alarmSetup.setSop': AlarmSetupView;
}

export interface RulesEvents {
  /** The rule list changed (console, CLI, a file edit). */
  'rules.changed': { rules: Rule[] };
  /** The arming mode changed, or the modes were redefined. */
  'arming.changed': { status: Omit<ArmingStatus, 'allowed'>; change: ArmingChange | null };
  /** A rule matched (every matching event, also those that raised no alarm). */
  'rules.matched': {
    ruleId: string;
    time: string;
    cameraId: string | null;
    outcome: 'raised' | 'coalesced' | 'logged' | 'ignored';
    alarm: Pick<Alarm, 'id' | 'priority' | 'title'> | null;
  };
}
export const RULES_EVENT_NAMES = ['rules.changed', 'arming.changed', 'rules.matched'] as const;
