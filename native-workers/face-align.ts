/**
 * Face alignment for the dlib descriptor: a least-squares similarity
 * transform (rotation, uniform scale, translation; no reflection) takes the
 * BlazeFace eye centres, nose and mouth centre to fixed reference points of a
 * 150 × 150 chip. References: the ArcFace 112-pixel points, scaled to 150
 * pixels around the chip centre with a zoom (< 1 leaves more of the head in
 * the chip, as dlib's own chips do). Pure, unit-tested in face-align.test.ts.
 */
import type { Affine } from './face-image.js';
import type { Point } from './face-geometry.js';

export const CHIP_SIZE = 150;

/** ArcFace reference points (112 × 112): image-left eye, image-right eye, nose tip, mouth centre. */
export const ARCFACE_112: Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [56.1396, 92.2848],
];

/**
 * dlib's mean face (the template of its 68-point shape model, 0..1 of the face box): eye centres (mean of the six
 * eye-contour points 36–41 and 42–47), nose tip (point 30) and mouth centre (inner lip points 60–67). dlib cuts its
 * 150-pixel chips from this template with 25 % padding; the descriptor model was trained on such chips.
 */
export const DLIB_MEAN_FACE: Point[] = [
  [0.225492, 0.21599],
  [0.754761, 0.21599],
  [0.490127, 0.515625],
  [0.490127, 0.799073],
];

/** The dlib template in a `size`-pixel chip with `padding` (dlib's get_face_chip_details: (padding + m) / (1 + 2·padding) · size). */
export function dlibReference(size = CHIP_SIZE, padding = 0.25, noseY = DLIB_MEAN_FACE[2]![1]): Point[] {
  return DLIB_MEAN_FACE.map(([x, y], i) => [((padding + x) / (1 + 2 * padding)) * size, ((padding + (i === 2 ? noseY : y)) / (1 + 2 * padding)) * size] as Point);
}

/** The ArcFace points in a `size`-pixel chip, scaled by `zoom` around the centre and moved down by `shiftY` (fraction of size). */
export function referencePoints(size = CHIP_SIZE, zoom = 0.8, shiftY = 0): Point[] {
  const s = (size / 112) * zoom;
  return ARCFACE_112.map(([x, y]) => [(x - 56) * s + size / 2, (y - 56) * s + size / 2 + shiftY * size] as Point);
}

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity taking `src` onto `dst` (Umeyama without reflection, in closed form). */
export function similarityTransform(src: Point[], dst: Point[]): Similarity {
  if (src.length !== dst.length || src.length < 2) throw new Error('need at least two point pairs');
  const n = src.length;
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]![0];
    sy += src[i]![1];
    dx += dst[i]![0];
    dy += dst[i]![1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let num1 = 0;
  let num2 = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]![0] - sx;
    const py = src[i]![1] - sy;
    const qx = dst[i]![0] - dx;
    const qy = dst[i]![1] - dy;
    num1 += px * qx + py * qy;
    num2 += px * qy - py * qx;
    den += px * px + py * py;
  }
  if (den < 1e-9) throw new Error('degenerate keypoints (all in one place)');
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return [t.a * p[0] - t.b * p[1] + t.tx, t.b * p[0] + t.a * p[1] + t.ty];
}

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

export function similarityToAffine(t: Similarity): Affine {
  return [t.a, -t.b, t.tx, t.b, t.a, t.ty];
}

export interface ChipOptions {
  size?: number;
  /** Reference points in the chip (default: dlibReference(size)). */
  reference?: Point[];
  /** Use only the eyes and the mouth (default: eyes, nose and mouth). */
  noNose?: boolean;
}

/**
 * The chip → image map for a face with BlazeFace keypoints (in image pixels):
 * keypoints 0 (the subject's right eye, on the image's left), 1, 2 (nose), 3 (mouth)
 * go to the four reference points. Feed it to sampleAffine.
 */
export function chipTransform(keypoints: Point[], opts: ChipOptions = {}): { toChip: Similarity; toImage: Affine } {
  if (keypoints.length < 4) throw new Error('alignment needs the eyes, nose and mouth');
  const ref = opts.reference ?? dlibReference(opts.size ?? CHIP_SIZE);
  // The subject's right eye (keypoint 0) is on the image's left, like the references' first point.
  const idx = opts.noNose ? [0, 1, 3] : [0, 1, 2, 3];
  const toChip = similarityTransform(
    idx.map((i) => keypoints[i]!),
    idx.map((i) => ref[i]!),
  );
  return { toChip, toImage: similarityToAffine(invertSimilarity(toChip)) };
}
