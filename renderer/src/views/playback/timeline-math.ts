/**
 * Timeline maths for playback: pure functions, no DOM, no React.
 *
 * All instants are UTC milliseconds since the epoch. Wall-clock fields
 * (ticks, labels, typed dates) are computed in an explicit IANA time zone
 * through Intl, so daylight-saving changes are exact: a tick is placed at
 * the real instant where the local clock shows that time, a 23- or 25-hour
 * day is drawn 23 or 25 hours wide, and the repeated autumn hour gets two
 * ticks (labelled with their UTC offsets so they can be told apart).
 */
import {
  DAY,
  repeatsWallClock,
  formatClock,
  formatDay,
  HOUR,
  localMs,
  MINUTE,
  SECOND,
  startOfLocalDay,
  startOfNextLocalDay,
  tzOffsetMs,
  zoneAbbrev,
  zoneParts,
  zonedToUtc,
  type Disambiguation,
} from '../../time/index.js';

/** Narrowest and widest visible span of the timeline. */
export const MIN_SPAN = 10 * SECOND;
export const MAX_SPAN = 14 * DAY;

/** Spans the zoom keys step through, narrowest first. */
export const ZOOM_LADDER = [
  10 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  3 * DAY,
  7 * DAY,
  14 * DAY,
] as const;

// ---------------------------------------------------------------- inputs

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
}

/** The visible window of the timeline. */
export interface View {
  start: number;
  span: number;
}

// ----------------------------------------------------------- view maths

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function viewEnd(v: View): number {
  return v.start + v.span;
}

export function timeToX(v: View, width: number, t: number): number {
  return ((t - v.start) / v.span) * width;
}

export function xToTime(v: View, width: number, x: number): number {
  return v.start + (x / Math.max(1, width)) * v.span;
}

/** Milliseconds one pixel covers. */
export function msPerPixel(v: View, width: number): number {
  return v.span / Math.max(1, width);
}

/**
 * Zoom by `factor` (< 1 zooms in) keeping `anchor` at the same screen
 * position. The span is clamped to [MIN_SPAN, MAX_SPAN].
 */
export function zoomView(v: View, factor: number, anchor: number = v.start + v.span / 2): View {
  const span = clamp(v.span * factor, MIN_SPAN, MAX_SPAN);
  const frac = v.span > 0 ? (anchor - v.start) / v.span : 0.5;
  return { start: anchor - frac * span, span };
}

/** Set an exact span around `anchor` (kept at its screen position). */
export function zoomToSpan(v: View, span: number, anchor: number = v.start + v.span / 2): View {
  return zoomView(v, clamp(span, MIN_SPAN, MAX_SPAN) / v.span, anchor);
}

/** Next span on the zoom ladder: direction -1 zooms in, +1 zooms out. */
export function ladderStep(span: number, direction: -1 | 1): number {
  if (direction < 0) {
    for (let i = ZOOM_LADDER.length - 1; i >= 0; i--) if (ZOOM_LADDER[i]! < span * 0.999) return ZOOM_LADDER[i]!;
    return ZOOM_LADDER[0];
  }
  for (const s of ZOOM_LADDER) if (s > span * 1.001) return s;
  return ZOOM_LADDER[ZOOM_LADDER.length - 1]!;
}

export function panView(v: View, deltaMs: number): View {
  return { start: v.start + deltaMs, span: v.span };
}

/** A view of `span` with `t` at fraction `at` of the width (0.5 = centred). */
export function viewAround(t: number, span: number, at = 0.5): View {
  const s = clamp(span, MIN_SPAN, MAX_SPAN);
  return { start: t - s * at, span: s };
}

/**
 * Keep the playhead visible: if `t` left the middle 90 % of the view,
 * page so that it sits at `at` again. Returns the same object if unchanged.
 */
export function follow(v: View, t: number, at = 0.5): View {
  const lo = v.start + v.span * 0.05;
  const hi = v.start + v.span * 0.95;
  if (t >= lo && t <= hi) return v;
  return { start: t - v.span * at, span: v.span };
}

// ----------------------------------------------------------------- ticks

export interface Tick {
  t: number;
  label: string;
  /** Day boundary (label holds the date). */
  major: boolean;
}

/** Candidate tick steps, in ms. Steps below a day are aligned to the local clock. */
export const TICK_STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
] as const;

/** Smallest step whose ticks are at least `minPx` apart (nominally: real days may be 23 or 25 h). */
export function chooseStep(v: View, width: number, minPx: number): number {
  const need = msPerPixel(v, width) * minPx;
  for (const s of TICK_STEPS) if (s >= need) return s;
  return TICK_STEPS[TICK_STEPS.length - 1]!;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Offsets of all real zones are whole multiples of this (since 1972). */
const OFFSET_QUANTUM = 15 * MINUTE;

/**
 * Instants in [from, to] where the local clock in `tz` is a whole multiple
 * of `step` (steps below a day), or local midnights every step/DAY days.
 */
export function alignedInstants(from: number, to: number, step: number, tz: string, limit = 5000): number[] {
  const out: number[] = [];
  if (!(to >= from) || step <= 0) return out;
  if (step >= DAY) {
    const days = Math.round(step / DAY);
    let t = startOfLocalDay(from, tz);
    // Align multi-day steps to the local day number so ticks don't shift as you pan.
    while (out.length < limit && t <= to) {
      const dayNo = Math.round(localMs(t, tz) / DAY);
      const weekAligned = days === 7 ? (dayNo + 3) % 7 === 0 : dayNo % days === 0; // weeks start on Monday
      if (t >= from && weekAligned) out.push(t);
      t = startOfNextLocalDay(t, tz);
    }
    return out;
  }
  const stride = gcd(step, OFFSET_QUANTUM);
  let t = Math.ceil(from / stride) * stride;
  let guard = 0;
  while (t <= to && out.length < limit && guard++ < limit * 200) {
    const local = localMs(t, tz);
    const ofDay = ((local % DAY) + DAY) % DAY;
    if (ofDay % step === 0) out.push(t);
    t += stride;
  }
  return out;
}

/**
 * Labelled ticks for the visible window: clock labels aligned to the local
 * clock, a date label at each local midnight, offset-qualified labels on
 * the hour that repeats when clocks go back.
 */
export function ticks(v: View, width: number, tz: string, minLabelPx = 72): { labelled: Tick[]; minor: number[]; step: number } {
  const step = chooseStep(v, width, minLabelPx);
  const from = v.start;
  const to = v.start + v.span;
  const instants = alignedInstants(from, to, step, tz, 2000);
  const labelled: Tick[] = [];
  for (const t of instants) {
    const p = zoneParts(t, tz);
    const midnight = p.hour === 0 && p.minute === 0 && p.second === 0;
    let label: string;
    if (midnight || step >= DAY) label = formatDay(t, tz);
    else if (step < MINUTE) label = formatClock(t, tz, true);
    else label = formatClock(t, tz, false);
    // The repeated hour (clocks going back): tell the two apart by offset.
    if (!midnight && step < DAY && step >= MINUTE && tzOffsetMs(t - HOUR, tz) !== tzOffsetMs(t + HOUR, tz)) {
      const abbr = zoneAbbrev(t, tz);
      if (repeatsWallClock(t, tz)) label = `${label} ${abbr}`;
    }
    labelled.push({ t, label, major: midnight });
  }
  // Unlabelled minor ticks: the finest step below `step` that divides it and is ≥ 10 px apart.
  let minorStep = 0;
  for (const s of TICK_STEPS) {
    if (s >= step) break;
    if (step % s === 0 && s >= msPerPixel(v, width) * 10) {
      minorStep = s;
      break;
    }
  }
  const minor = minorStep ? alignedInstants(from, to, minorStep, tz, 4000).filter((t) => !instants.includes(t)) : [];
  return { labelled, minor, step };
}

// --------------------------------------------------------- runs and gaps

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

/**
 * The event to jump to from `t`: `[` goes to the previous one, `]` to the
 * next. Events within `epsilonMs` of `t` are "here" and are skipped, so
 * pressing the key again moves on.
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

// -------------------------------------------------------- go to a time

const p2 = (n: number) => String(n).padStart(2, '0');

/**
 * Parse what a guard types into "go to time", in zone `tz`, relative to
 * `now`. Accepts:
 *   2026-03-29 14:05[:09]   2026-03-29T14:05   29.03.2026 14:05
 *   14:05[:09]  (today; yesterday if that is still in the future)
 *   -90s  -15m  -1h  -2d  -1h30m   (back from now)
 *   now
 * A time skipped by DST moves forward; a repeated one picks the first
 * occurrence (add "later"/"2" to pick the second, e.g. "02:30 later").
 * Returns UTC ms, or an error message.
 */
export function parseGoTo(input: string, tz: string, now: number): { t: number } | { error: string } {
  let s = input.trim().toLowerCase();
  if (!s) return { error: 'type a date and time, e.g. 2026-03-29 14:05, 14:05, or -1h' };
  if (s === 'now' || s === 'live') return { t: now };
  let which: Disambiguation = 'earlier';
  if (/\s+(later|2nd|second)$/.test(s)) {
    which = 'later';
    s = s.replace(/\s+(later|2nd|second)$/, '');
  }
  const rel = /^-\s*((?:\d+(?:\.\d+)?\s*(?:d|h|m|min|s)\s*)+)$/.exec(s);
  if (rel) {
    let total = 0;
    const re = /(\d+(?:\.\d+)?)\s*(d|h|min|m|s)/g;
    for (let m = re.exec(rel[1]!); m; m = re.exec(rel[1]!)) {
      const n = Number(m[1]);
      const unit = m[2]!;
      total += n * (unit === 'd' ? DAY : unit === 'h' ? HOUR : unit === 's' ? SECOND : MINUTE);
    }
    return { t: now - total };
  }
  let y: number, mo: number, d: number, rest: string;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t\s]+(.*))?$/.exec(s);
  const eu = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(.*))?$/.exec(s);
  if (iso) {
    y = Number(iso[1]);
    mo = Number(iso[2]);
    d = Number(iso[3]);
    rest = iso[4] ?? '00:00';
  } else if (eu) {
    d = Number(eu[1]);
    mo = Number(eu[2]);
    y = Number(eu[3]);
    rest = eu[4] ?? '00:00';
  } else {
    const today = zoneParts(now, tz);
    y = today.year;
    mo = today.month;
    d = today.day;
    rest = s;
  }
  const tm = /^(\d{1,2})(?::(\d{2}))?(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(rest.trim());
  if (!tm) return { error: `"${input.trim()}" is not a time: use e.g. 2026-03-29 14:05, 14:05:30, or -1h` };
  const hour = Number(tm[1]);
  const minute = Number(tm[2] ?? 0);
  const second = Number(tm[3] ?? 0);
  const milli = tm[4] ? Number(tm[4].padEnd(3, '0')) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hour > 23 || minute > 59 || second > 59) {
    return { error: `"${input.trim()}" is out of range: months 1–12, days 1–31, hours 0–23, minutes and seconds 0–59` };
  }
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1) return { error: `${y}-${p2(mo)} has no day ${d}` };
  let t = zonedToUtc({ year: y, month: mo, day: d, hour, minute, second, ms: milli }, tz, which);
  if (!iso && !eu && t > now) {
    const prev = new Date(Date.UTC(y, mo - 1, d - 1));
    t = zonedToUtc(
      { year: prev.getUTCFullYear(), month: prev.getUTCMonth() + 1, day: prev.getUTCDate(), hour, minute, second, ms: milli },
      tz,
      which,
    );
  }
  return { t };
}

/** Duration of one frame at `fps`, with a sane default for unknown rates. */
export function frameMs(fps: number | null | undefined): number {
  return fps && fps > 0 && fps <= 240 ? 1000 / fps : 100;
}
