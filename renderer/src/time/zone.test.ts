import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from './units.js';
import {
  browserTimeZone,
  isValidTimeZone,
  localDayLengthMs,
  localMs,
  offsetLabel,
  repeatsWallClock,
  resolveTimeZone,
  startOfLocalDay,
  startOfNextLocalDay,
  tzOffsetMs,
  utcOffsetLabel,
  zoneAbbrev,
  zoneAbbrevLabel,
  zoneLabel,
  zoneParts,
  zonedToUtc,
} from './zone.js';

const BER = 'Europe/Berlin';
const T = (iso: string) => Date.parse(iso);

describe('time zones and DST (Europe/Berlin)', () => {
  it('knows the offsets either side of the 2026 changes', () => {
    expect(tzOffsetMs(T('2026-03-29T00:59:59Z'), BER)).toBe(HOUR);
    expect(tzOffsetMs(T('2026-03-29T01:00:00Z'), BER)).toBe(2 * HOUR);
    expect(tzOffsetMs(T('2026-10-25T00:59:59Z'), BER)).toBe(2 * HOUR);
    expect(tzOffsetMs(T('2026-10-25T01:00:00Z'), BER)).toBe(HOUR);
    expect(offsetLabel(T('2026-07-01T12:00:00Z'), BER)).toBe('+02:00');
    expect(offsetLabel(T('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('-04:00');
    expect(offsetLabel(T('2026-07-01T12:00:00Z'), 'Asia/Kathmandu')).toBe('+05:45');
  });

  it('has a 23-hour spring day and a 25-hour autumn day', () => {
    expect(localDayLengthMs(T('2026-03-29T12:00:00Z'), BER)).toBe(23 * HOUR);
    expect(localDayLengthMs(T('2026-10-25T12:00:00Z'), BER)).toBe(25 * HOUR);
    expect(localDayLengthMs(T('2026-06-01T12:00:00Z'), BER)).toBe(24 * HOUR);
    expect(startOfLocalDay(T('2026-03-29T12:00:00Z'), BER)).toBe(T('2026-03-28T23:00:00Z'));
    expect(startOfLocalDay(T('2026-10-25T12:00:00Z'), BER)).toBe(T('2026-10-24T22:00:00Z'));
    expect(startOfNextLocalDay(T('2026-03-29T12:00:00Z'), BER)).toBe(T('2026-03-29T22:00:00Z'));
  });

  it('maps wall-clock times to instants: skipped times move forward, repeated ones pick a side', () => {
    expect(zonedToUtc({ year: 2026, month: 3, day: 29, hour: 1, minute: 59 }, BER)).toBe(T('2026-03-29T00:59:00Z'));
    // 02:30 does not exist on 29 March: becomes 03:30 CEST.
    expect(zonedToUtc({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, BER)).toBe(T('2026-03-29T01:30:00Z'));
    expect(zonedToUtc({ year: 2026, month: 3, day: 29, hour: 3 }, BER)).toBe(T('2026-03-29T01:00:00Z'));
    // 02:30 happens twice on 25 October.
    expect(zonedToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, BER, 'earlier')).toBe(T('2026-10-25T00:30:00Z'));
    expect(zonedToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, BER, 'later')).toBe(T('2026-10-25T01:30:00Z'));
    expect(repeatsWallClock(T('2026-10-25T00:30:00Z'), BER)).toBe(true);
    expect(repeatsWallClock(T('2026-10-25T02:30:00Z'), BER)).toBe(false);
  });

  it('reads wall-clock fields and local epoch ms', () => {
    expect(zoneParts(T('2026-03-29T01:30:00Z'), BER)).toEqual({
      year: 2026,
      month: 3,
      day: 29,
      hour: 3,
      minute: 30,
      second: 0,
      weekday: 0,
    });
    expect(zoneParts(T('2026-12-31T23:00:00Z'), BER)).toMatchObject({ year: 2027, month: 1, day: 1, hour: 0, weekday: 5 });
    expect(localMs(T('2026-07-01T12:00:00Z'), BER)).toBe(T('2026-07-01T14:00:00Z'));
    expect(localMs(T('2026-07-01T12:00:00Z'), 'UTC') % DAY).toBe(12 * HOUR);
  });

  it('falls back to the system zone for an unknown configured zone', () => {
    expect(resolveTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(resolveTimeZone('Not/AZone')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(resolveTimeZone(null)).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(browserTimeZone()).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
    expect(isValidTimeZone('Asia/Kolkata')).toBe(true);
    expect(isValidTimeZone('Not/AZone')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('zone labels', () => {
  it('computes UTC offsets, including DST and half hours', () => {
    const now = Date.now();
    expect(utcOffsetLabel(now, 'UTC')).toBe('UTC');
    expect(utcOffsetLabel(T('2026-01-15T12:00:00Z'), BER)).toBe('UTC+01:00');
    expect(utcOffsetLabel(T('2026-07-15T12:00:00Z'), BER)).toBe('UTC+02:00');
    expect(utcOffsetLabel(T('2026-01-15T12:00:00Z'), 'America/New_York')).toBe('UTC-05:00');
    expect(utcOffsetLabel(T('2026-01-15T12:00:00Z'), 'Asia/Kolkata')).toBe('UTC+05:30');
    expect(zoneLabel(now, 'UTC')).toBe('UTC');
    expect(zoneLabel(T('2026-01-15T12:00:00Z'), BER)).toBe('Europe/Berlin UTC+01:00');
    expect(zoneLabel(T('2026-01-15T12:00:00Z'), 'Europe/London')).toBe('Europe/London UTC');
  });

  it('names the zone by its abbreviation, which changes with DST', () => {
    expect(zoneAbbrev(T('2026-01-15T12:00:00Z'), BER)).toBe('CET');
    expect(zoneAbbrev(T('2026-07-15T12:00:00Z'), BER)).toBe('CEST');
    expect(zoneAbbrevLabel(T('2026-07-15T12:00:00Z'), BER)).toBe('Europe/Berlin CEST');
    expect(zoneAbbrevLabel(T('2026-07-15T12:00:00Z'), 'UTC')).toBe('UTC');
    expect(zoneAbbrev(0, 'Not/AZone')).toBe('Not/AZone');
  });
});
