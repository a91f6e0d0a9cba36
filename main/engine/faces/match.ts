/**
 * Matching a face against the enrolled people: Euclidean distance between
 * 128-d dlib descriptors, the nearest enrolment per person, then three rules
 * (docs/faces.md "Matching"):
 *
 * 1. Gates: a face narrower than `minFacePx`, blurrier than `minSharpness`, or
 *    without a descriptor is `unknown` ('too-small', 'blurred', 'no-descriptor')
 *    and is never compared: small and blurred faces collapse towards an
 *    "average face" that sits close to everyone.
 * 2. Threshold: the best person must be within `threshold`.
 * 3. Margin: the second-best person must be at least `margin` further away,
 *    else 'ambiguous'. Unknown is always preferred to a wrong name.
 */
import { FACE_PARAMS } from './params.js';

export interface FaceQualityLike {
  sizePx: number;
  sharpness: number;
}

export interface ProbeFace {
  descriptor: Float32Array | number[] | null;
  quality: FaceQualityLike;
}

/** One enrolled face of a person. */
export interface GalleryEntry {
  personId: string;
  enrolmentId: string;
  descriptor: Float32Array;
}

export type UnknownReason = 'too-small' | 'blurred' | 'no-descriptor' | 'no-match' | 'ambiguous' | 'empty-gallery';

export type MatchResult =
  | { match: true; personId: string; enrolmentId: string; distance: number; secondDistance: number | null }
  | { match: false; reason: UnknownReason; distance: number | null; nearestPersonId: string | null; secondDistance: number | null };

export interface MatchOptions {
  threshold?: number;
  margin?: number;
  minFacePx?: number;
  minSharpness?: number;
}

export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`descriptor lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}

const round = (v: number): number => Math.round(v * 10000) / 10000;

/** Nearest enrolment of each person, best first. */
export function rankPeople(descriptor: ArrayLike<number>, gallery: readonly GalleryEntry[]): { personId: string; enrolmentId: string; distance: number }[] {
  const best = new Map<string, { personId: string; enrolmentId: string; distance: number }>();
  for (const g of gallery) {
    const d = euclidean(descriptor, g.descriptor);
    const cur = best.get(g.personId);
    if (!cur || d < cur.distance) best.set(g.personId, { personId: g.personId, enrolmentId: g.enrolmentId, distance: d });
  }
  return [...best.values()].sort((x, y) => x.distance - y.distance);
}

export function matchFace(face: ProbeFace, gallery: readonly GalleryEntry[], opts: MatchOptions = {}): MatchResult {
  const threshold = opts.threshold ?? FACE_PARAMS.threshold;
  const margin = opts.margin ?? FACE_PARAMS.margin;
  const unknown = (reason: UnknownReason, distance: number | null = null, nearestPersonId: string | null = null, secondDistance: number | null = null): MatchResult => ({
    match: false,
    reason,
    distance: distance === null ? null : round(distance),
    nearestPersonId,
    secondDistance: secondDistance === null ? null : round(secondDistance),
  });
  if (face.quality.sizePx < (opts.minFacePx ?? FACE_PARAMS.minFacePx)) return unknown('too-small');
  if (face.quality.sharpness < (opts.minSharpness ?? FACE_PARAMS.minSharpness)) return unknown('blurred');
  if (!face.descriptor) return unknown('no-descriptor');
  if (!gallery.length) return unknown('empty-gallery');
  const ranked = rankPeople(face.descriptor, gallery);
  const first = ranked[0]!;
  const second = ranked[1]?.distance ?? null;
  if (first.distance > threshold) return unknown('no-match', first.distance, first.personId, second);
  if (second !== null && second - first.distance < margin) return unknown('ambiguous', first.distance, first.personId, second);
  return { match: true, personId: first.personId, enrolmentId: first.enrolmentId, distance: round(first.distance), secondDistance: second === null ? null : round(second) };
}
