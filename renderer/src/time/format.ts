/**
 * Times and durations as the console shows them: 24-hour clock, ISO-style
 * dates, always in an explicit zone (`undefined` = this computer's).
 * Durations carry their unit in the function name: `formatDurationMs`
 * takes milliseconds, `formatDurationSeconds` seconds.
 */
import { SECOND } from './units.js';
import { zoneParts } from './zone.js';

/** An instant: UTC ms, an ISO 8601 string or a Date. */
export type Instant = number | string | Date;

function toMs(value: Instant): number {
  return value instanceof Date ? value.getTime() : typeof value === 'number' ? value : new Date(value).getTime();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYNAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** "2026-11-26 08:14:03" in `tz`; "–" for a missing or invalid value. */
export function formatDateTime(value: Instant | null | undefined, tz?: string): string {
  if (value == null) return '–';
  const t = toMs(value);
  if (Number.isNaN(t)) return '–';
  const p = zoneParts(t, tz);
  return `${p.year}-${p2(p.month)}-${p2(p.day)} ${p2(p.hour)}:${p2(p.minute)}:${p2(p.second)}`;
}

/** "14:05:09", or "14:05" without seconds, in `tz`. */
export function formatClock(value: number | Date, tz?: string, seconds = true): string {
  const p = zoneParts(toMs(value), tz);
  return seconds ? `${p2(p.hour)}:${p2(p.minute)}:${p2(p.second)}` : `${p2(p.hour)}:${p2(p.minute)}`;
}

/** "14:05:09.300" in `tz`. */
export function formatClockMs(t: number, tz?: string): string {
  const ms = ((t % SECOND) + SECOND) % SECOND;
  return `${formatClock(t, tz, true)}.${String(Math.floor(ms)).padStart(3, '0')}`;
}

/** "Sun 29 Mar" in `tz`. */
export function formatDay(t: number, tz?: string): string {
  const p = zoneParts(t, tz);
  return `${DAYNAMES[p.weekday]} ${p.day} ${MONTHS[p.month - 1]}`;
}

/** The time only when `value` is on today's date in `tz`, else date and time. */
export function formatWhen(value: string | null | undefined, tz?: string, now: number = Date.now()): string {
  if (!value) return '–';
  const full = formatDateTime(value, tz);
  if (full === '–') return full;
  const today = formatDateTime(now, tz).slice(0, 10);
  return full.startsWith(today) ? full.slice(11) : full;
}

/** "3 min ago", "just now", "in 2 min" relative to `now` (epoch ms). */
export function formatAgo(value: string | null | undefined, now: number = Date.now()): string {
  if (!value) return '–';
  const t = Date.parse(value);
  if (Number.isNaN(t)) return '–';
  const d = now - t;
  if (Math.abs(d) < 5 * SECOND) return 'just now';
  return d >= 0 ? `${formatDurationMs(d)} ago` : `in ${formatDurationMs(-d)}`;
}

/**
 * How a duration reads:
 *  - `compact`: 42 s, 5 min, 3 h 12 min, 4 d 2 h (ages, "ago", retention);
 *  - `precise`: also the seconds under 10 min (3 min 5 s), hours up to 47 h
 *    (gap lengths, the timeline's span, "lost 3 min 5 s ago").
 */
export type DurationStyle = 'compact' | 'precise';

function durationText(s: number, style: DurationStyle): string {
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return style === 'precise' && s % 60 && m < 10 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < (style === 'precise' ? 48 : 24)) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** A duration given in milliseconds, rounded to the second; "–" when missing; negative reads as 0 s. */
export function formatDurationMs(ms: number | null | undefined, style: DurationStyle = 'compact'): string {
  if (ms == null || !Number.isFinite(ms)) return '–';
  return durationText(Math.max(0, Math.round(ms / SECOND)), style);
}

/** A duration given in seconds, rounded to the second; "–" when missing; negative reads as 0 s. */
export function formatDurationSeconds(seconds: number | null | undefined, style: DurationStyle = 'compact'): string {
  if (seconds == null || !Number.isFinite(seconds)) return '–';
  return durationText(Math.max(0, Math.round(seconds)), style);
}
