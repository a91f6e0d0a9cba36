/**
 * Face quality: how big the face is in the source pixels, how sharp the
 * aligned chip is (variance of the Laplacian), and how frontal the face is
 * (from the symmetry of the BlazeFace keypoints). Used to keep the best face
 * of a person track, to grade enrolments and to refuse faces that are too
 * small or too blurred to match. Pure; the constants are tuned on the photos
 * described in docs/faces.md.
 */
import { distance, type Point } from './face-geometry.js';

export interface FaceQuality {
  /** Face box width in source pixels. */
  sizePx: number;
  /** Distance between the eye centres in source pixels (0 without keypoints). */
  eyePx: number;
  /** Variance of the 4-neighbour Laplacian over the centre of the grey chip. */
  sharpness: number;
  /** 0 (profile or strongly tilted up/down) … 1 (frontal). */
  frontal: number;
  /** Yaw proxy: nose offset along the eye line, in eye distances (0 = frontal). */
  yaw: number;
  /** 0 … 1, the product of the size, sharpness, frontal and detector-score factors. */
  score: number;
}

/** Size in source pixels at which the size factor reaches 1 (below, it falls linearly to 0 at QUALITY_MIN_PX). */
export const QUALITY_GOOD_PX = 100;
export const QUALITY_MIN_PX = 24;
/** Laplacian variance of a sharp chip: the sharpness factor is min(1, sharpness / this). */
export const QUALITY_SHARP = 150;

/**
 * Variance of the Laplacian over the centre `frac` of a grey w × h image:
 * a blurred (or upscaled) face has little high-frequency energy.
 */
export function laplacianVariance(grey: Float32Array, w: number, h: number, frac = 0.6): number {
  const x0 = Math.max(1, Math.round((w * (1 - frac)) / 2));
  const y0 = Math.max(1, Math.round((h * (1 - frac)) / 2));
  const x1 = Math.min(w - 1, w - x0);
  const y1 = Math.min(h - 1, h - y0);
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * w + x;
      const l = grey[i - 1]! + grey[i + 1]! + grey[i - w]! + grey[i + w]! - 4 * grey[i]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  if (!n) return 0;
  const mean = sum / n;
  return sum2 / n - mean * mean;
}

export interface Pose {
  yaw: number;
  /** |right ear–eye| vs |left ear–eye| asymmetry, 0 … 1. */
  earAsymmetry: number;
  /** Nose depth below the eye line divided by the mouth's (≈ 0.56 level, with BlazeFace keypoints). */
  pitchRatio: number;
}

export function pose(kp: Point[]): Pose {
  const [re, le, nose, mouth, rear, lear] = kp as [Point, Point, Point, Point, Point, Point];
  const ex = le[0] - re[0];
  const ey = le[1] - re[1];
  const d = Math.hypot(ex, ey) || 1e-6;
  const ux = ex / d;
  const uy = ey / d;
  const mx = (re[0] + le[0]) / 2;
  const my = (re[1] + le[1]) / 2;
  const yaw = ((nose[0] - mx) * ux + (nose[1] - my) * uy) / d;
  // Down the face, perpendicular to the eye line.
  const nx = -uy;
  const ny = ux;
  const noseV = (nose[0] - mx) * nx + (nose[1] - my) * ny;
  const mouthV = (mouth[0] - mx) * nx + (mouth[1] - my) * ny;
  const pitchRatio = mouthV > 1e-6 ? noseV / mouthV : 0;
  let earAsymmetry = 0;
  if (rear && lear) {
    const dr = distance(rear, re);
    const dl = distance(lear, le);
    earAsymmetry = dr + dl > 0 ? Math.abs(dr - dl) / (dr + dl) : 0;
  }
  return { yaw, earAsymmetry, pitchRatio };
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** BlazeFace's pitch ratio on level, frontal faces (measured: 0.56–0.57). */
export const LEVEL_PITCH = 0.56;

/**
 * 1 for a frontal face, falling to 0 at a yaw of 0.5 eye distances; strong ear
 * asymmetry (beyond 0.3: the ear keypoints are unreliable under hair) and a
 * pitch far from level (beyond ±0.1) lower it too.
 */
export function frontalness(kp: Point[]): number {
  const p = pose(kp);
  const fy = clamp01(1 - Math.abs(p.yaw) / 0.5);
  const fe = clamp01(1 - Math.max(0, p.earAsymmetry - 0.3) / 0.7);
  const fp = clamp01(1 - Math.max(0, Math.abs(p.pitchRatio - LEVEL_PITCH) - 0.1) / 0.3);
  return fy * fe * fp;
}

export interface QualityInput {
  sizePx: number;
  keypoints?: Point[];
  sharpness: number;
  detectorScore: number;
}

export function faceQuality(q: QualityInput): FaceQuality {
  const kp = q.keypoints;
  const eyePx = kp && kp.length >= 2 ? distance(kp[0]!, kp[1]!) : 0;
  const frontal = kp && kp.length >= 6 ? frontalness(kp) : 0;
  const yaw = kp && kp.length >= 6 ? pose(kp).yaw : 0;
  const fSize = clamp01((q.sizePx - QUALITY_MIN_PX) / (QUALITY_GOOD_PX - QUALITY_MIN_PX));
  const fSharp = clamp01(q.sharpness / QUALITY_SHARP);
  const fScore = clamp01(q.detectorScore);
  const score = fSize * fSharp * frontal * Math.sqrt(fScore);
  const r = (v: number, n = 3): number => Math.round(v * 10 ** n) / 10 ** n;
  return { sizePx: r(q.sizePx, 1), eyePx: r(eyePx, 1), sharpness: r(q.sharpness, 1), frontal: r(frontal), yaw: r(yaw), score: r(score) };
}
