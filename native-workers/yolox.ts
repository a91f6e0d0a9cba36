/**
 * YOLOX-Nano pre- and post-processing (pure functions, no ORT here).
 * Follows assets/models/README.md: 416×416 BGR, raw 0–255, frame pasted at
 * the top-left of a canvas filled with 114; output [1, 3549, 85] with the
 * sigmoid already applied to objectness and classes.
 */

export const INPUT_SIZE = 416;
export const PAD_VALUE = 114;
export const NUM_CLASSES = 80;
export const STRIDES = [8, 16, 32] as const;
/** Rows of the output: 52² + 26² + 13². */
export const NUM_ROWS = STRIDES.reduce((n, s) => n + (INPUT_SIZE / s) ** 2, 0);

export const COCO_CLASSES = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard',
  'tennis racket', 'bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple',
  'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch',
  'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard',
  'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase',
  'scissors', 'teddy bear', 'hair drier', 'toothbrush',
] as const;

/** Classes an NVR cares about, with car/bus/truck merged into "vehicle". */
const NVR_LABELS: Record<number, string> = {
  0: 'person', 1: 'bicycle', 2: 'vehicle', 3: 'motorcycle', 5: 'vehicle', 7: 'vehicle', 8: 'boat',
  14: 'bird', 15: 'cat', 16: 'dog', 24: 'backpack', 26: 'handbag', 28: 'suitcase',
};

export function labelOf(classId: number, mergeVehicles = true): string {
  if (mergeVehicles) return NVR_LABELS[classId] ?? COCO_CLASSES[classId] ?? `class${classId}`;
  return COCO_CLASSES[classId] ?? `class${classId}`;
}

/** One detection; the box is [x1, y1, x2, y2] in the coordinates given to `decode` (see `scale`). */
export interface Detection {
  classId: number;
  label: string;
  score: number;
  box: [number, number, number, number];
}

/**
 * Packed BGR (w×h, w and h ≤ 416, already resized by the caller) → planar
 * CHW float32 416×416, frame at the top-left, the rest 114.
 */
export function toTensor(bgr: Uint8Array, w: number, h: number, out?: Float32Array): Float32Array {
  const S = INPUT_SIZE;
  if (w < 1 || h < 1 || w > S || h > S) throw new Error(`frame ${w}×${h} must be resized to fit ${S}×${S} first`);
  if (bgr.length < w * h * 3) throw new Error(`frame buffer holds ${bgr.length} bytes, ${w}×${h} BGR needs ${w * h * 3}`);
  const plane = S * S;
  const t = out ?? new Float32Array(3 * plane);
  t.fill(PAD_VALUE);
  for (let y = 0; y < h; y++) {
    let src = y * w * 3;
    const row = y * S;
    for (let x = 0; x < w; x++, src += 3) {
      const o = row + x;
      t[o] = bgr[src]!; // B
      t[plane + o] = bgr[src + 1]!; // G
      t[2 * plane + o] = bgr[src + 2]!; // R
    }
  }
  return t;
}

export function iou(a: readonly number[], b: readonly number[]): number {
  const ix = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const iy = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = ix * iy;
  if (inter <= 0) return 0;
  const ua = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter;
  return ua > 0 ? inter / ua : 0;
}

/** Greedy NMS. Class-agnostic unless `byLabel` (then boxes only suppress boxes of the same label). */
export function nms(dets: Detection[], iouThreshold: number, byLabel = false): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const keep: Detection[] = [];
  for (const d of sorted) {
    if (keep.some((k) => (!byLabel || k.label === d.label) && iou(k.box, d.box) > iouThreshold)) continue;
    keep.push(d);
  }
  return keep;
}

export interface DecodeOptions {
  scoreThreshold?: number;
  iouThreshold?: number;
  /** Frame size (the part of the 416 canvas holding the picture): boxes are clipped to it. */
  width?: number;
  height?: number;
  /** Divide coordinates by this (the README's r) to map back to the original frame; 1 = 416-input pixels. */
  scale?: number;
  /** Merge car/bus/truck into "vehicle" and run NMS per label; otherwise class-agnostic NMS over COCO labels. */
  mergeVehicles?: boolean;
  /** Keep only these labels (after merging). */
  labels?: string[];
}

/** Decode the raw [1, 3549, 85] output into detections (thresholded, NMS'd, clipped). */
export function decode(output: Float32Array, opts: DecodeOptions = {}): Detection[] {
  const thr = opts.scoreThreshold ?? 0.3;
  const r = opts.scale ?? 1;
  const W = opts.width ?? INPUT_SIZE;
  const H = opts.height ?? INPUT_SIZE;
  const merge = opts.mergeVehicles ?? true;
  const stride85 = 5 + NUM_CLASSES;
  if (output.length < NUM_ROWS * stride85) throw new Error(`output has ${output.length} values, expected ${NUM_ROWS * stride85}`);
  const dets: Detection[] = [];
  let row = 0;
  for (const s of STRIDES) {
    const g = INPUT_SIZE / s;
    for (let gy = 0; gy < g; gy++) {
      for (let gx = 0; gx < g; gx++, row++) {
        const o = row * stride85;
        const obj = output[o + 4]!;
        if (obj < thr) continue;
        let best = -1;
        let bestP = 0;
        for (let c = 0; c < NUM_CLASSES; c++) {
          const p = output[o + 5 + c]!;
          if (p > bestP) {
            bestP = p;
            best = c;
          }
        }
        const score = obj * bestP;
        if (best < 0 || score < thr) continue;
        const label = labelOf(best, merge);
        if (opts.labels && !opts.labels.includes(label)) continue;
        const cx = (output[o]! + gx) * s;
        const cy = (output[o + 1]! + gy) * s;
        const w = Math.exp(output[o + 2]!) * s;
        const h = Math.exp(output[o + 3]!) * s;
        const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
        dets.push({
          classId: best,
          label,
          score,
          box: [clip((cx - w / 2) / r, W), clip((cy - h / 2) / r, H), clip((cx + w / 2) / r, W), clip((cy + h / 2) / r, H)],
        });
      }
    }
  }
  return nms(dets, opts.iouThreshold ?? 0.45, merge);
}
