import { describe, expect, it } from 'vitest';
import { applySimilarity, chipTransform, dlibReference, invertSimilarity, referencePoints, similarityTransform, CHIP_SIZE } from './face-align.js';
import { faceQuality, frontalness, laplacianVariance, pose } from './face-quality.js';
import type { Point } from './face-geometry.js';

describe('similarity transform', () => {
  it('recovers a known rotation, scale and translation exactly', () => {
    const src: Point[] = [
      [10, 20],
      [40, 22],
      [25, 40],
      [26, 55],
    ];
    const ang = 0.3;
    const s = 1.7;
    const t = { a: s * Math.cos(ang), b: s * Math.sin(ang), tx: 12, ty: -8 };
    const dst = src.map((p) => applySimilarity(t, p));
    const est = similarityTransform(src, dst);
    expect(est.a).toBeCloseTo(t.a, 9);
    expect(est.b).toBeCloseTo(t.b, 9);
    expect(est.tx).toBeCloseTo(12, 9);
    expect(est.ty).toBeCloseTo(-8, 9);
    const back = applySimilarity(invertSimilarity(est), dst[2]!);
    expect(back[0]).toBeCloseTo(25, 9);
    expect(back[1]).toBeCloseTo(40, 9);
  });

  it('never reflects: a mirrored point set gets the best rotation, not a flip', () => {
    const src: Point[] = [
      [0, 0],
      [10, 0],
      [5, 8],
    ];
    const mirrored = src.map(([x, y]) => [-x, y] as Point);
    const t = similarityTransform(src, mirrored);
    // A rotation+scale has a = s·cos, b = s·sin; a flip would need det < 0, which this form cannot express.
    expect(t.a * t.a + t.b * t.b).toBeGreaterThan(0);
    expect(() => similarityTransform([[1, 1], [1, 1]], [[0, 0], [1, 1]])).toThrow(/degenerate/);
  });

  it('puts the eyes, nose and mouth of a face on the dlib template in the chip', () => {
    const ref = dlibReference();
    expect(ref[0]![0]).toBeCloseTo(((0.25 + 0.225492) / 1.5) * CHIP_SIZE, 3);
    expect(ref[0]![1]).toBeCloseTo(ref[1]![1], 6); // level eyes
    expect(ref[0]![0] + ref[1]![0]).toBeCloseTo(2 * ref[2]![0], 0); // nose between the eyes
    // A face 3× the chip scale, rotated 20°, somewhere in a picture.
    const rot = 20 * (Math.PI / 180);
    const fwd = { a: 3 * Math.cos(rot), b: 3 * Math.sin(rot), tx: 400, ty: 250 };
    const kps = [...ref, [0, 0] as Point, [0, 0] as Point].map((p) => applySimilarity(fwd, p));
    const { toChip, toImage } = chipTransform(kps, { reference: ref });
    for (let i = 0; i < 4; i++) {
      const c = applySimilarity(toChip, kps[i]!);
      expect(c[0]).toBeCloseTo(ref[i]![0], 6);
      expect(c[1]).toBeCloseTo(ref[i]![1], 6);
    }
    // toImage maps chip pixels to picture pixels: chip point ref[2] → nose keypoint.
    const [a, b, c, d, e, f] = toImage;
    expect(a * ref[2]![0] + b * ref[2]![1] + c).toBeCloseTo(kps[2]![0], 6);
    expect(d * ref[2]![0] + e * ref[2]![1] + f).toBeCloseTo(kps[2]![1], 6);
    expect(referencePoints(112, 1, 0)[0]).toEqual([38.2946, 51.6963]);
  });
});

describe('quality', () => {
  const frontal: Point[] = [
    [40, 50],
    [80, 50],
    [60, 72],
    [60, 90],
    [25, 55],
    [95, 55],
  ];

  it('reads the pose from the keypoints', () => {
    const p = pose(frontal);
    expect(p.yaw).toBeCloseTo(0);
    expect(p.earAsymmetry).toBeCloseTo(0);
    expect(p.pitchRatio).toBeCloseTo(0.55);
    expect(frontalness(frontal)).toBe(1);
    // Turned: the nose slides towards one eye, one ear disappears behind the head.
    const turned: Point[] = [
      [40, 50],
      [80, 50],
      [74, 72],
      [70, 90],
      [20, 55],
      [82, 55],
    ];
    expect(pose(turned).yaw).toBeCloseTo(0.35);
    expect(frontalness(turned)).toBeLessThan(0.3);
    // Rolled (in-plane) is still frontal: the alignment removes roll.
    const c = Math.cos(0.5);
    const s = Math.sin(0.5);
    const rolled = frontal.map(([x, y]) => [x * c - y * s, x * s + y * c] as Point);
    expect(frontalness(rolled)).toBeCloseTo(1, 6);
  });

  it('measures sharpness as the variance of the Laplacian: flat 0, edges high, blur lower', () => {
    const w = 40;
    const flat = new Float32Array(w * w).fill(128);
    expect(laplacianVariance(flat, w, w)).toBe(0);
    const checker = new Float32Array(w * w).map((_, i) => (((i % w) + Math.floor(i / w)) % 2 ? 255 : 0));
    const soft = new Float32Array(w * w).map((_, i) => 128 + 60 * Math.sin((i % w) / 3));
    expect(laplacianVariance(checker, w, w)).toBeGreaterThan(laplacianVariance(soft, w, w));
    expect(laplacianVariance(soft, w, w)).toBeGreaterThan(0);
  });

  it('scores size, sharpness, pose and detector confidence into 0..1', () => {
    const good = faceQuality({ sizePx: 150, keypoints: frontal, sharpness: 400, detectorScore: 0.95 });
    expect(good.score).toBeGreaterThan(0.9);
    expect(good.eyePx).toBe(40);
    const small = faceQuality({ sizePx: 30, keypoints: frontal, sharpness: 400, detectorScore: 0.95 });
    expect(small.score).toBeLessThan(0.1);
    const blurred = faceQuality({ sizePx: 150, keypoints: frontal, sharpness: 15, detectorScore: 0.95 });
    expect(blurred.score).toBeLessThan(0.15);
    const noKp = faceQuality({ sizePx: 150, sharpness: 0, detectorScore: 0.9 });
    expect(noKp.score).toBe(0);
  });
});
