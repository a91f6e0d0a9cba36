import { describe, expect, it } from 'vitest';
import { decode, iou, nms, toTensor, INPUT_SIZE, NUM_ROWS, PAD_VALUE, type Detection } from './yolox.js';

const S = INPUT_SIZE;
const P = S * S;

describe('toTensor', () => {
  it('writes BGR planes at the top-left and pads with 114', () => {
    const w = 3;
    const h = 2;
    const bgr = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) bgr.set([10 + i, 100 + i, 200 + i], i * 3);
    const t = toTensor(bgr, w, h);
    expect(t.length).toBe(3 * P);
    // pixel (x=2, y=1) is index 5
    expect(t[1 * S + 2]).toBe(15); // B plane
    expect(t[P + 1 * S + 2]).toBe(105); // G plane
    expect(t[2 * P + 1 * S + 2]).toBe(205); // R plane
    expect(t[0]).toBe(10);
    expect(t[3]).toBe(PAD_VALUE); // right of the frame
    expect(t[2 * S]).toBe(PAD_VALUE); // below the frame
    expect(t[3 * P - 1]).toBe(PAD_VALUE);
  });

  it('refuses frames that were not resized', () => {
    expect(() => toTensor(new Uint8Array(500 * 10 * 3), 500, 10)).toThrow(/resized/);
    expect(() => toTensor(new Uint8Array(5), 10, 10)).toThrow(/bytes/);
  });
});

/** A synthetic output with every row below threshold, plus the given cells. */
function output(cells: { stride: 8 | 16 | 32; gx: number; gy: number; tx?: number; ty?: number; tw?: number; th?: number; obj: number; cls: number; p: number }[]): Float32Array {
  const out = new Float32Array(NUM_ROWS * 85);
  for (const c of cells) {
    const base = c.stride === 8 ? 0 : c.stride === 16 ? 52 * 52 : 52 * 52 + 26 * 26;
    const g = S / c.stride;
    const row = base + c.gy * g + c.gx;
    const o = row * 85;
    out[o] = c.tx ?? 0.5;
    out[o + 1] = c.ty ?? 0.5;
    out[o + 2] = c.tw ?? 0;
    out[o + 3] = c.th ?? 0;
    out[o + 4] = c.obj;
    out[o + 5 + c.cls] = c.p;
  }
  return out;
}

describe('decode', () => {
  it('decodes grid, stride and exp sizes into boxes', () => {
    const d = decode(output([{ stride: 16, gx: 10, gy: 5, tw: Math.log(4), th: Math.log(8), obj: 0.9, cls: 0, p: 0.9 }]));
    expect(d).toHaveLength(1);
    const [x1, y1, x2, y2] = d[0]!.box;
    // cx = (0.5+10)*16 = 168, cy = (0.5+5)*16 = 88, w = 64, h = 128
    expect(x1).toBeCloseTo(136);
    expect(y1).toBeCloseTo(24);
    expect(x2).toBeCloseTo(200);
    expect(y2).toBeCloseTo(152);
    expect(d[0]!.label).toBe('person');
    expect(d[0]!.score).toBeCloseTo(0.81);
  });

  it('uses score = obj × cls against the threshold', () => {
    expect(decode(output([{ stride: 8, gx: 1, gy: 1, obj: 0.5, cls: 0, p: 0.5 }]))).toHaveLength(0); // 0.25
    expect(decode(output([{ stride: 8, gx: 1, gy: 1, obj: 0.6, cls: 0, p: 0.6 }]))).toHaveLength(1); // 0.36
  });

  it('maps back by 1/r and clips to the frame', () => {
    const d = decode(output([{ stride: 32, gx: 12, gy: 0, tw: Math.log(4), obj: 0.9, cls: 2, p: 0.9 }]), { scale: 0.5, width: 800, height: 600 });
    expect(d[0]!.box[2]).toBe(800); // (12.5*32 + 64) / 0.5 = 928 → clipped
    expect(d[0]!.box[1]).toBe(0);
    expect(d[0]!.label).toBe('vehicle');
  });

  it('merges car and truck on the same box into one vehicle', () => {
    const d = decode(
      output([
        { stride: 16, gx: 10, gy: 10, tw: 1, th: 1, obj: 0.9, cls: 2, p: 0.85 },
        { stride: 16, gx: 10, gy: 11, tw: 1, th: 1, obj: 0.9, cls: 7, p: 0.8 },
      ]),
    );
    expect(d).toHaveLength(1);
    expect(d[0]!.classId).toBe(2);
    const coco = decode(output([{ stride: 16, gx: 10, gy: 10, obj: 0.9, cls: 7, p: 0.85 }]), { mergeVehicles: false });
    expect(coco[0]!.label).toBe('truck');
  });

  it('rejects a short output', () => {
    expect(() => decode(new Float32Array(10))).toThrow(/expected/);
  });
});

describe('nms', () => {
  const det = (score: number, box: [number, number, number, number], label = 'person'): Detection => ({ classId: 0, label, score, box });
  it('keeps the best of overlapping boxes and separate ones', () => {
    const k = nms([det(0.5, [0, 0, 10, 10]), det(0.9, [1, 1, 11, 11]), det(0.7, [50, 50, 60, 60])], 0.45);
    expect(k.map((d) => d.score)).toEqual([0.9, 0.7]);
  });
  it('per-label NMS keeps overlapping boxes of different labels', () => {
    expect(nms([det(0.9, [0, 0, 10, 10]), det(0.8, [0, 0, 10, 10], 'backpack')], 0.45, true)).toHaveLength(2);
    expect(nms([det(0.9, [0, 0, 10, 10]), det(0.8, [0, 0, 10, 10], 'backpack')], 0.45, false)).toHaveLength(1);
  });
  it('iou', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [10, 10, 20, 20])).toBe(0);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150);
  });
});
