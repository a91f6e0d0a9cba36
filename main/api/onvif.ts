/**
 * ONVIF: discovery, onboarding, stream test, PTZ, camera events, relay
 * outputs, device health. Part of the one API contract, merged in
 * contract.ts. Imported by the renderer too: no Node APIs here.
 */
import { z } from 'zod';
import { CameraName, type CameraInfo } from './types.js';

const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time such as 2026-11-26T08:00:00Z');
const CameraId = z.string().min(1).max(80);
/**
 * The device service address, or just the camera's address: "192.168.1.20",
 * "192.168.1.20:8080" and "http://192.168.1.20" are completed by the engine
 * to http://…/onvif/device_service (onvif/onboard.ts normalizeXaddr).
 */
export const Xaddr = z
  .string()
  .trim()
  .max(2048)
  .refine((u) => /^(https?:\/\/)?[^\s/:@]+(:\d{1,5})?(\/\S*)?$/i.test(u) || /^https?:\/\/\[[0-9a-f:.]+\](:\d{1,5})?(\/\S*)?$/i.test(u), {
    message: 'give the camera\'s IP address (192.168.1.20) or its ONVIF device service address (http://192.168.1.20/onvif/device_service)',
  });
const Velocity = z.number().min(-1, 'velocities run from -1 to 1').max(1, 'velocities run from -1 to 1');
const Token = z.string().trim().min(1).max(128);

/** Kinds of camera event the engine stores; detections and alarms add their own kinds to the same table. */
export const ONVIF_EVENT_KINDS = ['motion', 'tamper', 'input', 'relay'] as const;
export type OnvifEventKind = (typeof ONVIF_EVENT_KINDS)[number];
const EventKind = z.string().min(1).max(40);

export const onvifRequests = {
  /** WS-Discovery probe on the local network. Never takes longer than timeoutMs. */
  'onvif.discover': {
    role: 'admin',
    input: z.object({ timeoutMs: z.number().int().min(500).max(30_000).optional() }).strict(),
  },
  /** Read a device (with credentials) without adding it: information, profiles and the URIs it would use. */
  'onvif.inspect': {
    role: 'admin',
    input: z
      .object({ xaddr: Xaddr, username: z.string().max(128).optional(), password: z.string().max(256).optional(), timeoutMs: z.number().int().min(500).max(60_000).optional() })
      .strict(),
  },
  /** Add an ONVIF device as a camera with the stream URIs it reports. */
  'onvif.add': {
    role: 'admin',
    input: z
      .object({
        xaddr: Xaddr,
        username: z.string().max(128).optional(),
        password: z.string().max(256).optional(),
        name: CameraName.optional(),
        timeoutMs: z.number().int().min(500).max(60_000).optional(),
      })
      .strict(),
  },
  /** Which cameras were added through ONVIF and what they can do (no network calls: for showing PTZ pads and relay buttons). */
  'onvif.cameras': { role: 'guard', input: z.object({}).strict() },
  /** Device information, services, clock skew and subscription state of an ONVIF camera. */
  'onvif.deviceInfo': { role: 'guard', input: z.object({ cameraId: CameraId }).strict() },
  /** Relay outputs of an ONVIF camera. */
  'onvif.relays': { role: 'guard', input: z.object({ cameraId: CameraId }).strict() },
  /** Drive a relay output (SetRelayOutputState). */
  'onvif.relay': { role: 'guard', input: z.object({ cameraId: CameraId, token: Token, active: z.boolean() }).strict() },

  /** "Test connection" for a manual RTSP URL: codec, resolution, fps, and a snapshot. */
  'cameras.test': {
    role: 'admin',
    input: z
      .object({
        url: z.string().trim().min(1).max(2048),
        username: z.string().max(128).optional(),
        password: z.string().max(256).optional(),
        timeoutMs: z.number().int().min(1000).max(60_000).optional(),
      })
      .strict(),
  },

  /**
   * Start or refresh a continuous move. The engine stops the camera at the
   * deadline (at most 1 s) unless the client sends the move again.
   */
  'ptz.move': {
    role: 'guard',
    input: z
      .object({ cameraId: CameraId, pan: Velocity.default(0), tilt: Velocity.default(0), zoom: Velocity.default(0), timeoutMs: z.number().int().min(100).max(1000).optional() })
      .strict(),
  },
  'ptz.stop': { role: 'guard', input: z.object({ cameraId: CameraId }).strict() },
  'ptz.presets': { role: 'guard', input: z.object({ cameraId: CameraId }).strict() },
  'ptz.gotoPreset': { role: 'guard', input: z.object({ cameraId: CameraId, token: Token }).strict() },
  'ptz.setPreset': { role: 'supervisor', input: z.object({ cameraId: CameraId, name: z.string().trim().min(1).max(64), token: Token.optional() }).strict() },
  'ptz.home': { role: 'guard', input: z.object({ cameraId: CameraId }).strict() },
  'ptz.status': { role: 'guard', input: z.object({ cameraId: CameraId }).strict() },

  /** Stored camera events (ONVIF motion/tamper/input/relay, and later detections) for the timeline. */
  'events.list': {
    role: 'guard',
    input: z
      .object({
        cameraId: CameraId.optional(),
        from: IsoTime,
        to: IsoTime,
        kinds: z.array(EventKind).max(20).optional(),
        limit: z.number().int().min(1).max(10_000).optional(),
      })
      .strict(),
  },
} as const;

export interface DiscoveredDeviceInfo {
  /** EndpointReference address (urn:uuid:...). */
  endpoint: string;
  xaddr: string;
  xaddrs: string[];
  address: string;
  name: string | null;
  hardware: string | null;
  location: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  /** "device": read with GetDeviceInformation; "scopes": the device wants credentials, so this is what its discovery scopes say. */
  infoFrom: 'device' | 'scopes';
  scopes: string[];
  types: string[];
  /** Id of the camera already added for this device, or null. */
  cameraId: string | null;
}

export interface OnvifProfileInfo {
  token: string;
  name: string;
  encoding: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  bitrateKbps: number | null;
}

export interface OnvifInspectResult {
  xaddr: string;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  hardwareId: string | null;
  /** Camera clock minus ours, ms. */
  clockSkewMs: number | null;
  profiles: OnvifProfileInfo[];
  mainProfile: string;
  subProfile: string | null;
  /** Stream URIs without credentials. */
  streamUrl: string;
  subStreamUrl: string | null;
  snapshotUrl: string | null;
  capabilities: { ptz: boolean; events: boolean; pullPoint: boolean; relayOutputs: number; inputs: number };
  /** Camera id already added for this device, or null. */
  cameraId: string | null;
}

export interface OnvifCameraSummary {
  cameraId: string;
  manufacturer: string | null;
  model: string | null;
  ptz: boolean;
  events: boolean;
  relayOutputs: number;
  inputs: number;
  /** Event subscription state (off while the camera is disabled). */
  eventState: 'off' | 'connecting' | 'subscribed' | 'retrying';
  clockOk: boolean | null;
}

export interface OnvifDeviceInfo {
  cameraId: string;
  xaddr: string;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  hardwareId: string | null;
  mainProfile: string;
  subProfile: string | null;
  capabilities: { ptz: boolean; events: boolean; pullPoint: boolean; relayOutputs: number; inputs: number };
  /** Last measured camera clock minus ours, ms (null before the first check). */
  clockSkewMs: number | null;
  clockCheckedAt: string | null;
  clockOk: boolean | null;
  /** Whether the camera's clock follows NTP (as it reports). */
  ntp: boolean | null;
  events: { state: 'off' | 'connecting' | 'subscribed' | 'retrying'; message: string; since: string; lastEventAt: string | null };
  /** Read live when the camera answered; null when it did not (see error). */
  live: boolean;
  error: string | null;
}

export interface StreamTestResult {
  ok: true;
  codec: string | null;
  profile: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  audio: string | null;
  /** A JPEG frame as a data: URL, or null when no frame could be decoded in time. */
  snapshot: string | null;
  /** Advice when something works but is not ideal (H.265 in the browser, no audio support...). */
  notes: string[];
}

export interface PtzPresetInfo {
  token: string;
  name: string;
}

export interface StoredEvent {
  id: number;
  cameraId: string | null;
  time: string;
  kind: string;
  /** Which part of the engine produced it: "onvif", "detector", "alarms"... */
  source: string;
  data: Record<string, unknown>;
}

export interface OnvifResults {
  'onvif.discover': { devices: DiscoveredDeviceInfo[]; tookMs: number };
  'onvif.inspect': OnvifInspectResult;
  'onvif.add': CameraInfo;
  'onvif.cameras': { cameras: OnvifCameraSummary[] };
  'onvif.deviceInfo': OnvifDeviceInfo;
  'onvif.relays': { relays: { token: string; mode: string | null; idleState: string | null }[] };
  'onvif.relay': { ok: true };
  'cameras.test': StreamTestResult;
  'ptz.move': { ok: true; deadline: string };
  'ptz.stop': { ok: true };
  'ptz.presets': { presets: PtzPresetInfo[] };
  'ptz.gotoPreset': { ok: true };
  'ptz.setPreset': { token: string };
  'ptz.home': { ok: true };
  'ptz.status': { pan: number | null; tilt: number | null; zoom: number | null; moving: boolean | null };
  'events.list': { events: StoredEvent[]; truncated: boolean };
}

export interface OnvifEvents {
  /** A camera event from the camera's own analytics or I/O. Persisted before it is sent. */
  'onvif.event': { cameraId: string; kind: OnvifEventKind; state: boolean; source?: string; time: string; topic?: string; id?: number };
  /** The camera clock was checked; `ok` false above 2 s of skew. */
  'camera.clockSkew': { cameraId: string; skewMs: number; ok: boolean; message: string };
  /** Every PTZ action, for the audit trail. */
  'ptz.action': { cameraId: string; user: string; action: 'move' | 'stop' | 'gotoPreset' | 'setPreset' | 'home' | 'watchdogStop'; detail?: string };
  /** A relay output was driven from the console. */
  'onvif.relayChanged': { cameraId: string; token: string; active: boolean; user: string };
}

export const ONVIF_EVENT_NAMES = ['onvif.event', 'camera.clockSkew', 'ptz.action', 'onvif.relayChanged'] as const;
