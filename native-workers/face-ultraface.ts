/**
 * UltraFace (RFB-320) pre/post-processing, as in assets/models/face/README.md:
 * input [1, 3, 240, 320] RGB NCHW, `(pixel − 127) / 128`; outputs `scores`
 * [4420, 2] (background, face; softmaxed) and `boxes` [4420, 4] (x1, y1, x2,
 * y2 decoded, 0..1 of the input). Keep face ≥ 0.7, NMS at IoU 0.3. Pure.
 */
import { nms, type FaceCandidate } from './face-geometry.js';

export const ULTRA_W = 320;
export const ULTRA_H = 240;
export const ULTRA_PRIORS = 4420;
export const ULTRA_MUL = 1 / 128;
export const ULTRA_ADD = -127 / 128;

export interface UltraDecodeOptions {
  scoreThreshold?: number;
  iouThreshold?: number;
}

/** Faces with boxes in 0..1 of the 320×240 input. */
export function decodeUltraFace(scores: Float32Array, boxes: Float32Array, opts: UltraDecodeOptions = {}): FaceCandidate[] {
  if (scores.length !== ULTRA_PRIORS * 2 || boxes.length !== ULTRA_PRIORS * 4) throw new Error('unexpected UltraFace output sizes');
  const thr = opts.scoreThreshold ?? 0.7;
  const cands: FaceCandidate[] = [];
  for (let i = 0; i < ULTRA_PRIORS; i++) {
    const s = scores[i * 2 + 1]!;
    if (s < thr) continue;
    const x1 = boxes[i * 4]!;
    const y1 = boxes[i * 4 + 1]!;
    const x2 = boxes[i * 4 + 2]!;
    const y2 = boxes[i * 4 + 3]!;
    if (!(x2 > x1 && y2 > y1)) continue;
    cands.push({ box: [x1, y1, x2, y2], score: s });
  }
  return nms(cands, opts.iouThreshold ?? 0.3);
}
