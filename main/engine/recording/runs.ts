/**
 * Run and gap maths: wall-clock anchoring of stream time, drift, and how
 * segments and journal gap events become the timeline. The live indexer
 * (timeline.ts) and `index rebuild` (rebuild.ts) both follow these rules,
 * which is why they agree.
 *
 * Rules (docs/recording.md, "Runs and gaps"):
 *  R1. A run is anchored once: anchorMs is the wall time of stream time
 *      `origin` (the first segment's start). Segment start = anchorMs +
 *      round((streamStart - origin) * 1000); end = start + round(duration),
 *      duration being the segment file's own sample durations.
 *  R2. Between two consecutive segments of different runs, a hole
 *      (next.start > prev.end) is split into gaps at every journal gap event
 *      inside [prev.end, next.start); each gap takes its event's reason
 *      ('unknown' before the first event).
 *  R3. If a new run starts before the previous one ended (overlap after a
 *      re-anchoring), the earlier segment's end is clamped to the new start.
 *  R4. Gap events at or after the last segment's end describe the current
 *      outage: gaps with the last one open (end null).
 */
import type { GapReason } from '../../api/contract.js';

/**
 * Estimates the wall time of stream time 0 from fragment arrivals:
 * arrival = capture + latency, latency >= its minimum, so the smallest
 * (arrival - streamTime) seen is the best anchor. Bursts of buffered frames
 * at connect (RTSP probing, a camera sending its current GOP) arrive early
 * relative to their stream time and do not fool it.
 */
export class AnchorEstimator {
  private best: number | null = null;
  private firstStreamMs: number | null = null;
  constructor(private readonly windowMs = 10_000) {}

  /** Feed one fragment; returns true while still inside the estimation window. */
  observe(arrivalMs: number, streamMs: number): boolean {
    if (this.firstStreamMs === null) this.firstStreamMs = streamMs;
    if (streamMs - this.firstStreamMs > this.windowMs) return false;
    const a = arrivalMs - streamMs;
    if (this.best === null || a < this.best) this.best = a;
    return true;
  }

  get anchorMs(): number | null {
    return this.best === null ? null : Math.round(this.best);
  }
}

export function segmentStartMs(anchorMs: number, originSec: number, streamStartSec: number): number {
  return anchorMs + Math.round((streamStartSec - originSec) * 1000);
}

export function segmentEndMs(startMs: number, durationMs: number): number {
  return startMs + Math.round(durationMs);
}

/** How far the wall clock is ahead of the stream's own clock at stream time `streamSec`, in ms. */
export function driftMs(nowMs: number, anchorMs: number, originSec: number, streamSec: number): number {
  return nowMs - (anchorMs + (streamSec - originSec) * 1000);
}

export interface SegLike {
  startMs: number;
  endMs: number;
  runId: string;
}
export interface GapLike {
  startMs: number;
  endMs: number | null;
  reason: GapReason;
}
export interface GapEventLike {
  startMs: number;
  reason: GapReason;
}

/** Split [fromMs, toMs) at the gap events inside it (R2/R4). toMs null = open. */
export function splitHole(fromMs: number, toMs: number | null, events: GapEventLike[]): GapLike[] {
  const inside = events
    .map((e, i) => ({ ...e, i }))
    .filter((e) => e.startMs >= fromMs && (toMs === null || e.startMs < toMs))
    .sort((a, b) => a.startMs - b.startMs || a.i - b.i);
  // several events at the same instant: the last written wins
  const byStart: GapEventLike[] = [];
  for (const e of inside) {
    const last = byStart[byStart.length - 1];
    if (last && last.startMs === e.startMs) byStart[byStart.length - 1] = e;
    else byStart.push(e);
  }
  const out: GapLike[] = [];
  if (toMs !== null && toMs <= fromMs) return out;
  if (byStart.length === 0) {
    if (toMs === null) return out; // no outage recorded after the last segment
    return [{ startMs: fromMs, endMs: toMs, reason: 'unknown' }];
  }
  if (byStart[0]!.startMs > fromMs) out.push({ startMs: fromMs, endMs: byStart[0]!.startMs, reason: 'unknown' });
  for (let i = 0; i < byStart.length; i++) {
    const e = byStart[i]!;
    const next = byStart[i + 1];
    out.push({ startMs: e.startMs, endMs: next ? next.startMs : toMs, reason: e.reason });
  }
  return out;
}

/**
 * The whole timeline of one camera from its segments (any order) and its
 * journal's gap events: segments with clamped ends (R3), and gaps (R2, R4).
 */
export function deriveTimeline<S extends SegLike>(segs: S[], events: GapEventLike[]): { segments: S[]; gaps: GapLike[] } {
  const sorted = [...segs].sort((a, b) => a.startMs - b.startMs);
  const gaps: GapLike[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    if (next.runId === prev.runId) continue;
    if (next.startMs < prev.endMs) {
      if (next.startMs > prev.startMs) sorted[i - 1] = { ...prev, endMs: next.startMs };
      continue;
    }
    if (next.startMs > prev.endMs) gaps.push(...splitHole(prev.endMs, next.startMs, events));
  }
  const last = sorted[sorted.length - 1];
  if (last) gaps.push(...splitHole(last.endMs, null, events));
  return { segments: sorted, gaps };
}

/** Gap reasons that always start a gap of their own when an outage changes cause. */
const SPLITTING: ReadonlySet<GapReason> = new Set(['engine_down', 'disabled', 'disk_full']);

/**
 * While a camera is down, does a new cause start a new gap? Causes on the
 * camera's side (unreachable, stall, auth...) are one outage; the engine
 * being down, the camera disabled or the disk full are told apart.
 */
export function reasonSplitsGap(current: GapReason, next: GapReason): boolean {
  if (current === next) return false;
  return SPLITTING.has(current) || SPLITTING.has(next);
}
