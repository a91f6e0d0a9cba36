import { z } from 'zod';
import { Role, Settings } from '../../api/contract.js';
import { AlarmRule, AlarmSetup } from '../../api/alarms.js';
import { StoredMask } from '../../api/masks.js';
import { DetectionSettingsInput, MAX_ZONES_PER_CAMERA, StoredZone } from '../../api/detection.js';
import { OnvifMeta } from '../onvif/meta.js';

export const CURRENT_SCHEMA_VERSION = 2;

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
  })
  .strict();
export type StoredCamera = z.infer<typeof StoredCamera>;

export const StoredUser = z
  .object({
    username: z.string().min(2).max(32),
    role: Role,
    passwordHash: z.string().min(10),
    disabled: z.boolean().default(false),
    createdAt: z.string(),
    lastLoginAt: z.string().nullable().default(null),
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

export const ConfigFile = z
  .object({
    schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
    cameras: z.array(StoredCamera).default([]),
    users: z.array(StoredUser).default([]),
    layouts: z.array(Layout).default([]),
    settings: Settings.partial().default({}),
    /** Alarm rules (see docs/alarms.md); absent = the built-in defaults. */
    alarmRules: z.array(AlarmRule).optional(),
    /** MQTT, webhooks, sensors, doors → cameras; absent = defaults. */
    alarmSetup: AlarmSetup.optional(),
    /** Evidence export jobs (docs/export.md); absent = defaults. */
    exports: z
      .object({
        /** Export jobs run at once (the rest wait in the queue). */
        concurrency: z.number().int().min(1).max(4).optional(),
      })
      .strict()
      .optional(),
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
};

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

/** The configured alarm rules; undefined = the built-in defaults only. */
export function alarmRulesOf(cfg: ConfigFile): AlarmRule[] | undefined {
  return cfg.alarmRules;
}

/** Export job settings with defaults filled in. */
export function exportSetupOf(cfg: ConfigFile): { concurrency: number } {
  return { concurrency: cfg.exports?.concurrency ?? 1 };
}
