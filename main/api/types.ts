/**
 * Shared types of the API contract: roles, cameras, recordings, errors.
 * Imported by the renderer too: no Node APIs here.
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

const URL_FORM = /^(rtsp|rtsps|http|https):\/\/[^\s]+$/i;
const URL_FORM_MESSAGE = 'camera URL must start with rtsp://, rtsps://, http:// or https:// (for example rtsp://192.168.1.20:554/stream1)';

/** A stored camera URL: never holds credentials (they live in the camera's username and sealed password). */
export const CameraUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((u) => URL_FORM.test(u) || /^demo:\/\/[a-z0-9-]+$/.test(u), { message: URL_FORM_MESSAGE })
  .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), {
    message: 'the user name and password go in the Username and Password fields, not inside the URL',
  });

/**
 * A camera URL as an installer enters it: camera manuals print
 * rtsp://user:pass@host/…, so credentials inside are accepted here and moved
 * into the username and (sealed) password before anything is stored
 * (splitUrlCredentials, cameras/catalog.ts).
 */
export const CameraUrlInput = z
  .string()
  .trim()
  .max(2048)
  .refine((u) => URL_FORM.test(u) || /^demo:\/\/[a-z0-9-]+$/.test(u), { message: URL_FORM_MESSAGE });

/**
 * Take `user:password@` out of a URL. Returns null when the URL holds no
 * credentials. User and password are percent-decoded (`p%40ss` → `p@ss`);
 * a malformed escape is kept as typed.
 */
export function splitUrlCredentials(url: string): { url: string; username: string; password: string | null } | null {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@(.*)$/i.exec(url.trim());
  if (!m) return null;
  const info = m[2]!;
  const colon = info.indexOf(':');
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const username = dec(colon >= 0 ? info.slice(0, colon) : info);
  const password = colon >= 0 ? dec(info.slice(colon + 1)) : null;
  return { url: `${m[1]}${m[3]}`, username, password };
}

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
  /** Face recognition is on for this camera (the console shows a notice on its tiles); absent = off. */
  faces?: boolean;
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
  /** Two-factor sign-in (TOTP) is on. */
  totp?: boolean;
}

export interface Segment {
  /** Index row id (stable while the segment exists; not kept across `index rebuild`). */
  id?: number;
  start: string;
  end: string;
  path: string;
  bytes: number;
  /** Held by an evidence lock: retention and quota purges skip it (docs/export.md). */
  locked?: boolean;
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
  'clock_step',
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
  /**
   * Present while the recordings index is being rebuilt from the media files in the background (it was
   * missing or damaged at start). Recording goes on meanwhile; footage from before shows up camera by camera.
   */
  rebuilding?: { since: string; reason: string; cameras: number; camerasDone: number; segments: number };
}

export interface Health {
  status: 'ok';
  version: string;
  cameras: { total: number; recording: number; offline: number };
}

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
    /** Detector model: 'float' (YOLOX-Nano fp32, the default) or 'int8' (quantised; docs/detection.md "Models"). */
    detectionModel: z.enum(['float', 'int8']).optional(),
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

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

/** Event-loop lag over a stretch of time (how late timers ran), in ms; see main/engine/system/monitor.ts. */
export interface LagStats {
  seconds: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** The engine process's vital signs (`system.status`, admin): for soak runs and support. */
export interface SystemStatus {
  pid: number;
  uptimeSeconds: number;
  memory: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number; arrayBuffersBytes: number };
  /** Open file descriptors of the engine process (null where the OS does not tell). */
  openFds: number | null;
  /** Child processes the engine runs (ffmpeg, workers). */
  children: number;
  eventLoop: {
    resolutionMs: number;
    windowSeconds: number;
    /** The last whole window (null in the first one). */
    last: LagStats | null;
    /** Since the engine started (the current window included). */
    sinceStart: LagStats | null;
    /** Share of the last window the event loop was busy (0-1). */
    utilization: number | null;
  };
}

/** Wire frames on the WebSocket. */
export type ClientFrame = { id: number; method: string; params?: unknown };
export type ServerFrame =
  | { id: number; result: unknown }
  | { id: number; error: ApiErrorBody }
  | { event: string; data: unknown }
  | { hello: { version: string; user: Me | null } };

/**
 * Close codes the server uses on `/api/ws` and `/api/live` (docs/api.md, "Sessions on a socket"):
 * the session ended (logged out, disabled, password changed or reset, expired): show the login with the
 * close reason; or the session's user changed (a new role): reconnect at once to get the new hello.
 */
export const WS_CLOSE = { sessionEnded: 4401, sessionChanged: 4409 } as const;

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

