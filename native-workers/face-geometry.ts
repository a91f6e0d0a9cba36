/**
 * Boxes, points and non-maximum suppression for the face detectors. Pure,
 * unit-tested in face-geometry.test.ts.
 */

/** [x1, y1, x2, y2]. */
export type Box = [number, number, number, number];
export type Point = [number, number];

/** A detector's answer before alignment: a box, a score and (BlazeFace) six keypoints. */
export interface FaceCandidate {
  box: Box;
  score: number;
  /** BlazeFace order: right eye, left eye, nose, mouth, right ear, left ear (the subject's right is the image's left). */
  keypoints?: Point[];
}

export function boxWidth(b: Box): number {
  return b[2] - b[0];
}

export function boxHeight(b: Box): number {
  return b[3] - b[1];
}

export function boxArea(b: Box): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Classic greedy NMS, best score first. */
export function nms<T extends FaceCandidate>(cands: T[], iouThreshold: number): T[] {
  const sorted = [...cands].sort((x, y) => y.score - x.score);
  const keep: T[] = [];
  for (const c of sorted) if (!keep.some((k) => iou(k.box, c.box) > iouThreshold)) keep.push(c);
  return keep;
}

/**
 * MediaPipe's "weighted" NMS: each kept face is the score-weighted mean of
 * the boxes (and keypoints) it suppresses, which steadies the keypoints the
 * alignment depends on. The kept score is the best one of the cluster.
 */
export function weightedNms(cands: FaceCandidate[], iouThreshold: number): FaceCandidate[] {
  let rest = [...cands].sort((x, y) => y.score - x.score);
  const out: FaceCandidate[] = [];
  while (rest.length) {
    const top = rest[0]!;
    const cluster = rest.filter((c) => iou(top.box, c.box) > iouThreshold || c === top);
    rest = rest.filter((c) => !cluster.includes(c));
    let wsum = 0;
    let kwsum = 0;
    const box: Box = [0, 0, 0, 0];
    const kps: Point[] | undefined = top.keypoints ? top.keypoints.map(() => [0, 0] as Point) : undefined;
    for (const c of cluster) {
      const w = c.score;
      wsum += w;
      for (let i = 0; i < 4; i++) box[i]! += c.box[i]! * w;
      if (kps && c.keypoints) {
        kwsum += w;
        for (let k = 0; k < kps.length; k++) {
          kps[k]![0] += c.keypoints[k]![0] * w;
          kps[k]![1] += c.keypoints[k]![1] * w;
        }
      }
    }
    for (let i = 0; i < 4; i++) box[i]! /= wsum;
    if (kps) {
      for (const p of kps) {
        p[0] /= kwsum;
        p[1] /= kwsum;
      }
    }
    out.push({ box, score: top.score, ...(kps ? { keypoints: kps } : {}) });
  }
  return out;
}

/** Clip a box to 0..w × 0..h. */
export function clipBox(b: Box, w: number, h: number): Box {
  return [Math.max(0, Math.min(w, b[0])), Math.max(0, Math.min(h, b[1])), Math.max(0, Math.min(w, b[2])), Math.max(0, Math.min(h, b[3]))];
}

export function distance(p: Point, q: Point): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1]);
}
