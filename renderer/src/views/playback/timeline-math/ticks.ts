/**
 * Ruler ticks in an explicit IANA zone, DST-exact: a tick is placed at the
 * real instant where the local clock shows that time, a 23- or 25-hour day
 * is drawn 23 or 25 hours wide, and the repeated autumn hour gets two ticks
 * (labelled with their zone names so they can be told apart).
 */
import {
  DAY,
  formatClock,
  formatDay,
  HOUR,
  localMs,
  MINUTE,
  repeatsWallClock,
  SECOND,
  startOfLocalDay,
  startOfNextLocalDay,
  tzOffsetMs,
  zoneAbbrev,
  zoneParts,
} from '../../../time/index.js';
import { msPerPixel, type View } from './zoom.js';

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
