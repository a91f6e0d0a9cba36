/**
 * A simple IoU tracker: detections of consecutive inferences that overlap
 * (same label, IoU ≥ threshold) continue one track with a stable id. A track
 * "starts" (one object event) once it has been seen `minHits` times, and
 * "ends" after `maxMisses` inferences without a match.
 */
import { iou } from '../../../native-workers/yolox.js';

export type Box = [number, number, number, number];

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
  hits: number;
  misses: number;
  firstMs: number;
  lastMs: number;
  /** True once the start was reported. */
  started: boolean;
}

export interface TrackerOptions {
  iouThreshold?: number;
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
  readonly minHits: number;
  readonly maxMisses: number;

  constructor(opts: TrackerOptions = {}, firstId = 1) {
    this.iouThreshold = opts.iouThreshold ?? 0.3;
    this.minHits = opts.minHits ?? 3;
    this.maxMisses = opts.maxMisses ?? 4;
    this.nextId = firstId;
  }

  get open(): readonly Track[] {
    return this.tracks;
  }

  /** Feed the detections of one inference. */
  update(dets: TrackInput[], nowMs: number): TrackUpdate {
    // Greedy matching, best IoU first.
    const pairs: { t: number; d: number; v: number }[] = [];
    this.tracks.forEach((t, ti) =>
      dets.forEach((d, di) => {
        if (d.label !== t.label) return;
        const v = iou(t.box, d.box);
        if (v >= this.iouThreshold) pairs.push({ t: ti, d: di, v });
      }),
    );
    pairs.sort((a, b) => b.v - a.v);
    const usedT = new Set<number>();
    const usedD = new Set<number>();
    for (const p of pairs) {
      if (usedT.has(p.t) || usedD.has(p.d)) continue;
      usedT.add(p.t);
      usedD.add(p.d);
      const t = this.tracks[p.t]!;
      const d = dets[p.d]!;
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
      const t: Track = { id: this.nextId++, label: d.label, box: d.box, score: d.score, maxScore: d.score, hits: 1, misses: 0, firstMs: nowMs, lastMs: nowMs, started: false };
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
