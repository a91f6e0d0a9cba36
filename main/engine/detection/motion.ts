/**
 * Motion gate: cheap frame differencing on a small grey copy of the frame.
 * Inference runs only when enough of the picture changed, or at least every
 * `maxIdleMs` (so a person standing still is still seen, and tracks end).
 *
 * Motion masks (`setMasks`): cells whose centre is inside a motion mask are
 * not compared (trees, a flag, a road outside the fence). When the masks
 * cover every cell the gate never opens, not even for the forced look: the
 * detector sleeps on that camera.
 */
import type { Point } from '../../api/masks.js';
import { cellMask } from './geometry.js';

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

/**
 * Fraction of cells whose grey level changed by more than `threshold`,
 * among the cells not masked (mask[i] = 1: ignored). 0 when every cell is masked.
 */
export function changedFraction(a: Uint8Array, b: Uint8Array, threshold: number, mask: Uint8Array | null = null): number {
  if (a.length !== b.length || a.length === 0) return 1;
  let n = 0;
  let looked = 0;
  for (let i = 0; i < a.length; i++) {
    if (mask && mask[i]) continue;
    looked++;
    if (Math.abs(a[i]! - b[i]!) > threshold) n++;
  }
  return looked ? n / looked : 0;
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
  private masks: Point[][] = [];
  private mask: { w: number; h: number; cells: Uint8Array | null; all: boolean } | null = null;

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
    const m = this.maskFor(t.w, t.h);
    if (m.all) {
      // everything masked: nothing can move, and nothing is looked at
      this.lastChange = 0;
      if (force) this.lastRunMs = nowMs;
      return force;
    }
    this.lastChange = prev ? changedFraction(prev, t.data, this.pixelThreshold, m.cells) : 1;
    const moved = this.lastChange >= this.minChangedFraction;
    if (moved) this.lastMotionMs = nowMs;
    const run = force || moved || nowMs - this.lastRunMs >= this.maxIdleMs;
    if (run) this.lastRunMs = nowMs;
    return run;
  }

  /** Motion masks (polygons 0-1 of the picture); the cell mask follows the thumbnail's size. */
  setMasks(polygons: Point[][]): void {
    if (JSON.stringify(polygons) === JSON.stringify(this.masks)) return;
    this.masks = polygons.map((p) => p.map(([x, y]) => [x, y] as Point));
    this.mask = null;
    this.prev = null;
  }

  /** True when the masks cover every cell of the last frame size seen. */
  get allMasked(): boolean {
    return !!this.mask?.all;
  }

  private maskFor(w: number, h: number): { cells: Uint8Array | null; all: boolean } {
    if (!this.mask || this.mask.w !== w || this.mask.h !== h) {
      const cells = cellMask(w, h, this.masks);
      this.mask = { w, h, cells, all: !!cells && cells.every((v) => v === 1) };
    }
    return this.mask;
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
