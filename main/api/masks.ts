/**
 * Camera masks: polygons in normalised picture coordinates, stored per camera
 * in config.json (`cameras[].masks`). Three kinds share one shape and one
 * validation: `privacy` (drawn over live and recorded video in the console,
 * burned into exports), `motion` and `object` (detection masks: issue 15
 * gives them their behaviour). Part of the one API contract, merged in
 * contract.ts. Imported by the renderer too (the polygon editor validates
 * with `polygonProblems` as you draw): no Node APIs here.
 *
 * Coordinates: [x, y], each 0–1, origin at the picture's top left, x to the
 * right, y down, relative to the picture (not the tile it is shown in).
 */
import { z } from 'zod';

export const MASK_KINDS = ['privacy', 'motion', 'object'] as const;
export type MaskKind = (typeof MASK_KINDS)[number];
export const MaskKind = z.enum(MASK_KINDS);

/** Most points one polygon may have, and most masks one camera may have. */
export const MAX_POLYGON_POINTS = 64;
export const MAX_MASKS_PER_CAMERA = 32;

export type Point = [number, number];

export interface PolygonProblem {
  /** Where in the polygon: [] (the whole), [i] (point i), [i, 0|1] (its x or y). */
  path: (number | string)[];
  message: string;
}

const EPS = 1e-9;

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function onSegment(p: Point, q: Point, r: Point): boolean {
  return Math.min(p[0], r[0]) - EPS <= q[0] && q[0] <= Math.max(p[0], r[0]) + EPS && Math.min(p[1], r[1]) - EPS <= q[1] && q[1] <= Math.max(p[1], r[1]) + EPS;
}

/** Whether segments ab and cd touch or cross (collinear overlaps included). */
export function segmentsIntersect(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  if (((d1 > EPS && d2 < -EPS) || (d1 < -EPS && d2 > EPS)) && ((d3 > EPS && d4 < -EPS) || (d3 < -EPS && d4 > EPS))) return true;
  if (Math.abs(d1) <= EPS && onSegment(c, a, d)) return true;
  if (Math.abs(d2) <= EPS && onSegment(c, b, d)) return true;
  if (Math.abs(d3) <= EPS && onSegment(a, c, b)) return true;
  if (Math.abs(d4) <= EPS && onSegment(a, d, b)) return true;
  return false;
}

/** Signed area (shoelace); positive when the points run clockwise on screen (y down). */
export function polygonArea(poly: readonly Point[]): number {
  let a = 0;
  for (let i = 0; i < poly.length; i++) {
    const p = poly[i]!;
    const q = poly[(i + 1) % poly.length]!;
    a += p[0] * q[1] - q[0] * p[1];
  }
  return a / 2;
}

/**
 * Everything wrong with a polygon, each with where and what to do; [] when
 * it is usable. Rules: 3 to 64 points, each coordinate a number from 0 to 1,
 * no point repeated, an area, and no edge crossing or touching another.
 */
export function polygonProblems(poly: readonly (readonly number[])[]): PolygonProblem[] {
  const out: PolygonProblem[] = [];
  if (!Array.isArray(poly)) return [{ path: [], message: 'a polygon is a list of [x, y] points' }];
  if (poly.length < 3) out.push({ path: [], message: `a polygon needs at least 3 points (it has ${poly.length})` });
  if (poly.length > MAX_POLYGON_POINTS) out.push({ path: [], message: `a polygon has at most ${MAX_POLYGON_POINTS} points (it has ${poly.length})` });
  let coordsOk = true;
  poly.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2) {
      out.push({ path: [i], message: `point ${i + 1} must be [x, y]` });
      coordsOk = false;
      return;
    }
    p.forEach((v, k) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
        out.push({ path: [i, k], message: `point ${i + 1}: ${k ? 'y' : 'x'} must be from 0 to 1 (a fraction of the picture's ${k ? 'height' : 'width'}), not ${String(v)}` });
        coordsOk = false;
      }
    });
  });
  if (!coordsOk || poly.length < 3 || out.length) return out;
  const pts = poly as unknown as Point[];
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      if (Math.abs(pts[i]![0] - pts[j]![0]) <= EPS && Math.abs(pts[i]![1] - pts[j]![1]) <= EPS) {
        out.push({ path: [j], message: `point ${j + 1} is the same as point ${i + 1}; move or delete one of them` });
      }
    }
  }
  if (out.length) return out;
  const n = pts.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      // neighbouring edges share a point: skip them
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      if (segmentsIntersect(pts[i]!, pts[(i + 1) % n]!, pts[j]!, pts[(j + 1) % n]!)) {
        out.push({
          path: [(j + 1) % n],
          message: `the polygon crosses itself: the edge from point ${i + 1} to ${((i + 1) % n) + 1} meets the edge from point ${j + 1} to ${((j + 1) % n) + 1}; move a point so that no edges cross`,
        });
        return out;
      }
    }
  }
  if (Math.abs(polygonArea(pts)) < 1e-6) return [{ path: [], message: 'the polygon has no area (its points lie on one line); spread them out' }];
  return out;
}

/** A polygon as the API and config.json take it: validated, with one issue per problem. */
export const MaskPolygon = z.array(z.array(z.number()).max(2)).superRefine((poly, ctx) => {
  for (const p of polygonProblems(poly)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
}) as unknown as z.ZodType<Point[], Point[]>;

const MaskName = z.string().trim().max(64, 'mask name is longer than 64 characters');
const MaskId = z.string().regex(/^m_[a-z0-9]{4,32}$/, 'mask id looks like m_1a2b3c4d');

/** One mask as stored in config.json (`cameras[].masks[]`). */
export const StoredMask = z
  .object({
    id: MaskId,
    kind: MaskKind,
    name: MaskName.optional(),
    polygon: MaskPolygon,
  })
  .strict();
export type StoredMask = z.infer<typeof StoredMask>;

/** A mask as consoles see it: the stored mask and its camera. */
export interface CameraMask extends StoredMask {
  cameraId: string;
}

const CameraId = z.string().min(1).max(80);

export const masksRequests = {
  /** Masks of one camera, or of every camera. */
  'masks.list': { role: 'guard', input: z.object({ cameraId: CameraId.optional(), kind: MaskKind.optional() }).strict() },
  /** Add one mask to a camera. */
  'masks.add': {
    role: 'admin',
    input: z.object({ cameraId: CameraId, kind: MaskKind, name: MaskName.optional(), polygon: MaskPolygon }).strict(),
  },
  /** Change a mask's name, kind or polygon. */
  'masks.update': {
    role: 'admin',
    input: z.object({ id: MaskId, kind: MaskKind.optional(), name: MaskName.optional(), polygon: MaskPolygon.optional() }).strict(),
  },
  'masks.remove': { role: 'admin', input: z.object({ id: MaskId }).strict() },
  /**
   * Replace every mask of one kind on a camera (what the polygon editor saves):
   * masks with a known id keep it, the others get one, the missing ones go.
   */
  'masks.replace': {
    role: 'admin',
    input: z
      .object({
        cameraId: CameraId,
        kind: MaskKind,
        masks: z
          .array(z.object({ id: MaskId.optional(), name: MaskName.optional(), polygon: MaskPolygon }).strict())
          .max(MAX_MASKS_PER_CAMERA, `a camera has at most ${MAX_MASKS_PER_CAMERA} masks of one kind`),
      })
      .strict(),
  },
} as const;

export interface MasksResults {
  'masks.list': CameraMask[];
  'masks.add': CameraMask;
  'masks.update': CameraMask;
  'masks.remove': { ok: true };
  'masks.replace': CameraMask[];
}

export interface MasksEvents {
  /** A camera's masks changed (through the API, the CLI or an edit of config.json). */
  'masks.changed': { cameraId: string };
}
export const MASKS_EVENT_NAMES = ['masks.changed'] as const;
