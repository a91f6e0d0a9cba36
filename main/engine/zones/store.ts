/**
 * Detection zones in config.json (`cameras[].zones`): list, add, update,
 * remove and replace, for the zones.* handlers and `gatehouse zones`. Like
 * masks (masks/store.ts), every change goes through ConfigStore.update (lock,
 * re-read, validate, atomic write), so the CLI and a running server can both
 * change zones; the server's config watch notices an outside change within a
 * second (cameras.changed → the detection service; zones.changed → consoles).
 *
 * A zone's name is unique on its camera (case-insensitive): rules name zones,
 * and `gatehouse zones remove NAME` finds them by it.
 */
import crypto from 'node:crypto';
import { ApiError } from '../../api/contract.js';
import { MAX_ZONES_PER_CAMERA, StoredZone, type CameraZone, type ObjectLabel } from '../../api/detection.js';
import { polygonProblems, type Point } from '../../api/masks.js';
import type { ConfigFile, StoredCamera } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { findCamera } from '../cameras/catalog.js';

export function newZoneId(): string {
  return `z_${crypto.randomBytes(5).toString('hex')}`;
}

export interface ZoneFields {
  name: string;
  polygon: Point[];
  labels?: ObjectLabel[];
  minDwellSeconds?: number;
  inertiaFrames?: number;
}

/** Every zone of the config (of one camera), cameras in config order. */
export function listZones(cfg: ConfigFile, f: { cameraId?: string } = {}): CameraZone[] {
  const out: CameraZone[] = [];
  for (const c of cfg.cameras) {
    if (f.cameraId && c.id !== f.cameraId) continue;
    for (const z of c.zones ?? []) out.push({ ...z, cameraId: c.id });
  }
  return out;
}

/** Zones whose id or (case-insensitive) name is `ref`, optionally on one camera. */
export function findZones(cfg: ConfigFile, ref: string, cameraId?: string): CameraZone[] {
  const k = ref.trim().toLowerCase();
  const all = listZones(cfg, { cameraId });
  const byId = all.filter((z) => z.id === ref.trim());
  return byId.length ? byId : all.filter((z) => z.name.toLowerCase() === k);
}

function cameraOf(cfg: ConfigFile, ref: string): StoredCamera {
  const cam = findCamera(cfg.cameras, ref);
  if (!cam) throw new ApiError('not_found', `there is no camera "${ref}"; see "gatehouse cameras list"`, 'cameraId');
  return cam;
}

/** A whole zone, checked field by field (the error names the field), with defaults filled in. */
function build(id: string, f: ZoneFields, field = ''): StoredZone {
  const p = polygonProblems(f.polygon)[0];
  if (p) throw new ApiError('bad_request', `${[field + 'polygon', ...p.path].join('.')}: ${p.message}`, `${field}polygon`);
  const r = StoredZone.safeParse({ id, name: f.name, polygon: f.polygon, labels: f.labels ?? [], minDwellSeconds: f.minDwellSeconds ?? 0, inertiaFrames: f.inertiaFrames ?? 3 });
  if (!r.success) {
    const i = r.error.issues[0]!;
    const at = [field.replace(/\.$/, ''), ...i.path].filter((x) => x !== '').join('.');
    throw new ApiError('bad_request', `${at}: ${i.message}`, at);
  }
  return r.data;
}

function checkNames(cam: StoredCamera, zones: StoredZone[]): void {
  const seen = new Map<string, number>();
  zones.forEach((z, i) => {
    const k = z.name.toLowerCase();
    const j = seen.get(k);
    if (j !== undefined) throw new ApiError('bad_request', `zones.${i}.name: ${cam.name} already has a zone named "${z.name}"; zone names are unique per camera`, `zones.${i}.name`);
    seen.set(k, i);
  });
}

export async function addZone(store: ConfigStore, cameraId: string, f: ZoneFields): Promise<CameraZone> {
  const zone = build(newZoneId(), f);
  return store.update((cfg) => {
    const cam = cameraOf(cfg, cameraId);
    const zones = cam.zones ?? [];
    if (zones.length >= MAX_ZONES_PER_CAMERA) throw new ApiError('bad_request', `${cam.name} has ${MAX_ZONES_PER_CAMERA} zones already; remove one first`, 'cameraId');
    if (zones.some((z) => z.name.toLowerCase() === zone.name.toLowerCase())) {
      throw new ApiError('bad_request', `name: ${cam.name} already has a zone named "${zone.name}"; pick another name or remove that zone first`, 'name');
    }
    cam.zones = [...zones, zone];
    return { ...zone, cameraId: cam.id };
  });
}

export async function updateZone(store: ConfigStore, id: string, patch: Partial<ZoneFields>): Promise<CameraZone> {
  return store.update((cfg) => {
    for (const cam of cfg.cameras) {
      const i = (cam.zones ?? []).findIndex((z) => z.id === id);
      if (i < 0) continue;
      const old = cam.zones![i]!;
      const next = build(id, {
        name: patch.name ?? old.name,
        polygon: patch.polygon ?? old.polygon,
        labels: patch.labels ?? old.labels,
        minDwellSeconds: patch.minDwellSeconds ?? old.minDwellSeconds,
        inertiaFrames: patch.inertiaFrames ?? old.inertiaFrames,
      });
      const zones = [...cam.zones!];
      zones[i] = next;
      checkNames(cam, zones);
      cam.zones = zones;
      return { ...next, cameraId: cam.id };
    }
    throw new ApiError('not_found', `there is no zone ${id}; see "gatehouse zones list"`, 'id');
  });
}

/** Remove a zone by id, or by name (on `cameraId` when given; a name on several cameras needs the camera or the id). */
export async function removeZone(store: ConfigStore, ref: string, cameraId?: string): Promise<CameraZone> {
  return store.update((cfg) => {
    const cam = cameraId ? cameraOf(cfg, cameraId) : undefined;
    const found = findZones(cfg, ref, cam?.id);
    if (!found.length) throw new ApiError('not_found', `there is no zone "${ref}"${cam ? ` on ${cam.name}` : ''}; see "gatehouse zones list"`, 'id');
    if (found.length > 1) {
      throw new ApiError('bad_request', `${found.length} zones are named "${ref}" (${found.map((z) => `${z.id} on ${z.cameraId}`).join(', ')}); give the zone's id, or the camera`, 'id');
    }
    const z = found[0]!;
    const c = cfg.cameras.find((x) => x.id === z.cameraId)!;
    c.zones = c.zones!.filter((x) => x.id !== z.id);
    if (!c.zones.length) delete c.zones;
    return z;
  });
}

/** Replace every zone of a camera (the zone editor's save): known ids are kept, the others get one. */
export async function replaceZones(store: ConfigStore, cameraId: string, zones: (ZoneFields & { id?: string })[]): Promise<CameraZone[]> {
  if (zones.length > MAX_ZONES_PER_CAMERA) throw new ApiError('bad_request', `a camera has at most ${MAX_ZONES_PER_CAMERA} zones`, 'zones');
  return store.update((cfg) => {
    const cam = cameraOf(cfg, cameraId);
    const own = new Set((cam.zones ?? []).map((z) => z.id));
    const taken = new Set(listZones(cfg).filter((z) => z.cameraId !== cam.id).map((z) => z.id));
    const next = zones.map((z, i) => {
      const id = z.id && own.has(z.id) && !taken.has(z.id) ? z.id : newZoneId();
      taken.add(id);
      return build(id, z, `zones.${i}.`);
    });
    checkNames(cam, next);
    if (next.length) cam.zones = next;
    else delete cam.zones;
    return next.map((z) => ({ ...z, cameraId: cam.id }));
  });
}
