import { z } from 'zod';
import { Role, Settings } from '../../api/contract.js';
import { AlarmSetup } from '../../api/alarms.js';
import { StoredMask } from '../../api/masks.js';
import { NotifySetup } from '../../api/notify.js';
import { RemoteAccessSetup } from '../../api/remote.js';
import { ArmingSetup, Rule } from '../../api/rules.js';
import { FaceCameraSettings, FaceSetup } from '../../api/faces.js';
import { DetectionSettingsInput, MAX_ZONES_PER_CAMERA, StoredZone } from '../../api/detection.js';
import { OnvifMeta } from '../onvif/meta.js';
import { DEFAULT_RULES } from '../rules/defaults.js';
import { convertLegacyRules } from '../rules/legacy.js';

export const CURRENT_SCHEMA_VERSION = 3;

export const DEFAULT_SETTINGS: Settings = {
  segmentSeconds: 10,
  stallSeconds: 12,
  offlineAlarmSeconds: 30,
  quotaGb: null,
  quotaPercent: 90,
  lowSpaceGb: 2,
  defaultRetentionDays: 30,
  timeZone: null,
  detectionModel: 'float',
};

export const StoredCamera = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'camera id must be lower-case letters, digits and -'),
    name: z.string().min(1).max(64),
    url: z.string().min(1).max(2048),
    subUrl: z.string().max(2048).nullable().default(null),
    username: z.string().max(128).nullable().default(null),
    /** Encrypted at rest, see secrets.ts. Never sent out of the engine. */
    password: z.string().max(4096).nullable().default(null),
    enabled: z.boolean().default(true),
    demo: z.boolean().default(false),
    retentionDays: z.number().int().min(1).max(3650).nullable().default(null),
    createdAt: z.string().default(() => new Date().toISOString()),
    /** Set for cameras added through ONVIF (schema 2): device address, profiles, capabilities. */
    onvif: OnvifMeta.optional(),
    /** Privacy, motion and object masks (api/masks.ts); absent = none. */
    masks: z.array(StoredMask).max(96).optional(),
    /** Object detection settings (api/detection.ts); absent fields take the defaults (docs/detection.md "Settings"). */
    detection: DetectionSettingsInput.optional(),
    /** Detection zones (api/detection.ts); absent = none. */
    zones: z.array(StoredZone).max(MAX_ZONES_PER_CAMERA).optional(),
    /** Face recognition (api/faces.ts): opt-in, absent = off (docs/faces.md, docs/privacy.md). */
    faces: FaceCameraSettings.optional(),
  })
  .strict();
export type StoredCamera = z.infer<typeof StoredCamera>;

/** A user's TOTP (docs/security.md, "Two-factor sign-in"). */
export const StoredTotp = z
  .object({
    /** The base32 secret, sealed with the SecretBox (enc:v1) like camera passwords. */
    secret: z.string().min(10).max(1024),
    enabledAt: z.string(),
    /** The last time step (30 s) a code was accepted for: codes of this step and older are refused (replay). */
    lastStep: z.number().int().min(0).default(0),
    /** SHA-256 (hex) of each unused recovery code; a used one is removed. */
    recovery: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(10).default([]),
  })
  .strict();
export type StoredTotp = z.infer<typeof StoredTotp>;

export const StoredUser = z
  .object({
    username: z.string().min(2).max(32),
    role: Role,
    passwordHash: z.string().min(10),
    disabled: z.boolean().default(false),
    createdAt: z.string(),
    lastLoginAt: z.string().nullable().default(null),
    /** Two-factor sign-in (TOTP, auth/two-factor.ts); absent = off. */
    totp: StoredTotp.optional(),
  })
  .strict();
export type StoredUser = z.infer<typeof StoredUser>;

export const Layout = z
  .object({
    id: z.string().min(1).max(64),
    owner: z.string().min(1).max(32),
    name: z.string().min(1).max(64),
    grid: z.enum(['1x1', '2x2', '3x3', '4x4']),
    tiles: z.array(z.string().nullable()).max(16),
  })
  .strict();
export type Layout = z.infer<typeof Layout>;

/** A host name or address the server answers to (besides loopback and its --host address); "*.example.org" allows subdomains. */
const AllowedHost = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\*\.)?[A-Za-z0-9_.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/, 'an allowed host is a DNS name (nvr.example.org, *.example.org) or an IP address, without a port');

/** Security settings (docs/security.md): edited in config.json by the site manager. */
export const SecuritySetup = z
  .object({
    /** Host names (and addresses) the console is reached by, e.g. "nvr.example.org"; `serve --allowed-hosts` adds to them. */
    allowedHosts: z.array(AllowedHost).max(64).default([]),
    /** Sign an audit checkpoint this often (minutes) when the trail grew; also at start and on a clean stop. */
    auditCheckpointMinutes: z.number().int().min(1).max(1440).default(10),
    /** Also append each checkpoint (one JSON line) to this file, outside the data dir (absolute path); null = don't. */
    auditCheckpointFile: z.string().min(1).max(4096).nullable().default(null),
    /** Two-factor sign-in for admins: "auto" = required when the server listens beyond loopback; "always" = also on loopback (behind a reverse proxy). */
    adminTotp: z.enum(['auto', 'always']).optional(),
  })
  .strict();
export type SecuritySetup = z.infer<typeof SecuritySetup>;

export const ConfigFile = z
  .object({
    schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
    cameras: z.array(StoredCamera).default([]),
    users: z.array(StoredUser).default([]),
    layouts: z.array(Layout).default([]),
    settings: Settings.partial().default({}),
    /** Rules, tried in order: trigger → conditions → actions (docs/alarms.md, "Rules"); absent = the built-in rules. */
    rules: z.array(Rule).max(500).optional(),
    /** Arming modes, their schedule and MQTT topics (docs/alarms.md, "Arming"); absent = Day / Night / Away. */
    arming: ArmingSetup.optional(),
    /** MQTT, webhooks, sensors, doors → cameras; absent = defaults. */
    alarmSetup: AlarmSetup.optional(),
    /** Face recognition site settings (api/faces.ts: the badge × face window); absent = defaults. */
    faces: FaceSetup.optional(),
    /** Evidence export jobs (docs/export.md); absent = defaults. */
    exports: z
      .object({
        /** Export jobs run at once (the rest wait in the queue). */
        concurrency: z.number().int().min(1).max(4).optional(),
      })
      .strict()
      .optional(),
    /** Allowed host names, audit checkpoints; absent = defaults (docs/security.md). */
    security: SecuritySetup.optional(),
    /** Push, e-mail, contacts, rotas, escalation ladders (docs/alarms.md, "On-call escalation"); absent = none. */
    notifications: NotifySetup.optional(),
    /** The desktop app's listener for other machines (api/remote.ts); absent = off. `gatehouse serve` takes flags instead. */
    remoteAccess: RemoteAccessSetup.optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof ConfigFile>;

export function emptyConfig(): ConfigFile {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, cameras: [], users: [], layouts: [], settings: {} };
}

/**
 * Migrations from version N to N+1, applied in order. Each takes the parsed
 * JSON of the older shape and returns the newer one.
 * Version 0 is a file written before versions existed (no schemaVersion).
 */
export const MIGRATIONS: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {
  0: (old) => ({ ...old, schemaVersion: 1 }),
  // 2: cameras may carry an optional `onvif` object; nothing to convert.
  1: (old) => ({ ...old, schemaVersion: 2 }),
  // 3: `alarmRules` (matched on alarm types, tried before the built-in rules) become `rules` (trigger →
  // conditions → actions): each converted, followed by the built-in rules, so every source raises the
  // same alarms as before (rules/legacy.ts). A file without alarmRules keeps the built-in rules.
  2: (old) => {
    const { alarmRules, ...rest } = old;
    if (alarmRules === undefined) return { ...rest, schemaVersion: 3 };
    if (!Array.isArray(alarmRules)) throw new MigrationError('alarmRules', 'is not a list', 'make it a list of rules, or remove it');
    let rules: Rule[];
    try {
      rules = convertLegacyRules(alarmRules);
    } catch (err) {
      const issue = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
      throw new MigrationError(`alarmRules${issue ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') : ''}`, issue ? issue.message : (err as Error).message, 'correct that rule (docs/alarms.md shows the old rule shape) or remove it');
    }
    return { ...rest, schemaVersion: 3, rules: alarmRules.length ? rules : undefined };
  },
};

/** A migration step could not convert a field: the config store names the field and the fix. */
export class MigrationError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

export function settingsOf(cfg: ConfigFile): Settings {
  return { ...DEFAULT_SETTINGS, ...cfg.settings };
}

const setupCache = new WeakMap<object, AlarmSetup>();
const NO_SETUP = {};
/** The alarm and integration setup of a config, with defaults filled in (parsed once per config object). */
export function alarmSetupOf(cfg: ConfigFile): AlarmSetup {
  const raw = cfg.alarmSetup ?? NO_SETUP;
  let s = setupCache.get(raw as object);
  if (!s) {
    s = AlarmSetup.parse(raw);
    setupCache.set(raw as object, s);
  }
  return s;
}

const securityCache = new WeakMap<object, SecuritySetup>();
/** The security settings of a config, with defaults filled in. */
export function securityOf(cfg: ConfigFile): SecuritySetup {
  const raw = cfg.security ?? NO_SETUP;
  let s = securityCache.get(raw as object);
  if (!s) {
    s = SecuritySetup.parse(raw);
    securityCache.set(raw as object, s);
  }
  return s;
}

/** The rules in the order they are tried: the site's list, else the built-in rules. */
export function rulesOf(cfg: ConfigFile): Rule[] {
  return cfg.rules ?? DEFAULT_RULES;
}

const armingCache = new WeakMap<object, ArmingSetup>();
const NO_ARMING = {};
/** The arming modes, schedule and topics with defaults filled in (parsed once per config object). */
export function armingOf(cfg: ConfigFile): ArmingSetup {
  const raw = cfg.arming ?? NO_ARMING;
  let s = armingCache.get(raw as object);
  if (!s) {
    s = ArmingSetup.parse(raw);
    armingCache.set(raw as object, s);
  }
  return s;
}

/** The desktop app's remote-access setting with defaults filled in. */
export function remoteAccessOf(cfg: ConfigFile): RemoteAccessSetup {
  return RemoteAccessSetup.parse(cfg.remoteAccess ?? {});
}

/** Export job settings with defaults filled in. */
export function exportSetupOf(cfg: ConfigFile): { concurrency: number } {
  return { concurrency: cfg.exports?.concurrency ?? 1 };
}

const notifyCache = new WeakMap<object, NotifySetup>();
/** Notification settings (SMTP, contacts, ladders, VAPID keys) with defaults filled in. */
export function notifySetupOf(cfg: ConfigFile): NotifySetup {
  const raw = cfg.notifications ?? NO_SETUP;
  let s = notifyCache.get(raw as object);
  if (!s) {
    s = NotifySetup.parse(raw);
    notifyCache.set(raw as object, s);
  }
  return s;
}
