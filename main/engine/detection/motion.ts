/**
 * Motion gate: cheap frame differencing on a small grey copy of the frame.
 * Inference runs only when enough of the picture changed, or at least every
 * `maxIdleMs` (so a person standing still is still seen, and tracks end).
 */
export interface MotionOptions {
  /** Cell size in pixels of the grey thumbnail (block average). */
  cell?: number;
  /** Grey-level change (0–255) that counts a cell as changed. */
  pixelThreshold?: number;
  /** Fraction of cells that must change to count as motion. */
  minChangedFraction?: number;
  /** Run anyway after this long without inference. */
  maxIdleMs?: number;
}

/** Packed BGR → block-averaged grey thumbnail. */
export function greyThumb(bgr: Uint8Array, w: number, h: number, cell: number): { data: Uint8Array; w: number; h: number } {
  const tw = Math.max(1, Math.floor(w / cell));
  const th = Math.max(1, Math.floor(h / cell));
  const sum = new Uint32Array(tw * th);
  const cnt = new Uint32Array(tw * th);
  for (let y = 0; y < th * cell && y < h; y++) {
    const ty = Math.floor(y / cell);
    let p = y * w * 3;
    for (let x = 0; x < w; x++, p += 3) {
      const tx = Math.floor(x / cell);
      if (tx >= tw) break;
      const i = ty * tw + tx;
      // Integer luma approximation: (B + 2G + R) / 4 ×4 kept in the sum.
      sum[i]! += bgr[p]! + 2 * bgr[p + 1]! + bgr[p + 2]!;
      cnt[i]!++;
    }
  }
  const data = new Uint8Array(tw * th);
  for (let i = 0; i < data.length; i++) data[i] = cnt[i] ? Math.round(sum[i]! / (4 * cnt[i]!)) : 0;
  return { data, w: tw, h: th };
}

/** Fraction of cells whose grey level changed by more than `threshold`. */
export function changedFraction(a: Uint8Array, b: Uint8Array, threshold: number): number {
  if (a.length !== b.length || a.length === 0) return 1;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > threshold) n++;
  return n / a.length;
}

export class MotionGate {
  private prev: Uint8Array | null = null;
  private lastRunMs = -Infinity;
  readonly cell: number;
  readonly pixelThreshold: number;
  readonly minChangedFraction: number;
  /** Mutable: the detection service lengthens it while the camera's decoder is idle. */
  maxIdleMs: number;
  /** Changed fraction of the last frame looked at. */
  lastChange = 0;
  /** When a frame last showed motion (the first frame counts as motion). */
  lastMotionMs = -Infinity;

  constructor(opts: MotionOptions = {}) {
    this.cell = opts.cell ?? 8;
    this.pixelThreshold = opts.pixelThreshold ?? 12;
    this.minChangedFraction = opts.minChangedFraction ?? 0.002;
    this.maxIdleMs = opts.maxIdleMs ?? 5000;
  }

  /**
   * Look at a frame; true when inference should run on it. `force` (e.g.
   * tracks still open) runs it regardless. The frame is compared with the
   * previous frame looked at, so slow drifts do not add up.
   */
  check(bgr: Uint8Array, w: number, h: number, nowMs: number, force = false): boolean {
    const t = greyThumb(bgr, w, h, this.cell);
    const prev = this.prev;
    this.prev = t.data;
    this.lastChange = prev ? changedFraction(prev, t.data, this.pixelThreshold) : 1;
    const moved = this.lastChange >= this.minChangedFraction;
    if (moved) this.lastMotionMs = nowMs;
    const run = force || moved || nowMs - this.lastRunMs >= this.maxIdleMs;
    if (run) this.lastRunMs = nowMs;
    return run;
  }

  /** How long no frame looked at has shown motion (Infinity before the first frame). */
  quietMs(nowMs: number): number {
    return nowMs - this.lastMotionMs;
  }

  reset(): void {
    this.prev = null;
    this.lastRunMs = -Infinity;
    this.lastMotionMs = -Infinity;
  }
}
