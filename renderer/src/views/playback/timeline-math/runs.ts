/**
 * What a camera's track shows: recorded runs merged from segments, gaps
 * with their reason, event markers, and where playback continues across a
 * gap. Pure functions; instants in UTC milliseconds.
 */
import { timeToX, type View } from './zoom.js';

export interface TimeRange {
  start: number;
  end: number;
}

export interface RecordedRun extends TimeRange {
  /** Segments merged into this run. */
  segments: number;
}

export interface GapInput {
  start: string | number;
  end: string | number;
  reason: string;
}
export interface TimelineGap extends TimeRange {
  reason: string;
}

/**
 * A marker on a camera's track. Alarms, detections, ONVIF and manual events
 * of later issues all reduce to this.
 */
export interface TimelineEvent {
  /** UTC ms of the event. */
  time: number;
  /** Short machine kind, e.g. "motion", "person", "alarm", "bookmark": picks the colour. */
  kind: string;
  /** What a guard reads on hover. */
  label: string;
  /** Optional end for events with a duration. */
  end?: number;
  /** Optional camera the event belongs to (null/absent: shown on every track). */
  cameraId?: string | null;
  id?: string;
  /** Alarms and panics: 1 (critical) … 5. */
  priority?: number;
}

export interface SegmentInput {
  start: string | number;
  end: string | number;
}

const ms = (v: string | number): number => (typeof v === 'number' ? v : Date.parse(v));

/**
 * Merge segments into continuous recorded runs. Segments closer than
 * `toleranceMs` (a segment boundary's rounding) count as continuous.
 * Invalid or empty segments are dropped.
 */
export function mergeRuns(segments: SegmentInput[], toleranceMs = 1500): RecordedRun[] {
  const list = segments
    .map((s) => ({ start: ms(s.start), end: ms(s.end) }))
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const out: RecordedRun[] = [];
  for (const s of list) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end + toleranceMs) {
      if (s.end > last.end) last.end = s.end;
      last.segments++;
    } else out.push({ start: s.start, end: s.end, segments: 1 });
  }
  return out;
}

export function toGaps(gaps: GapInput[]): TimelineGap[] {
  return gaps
    .map((g) => ({ start: ms(g.start), end: ms(g.end), reason: g.reason }))
    .filter((g) => Number.isFinite(g.start) && Number.isFinite(g.end) && g.end > g.start)
    .sort((a, b) => a.start - b.start);
}

/** Index of the run containing `t`, or -1. Runs must be sorted and disjoint. */
export function runIndexAt(runs: TimeRange[], t: number): number {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = runs[mid]!;
    if (t < r.start) hi = mid - 1;
    else if (t >= r.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

export function isRecorded(runs: TimeRange[], t: number): boolean {
  return runIndexAt(runs, t) >= 0;
}

/** The gap whose range holds `t`, if any (for hover text). */
export function gapAt<G extends TimeRange>(gaps: G[], t: number): G | undefined {
  return gaps.find((g) => t >= g.start && t < g.end);
}

/**
 * Where playback of `runs` continues from `t`: `t` itself inside a run,
 * else the start of the next run (a gap to skip), else null (no more
 * recording: go live or stop). `direction` -1 looks backwards (reverse
 * stepping), returning just before the end of the previous run.
 */
export function nextPlayable(runs: TimeRange[], t: number, direction: 1 | -1 = 1): { t: number; skipped: TimeRange | null } | null {
  if (runIndexAt(runs, t) >= 0) return { t, skipped: null };
  if (direction > 0) {
    const next = runs.find((r) => r.start > t);
    return next ? { t: next.start, skipped: { start: t, end: next.start } } : null;
  }
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i]!;
    if (r.end <= t) return { t: Math.max(r.start, r.end - 1), skipped: { start: r.end, end: t } };
  }
  return null;
}

/** Union of several cameras' runs (for "any camera recorded" and gap skipping across a group). */
export function unionRuns(tracks: TimeRange[][]): TimeRange[] {
  const all = tracks.flat().map((r) => ({ start: r.start, end: r.end, segments: 1 }));
  return mergeRuns(all, 0).map(({ start, end }) => ({ start, end }));
}

/** A drawable rectangle in pixels. */
export interface Rect {
  x: number;
  w: number;
}

/**
 * Pixel spans of `ranges` inside the view, merging ranges that touch at
 * pixel resolution, so a week of 10-second segments draws as a few rects.
 * Every visible range gets at least `minW` px so that short runs stay visible.
 */
export function rangesToRects(ranges: TimeRange[], v: View, width: number, minW = 1): Rect[] {
  const out: Rect[] = [];
  const end = v.start + v.span;
  for (const r of ranges) {
    if (r.end <= v.start || r.start >= end) continue;
    const x0 = Math.max(0, timeToX(v, width, r.start));
    const x1 = Math.min(width, timeToX(v, width, r.end));
    const w = Math.max(minW, x1 - x0);
    const last = out[out.length - 1];
    if (last && x0 <= last.x + last.w + 0.5) last.w = Math.max(last.w, x0 + w - last.x);
    else out.push({ x: x0, w });
  }
  return out;
}

// ---------------------------------------------------------------- events

/** Sorted events of one camera (plus the ones for every camera). */
export function eventsFor(events: TimelineEvent[], cameraId: string | null): TimelineEvent[] {
  return events.filter((e) => e.cameraId == null || cameraId == null || e.cameraId === cameraId).sort((a, b) => a.time - b.time);
}

/** Events of one kind on one camera closer than this to the one before are one episode (a person walking about). */
export const EPISODE_GAP_MS = 60_000;

/**
 * The first event of each episode: a detection track every few seconds, or a
 * motion sensor chattering, counts once, so `]` moves to the next thing that
 * happened instead of the next 5 s of the same person. Sorted by time.
 */
export function episodeStarts(events: TimelineEvent[], gapMs = EPISODE_GAP_MS): TimelineEvent[] {
  const sorted = [...events].sort((a, b) => a.time - b.time);
  const last = new Map<string, number>();
  const out: TimelineEvent[] = [];
  for (const e of sorted) {
    const key = `${e.kind}|${e.cameraId ?? ''}`;
    const prev = last.get(key);
    // an event with a duration carries its episode to its end
    last.set(key, Math.max(e.end ?? e.time, e.time, prev !== undefined && e.time - prev <= gapMs ? prev : -Infinity));
    if (prev === undefined || e.time - prev > gapMs) out.push(e);
  }
  return out;
}

/**
 * The event to jump to from `t`: `[` goes to the previous one, `]` to the
 * next. Events within `epsilonMs` of `t` are "here" and are skipped, so
 * pressing the key again moves on. Pass `episodeStarts(events)` to step
 * over repeats of the same thing.
 */
export function adjacentEvent(events: TimelineEvent[], t: number, direction: -1 | 1, epsilonMs = 500): TimelineEvent | null {
  let best: TimelineEvent | null = null;
  for (const e of events) {
    if (direction > 0 ? e.time > t + epsilonMs : e.time < t - epsilonMs) {
      if (!best || (direction > 0 ? e.time < best.time : e.time > best.time)) best = e;
    }
  }
  return best;
}

/** Events near pixel x (for hover), nearest first. */
export function eventsNear(events: TimelineEvent[], v: View, width: number, x: number, radiusPx = 5): TimelineEvent[] {
  return events
    .map((e) => ({ e, d: Math.abs(timeToX(v, width, e.time) - x) }))
    .filter((o) => o.d <= radiusPx)
    .sort((a, b) => a.d - b.d)
    .map((o) => o.e);
}
