/**
 * "Go to time": what a guard types, read in an explicit zone (DST-aware)
 * relative to now.
 */
import { DAY, HOUR, MINUTE, SECOND, zoneParts, zonedToUtc, type Disambiguation } from '../../../time/index.js';

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
