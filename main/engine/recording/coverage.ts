/**
 * Per-day coverage for the timeline: how much of each local calendar day
 * (in a given IANA time zone) is recorded. Day boundaries come from Intl, so
 * 23- and 25-hour days around DST changes come out right.
 */
import type { DayCoverage } from '../../api/contract.js';

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    fmtCache.set(tz, f);
  }
  return f;
}

/** Throws a RangeError for an unknown time zone. */
export function checkTimeZone(tz: string): void {
  fmt(tz);
}

/** Local wall-clock fields of an instant in a time zone. */
export function localParts(ms: number, tz: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p: Record<string, number> = {};
  for (const x of fmt(tz).formatToParts(new Date(ms))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour! % 24, mi: p.minute!, s: p.second! };
}

/** UTC offset (ms) of a time zone at an instant. */
export function offsetAt(ms: number, tz: string): number {
  const l = localParts(ms, tz);
  const asUtc = Date.UTC(l.y, l.m - 1, l.d, l.h, l.mi, l.s);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant a local calendar day starts (the first existing local time on or after 00:00). */
export function startOfLocalDay(y: number, m: number, d: number, tz: string): number {
  const guessUtc = Date.UTC(y, m - 1, d);
  let t = guessUtc - offsetAt(guessUtc, tz);
  // refine twice: the offset at the guess can differ from the offset at the answer
  t = guessUtc - offsetAt(t, tz);
  t = guessUtc - offsetAt(t, tz);
  const l = localParts(t, tz);
  if (l.y !== y || l.m !== m || l.d !== d) {
    // midnight does not exist (a DST jump at 00:00): the day starts at the jump
    const prev = localParts(t, tz);
    if (Date.UTC(prev.y, prev.m - 1, prev.d) < guessUtc) {
      // t is still on the previous day: walk forward to the first instant of day d
      let lo = t;
      let hi = t + 3 * 3600_000;
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2);
        const p = localParts(mid, tz);
        if (Date.UTC(p.y, p.m - 1, p.d) < guessUtc) lo = mid;
        else hi = mid;
      }
      t = hi;
    }
  }
  return t;
}

function dayKey(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Coverage of every local day that [fromMs, toMs) touches. `intervals` are
 * recorded [start, end) spans (any order, may overlap). spanSeconds is the
 * part of the day inside [fromMs, toMs).
 */
export function dayCoverage(intervals: { startMs: number; endMs: number }[], fromMs: number, toMs: number, tz: string): DayCoverage[] {
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
  const first = localParts(fromMs, tz);
  let y = first.y;
  let m = first.m;
  let d = first.d;
  let dayStart = startOfLocalDay(y, m, d, tz);
  let k = 0;
  for (let guard = 0; guard < 4000 && dayStart < toMs; guard++) {
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    const ny = next.getUTCFullYear();
    const nm = next.getUTCMonth() + 1;
    const nd = next.getUTCDate();
    const dayEnd = startOfLocalDay(ny, nm, nd, tz);
    const s = Math.max(dayStart, fromMs);
    const e = Math.min(dayEnd, toMs);
    let rec = 0;
    while (k < merged.length && merged[k]!.e <= s) k++;
    for (let j = k; j < merged.length && merged[j]!.s < e; j++) {
      rec += Math.max(0, Math.min(merged[j]!.e, e) - Math.max(merged[j]!.s, s));
    }
    out.push({ day: dayKey(y, m, d), recordedSeconds: Math.round(rec / 100) / 10, spanSeconds: Math.round((e - s) / 100) / 10 });
    y = ny;
    m = nm;
    d = nd;
    dayStart = dayEnd;
  }
  return out;
}
