/**
 * Detection scheduler: newest-frame-wins per camera, cameras in turn,
 * frames of several cameras batched into one detector request.
 *
 * Each camera (a "lane") keeps at most one frame waiting. A newer frame
 * replaces it (the old one counts as skipped). Whenever the pool has a free
 * worker, the lanes served longest ago give their waiting frame, each frame
 * goes through its camera's motion gate, and up to `pool.maxBatch` frames that
 * pass go to the worker as one request. Nothing queues anywhere else, so a
 * slow detector lowers the inference rate, never grows memory, and never
 * slows the recorder or the live view.
 *
 * Counters per lane (all since the lane was added):
 *   offered   frames the decoder delivered
 *   gated     looked at, skipped by the motion gate
 *   inferred  run through the detector with a result
 *   processed gated + inferred
 *   skipped   never looked at: replaced by a newer frame while the detector
 *             was busy, refused by a busy pool, or lost with a failed worker
 *   offered = processed + skipped + (≤ 1 waiting) + (≤ 1 in the detector)
 */
import type { MotionGate } from './motion.js';
import type { BatchFrame, BatchResult, WorkerDetection } from './pool.js';

/** What the scheduler needs from a pool (DetectorPool, or a fake in unit tests). */
export interface SchedulerPool {
  idle(): boolean;
  readonly maxBatch: number;
  buffer(bytes: number): ArrayBuffer;
  detectBatch(frames: BatchFrame[]): Promise<BatchResult | null> | null;
}

export interface Lane {
  readonly id: string;
  /** null: every frame is inferred (no motion gate). */
  readonly gate: MotionGate | null;
  /** A frame's detections; frameMs is when the frame was taken from the lane. */
  onResult(detections: WorkerDetection[], frameMs: number): void;
}

export interface LaneCounters {
  offered: number;
  processed: number;
  inferred: number;
  gated: number;
  skipped: number;
  /** Engine time per inferred frame in the worker (pre-processing, session.run, decoding; a batch's time split over its frames), ms, moving average. */
  msPerFrame: number | null;
  /** session.run time per inferred frame (a batch's run split over its frames), ms, moving average. */
  inferMsPerFrame: number | null;
  /** session.run time of the request the last frame was part of, ms. */
  lastInferenceMs: number | null;
  lastInferenceAt: number | null;
}

interface LaneState {
  lane: Lane;
  pending: { frame: Buffer; w: number; h: number } | null;
  servedAt: number;
  /** Order of service (a counter, not the clock: lanes served in the same millisecond keep their turn). */
  servedSeq: number;
  /** Frames of this lane inside the detector now (0 or 1). */
  inFlight: number;
  c: LaneCounters;
  /** Inference times over the last ~10 s, for inferFps. */
  inferTimes: number[];
  /** Offered frame times over the last ~10 s, for fps. */
  frameTimes: number[];
}

/** Exponential moving average weight of the newest sample. */
const EWMA = 0.1;

function ewma(prev: number | null, v: number): number {
  return prev === null ? v : prev + EWMA * (v - prev);
}

/** Keep only the last 10 s of timestamps (bounded: at most ~10 s × frame rate entries). */
function pushRecent(times: number[], t: number): void {
  times.push(t);
  const since = t - 10_000;
  let i = 0;
  while (i < times.length && times[i]! <= since) i++;
  if (i) times.splice(0, i);
}

export interface SchedulerStats {
  /** Requests sent to the pool, and frames in them. */
  requests: number;
  frames: number;
  /** Mean frames per request (1 = no batching happened). */
  meanBatch: number;
  /** Engine ms per inferred frame (moving average over all cameras). */
  msPerFrame: number | null;
  inferMsPerFrame: number | null;
}

export class DetectionScheduler {
  private lanes = new Map<string, LaneState>();
  private requests = 0;
  private framesSent = 0;
  private msPerFrame: number | null = null;
  private inferMsPerFrame: number | null = null;
  private pumping = false;
  /** How many frames were handed out: the service order of the lanes. */
  private serveCount = 0;

  constructor(
    private pool: () => SchedulerPool | null,
    private readonly now: () => number = Date.now,
  ) {}

  add(lane: Lane): void {
    this.lanes.set(lane.id, {
      lane,
      pending: null,
      servedAt: 0,
      servedSeq: 0,
      inFlight: 0,
      c: { offered: 0, processed: 0, inferred: 0, gated: 0, skipped: 0, msPerFrame: null, inferMsPerFrame: null, lastInferenceMs: null, lastInferenceAt: null },
      inferTimes: [],
      frameTimes: [],
    });
  }

  remove(id: string): void {
    this.lanes.delete(id);
  }

  has(id: string): boolean {
    return this.lanes.has(id);
  }

  counters(id: string): LaneCounters | null {
    const s = this.lanes.get(id);
    return s ? { ...s.c } : null;
  }

  /** Frames per second offered and inferred over the last ~10 s. */
  rates(id: string): { fps: number; inferFps: number } {
    const s = this.lanes.get(id);
    if (!s) return { fps: 0, inferFps: 0 };
    const t = this.now();
    const r = (times: number[]) => Math.round((times.filter((x) => x > t - 10_000).length / 10) * 10) / 10;
    return { fps: r(s.frameTimes), inferFps: r(s.inferTimes) };
  }

  /** Frames waiting (at most one per camera) and frames inside the detector. */
  backlog(): { waiting: number; inFlight: number } {
    let waiting = 0;
    let inFlight = 0;
    for (const s of this.lanes.values()) {
      if (s.pending) waiting++;
      inFlight += s.inFlight;
    }
    return { waiting, inFlight };
  }

  stats(): SchedulerStats {
    return {
      requests: this.requests,
      frames: this.framesSent,
      meanBatch: this.requests ? Math.round((this.framesSent / this.requests) * 100) / 100 : 0,
      msPerFrame: this.msPerFrame === null ? null : Math.round(this.msPerFrame * 10) / 10,
      inferMsPerFrame: this.inferMsPerFrame === null ? null : Math.round(this.inferMsPerFrame * 10) / 10,
    };
  }

  /** A decoded frame of a camera (packed BGR). Replaces the one still waiting, if any. */
  offer(id: string, frame: Buffer, w: number, h: number): void {
    const s = this.lanes.get(id);
    if (!s) return;
    s.c.offered++;
    pushRecent(s.frameTimes, this.now());
    if (s.pending) s.c.skipped++;
    s.pending = { frame, w, h };
    this.pump();
  }

  /** Send waiting frames while a worker is free. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const pool = this.pool();
        if (!pool || !pool.idle()) return;
        if (!this.sendBatch(pool)) return;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** One request's worth of frames; false when nothing was waiting. */
  private sendBatch(pool: SchedulerPool): boolean {
    const waiting = [...this.lanes.values()].filter((s) => s.pending).sort((a, b) => a.servedSeq - b.servedSeq);
    if (!waiting.length) return false;
    const max = Math.max(1, pool.maxBatch);
    const batch: { s: LaneState; frame: BatchFrame; at: number }[] = [];
    for (const s of waiting) {
      if (batch.length >= max) break;
      const { frame, w, h } = s.pending!;
      s.pending = null;
      const at = this.now();
      s.servedAt = at;
      s.servedSeq = ++this.serveCount;
      // No force while tracks are open: a still scene keeps its objects (misses count only on
      // inferences), a parked car does not keep the detector busy, and whatever leaves moves.
      if (s.lane.gate && !s.lane.gate.check(frame, w, h, at)) {
        s.c.gated++;
        s.c.processed++;
        continue;
      }
      const buf = pool.buffer(frame.length);
      new Uint8Array(buf).set(frame);
      batch.push({ s, frame: { frame: buf, width: w, height: h }, at });
    }
    if (!batch.length) return true; // all gated: look at the next ones
    const p = pool.detectBatch(batch.map((b) => b.frame));
    if (!p) {
      for (const b of batch) b.s.c.skipped++;
      return false;
    }
    this.requests++;
    this.framesSent += batch.length;
    for (const b of batch) b.s.inFlight++;
    const done = (r: BatchResult | null): void => {
      const t = this.now();
      const n = batch.length;
      if (r) {
        this.msPerFrame = ewma(this.msPerFrame, r.totalMs / n);
        this.inferMsPerFrame = ewma(this.inferMsPerFrame, r.inferMs / n);
      }
      batch.forEach((b, i) => {
        b.s.inFlight--;
        const dets = r?.results[i];
        // A lane removed meanwhile (camera turned off) drops its result.
        if (this.lanes.get(b.s.lane.id) !== b.s) return;
        if (!r || !dets) {
          b.s.c.skipped++;
          return;
        }
        const c = b.s.c;
        c.inferred++;
        c.processed++;
        c.msPerFrame = ewma(c.msPerFrame, r.totalMs / n);
        c.inferMsPerFrame = ewma(c.inferMsPerFrame, r.inferMs / n);
        c.lastInferenceMs = Math.round(r.inferMs * 10) / 10;
        c.lastInferenceAt = t;
        pushRecent(b.s.inferTimes, t);
        try {
          b.s.lane.onResult(dets, b.at);
        } catch {
          /* a lane's handler logs its own failures; the scheduler goes on */
        }
      });
      this.pump();
    };
    p.then(done, () => done(null));
    return true;
  }
}
