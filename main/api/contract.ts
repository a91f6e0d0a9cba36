/**
 * The one API contract between the engine and every console.
 *
 * Each request is declared once here: its input schema (validated at runtime
 * by every transport), the minimum role that may call it, and its result type.
 * Each pushed event is declared once in `EventMap`.
 *
 * Transports: HTTP `POST /api/rpc/<method>` with a JSON body, WebSocket
 * `{id, method, params}` frames on `/api/ws`, and Electron IPC through the
 * preload (`gatehouse:rpc`). All three call `Engine.handle()`.
 *
 * This file is imported by the renderer too: it must stay free of Node APIs.
 */
import { z } from 'zod';

export const ROLES = ['guard', 'supervisor', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
export const roleRank: Record<Role, number> = { guard: 1, supervisor: 2, admin: 3 };

export const CAMERA_STATES = [
  'disabled',
  'connecting',
  'recording',
  'stalled',
  'offline',
  'auth_failed',
  'unsupported',
  'disk_full',
] as const;
export const CameraState = z.enum(CAMERA_STATES);
export type CameraState = z.infer<typeof CameraState>;

/** Camera names: what a guard reads on a tile. Ids are derived slugs. */
export const CameraName = z
  .string()
  .trim()
  .min(1, 'camera name is empty')
  .max(64, 'camera name is longer than 64 characters')
  .regex(/^[\p{L}\p{N} ._()#/+,&'-]+$/u, "camera name may only hold letters, digits, spaces and . _ - ( ) # / + , & '");

export const CameraUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((u) => /^(rtsp|rtsps|http|https):\/\/[^\s]+$/i.test(u) || /^demo:\/\/[a-z0-9-]+$/.test(u), {
    message: 'camera URL must start with rtsp://, rtsps://, http:// or https:// (for example rtsp://192.168.1.20:554/stream1)',
  })
  .refine((u) => !/^[a-z]+:\/\/[^/]*:[^/@]*@/i.test(u), {
    message: 'put the camera password in --user/--password, not inside the URL',
  });

/** The public view of a camera: never carries a password. */
export interface CameraInfo {
  id: string;
  name: string;
  url: string;
  subUrl: string | null;
  username: string | null;
  hasPassword: boolean;
  enabled: boolean;
  demo: boolean;
  retentionDays: number | null;
  status: CameraStatus;
}

export interface CameraStatus {
  state: CameraState;
  /** Human-readable reason, saying what to do where something is wrong. */
  message: string;
  since: string;
  codec: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  audio: string | null;
  /** Last time a segment closed on disk. */
  lastSegmentAt: string | null;
}

export interface UserInfo {
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface Segment {
  start: string;
  end: string;
  path: string;
  bytes: number;
}
export const GAP_REASONS = [
  'camera_unreachable',
  'auth_failed',
  'ffmpeg_restart',
  'stall',
  'engine_down',
  'disk_full',
  'unsupported',
  'disabled',
  'unknown',
] as const;
export type GapReason = (typeof GAP_REASONS)[number];
export interface Gap {
  start: string;
  end: string;
  reason: GapReason;
}

export interface DayCoverage {
  /** Local calendar day YYYY-MM-DD in the requested time zone. */
  day: string;
  recordedSeconds: number;
  spanSeconds: number;
}

export interface StorageCamera {
  cameraId: string;
  name: string;
  bytes: number;
  segments: number;
  oldest: string | null;
  newest: string | null;
  daysRetained: number;
  lockedBytes: number;
  /** Bytes a day at the bitrate of the last hour. */
  bytesPerDay: number;
  retentionDays: number | null;
}
export interface StorageStatus {
  dataDir: string;
  volumeTotalBytes: number;
  volumeFreeBytes: number;
  quotaBytes: number;
  usedBytes: number;
  lockedBytes: number;
  lowSpace: boolean;
  /** Days the quota holds at the current total bitrate. */
  forecastDays: number | null;
  cameras: StorageCamera[];
}

export interface Health {
  status: 'ok';
  version: string;
  cameras: { total: number; recording: number; offline: number };
}

const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time such as 2026-11-26T08:00:00Z');

export const Settings = z
  .object({
    segmentSeconds: z.number().int().min(2).max(600),
    stallSeconds: z.number().int().min(3).max(300),
    offlineAlarmSeconds: z.number().int().min(5).max(86400),
    quotaGb: z.number().min(0).max(1_000_000).nullable(),
    quotaPercent: z.number().min(1).max(99),
    lowSpaceGb: z.number().min(0.1).max(10_000),
    defaultRetentionDays: z.number().int().min(1).max(3650).nullable(),
    timeZone: z.string().min(1).max(64).nullable(),
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

const CameraInput = z
  .object({
    name: CameraName,
    url: CameraUrl,
    subUrl: CameraUrl.nullish(),
    username: z.string().max(128).nullish(),
    password: z.string().max(256).nullish(),
    enabled: z.boolean().optional(),
    retentionDays: z.number().int().min(1).max(3650).nullish(),
  })
  .strict();

const CameraId = z.string().min(1).max(80);
const Username = z
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
export const requests = {
  'auth.login': { role: null, input: z.object({ username: z.string().max(64), password: z.string().max(256) }).strict() },
  'auth.logout': { role: null, input: z.object({}).strict() },
  'auth.me': { role: 'guard', input: z.object({}).strict() },
  'auth.changePassword': {
    role: 'guard',
    input: z.object({ current: z.string().max(256), next: Password }).strict(),
  },
  'system.health': { role: null, input: z.object({}).strict() },
  'system.info': { role: 'guard', input: z.object({}).strict() },

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

export type Method = keyof typeof requests;
export type ParamsOf<M extends Method> = z.input<(typeof requests)[M]['input']>;

export interface Me {
  username: string;
  role: Role;
}

export interface SystemInfo {
  version: string;
  dataDir: string;
  ffmpeg: string | null;
  ffmpegVersion: string | null;
  headless: boolean;
  startedAt: string;
}

/** Result type of each request. */
export interface ResultMap {
  'auth.login': { user: Me; token: string };
  'auth.logout': { ok: true };
  'auth.me': Me;
  'auth.changePassword': { ok: true };
  'system.health': Health;
  'system.info': SystemInfo;
  'cameras.list': CameraInfo[];
  'cameras.add': CameraInfo;
  'cameras.update': CameraInfo;
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
export type ResultOf<M extends Method> = ResultMap[M];

// Compile-time check: every request has a result type and vice versa.
type _Check1 = Exclude<Method, keyof ResultMap>;
type _Check2 = Exclude<keyof ResultMap, Method>;
const _noMissing: [_Check1, _Check2] extends [never, never] ? true : false = true;
void _noMissing;

/** Events pushed by the engine to every connected console. */
export interface EventMap {
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
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: EventName[] = [
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
];

/** Wire frames on the WebSocket. */
export type ClientFrame = { id: number; method: string; params?: unknown };
export type ServerFrame =
  | { id: number; result: unknown }
  | { id: number; error: ApiErrorBody }
  | { event: EventName; data: unknown }
  | { hello: { version: string; user: Me | null } };

export const ERROR_CODES = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;
export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  /** For validation errors: which field. */
  field?: string;
}

export class ApiError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get status(): number {
    return ERROR_CODES[this.code];
  }
  toBody(): ApiErrorBody {
    return this.field ? { code: this.code, message: this.message, field: this.field } : { code: this.code, message: this.message };
  }
}

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(requests, name);
}

/** Validate params for a method, turning zod issues into one clear message. */
export function parseParams<M extends Method>(method: M, params: unknown): z.output<(typeof requests)[M]['input']> {
  const schema = requests[method].input as z.ZodType;
  const r = schema.safeParse(params ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.join('.');
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown field(s): ${issue.keys.join(', ')}`;
    throw new ApiError('bad_request', `${method}: ${field ? field + ': ' : ''}${message}`, field || undefined);
  }
  return r.data as z.output<(typeof requests)[M]['input']>;
}
