/**
 * A simple IoU tracker: detections of consecutive inferences that overlap
 * (same label, IoU ≥ threshold) continue one track with a stable id. At a
 * few inferences per second small people move more than their own width
 * between frames, so a detection also continues a track when its centre is
 * close to where the track was heading (constant velocity, distance within
 * `maxCenterDistance` × the box size) and its size is similar. A track
 * "starts" (one object event) once it has been seen `minHits` times, and
 * "ends" after `maxMisses` inferences without a match.
 */
import { iou } from '../../../native-workers/yolox.js';

export type Box = [number, number, number, number];

const cx = (b: Box) => (b[0] + b[2]) / 2;
const cy = (b: Box) => (b[1] + b[3]) / 2;
const shift = (b: Box, dx: number, dy: number): Box => [b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy];

export interface TrackInput {
  label: string;
  score: number;
  box: Box;
}

export interface Track {
  id: number;
  label: string;
  box: Box;
  score: number;
  /** Best score seen. */
  maxScore: number;
  /** Centre velocity in box units per ms (smoothed). */
  vx: number;
  vy: number;
  hits: number;
  misses: number;
  firstMs: number;
  lastMs: number;
  /** True once the start was reported. */
  started: boolean;
}

export interface TrackerOptions {
  iouThreshold?: number;
  /** Centre distance (from the predicted centre), in units of the larger box side, that still matches. */
  maxCenterDistance?: number;
  minHits?: number;
  maxMisses?: number;
}

export interface TrackUpdate {
  started: Track[];
  ended: Track[];
  active: Track[];
}

export class Tracker {
  private tracks: Track[] = [];
  private nextId: number;
  readonly iouThreshold: number;
  readonly maxCenterDistance: number;
  readonly minHits: number;
  readonly maxMisses: number;

  constructor(opts: TrackerOptions = {}, firstId = 1) {
    this.iouThreshold = opts.iouThreshold ?? 0.3;
    this.maxCenterDistance = opts.maxCenterDistance ?? 1;
    this.minHits = opts.minHits ?? 3;
    this.maxMisses = opts.maxMisses ?? 4;
    this.nextId = firstId;
  }

  get open(): readonly Track[] {
    return this.tracks;
  }

  /** Feed the detections of one inference. */
  update(dets: TrackInput[], nowMs: number): TrackUpdate {
    // Greedy matching, best first: IoU with the predicted box, or closeness of centres.
    const pairs: { t: number; d: number; v: number }[] = [];
    this.tracks.forEach((t, ti) => {
      const dt = nowMs - t.lastMs;
      const pred = shift(t.box, t.vx * dt, t.vy * dt);
      dets.forEach((d, di) => {
        if (d.label !== t.label) return;
        const o = Math.max(iou(pred, d.box), iou(t.box, d.box));
        const [pw, ph] = [pred[2] - pred[0], pred[3] - pred[1]];
        const [dw, dh] = [d.box[2] - d.box[0], d.box[3] - d.box[1]];
        const sizeOk = dh > 0 && ph > 0 && dh / ph < 2 && ph / dh < 2 && dw / pw < 2.5 && pw / dw < 2.5;
        const dist = Math.hypot(cx(pred) - cx(d.box), cy(pred) - cy(d.box)) / Math.max(pw, ph, dw, dh);
        if (o >= this.iouThreshold) pairs.push({ t: ti, d: di, v: 1 + o });
        else if (sizeOk && dist <= this.maxCenterDistance) pairs.push({ t: ti, d: di, v: 1 - dist / this.maxCenterDistance });
      });
    });
    pairs.sort((a, b) => b.v - a.v);
    const usedT = new Set<number>();
    const usedD = new Set<number>();
    for (const p of pairs) {
      if (usedT.has(p.t) || usedD.has(p.d)) continue;
      usedT.add(p.t);
      usedD.add(p.d);
      const t = this.tracks[p.t]!;
      const d = dets[p.d]!;
      const dt = nowMs - t.lastMs;
      if (dt > 0) {
        const a = t.hits > 1 ? 0.5 : 1;
        t.vx = a * ((cx(d.box) - cx(t.box)) / dt) + (1 - a) * t.vx;
        t.vy = a * ((cy(d.box) - cy(t.box)) / dt) + (1 - a) * t.vy;
      }
      t.box = d.box;
      t.score = d.score;
      t.maxScore = Math.max(t.maxScore, d.score);
      t.hits++;
      t.misses = 0;
      t.lastMs = nowMs;
    }
    const started: Track[] = [];
    const ended: Track[] = [];
    const keep: Track[] = [];
    this.tracks.forEach((t, i) => {
      if (!usedT.has(i)) t.misses++;
      if (t.misses > this.maxMisses) {
        if (t.started) ended.push(t);
        return;
      }
      if (!t.started && t.hits >= this.minHits) {
        t.started = true;
        started.push(t);
      }
      keep.push(t);
    });
    dets.forEach((d, i) => {
      if (usedD.has(i)) return;
      const t: Track = { id: this.nextId++, label: d.label, box: d.box, score: d.score, maxScore: d.score, vx: 0, vy: 0, hits: 1, misses: 0, firstMs: nowMs, lastMs: nowMs, started: false };
      if (this.minHits <= 1) {
        t.started = true;
        started.push(t);
      }
      keep.push(t);
    });
    this.tracks = keep;
    return { started, ended, active: keep.filter((t) => t.started && t.misses === 0) };
  }

  /** End every open track (camera stopped): returns the started ones. */
  flush(): Track[] {
    const ended = this.tracks.filter((t) => t.started);
    this.tracks = [];
    return ended;
  }
}
