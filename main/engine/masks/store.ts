/**
 * Camera masks in config.json (`cameras[].masks`): list, add, update,
 * remove and replace, for the masks.* handlers and `gatehouse masks`. Every
 * change goes through ConfigStore.update (lock, re-read, validate, atomic
 * write), so the CLI and a running server can both change masks; the
 * server notices an outside change within a second (config watch) and says
 * `masks.changed`. Polygons are validated by the contract's schema
 * (api/masks.ts) before they get here, and again by the config schema.
 */
import crypto from 'node:crypto';
import { ApiError } from '../../api/contract.js';
import { MAX_MASKS_PER_CAMERA, polygonProblems, type CameraMask, type MaskKind, type Point, type StoredMask } from '../../api/masks.js';
import type { ConfigFile } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { findCamera } from '../cameras/catalog.js';

export function newMaskId(): string {
  return `m_${crypto.randomBytes(5).toString('hex')}`;
}

/** Every mask of the config (of one camera, of one kind), cameras in config order. */
export function listMasks(cfg: ConfigFile, f: { cameraId?: string; kind?: MaskKind } = {}): CameraMask[] {
  const out: CameraMask[] = [];
  for (const c of cfg.cameras) {
    if (f.cameraId && c.id !== f.cameraId) continue;
    for (const m of c.masks ?? []) if (!f.kind || m.kind === f.kind) out.push({ ...m, cameraId: c.id });
  }
  return out;
}

function check(polygon: Point[], field = 'polygon'): void {
  const p = polygonProblems(polygon)[0];
  if (p) throw new ApiError('bad_request', `${[field, ...p.path].join('.')}: ${p.message}`, field);
}

function cameraOf(cfg: ConfigFile, ref: string) {
  const cam = findCamera(cfg.cameras, ref);
  if (!cam) throw new ApiError('not_found', `there is no camera "${ref}"; see "gatehouse cameras list"`, 'cameraId');
  return cam;
}

export async function addMask(store: ConfigStore, m: { cameraId: string; kind: MaskKind; name?: string; polygon: Point[] }): Promise<CameraMask> {
  check(m.polygon);
  return store.update((cfg) => {
    const cam = cameraOf(cfg, m.cameraId);
    const masks = cam.masks ?? [];
    if (masks.filter((x) => x.kind === m.kind).length >= MAX_MASKS_PER_CAMERA) {
      throw new ApiError('bad_request', `${cam.name} has ${MAX_MASKS_PER_CAMERA} ${m.kind} masks already; remove one first`, 'cameraId');
    }
    const mask: StoredMask = { id: newMaskId(), kind: m.kind, ...(m.name ? { name: m.name } : {}), polygon: m.polygon };
    cam.masks = [...masks, mask];
    return { ...mask, cameraId: cam.id };
  });
}

export async function updateMask(store: ConfigStore, id: string, p: { kind?: MaskKind; name?: string; polygon?: Point[] }): Promise<CameraMask> {
  if (p.polygon) check(p.polygon);
  return store.update((cfg) => {
    for (const cam of cfg.cameras) {
      const i = (cam.masks ?? []).findIndex((m) => m.id === id);
      if (i < 0) continue;
      const old = cam.masks![i]!;
      const next: StoredMask = { id, kind: p.kind ?? old.kind, polygon: p.polygon ?? old.polygon };
      const name = p.name !== undefined ? p.name : old.name;
      if (name) next.name = name;
      cam.masks![i] = next;
      return { ...next, cameraId: cam.id };
    }
    throw new ApiError('not_found', `there is no mask ${id}; see "gatehouse masks list"`, 'id');
  });
}

export async function removeMask(store: ConfigStore, id: string): Promise<CameraMask> {
  return store.update((cfg) => {
    for (const cam of cfg.cameras) {
      const m = (cam.masks ?? []).find((x) => x.id === id);
      if (!m) continue;
      cam.masks = cam.masks!.filter((x) => x.id !== id);
      if (!cam.masks.length) delete cam.masks;
      return { ...m, cameraId: cam.id };
    }
    throw new ApiError('not_found', `there is no mask ${id}; see "gatehouse masks list"`, 'id');
  });
}

/** Replace every mask of one kind on a camera (the polygon editor's save). */
export async function replaceMasks(
  store: ConfigStore,
  cameraId: string,
  kind: MaskKind,
  masks: { id?: string; name?: string; polygon: Point[] }[],
): Promise<CameraMask[]> {
  masks.forEach((m, i) => check(m.polygon, `masks.${i}.polygon`));
  return store.update((cfg) => {
    const cam = cameraOf(cfg, cameraId);
    const others = (cam.masks ?? []).filter((m) => m.kind !== kind);
    const taken = new Set(others.map((m) => m.id));
    const mine: StoredMask[] = masks.map((m) => {
      const id = m.id && !taken.has(m.id) ? m.id : newMaskId();
      taken.add(id);
      return { id, kind, ...(m.name ? { name: m.name } : {}), polygon: m.polygon };
    });
    const all = [...others, ...mine];
    if (all.length) cam.masks = all;
    else delete cam.masks;
    return mine.map((m) => ({ ...m, cameraId: cam.id }));
  });
}
