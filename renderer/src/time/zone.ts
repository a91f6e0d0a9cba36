/**
 * Time zones: the one place where the console turns UTC instants into
 * wall-clock fields of an IANA zone and back.
 *
 * Every instant is UTC milliseconds since the epoch; every function takes
 * the instant first and the zone second (`undefined` = this computer's
 * zone). Wall-clock fields come from Intl, so daylight-saving changes are
 * exact: a 23- or 25-hour day is 23 or 25 hours long, a wall time skipped
 * in spring moves forward, and a wall time repeated in autumn can be asked
 * for either way.
 */
import { DAY, MINUTE, SECOND } from './units.js';

/** Wall-clock fields of an instant in a zone (seconds precision). */
export interface ZoneParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday. */
  weekday: number;
}

const LOCAL = Symbol('local zone');
const partFormatters = new Map<string | symbol, Intl.DateTimeFormat>();
function partFormatter(tz: string | undefined): Intl.DateTimeFormat {
  const key = tz ?? LOCAL;
  let f = partFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    partFormatters.set(key, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** True if the runtime knows the IANA zone. */
export function isValidTimeZone(tz: string): boolean {
  try {
    partFormatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** This computer's zone (the browser's), "UTC" when it can't tell. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The zone to use: the configured one if valid, else this computer's. */
export function resolveTimeZone(configured: string | null | undefined): string {
  if (configured && isValidTimeZone(configured)) return configured;
  return browserTimeZone();
}

/** Wall-clock fields of instant `t` (ms) in zone `tz`. */
export function zoneParts(t: number, tz?: string): ZoneParts {
  const out: ZoneParts = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, weekday: 4 };
  for (const p of partFormatter(tz).formatToParts(new Date(t))) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        out.hour = Number(p.value) % 24;
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      case 'weekday':
        out.weekday = WEEKDAYS[p.value] ?? 0;
        break;
    }
  }
  return out;
}

/** UTC offset of zone `tz` at instant `t`, in ms (local = utc + offset). */
export function tzOffsetMs(t: number, tz?: string): number {
  const whole = Math.floor(t / SECOND) * SECOND;
  const p = zoneParts(whole, tz);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

/** "Local epoch" ms: the wall clock of `t` in `tz` read as if it were UTC. */
export function localMs(t: number, tz?: string): number {
  return t + tzOffsetMs(t, tz);
}

/** Which instant a wall time that occurs twice (autumn overlap) stands for. */
export type Disambiguation = 'earlier' | 'later';

/** Wall-clock fields to turn into an instant (month 1–12). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  ms?: number;
}

/**
 * The instant at which the wall clock in `tz` shows the given fields.
 * A time skipped by a spring-forward change moves forward by the size of
 * the change (02:30 on the Berlin spring day → 03:30 CEST), as Temporal's
 * "compatible" mode does. A time that occurs twice picks the earlier one
 * unless `which` is 'later'.
 */
export function zonedToUtc(f: WallTime, tz?: string, which: Disambiguation = 'earlier'): number {
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour ?? 0, f.minute ?? 0, f.second ?? 0, f.ms ?? 0);
  // Offsets around the wall time: at most two distinct ones near a change.
  const o1 = tzOffsetMs(wall - DAY, tz);
  const o2 = tzOffsetMs(wall + DAY, tz);
  const candidates: number[] = [];
  for (const o of o1 === o2 ? [o1] : [o1, o2]) {
    const t = wall - o;
    if (tzOffsetMs(t, tz) === o) candidates.push(t);
  }
  if (candidates.length === 0) {
    // Skipped wall time: the gap's length is o2 - o1; move forward by it.
    return wall - o1;
  }
  candidates.sort((a, b) => a - b);
  return which === 'later' ? candidates[candidates.length - 1]! : candidates[0]!;
}

/** True if the wall-clock time at `t` also occurs at another instant (autumn overlap). */
export function repeatsWallClock(t: number, tz?: string): boolean {
  const p = zoneParts(t, tz);
  const f = { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second };
  return zonedToUtc(f, tz, 'earlier') !== zonedToUtc(f, tz, 'later');
}

/** Local midnight that starts the calendar day containing `t`. */
export function startOfLocalDay(t: number, tz?: string): number {
  const p = zoneParts(t, tz);
  return zonedToUtc({ year: p.year, month: p.month, day: p.day }, tz);
}

/** Start of the next local calendar day after the one containing `t`. */
export function startOfNextLocalDay(t: number, tz?: string): number {
  const p = zoneParts(t, tz);
  const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  return zonedToUtc({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }, tz);
}

/** Length in ms of the local day containing `t` (23, 24 or 25 h around DST changes). */
export function localDayLengthMs(t: number, tz?: string): number {
  return startOfNextLocalDay(t, tz) - startOfLocalDay(t, tz);
}

function offsetText(t: number, tz: string | undefined): { minutes: number; text: string } {
  const o = Math.round(tzOffsetMs(t, tz) / MINUTE);
  const a = Math.abs(o);
  return { minutes: o, text: `${o < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}` };
}

/** "+01:00" style offset of `tz` at `t` ("+00:00" for UTC). */
export function offsetLabel(t: number, tz?: string): string {
  return offsetText(t, tz).text;
}

/** "UTC+01:00", "UTC-05:30", or just "UTC" when the offset is zero. */
export function utcOffsetLabel(t: number, tz?: string): string {
  const o = offsetText(t, tz);
  return o.minutes === 0 ? 'UTC' : `UTC${o.text}`;
}

/** "Europe/Berlin UTC+01:00", or just "UTC" for UTC itself. */
export function zoneLabel(t: number, tz: string): string {
  const off = utcOffsetLabel(t, tz);
  return off === 'UTC' && /^(Etc\/)?(UTC|GMT|Zulu|Universal)$/i.test(tz) ? 'UTC' : `${tz} ${off}`;
}

/** Short zone name at `t` ("CET", "CEST", "GMT+1"); the zone's name when there is none. */
export function zoneAbbrev(t: number, tz: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, timeZoneName: 'short' }).formatToParts(new Date(t));
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? tz;
  } catch {
    return tz;
  }
}

/** "Europe/Berlin CET", or just "UTC" where the short name adds nothing. */
export function zoneAbbrevLabel(t: number, tz: string): string {
  const abbr = zoneAbbrev(t, tz);
  return abbr === tz || tz.endsWith(abbr) ? tz : `${tz} ${abbr}`;
}
