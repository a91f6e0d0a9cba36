/**
 * Onboarding an ONVIF device: read its clock (so the digest survives clock
 * skew), its information, services and profiles; pick the main and sub
 * stream by resolution; get the RTSP and snapshot URIs. Produces the
 * OnvifMeta kept in the camera's config entry.
 */
import { ApiError } from '../../api/contract.js';
import type { OnvifInspectResult, OnvifProfileInfo } from '../../api/onvif.js';
import * as catalog from '../cameras/catalog.js';
import type { StoredCamera } from '../config/schema.js';
import type { SecretBox } from '../config/secrets.js';
import type { ConfigStore } from '../config/store.js';
import { OnvifDevice, type DeviceCapabilities, type DeviceInformation, type MediaProfile } from './client.js';
import { OnvifError } from './errors.js';
import type { OnvifMeta } from './meta.js';
import type { Credentials } from './soap.js';

/** Accept "192.168.1.20", "http://192.168.1.20" or a full device service address. */
export function normalizeXaddr(input: string): string {
  let s = input.trim();
  if (!/^https?:\/\//i.test(s)) s = 'http://' + s;
  const u = new URL(s);
  if (u.username || u.password) throw new OnvifError('unreachable', 'put the username and password in their own fields, not inside the address');
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/onvif/device_service';
  return u.toString();
}

const pixels = (p: MediaProfile) => (p.width ?? 0) * (p.height ?? 0);
const isVideoCodec = (p: MediaProfile) => !p.encoding || /h26[45]|hevc|avc/i.test(p.encoding);

/** Main = the largest H.264/H.265 profile; sub = the smallest clearly smaller one, preferring H.264 (browsers play it live). */
export function chooseProfiles(profiles: MediaProfile[]): { main: MediaProfile; sub: MediaProfile | null } {
  if (!profiles.length) throw new OnvifError('unsupported', 'the device has no media profiles: configure a stream in its web page first');
  const usable = profiles.filter(isVideoCodec);
  const pool = usable.length ? usable : profiles;
  const sized = pool.filter((p) => pixels(p) > 0);
  if (!sized.length) return { main: pool[0]!, sub: pool[1] ?? null };
  const byBig = [...sized].sort((a, b) => pixels(b) - pixels(a) || (b.fps ?? 0) - (a.fps ?? 0));
  const main = byBig[0]!;
  const smaller = sized.filter((p) => pixels(p) < pixels(main));
  const h264 = smaller.filter((p) => /h264|avc/i.test(p.encoding ?? ''));
  const pick = (list: MediaProfile[]) => [...list].sort((a, b) => pixels(a) - pixels(b))[0] ?? null;
  return { main, sub: pick(h264) ?? pick(smaller) };
}

/** Drop credentials a camera put inside a URI, and fix a host it reports as 0.0.0.0 or empty. */
export function cleanStreamUri(uri: string, xaddr: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^/@]*@)?([^/]*)(.*)$/i.exec(uri.trim());
  if (!m) return uri.trim();
  let host = m[2]!;
  const devHost = new URL(xaddr).hostname;
  const hostOnly = host.replace(/:\d+$/, '');
  if (!hostOnly || hostOnly === '0.0.0.0' || hostOnly === '[::]') host = devHost + (host.match(/:\d+$/)?.[0] ?? '');
  return `${m[1]}${host}${m[3]}`;
}

function profileInfo(p: MediaProfile): OnvifProfileInfo {
  return { token: p.token, name: p.name, encoding: p.encoding, width: p.width, height: p.height, fps: p.fps, bitrateKbps: p.bitrateKbps };
}

export interface Inspection {
  result: Omit<OnvifInspectResult, 'cameraId'>;
  meta: OnvifMeta;
  info: DeviceInformation;
  caps: DeviceCapabilities;
}

export async function inspectDevice(xaddrIn: string, creds: Credentials | null, timeoutMs = 8000): Promise<Inspection> {
  const xaddr = normalizeXaddr(xaddrIn);
  const dev = new OnvifDevice({ xaddr, creds, timeoutMs });
  let skew: number | null = null;
  try {
    skew = (await dev.syncClock()).offsetMs;
  } catch (err) {
    // Some firmwares want credentials even for the clock; anything else means we can't talk to it at all.
    if (!(err instanceof OnvifError) || (err.kind !== 'auth' && err.kind !== 'fault' && err.kind !== 'unsupported')) throw err;
  }
  const info = await dev.getDeviceInformation();
  const caps = await dev.discoverServices();
  const profiles = await dev.getProfiles();
  const { main, sub } = chooseProfiles(profiles);
  const streamUrl = cleanStreamUri(await dev.getStreamUri(main.token), xaddr);
  let subStreamUrl: string | null = null;
  if (sub) {
    try {
      subStreamUrl = cleanStreamUri(await dev.getStreamUri(sub.token), xaddr);
    } catch (err) {
      if (!(err instanceof OnvifError) || err.kind === 'auth') throw err;
    }
  }
  const snapshot = await dev.getSnapshotUri(main.token);
  const snapshotUrl = snapshot ? cleanStreamUri(snapshot, xaddr) : null;
  const ptzProfile = caps.ptz ? (main.ptz ? main.token : (profiles.find((p) => p.ptz)?.token ?? main.token)) : null;
  const { device: _d, ...services } = dev.services;
  void _d;
  const meta: OnvifMeta = {
    xaddr,
    endpoint: null,
    services,
    mainProfile: main.token,
    subProfile: sub?.token ?? null,
    ptzProfile,
    snapshotUrl,
    capabilities: caps,
    manufacturer: info.manufacturer,
    model: info.model,
    firmware: info.firmwareVersion,
    serial: info.serialNumber,
    hardwareId: info.hardwareId,
  };
  return {
    meta,
    info,
    caps,
    result: {
      xaddr,
      manufacturer: info.manufacturer,
      model: info.model,
      firmware: info.firmwareVersion,
      serial: info.serialNumber,
      hardwareId: info.hardwareId,
      clockSkewMs: skew === null ? null : Math.round(skew),
      profiles: profiles.map(profileInfo),
      mainProfile: main.token,
      subProfile: sub?.token ?? null,
      streamUrl,
      subStreamUrl,
      snapshotUrl,
      capabilities: caps,
    },
  };
}

/** A camera name from what the device says about itself, made valid for CameraName. */
export function suggestName(info: { manufacturer: string | null; model: string | null }, xaddr: string): string {
  const raw = [info.manufacturer, info.model].filter(Boolean).join(' ') || `ONVIF ${new URL(xaddr).hostname}`;
  const clean = raw
    .replace(/[^\p{L}\p{N} ._()#/+,&'-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 56);
  return clean || 'ONVIF camera';
}

/** The camera already added for a device (same endpoint reference, or same device address host:port). */
export function findOnvifCamera(cams: StoredCamera[], xaddr: string, endpoint?: string | null): StoredCamera | undefined {
  let host = '';
  try {
    host = new URL(xaddr).host.toLowerCase();
  } catch {
    /* no host to match */
  }
  return cams.find((c) => {
    if (!c.onvif) return false;
    if (endpoint && c.onvif.endpoint && c.onvif.endpoint.toLowerCase() === endpoint.toLowerCase()) return true;
    try {
      return !!host && new URL(c.onvif.xaddr).host.toLowerCase() === host;
    } catch {
      return false;
    }
  });
}

export interface AddOnvifInput {
  xaddr: string;
  username?: string | null;
  password?: string | null;
  name?: string | null;
  timeoutMs?: number;
  endpoint?: string | null;
}

/**
 * Add an ONVIF device as a normal camera (catalog.addCamera, so the
 * password is sealed like any other) with the URIs it reports, then attach
 * the ONVIF metadata. Shared by the engine and the offline CLI.
 */
export async function addOnvifCamera(store: ConfigStore, secrets: SecretBox, input: AddOnvifInput): Promise<{ camera: StoredCamera; inspection: Inspection }> {
  const creds = input.username ? { username: input.username, password: input.password ?? '' } : null;
  const insp = await inspectDevice(input.xaddr, creds, input.timeoutMs);
  const dup = findOnvifCamera(store.data.cameras, insp.meta.xaddr, input.endpoint);
  if (dup) throw new ApiError('conflict', `this device is already added as camera "${dup.name}" (id ${dup.id})`, 'xaddr');
  let name = input.name?.trim() || suggestName(insp.info, insp.meta.xaddr);
  if (!input.name) {
    const taken = new Set(store.data.cameras.map((c) => c.name.toLowerCase()));
    const base = name;
    for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base} ${i}`;
  }
  const camera = await catalog.addCamera(store, secrets, {
    name,
    url: insp.result.streamUrl,
    subUrl: insp.result.subStreamUrl,
    username: input.username || null,
    password: input.password || null,
  });
  const meta: OnvifMeta = { ...insp.meta, endpoint: input.endpoint ?? null };
  try {
    const updated = await store.update((cfg) => {
      const c = cfg.cameras.find((x) => x.id === camera.id);
      if (!c) throw new ApiError('conflict', 'the camera was removed while it was being added');
      c.onvif = meta;
      return c;
    });
    return { camera: updated, inspection: insp };
  } catch (err) {
    await catalog.removeCamera(store, camera.id).catch(() => undefined);
    throw err;
  }
}
