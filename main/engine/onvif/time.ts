/** Camera clocks and ISO 8601 durations as ONVIF writes them. */
import { child, num, path, text } from './xml.js';

/** Parse an xs:duration like PT10S, PT1M30S, P1DT2H, PT0.5S into milliseconds. */
export function parseDuration(s: string | undefined): number | null {
  if (!s) return null;
  const m = /^\s*(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?\s*$/i.exec(s);
  if (!m) return null;
  const [, neg, y, mo, w, d, h, mi, sec] = m;
  const v = (x: string | undefined) => (x ? Number(x) : 0);
  const ms = (((v(y) * 365 + v(mo) * 30 + v(w) * 7 + v(d)) * 24 + v(h)) * 60 + v(mi)) * 60_000 + v(sec) * 1000;
  return neg ? -ms : ms;
}

/** Milliseconds as an xs:duration, e.g. 10000 → PT10S, 1500 → PT1.5S. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return `PT${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}S`;
}

/**
 * Offset in hours of a POSIX TZ string ("CST-8", "EST5EDT", "UTC+01:00"),
 * as the number to add to local time to get UTC. Null when unreadable.
 */
export function posixTzToUtcHours(tz: string | undefined): number | null {
  if (!tz) return null;
  const m = /^\s*[A-Za-z<>+\-0-9]*?[A-Za-z>]([+-]?\d{1,2})(?::(\d{2}))?/.exec(tz);
  if (!m) return /^\s*(UTC|GMT)\s*$/i.test(tz) ? 0 : null;
  const h = Number(m[1]);
  const min = m[2] ? Number(m[2]) : 0;
  return h + Math.sign(h || 1) * (min / 60);
}

function dateTimeMs(dt: unknown): number | null {
  const d = child(dt, 'Date');
  const t = child(dt, 'Time');
  const y = num(text(child(d, 'Year')));
  const mo = num(text(child(d, 'Month')));
  const day = num(text(child(d, 'Day')));
  const h = num(text(child(t, 'Hour')));
  const mi = num(text(child(t, 'Minute')));
  const s = num(text(child(t, 'Second')));
  if (y === null || mo === null || day === null || h === null || mi === null || s === null) return null;
  if (y < 1970 || mo < 1 || mo > 12 || day < 1 || day > 31 || h > 24 || mi > 59 || s > 61) return null;
  return Date.UTC(y, mo - 1, day, h, mi, s);
}

export interface CameraClock {
  /** The camera's UTC time in ms, as it reported it. */
  utcMs: number;
  /** How it was derived: UTCDateTime, or LocalDateTime corrected by the TZ string. */
  from: 'utc' | 'local+tz' | 'local';
  ntp: boolean | null;
  timeZone: string | null;
}

/** Read a GetSystemDateAndTimeResponse body. */
export function parseSystemDateAndTime(body: unknown): CameraClock | null {
  const sdt = path(body, 'GetSystemDateAndTimeResponse', 'SystemDateAndTime');
  if (sdt === undefined) return null;
  const tz = text(path(sdt, 'TimeZone', 'TZ'))?.trim() || null;
  const type = text(child(sdt, 'DateTimeType'))?.trim();
  const ntp = type ? /ntp/i.test(type) : null;
  const utc = dateTimeMs(child(sdt, 'UTCDateTime'));
  if (utc !== null) return { utcMs: utc, from: 'utc', ntp, timeZone: tz };
  const local = dateTimeMs(child(sdt, 'LocalDateTime'));
  if (local === null) return null;
  const off = posixTzToUtcHours(tz ?? undefined);
  if (off !== null) return { utcMs: local + off * 3600_000, from: 'local+tz', ntp, timeZone: tz };
  return { utcMs: local, from: 'local', ntp, timeZone: tz };
}
