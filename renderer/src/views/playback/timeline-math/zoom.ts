/**
 * The timeline's visible window: time ↔ pixels, zoom (around an anchor, on
 * a ladder of spans), pan, and following the playhead. Pure functions;
 * instants and spans in UTC milliseconds.
 */
import { DAY, HOUR, MINUTE, SECOND } from '../../../time/index.js';

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

/** The visible window of the timeline. */
export interface View {
  start: number;
  span: number;
}

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
