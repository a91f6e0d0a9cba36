/**
 * Core requests and events: auth, users, cameras, settings, recordings, storage.
 * Part of the one API contract, merged in contract.ts.
 */
import { z } from 'zod';
import {
  Role,
  CameraName,
  CameraUrlInput,
  Settings,
  type CameraInfo,
  type CameraStatus,
  type DayCoverage,
  type Gap,
  type Health,
  type Me,
  type Segment,
  type StorageStatus,
  type SystemInfo,
  type SystemStatus,
  type UserInfo,
} from './types.js';
import type { LoginResult } from './remote.js';

const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time such as 2026-11-26T08:00:00Z');

/**
 * A camera as an admin enters it (cameras.add; cameras.update takes a partial one).
 * A URL may hold `user:password@`: the engine moves them into username and
 * the sealed password, and says so in the answer's `notes`.
 */
export const CameraInput = z
  .object({
    name: CameraName,
    url: CameraUrlInput,
    subUrl: CameraUrlInput.nullish(),
    username: z.string().max(128).nullish(),
    password: z.string().max(256).nullish(),
    enabled: z.boolean().optional(),
    retentionDays: z.number().int().min(1).max(3650).nullish(),
  })
  .strict();
export type CameraInput = z.output<typeof CameraInput>;

const CameraId = z.string().min(1).max(80);
/** A user name: letters, digits and . _ - only (so never a control character, a bidi override or a colon). */
export const Username = z
  .string()
  .trim()
  .min(2, 'username needs at least 2 characters')
  .max(32)
  .regex(/^[a-z0-9._-]+$/i, 'username may only hold letters, digits and . _ -');
const Password = z.string().min(8, 'password needs at least 8 characters').max(256);

/**
 * Every request: input schema, minimum role (`null` = no session needed) and,
 * through `ResultMap`, its result type.
 */
export const coreRequests = {
  'auth.login': {
    role: null,
    input: z
      .object({
        // No control characters (\r\n, ESC, C1) or bidi overrides: they would forge log lines and audit actors.
        // eslint-disable-next-line no-control-regex
        username: z.string().max(64).regex(/^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$/, 'username may not hold control characters'),
        password: z.string().max(256),
      })
      .strict(),
  },
  'auth.logout': { role: null, input: z.object({}).strict() },
  'auth.me': { role: 'guard', input: z.object({}).strict() },
  'auth.changePassword': {
    role: 'guard',
    input: z.object({ current: z.string().max(256), next: Password }).strict(),
  },
  'system.health': { role: null, input: z.object({}).strict() },
  'system.info': { role: 'guard', input: z.object({}).strict() },
  /** Event-loop lag, memory, open files and children of the engine process (soak runs, support). */
  'system.status': { role: 'admin', input: z.object({}).strict() },

  'cameras.list': { role: 'guard', input: z.object({}).strict() },
  'cameras.add': { role: 'admin', input: CameraInput },
  'cameras.update': {
    role: 'admin',
    input: z.object({ id: CameraId, patch: CameraInput.partial() }).strict(),
  },
  'cameras.remove': { role: 'admin', input: z.object({ id: CameraId }).strict() },
  'cameras.removeDemo': { role: 'admin', input: z.object({}).strict() },
  'cameras.addDemo': { role: 'admin', input: z.object({}).strict() },

  'users.list': { role: 'admin', input: z.object({}).strict() },
  'users.add': { role: 'admin', input: z.object({ username: Username, password: Password, role: Role }).strict() },
  'users.update': {
    role: 'admin',
    input: z.object({ username: Username, role: Role.optional(), disabled: z.boolean().optional() }).strict(),
  },
  'users.resetPassword': { role: 'admin', input: z.object({ username: Username, password: Password }).strict() },

  'settings.get': { role: 'guard', input: z.object({}).strict() },
  'settings.update': { role: 'admin', input: z.object({ patch: Settings.partial() }).strict() },

  'recordings.list': {
    role: 'guard',
    input: z.object({ cameraId: CameraId, from: IsoTime, to: IsoTime }).strict(),
  },
  'recordings.coverage': {
    role: 'guard',
    input: z
      .object({ cameraId: CameraId, from: IsoTime, to: IsoTime, timeZone: z.string().max(64).optional() })
      .strict(),
  },
  'storage.status': { role: 'guard', input: z.object({}).strict() },
} as const;

/** A camera just added or changed, with what the engine did to the input (credentials moved out of a URL). */
export type CameraSaved = CameraInfo & { notes?: string[] };

/** Result type of each request. */
export interface CoreResults {
  /** A session, or the second step (two-factor) with its ticket: see remote.ts. */
  'auth.login': LoginResult;
  'auth.logout': { ok: true };
  'auth.me': Me;
  'auth.changePassword': { ok: true };
  'system.health': Health;
  'system.info': SystemInfo;
  'system.status': SystemStatus;
  'cameras.list': CameraInfo[];
  'cameras.add': CameraSaved;
  'cameras.update': CameraSaved;
  'cameras.remove': { ok: true };
  'cameras.removeDemo': { removed: number };
  'cameras.addDemo': { added: number };
  'users.list': UserInfo[];
  'users.add': UserInfo;
  'users.update': UserInfo;
  'users.resetPassword': { ok: true };
  'settings.get': Settings;
  'settings.update': Settings;
  'recordings.list': { segments: Segment[]; gaps: Gap[] };
  'recordings.coverage': { days: DayCoverage[] };
  'storage.status': StorageStatus;
}
/** Events pushed by the engine to every connected console. */
export interface CoreEvents {
  'camera.status': { cameraId: string; status: CameraStatus };
  'camera.offline': { cameraId: string; name: string; since: string };
  'camera.online': { cameraId: string; name: string; offlineSince: string };
  'cameras.changed': { reason: string };
  'users.changed': Record<string, never>;
  'settings.changed': Settings;
  'recording.segment': { cameraId: string; start: string; end: string; bytes: number };
  'recording.gap': { cameraId: string; gap: Gap };
  'storage.lowSpace': { freeBytes: number; thresholdBytes: number };
  'storage.purged': { cameraId: string; segments: number; bytes: number; reason: 'retention' | 'quota' | 'emergency' };
  /** The wall clock was stepped by stepMs (> 0 forward); with cameraId: found behind that camera's last recording at a new run. */
  'clock.step': { cameraId?: string; stepMs: number; at: string };
}
export const CORE_EVENT_NAMES = [
  'camera.status',
  'camera.offline',
  'camera.online',
  'cameras.changed',
  'users.changed',
  'settings.changed',
  'recording.segment',
  'recording.gap',
  'storage.lowSpace',
  'storage.purged',
  'clock.step',
] as const;

