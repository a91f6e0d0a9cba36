import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatClock,
  formatClockMs,
  formatDateTime,
  formatDay,
  formatDurationMs,
  formatDurationSeconds,
  formatWhen,
} from './format.js';
import { DAY, HOUR, MINUTE, SECOND } from './units.js';

const T = (iso: string) => Date.parse(iso);

describe('times in a zone', () => {
  it('shows times in an explicit zone, 24 h', () => {
    const t = '2026-11-26T08:14:03Z';
    expect(formatDateTime(t, 'UTC')).toBe('2026-11-26 08:14:03');
    expect(formatDateTime(t, 'Europe/Berlin')).toBe('2026-11-26 09:14:03');
    expect(formatDateTime(t, 'America/New_York')).toBe('2026-11-26 03:14:03');
    expect(formatDateTime('2026-07-01T00:30:00Z', 'Asia/Kolkata')).toBe('2026-07-01 06:00:00');
    expect(formatClock(Date.parse('2026-11-26T23:59:59Z'), 'UTC')).toBe('23:59:59');
    expect(formatDateTime('nope', 'UTC')).toBe('–');
  });

  it('takes an instant as ms, an ISO string or a Date', () => {
    const iso = '2026-03-29T01:30:00Z';
    expect(formatDateTime(T(iso), 'Europe/Berlin')).toBe('2026-03-29 03:30:00');
    expect(formatDateTime(new Date(iso), 'Europe/Berlin')).toBe('2026-03-29 03:30:00');
    expect(formatDateTime(null, 'UTC')).toBe('–');
    expect(formatDateTime(Number.NaN, 'UTC')).toBe('–');
    expect(formatClock(new Date(iso), 'Europe/Berlin')).toBe('03:30:00');
  });

  it('formats clocks with and without seconds, with milliseconds, and days', () => {
    const t = T('2026-03-29T12:05:09.3Z');
    expect(formatClock(t, 'Europe/Berlin', false)).toBe('14:05');
    expect(formatClockMs(t, 'Europe/Berlin')).toBe('14:05:09.300');
    expect(formatClockMs(T('1969-12-31T23:59:59.250Z'), 'UTC')).toBe('23:59:59.250');
    expect(formatDay(t, 'Europe/Berlin')).toBe('Sun 29 Mar');
    expect(formatDay(T('2026-03-28T23:30:00Z'), 'UTC')).toBe('Sat 28 Mar');
  });

  it('drops the date for today', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    expect(formatWhen('2026-11-26T08:00:00Z', 'UTC', now)).toBe('08:00:00');
    expect(formatWhen('2026-11-25T08:00:00Z', 'UTC', now)).toBe('2026-11-25 08:00:00');
    // Today is the zone's today: 23:30 UTC on the 25th is the 26th in Berlin.
    expect(formatWhen('2026-11-25T23:30:00Z', 'Europe/Berlin', now)).toBe('00:30:00');
    expect(formatWhen(null, 'UTC', now)).toBe('–');
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-11-26T08:00:00Z');
    expect(formatAgo('2026-11-26T07:57:00Z', now)).toBe('3 min ago');
    expect(formatAgo('2026-11-26T07:59:58Z', now)).toBe('just now');
    expect(formatAgo('2026-11-26T08:02:00Z', now)).toBe('in 2 min');
    expect(formatAgo(null, now)).toBe('–');
    expect(formatAgo('garbage', now)).toBe('–');
  });
});

describe('durations, with the unit in the name', () => {
  it('formats seconds compactly', () => {
    expect(formatDurationSeconds(42)).toBe('42 s');
    expect(formatDurationSeconds(300)).toBe('5 min');
    expect(formatDurationSeconds(3600)).toBe('1 h');
    expect(formatDurationSeconds(3 * 3600 + 12 * 60)).toBe('3 h 12 min');
    expect(formatDurationSeconds(4 * 86400 + 2 * 3600)).toBe('4 d 2 h');
    expect(formatDurationSeconds(-5)).toBe('0 s');
  });

  it('formats milliseconds precisely for tiles and tooltips', () => {
    expect(formatDurationMs(45_000, 'precise')).toBe('45 s');
    expect(formatDurationMs(3 * MINUTE + 5000, 'precise')).toBe('3 min 5 s');
    expect(formatDurationMs(25 * MINUTE, 'precise')).toBe('25 min');
    expect(formatDurationMs(3 * HOUR + 12 * MINUTE, 'precise')).toBe('3 h 12 min');
    expect(formatDurationMs(52 * HOUR, 'precise')).toBe('2 d 4 h');
  });

  it('reads the same duration the same way in either unit', () => {
    for (const s of [
      0,
      0.4,
      0.5,
      1,
      59,
      59.6,
      61,
      185,
      599,
      3600,
      3 * 3600 + 12 * 60,
      30 * 3600,
      47 * 3600 + 59 * 60,
      4 * 86400 + 2 * 3600,
    ]) {
      for (const style of ['compact', 'precise'] as const) {
        expect(formatDurationMs(s * SECOND, style)).toBe(formatDurationSeconds(s, style));
      }
    }
  });

  it('keeps compact and precise apart only where they differ', () => {
    expect(formatDurationMs(3 * MINUTE + 5 * SECOND)).toBe('3 min');
    expect(formatDurationMs(3 * MINUTE + 5 * SECOND, 'precise')).toBe('3 min 5 s');
    expect(formatDurationMs(12 * MINUTE + 5 * SECOND, 'precise')).toBe('12 min');
    expect(formatDurationMs(30 * HOUR)).toBe('1 d 6 h');
    expect(formatDurationMs(30 * HOUR, 'precise')).toBe('30 h');
    expect(formatDurationMs(2 * DAY)).toBe('2 d');
    expect(formatDurationMs(2 * DAY, 'precise')).toBe('2 d');
  });

  it('rounds to the second and says "–" for a missing value', () => {
    expect(formatDurationMs(1499)).toBe('1 s');
    expect(formatDurationMs(1500)).toBe('2 s');
    expect(formatDurationMs(-2500)).toBe('0 s');
    expect(formatDurationMs(null)).toBe('–');
    expect(formatDurationMs(Number.NaN)).toBe('–');
    expect(formatDurationSeconds(undefined)).toBe('–');
    expect(formatDurationSeconds(Number.POSITIVE_INFINITY)).toBe('–');
  });
});
