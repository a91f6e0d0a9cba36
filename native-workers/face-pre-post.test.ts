import { describe, expect, it } from 'vitest';
import { affineScale, fromInput, letterbox, lumaHwc, sampleAffine, type PackedImage } from './face-image.js';
import { iou, nms, weightedNms, clipBox, type FaceCandidate } from './face-geometry.js';
import { BLAZE_ANCHORS, blazeAnchors, decodeBlazeFace } from './face-blazeface.js';
import { ULTRA_PRIORS, decodeUltraFace } from './face-ultraface.js';

function image(w: number, h: number, fn: (x: number, y: number) => [number, number, number], order: 'rgb' | 'bgr' = 'rgb'): PackedImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = fn(x, y);
      const i = (y * w + x) * 3;
      data.set(order === 'rgb' ? [r, g, b] : [b, g, r], i);
    }
  return { data, width: w, height: h, order };
}

describe('sampleAffine', () => {
  it('copies pixels through the identity map, in RGB order from RGB or BGR sources, HWC and CHW', () => {
    const fn = (x: number, y: number): [number, number, number] => [x * 10, y * 10, 200];
    for (const order of ['rgb', 'bgr'] as const) {
      const img = image(4, 3, fn, order);
      const hwc = sampleAffine(img, [1, 0, 0, 0, 1, 0], 4, 3, new Float32Array(36), { layout: 'hwc', mul: 1, add: 0, fill: 0 });
      expect(Array.from(hwc.slice((1 * 4 + 2) * 3, (1 * 4 + 2) * 3 + 3))).toEqual([20, 10, 200]);
      const chw = sampleAffine(img, [1, 0, 0, 0, 1, 0], 4, 3, new Float32Array(36), { layout: 'chw', mul: 1, add: 0, fill: 0 });
      expect([chw[1 * 4 + 2], chw[12 + 1 * 4 + 2], chw[24 + 1 * 4 + 2]]).toEqual([20, 10, 200]);
    }
  });

  it('normalises with mul/add, fills outside the picture and averages when shrinking', () => {
    const img = image(8, 8, (x) => (x < 4 ? [0, 0, 0] : [255, 255, 255]));
    // 2× shrink: each output pixel averages 2×2 source pixels; the middle column straddles nothing.
    const out = sampleAffine(img, [2, 0, 0, 0, 2, 0], 4, 4, new Float32Array(48), { layout: 'hwc', mul: 1 / 127.5, add: -1, fill: 0 });
    expect(out[0]).toBeCloseTo(-1);
    expect(out[3 * 3]).toBeCloseTo(1);
    expect(affineScale([2, 0, 0, 0, 2, 0])).toBe(2);
    // Entirely outside → fill.
    const off = sampleAffine(img, [1, 0, 100, 0, 1, 100], 2, 2, new Float32Array(12), { layout: 'hwc', mul: 1, add: 0, fill: 7 });
    expect(Array.from(off)).toEqual(new Array(12).fill(7));
  });

  it('rejects a buffer smaller than its size says', () => {
    expect(() => sampleAffine({ data: new Uint8Array(5), width: 4, height: 4, order: 'rgb' }, [1, 0, 0, 0, 1, 0], 2, 2, new Float32Array(12), { layout: 'hwc', mul: 1, add: 0, fill: 0 })).toThrow(/needs 48/);
  });

  it('luma of a grey tensor is the grey level', () => {
    expect(Array.from(lumaHwc(new Float32Array([100, 100, 100, 0, 0, 0]), 2, 1)).map((v) => Math.round(v))).toEqual([100, 0]);
  });
});

describe('letterbox', () => {
  it('fits a wide picture into a square, centred, and maps input points back', () => {
    const lb = letterbox(0, 0, 640, 320, 256, 256);
    expect(lb.scale).toBe(2.5);
    expect(lb.padX).toBe(0);
    expect(lb.padY).toBe(64);
    expect(fromInput(lb, 0, 64)).toEqual([0, 0]);
    expect(fromInput(lb, 256, 192)).toEqual([640, 320]);
  });

  it('maps a region with an offset (an upper-body crop)', () => {
    const lb = letterbox(100, 50, 200, 100, 320, 240);
    const [x, y] = fromInput(lb, 160, 120);
    expect(x).toBeCloseTo(200);
    expect(y).toBeCloseTo(100);
  });
});

describe('boxes and NMS', () => {
  it('computes IoU', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150);
    expect(iou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
    expect(clipBox([-5, -5, 50, 50], 40, 30)).toEqual([0, 0, 40, 30]);
  });

  it('keeps the best of overlapping boxes, and the weighted variant blends boxes and keypoints', () => {
    const a: FaceCandidate = { box: [0, 0, 10, 10], score: 0.9, keypoints: [[2, 2]] };
    const b: FaceCandidate = { box: [2, 0, 12, 10], score: 0.3, keypoints: [[6, 2]] };
    const c: FaceCandidate = { box: [50, 50, 60, 60], score: 0.8, keypoints: [[55, 55]] };
    expect(nms([b, a, c], 0.3).map((x) => x.score)).toEqual([0.9, 0.8]);
    const w = weightedNms([b, a, c], 0.3);
    expect(w).toHaveLength(2);
    expect(w[0]!.score).toBe(0.9);
    expect(w[0]!.box[0]).toBeCloseTo((0 * 0.9 + 2 * 0.3) / 1.2);
    expect(w[0]!.keypoints![0]![0]).toBeCloseTo((2 * 0.9 + 6 * 0.3) / 1.2);
    expect(w[1]!.box).toEqual([50, 50, 60, 60]);
  });
});

describe('BlazeFace decoding', () => {
  it('lays out 896 anchors: 16×16 cells × 2 then 8×8 × 6, centres at (i + 0.5) / grid', () => {
    const a = blazeAnchors();
    expect(a.length).toBe(BLAZE_ANCHORS * 2);
    expect([a[0], a[1]]).toEqual([0.5 / 16, 0.5 / 16]);
    expect([a[2], a[3]]).toEqual([0.5 / 16, 0.5 / 16]); // second anchor of the same cell
    expect([a[4], a[5]]).toEqual([1.5 / 16, 0.5 / 16]);
    expect([a[512 * 2], a[512 * 2 + 1]]).toEqual([0.5 / 8, 0.5 / 8]);
    expect([a[895 * 2], a[895 * 2 + 1]]).toEqual([7.5 / 8, 7.5 / 8]);
  });

  it('decodes a face from one anchor: sigmoid score, centre/size in input units, keypoints', () => {
    const s16 = new Float32Array(512).fill(-10);
    const s32 = new Float32Array(384).fill(-10);
    const r16 = new Float32Array(512 * 16);
    const r32 = new Float32Array(384 * 16);
    // Anchor 600 is in the stride-32 part: index 88 there = cell 14 (x 6, y 1), anchor 4 of 6.
    s32[88] = 2; // sigmoid(2) = 0.881
    const o = 88 * 16;
    r32.set([12.8, -6.4, 64, 76.8], o); // +0.05, −0.025, w 0.25, h 0.3
    for (let k = 0; k < 6; k++) r32.set([k * 2.56, k * 1.28], o + 4 + 2 * k);
    const faces = decodeBlazeFace(s16, s32, r16, r32);
    expect(faces).toHaveLength(1);
    const f = faces[0]!;
    const ax = 6.5 / 8;
    const ay = 1.5 / 8;
    expect(f.score).toBeCloseTo(0.8808, 3);
    expect(f.box[0]).toBeCloseTo(ax + 0.05 - 0.125);
    expect(f.box[3]).toBeCloseTo(ay - 0.025 + 0.15);
    expect(f.keypoints).toHaveLength(6);
    expect(f.keypoints![3]![0]).toBeCloseTo(ax + 0.03);
    expect(f.keypoints![3]![1]).toBeCloseTo(ay + 0.015);
  });

  it('drops faces under the threshold and rejects wrong output sizes', () => {
    const z = (n: number): Float32Array => new Float32Array(n);
    expect(decodeBlazeFace(z(512).fill(-1), z(384).fill(-1), z(512 * 16), z(384 * 16))).toEqual([]);
    expect(() => decodeBlazeFace(z(10), z(384), z(512 * 16), z(384 * 16))).toThrow(/output sizes/);
  });
});

describe('UltraFace decoding', () => {
  it('keeps faces ≥ 0.7 with NMS at 0.3, boxes as given (0..1)', () => {
    const scores = new Float32Array(ULTRA_PRIORS * 2);
    const boxes = new Float32Array(ULTRA_PRIORS * 4);
    const put = (i: number, s: number, b: number[]): void => {
      scores[i * 2] = 1 - s;
      scores[i * 2 + 1] = s;
      boxes.set(b, i * 4);
    };
    put(10, 0.95, [0.1, 0.1, 0.3, 0.4]);
    put(11, 0.8, [0.11, 0.1, 0.31, 0.4]); // same face
    put(500, 0.75, [0.6, 0.2, 0.7, 0.35]);
    put(900, 0.5, [0.8, 0.8, 0.9, 0.9]); // too unsure
    const faces = decodeUltraFace(scores, boxes);
    expect(faces.map((f) => f.score)).toEqual([0.95, 0.75].map((v) => Math.fround(v)));
    expect(faces[0]!.box).toEqual([0.1, 0.1, 0.3, 0.4].map((v) => Math.fround(v)));
  });
});
