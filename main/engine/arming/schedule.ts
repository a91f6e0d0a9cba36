/**
 * Scheduled arming switches ("Night at 22:00 on weekdays") in the site's
 * time zone, DST-safe: a switch at a wall-clock time the clocks skip
 * (02:30 on the night they go forward) happens at the jump; at a time that
 * comes twice (the night they go back) the first time. Pure.
 */
import type { ArmingScheduleEntry } from '../../api/rules.js';
import { localParts, startOfLocalDayMs } from '../util/time-zone.js';

/** The instant a local date's HH:MM happens (or, when skipped, the first instant after it). */
export function localTimeMs(year: number, month: number, day: number, hhmm: string, timeZone: string): number {
  const target = Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const dayUtc = Date.UTC(year, month - 1, day);
  /** Local minutes since the start of (year, month, day), across day ends. */
  const minutesAt = (t: number) => {
    const p = localParts(t, timeZone);
    return (Date.UTC(p.year, p.month - 1, p.day) - dayUtc) / 60_000 + p.hour * 60 + p.minute;
  };
  const start = startOfLocalDayMs(year, month, day, timeZone);
  let t = start + target * 60_000;
  for (let i = 0; i < 3; i++) {
    const diff = target - minutesAt(t);
    if (diff === 0) {
      // the first of two: an hour earlier shows the same wall time on the night the clocks go back
      return minutesAt(t - 3_600_000) === target ? t - 3_600_000 : t;
    }
    t += diff * 60_000;
  }
  // skipped by a DST jump: the first instant at or after it, between the start of the day and a day later
  let lo = start;
  let hi = start + 26 * 3_600_000;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    if (minutesAt(mid) >= target) hi = mid;
    else lo = mid;
  }
  // clocks jump on a whole minute
  return Math.floor(hi / 60_000) * 60_000;
}

function localDate(ms: number, timeZone: string, daysBack: number): { year: number; month: number; day: number; weekday: number } {
  const p = localParts(ms, timeZone);
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day - daysBack));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() };
}

export interface ScheduledSwitch {
  mode: string;
  atMs: number;
  entry: ArmingScheduleEntry;
}

/** Scheduled switches from `daysBack` days before to `daysAhead` days after the local day of `ms`, oldest first. */
export function switchesAround(
  entries: readonly ArmingScheduleEntry[],
  ms: number,
  timeZone: string,
  daysBack = 8,
  daysAhead = 8,
): ScheduledSwitch[] {
  const out: ScheduledSwitch[] = [];
  for (let k = -daysAhead; k <= daysBack; k++) {
    const d = localDate(ms, timeZone, k);
    for (const e of entries)
      if (e.days.includes(d.weekday)) out.push({ mode: e.mode, atMs: localTimeMs(d.year, d.month, d.day, e.at, timeZone), entry: e });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** The latest scheduled switch at or before `ms` (within the last week), or null. */
export function lastScheduled(entries: readonly ArmingScheduleEntry[], ms: number, timeZone: string): ScheduledSwitch | null {
  if (!entries.length) return null;
  const past = switchesAround(entries, ms, timeZone, 8, 0).filter((s) => s.atMs <= ms);
  return past.at(-1) ?? null;
}

/** The next scheduled switch after `ms` (within the next week), or null. */
export function nextScheduled(entries: readonly ArmingScheduleEntry[], ms: number, timeZone: string): ScheduledSwitch | null {
  if (!entries.length) return null;
  return switchesAround(entries, ms, timeZone, 0, 8).find((s) => s.atMs > ms) ?? null;
}
