/**
 * Per-day coverage for the timeline: how much of each local calendar day
 * (in a given IANA time zone) is recorded. Day boundaries come from
 * util/time-zone.ts, so 23- and 25-hour days around DST changes come out right.
 */
import type { DayCoverage } from '../../api/contract.js';
import { localParts, nextCalendarDay, startOfLocalDayMs } from '../util/time-zone.js';

function dayKey(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Coverage of every local day that [fromMs, toMs) touches. `intervals` are
 * recorded [start, end) spans (any order, may overlap). spanSeconds is the
 * part of the day inside [fromMs, toMs).
 */
export function dayCoverage(intervals: { startMs: number; endMs: number }[], fromMs: number, toMs: number, timeZone: string): DayCoverage[] {
  if (!(toMs > fromMs)) return [];
  const sorted = intervals
    .map((i) => ({ s: Math.max(i.startMs, fromMs), e: Math.min(i.endMs, toMs) }))
    .filter((i) => i.e > i.s)
    .sort((a, b) => a.s - b.s);
  // merge overlaps
  const merged: { s: number; e: number }[] = [];
  for (const i of sorted) {
    const last = merged[merged.length - 1];
    if (last && i.s <= last.e) last.e = Math.max(last.e, i.e);
    else merged.push({ ...i });
  }
  const out: DayCoverage[] = [];
  let { year, month, day } = localParts(fromMs, timeZone);
  let dayStartMs = startOfLocalDayMs(year, month, day, timeZone);
  let k = 0;
  for (let guard = 0; guard < 4000 && dayStartMs < toMs; guard++) {
    const next = nextCalendarDay(year, month, day);
    const dayEndMs = startOfLocalDayMs(next.year, next.month, next.day, timeZone);
    const s = Math.max(dayStartMs, fromMs);
    const e = Math.min(dayEndMs, toMs);
    let recordedMs = 0;
    while (k < merged.length && merged[k]!.e <= s) k++;
    for (let j = k; j < merged.length && merged[j]!.s < e; j++) {
      recordedMs += Math.max(0, Math.min(merged[j]!.e, e) - Math.max(merged[j]!.s, s));
    }
    out.push({ day: dayKey(year, month, day), recordedSeconds: Math.round(recordedMs / 100) / 10, spanSeconds: Math.round((e - s) / 100) / 10 });
    ({ year, month, day } = next);
    dayStartMs = dayEndMs;
  }
  return out;
}
