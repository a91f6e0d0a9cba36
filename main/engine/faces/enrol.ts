/**
 * Enrolment from a photo: decode it, find every face, grade each one, and
 * say clearly when the photo cannot be used. Several faces are returned
 * (with boxes and thumbnails) so the caller can ask which one is the person;
 * `enrolFromPhoto()` then stores the chosen face.
 */
import type { FacePool } from './pool.js';
import { FACE_PARAMS } from './params.js';
import { decodePhoto, faceCropJpeg, PhotoError, type DecodedPhoto } from './images.js';
import type { Enrolment, FaceStore } from './store.js';
import type { Box } from '../../../native-workers/face-geometry.js';
import type { FaceQuality } from '../../../native-workers/face-quality.js';

export type EnrolErrorCode = 'corrupt-image' | 'unsupported-format' | 'too-large' | 'no-face' | 'tiny-face' | 'no-descriptor' | 'pick-a-face';

/** Why a photo cannot be enrolled, in words the user can act on. */
export class EnrolError extends Error {
  constructor(
    readonly code: EnrolErrorCode,
    message: string,
    readonly details: { sizePx?: number; minPx?: number; faces?: number } = {},
  ) {
    super(message);
  }
}

export type QualityGrade = 'good' | 'fair' | 'poor';

export interface EnrolCandidate {
  /** Index to pass back as `face` when the photo has several faces. */
  index: number;
  /** Face box in the photo's own pixels. */
  box: Box;
  score: number;
  quality: FaceQuality;
  grade: QualityGrade;
  /** Face width in the photo's own pixels. */
  sizePx: number;
  /** False when the face is too small (or has no keypoints) to enrol; `problem` says why. */
  usable: boolean;
  problem: string | null;
  /** 96-pixel JPEG thumbnail, for the "which one?" question. */
  thumbnail: Buffer;
  descriptor: Float32Array | null;
}

export interface PhotoFaces {
  width: number;
  height: number;
  format: string;
  faces: EnrolCandidate[];
}

export function grade(q: number): QualityGrade {
  return q >= 0.6 ? 'good' : q >= 0.3 ? 'fair' : 'poor';
}

/** Every face in the photo, best first. Throws EnrolError when there is none, or none big enough. */
export async function findPhotoFaces(pool: FacePool, bytes: Uint8Array, opts: { minEnrolPx?: number } = {}): Promise<PhotoFaces> {
  return (await analysePhoto(pool, bytes, opts)).found;
}

async function analysePhoto(pool: FacePool, bytes: Uint8Array, opts: { minEnrolPx?: number }): Promise<{ photo: DecodedPhoto; found: PhotoFaces }> {
  let photo: DecodedPhoto;
  try {
    photo = await decodePhoto(bytes);
  } catch (err) {
    if (err instanceof PhotoError) throw new EnrolError(err.code, err.message);
    throw err;
  }
  const minPx = opts.minEnrolPx ?? FACE_PARAMS.minEnrolPx;
  const r = await pool.analyze(photo, { maxFaces: 12, chips: false });
  if (!r.faces.length) {
    throw new EnrolError('no-face', 'no face was found in this photo; use a well-lit photo where the face looks at the camera', { faces: 0 });
  }
  const s = photo.scale;
  const faces: EnrolCandidate[] = [];
  const sorted = [...r.faces].sort((a, b) => b.quality.sizePx * b.score - a.quality.sizePx * a.score);
  for (const [i, f] of sorted.entries()) {
    const sizePx = Math.round(f.quality.sizePx * s);
    let problem: string | null = null;
    if (sizePx < minPx) problem = `the face is ${sizePx} px wide; enrolment needs at least ${minPx} px: use a closer or larger photo`;
    else if (!f.descriptor || !f.keypoints) problem = 'the eyes, nose and mouth could not be located; use a photo where the face looks at the camera';
    faces.push({
      index: i,
      box: f.box.map((v) => Math.round(v * s)) as Box,
      score: f.score,
      quality: f.quality,
      grade: grade(f.quality.score),
      sizePx,
      usable: !problem,
      problem,
      thumbnail: await faceCropJpeg(photo, f.box, { size: 96 }),
      descriptor: f.descriptor,
    });
  }
  if (!faces.some((f) => f.usable)) {
    const biggest = Math.max(...faces.map((f) => f.sizePx));
    if (biggest < minPx) {
      throw new EnrolError('tiny-face', `the ${faces.length > 1 ? 'largest face' : 'face'} in this photo is ${biggest} px wide; enrolment needs at least ${minPx} px: use a closer or larger photo`, {
        sizePx: biggest,
        minPx,
        faces: faces.length,
      });
    }
    throw new EnrolError('no-descriptor', faces[0]!.problem!, { faces: faces.length });
  }
  return { photo, found: { width: photo.originalWidth, height: photo.originalHeight, format: photo.format, faces } };
}

export interface EnrolResult {
  enrolment: Enrolment;
  face: EnrolCandidate;
  /** Every face found in the photo (one when the photo had one). */
  faces: number;
}

/**
 * Enrol the person from a photo. With several usable faces, `face` (an
 * index from findPhotoFaces) must say which one: without it an EnrolError
 * 'pick-a-face' lists them. The stored image is a padded crop of that face
 * only (not the whole photo: other people in it are not kept).
 */
export async function enrolFromPhoto(pool: FacePool, store: FaceStore, personId: string, bytes: Uint8Array, opts: { face?: number; minEnrolPx?: number } = {}): Promise<EnrolResult> {
  store.person(personId);
  const { photo, found } = await analysePhoto(pool, bytes, opts);
  const usable = found.faces.filter((f) => f.usable);
  let face: EnrolCandidate | undefined;
  if (opts.face !== undefined) {
    face = found.faces.find((f) => f.index === opts.face);
    if (!face) throw new EnrolError('pick-a-face', `the photo has ${found.faces.length} face(s); face ${opts.face} does not exist`, { faces: found.faces.length });
    if (!face.usable) throw new EnrolError(face.sizePx < (opts.minEnrolPx ?? FACE_PARAMS.minEnrolPx) ? 'tiny-face' : 'no-descriptor', face.problem!, { sizePx: face.sizePx, faces: found.faces.length });
  } else if (usable.length > 1) {
    throw new EnrolError('pick-a-face', `the photo has ${usable.length} faces; say which one is the person (faces ${usable.map((f) => f.index).join(', ')})`, { faces: found.faces.length });
  } else face = usable[0]!;
  const s = photo.scale;
  const jpeg = await faceCropJpeg(photo, face.box.map((v) => v / s) as Box, { size: 256, pad: 1.8 });
  const enrolment = store.addEnrolment(personId, { descriptor: face.descriptor!, quality: face.quality.score, sizePx: face.sizePx, source: 'photo', jpeg });
  return { enrolment, face, faces: found.faces.length };
}
