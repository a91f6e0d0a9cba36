/**
 * BlazeFace (MediaPipe full-range "back" model) pre/post-processing, as in
 * assets/models/face/README.md: input [1, 256, 256, 3] RGB NHWC,
 * `pixel / 127.5 − 1`, picture letterboxed to a square; 896 anchors (stride
 * 16: 16×16 × 2, then stride 32: 8×8 × 6); logits → sigmoid; regressors in
 * units of the 256-pixel input, relative to the anchor centre. Pure.
 */
import { weightedNms, type FaceCandidate, type Point } from './face-geometry.js';

export const BLAZE_SIZE = 256;
export const BLAZE_ANCHORS = 896;
/** 0 right eye, 1 left eye, 2 nose, 3 mouth, 4 right ear, 5 left ear (the subject's sides). */
export const BLAZE_KEYPOINTS = ['rightEye', 'leftEye', 'nose', 'mouth', 'rightEar', 'leftEar'] as const;
/** Input normalisation: pixel · mul + add. */
export const BLAZE_MUL = 1 / 127.5;
export const BLAZE_ADD = -1;

/** Anchor centres (x, y) in 0..1, in the model's output order. */
export function blazeAnchors(): Float32Array {
  const out = new Float32Array(BLAZE_ANCHORS * 2);
  let i = 0;
  for (const [grid, per] of [
    [16, 2],
    [8, 6],
  ] as const) {
    for (let y = 0; y < grid; y++) {
      for (let x = 0; x < grid; x++) {
        for (let k = 0; k < per; k++) {
          out[i++] = (x + 0.5) / grid;
          out[i++] = (y + 0.5) / grid;
        }
      }
    }
  }
  return out;
}

const ANCHORS = blazeAnchors();

export interface BlazeDecodeOptions {
  /** Minimum face probability (after the sigmoid). Default 0.5. */
  scoreThreshold?: number;
  /** Weighted-NMS overlap. Default 0.3. */
  iouThreshold?: number;
}

function sigmoid(x: number): number {
  const c = Math.max(-80, Math.min(80, x));
  return 1 / (1 + Math.exp(-c));
}

/**
 * Decode the four outputs (`Identity` [512,1], `Identity_1` [384,1] logits;
 * `Identity_2` [512,16], `Identity_3` [384,16] regressors) into faces with
 * boxes and keypoints in 0..1 of the 256×256 input.
 */
export function decodeBlazeFace(
  scores16: Float32Array,
  scores32: Float32Array,
  regs16: Float32Array,
  regs32: Float32Array,
  opts: BlazeDecodeOptions = {},
): FaceCandidate[] {
  if (scores16.length !== 512 || scores32.length !== 384 || regs16.length !== 512 * 16 || regs32.length !== 384 * 16) {
    throw new Error('unexpected BlazeFace output sizes');
  }
  const thr = opts.scoreThreshold ?? 0.5;
  const cands: FaceCandidate[] = [];
  for (let a = 0; a < BLAZE_ANCHORS; a++) {
    const logit = a < 512 ? scores16[a]! : scores32[a - 512]!;
    const score = sigmoid(logit);
    if (score < thr) continue;
    const regs = a < 512 ? regs16 : regs32;
    const o = (a < 512 ? a : a - 512) * 16;
    const ax = ANCHORS[a * 2]!;
    const ay = ANCHORS[a * 2 + 1]!;
    const cx = regs[o]! / BLAZE_SIZE + ax;
    const cy = regs[o + 1]! / BLAZE_SIZE + ay;
    const w = regs[o + 2]! / BLAZE_SIZE;
    const h = regs[o + 3]! / BLAZE_SIZE;
    if (!(w > 0 && h > 0)) continue;
    const keypoints: Point[] = [];
    for (let k = 0; k < 6; k++) keypoints.push([regs[o + 4 + 2 * k]! / BLAZE_SIZE + ax, regs[o + 5 + 2 * k]! / BLAZE_SIZE + ay]);
    cands.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, keypoints });
  }
  return weightedNms(cands, opts.iouThreshold ?? 0.3);
}
