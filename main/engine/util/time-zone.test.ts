import { describe, expect, it } from 'vitest';
import { checkTimeZone, localParts, localTimeToUtcMs, nextCalendarDay, startOfLocalDayMs, utcOffsetMs, zoneOrSystem } from './time-zone.js';

describe('engine time zones', () => {
  it('reads local calendar and clock fields, weekday included', () => {
    // 2026-11-27 23:30 UTC is Saturday 00:30 in Berlin (CET, +1 h)
    expect(localParts(Date.parse('2026-11-27T23:30:15Z'), 'Europe/Berlin')).toEqual({ year: 2026, month: 11, day: 28, hour: 0, minute: 30, second: 15, weekday: 6 });
    expect(localParts(Date.parse('2026-11-27T23:30:15Z'), 'UTC')).toMatchObject({ day: 27, hour: 23, weekday: 5 });
  });

  it('gives the UTC offset at an instant, across a DST change', () => {
    expect(utcOffsetMs(Date.parse('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(3600_000);
    expect(utcOffsetMs(Date.parse('2026-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(7200_000);
    expect(utcOffsetMs(Date.parse('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-4 * 3600_000);
  });

  it('starts local days at local midnight, 23 and 25 hours apart around DST', () => {
    const spring = startOfLocalDayMs(2026, 3, 29, 'Europe/Berlin');
    expect(spring).toBe(Date.UTC(2026, 2, 28, 23));
    expect(startOfLocalDayMs(2026, 3, 30, 'Europe/Berlin') - spring).toBe(23 * 3600_000);
    const fall = startOfLocalDayMs(2026, 10, 25, 'Europe/Berlin');
    expect(startOfLocalDayMs(2026, 10, 26, 'Europe/Berlin') - fall).toBe(25 * 3600_000);
  });

  it('a day whose midnight does not exist starts at the jump', () => {
    // Santiago (America/Santiago) springs forward at 24:00 → 01:00 on the first Sunday of September
    const s = startOfLocalDayMs(2026, 9, 6, 'America/Santiago');
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/Santiago',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
    }).format(new Date(s));
    expect(parts).toMatch(/^2026-09-06, 0?1$/);
    expect(new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Santiago', day: '2-digit' }).format(new Date(s - 1000))).toBe('05');
  });

  it('steps calendar days across month and year ends, and checks zone names', () => {
    expect(nextCalendarDay(2026, 12, 31)).toEqual({ year: 2027, month: 1, day: 1 });
    expect(nextCalendarDay(2028, 2, 28)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(RangeError);
    expect(zoneOrSystem('Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(zoneOrSystem(null)).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('turns a wall time in a zone into the instant, in winter and summer time', () => {
    expect(new Date(localTimeToUtcMs(2026, 3, 2, 8, 0, 'Europe/Berlin')).toISOString()).toBe('2026-03-02T07:00:00.000Z');
    expect(new Date(localTimeToUtcMs(2026, 7, 1, 8, 0, 'Europe/Berlin')).toISOString()).toBe('2026-07-01T06:00:00.000Z');
    expect(new Date(localTimeToUtcMs(2026, 1, 5, 7, 30, 'America/New_York')).toISOString()).toBe('2026-01-05T12:30:00.000Z');
    expect(new Date(localTimeToUtcMs(2026, 3, 29, 12, 0, 'UTC')).toISOString()).toBe('2026-03-29T12:00:00.000Z');
  });
});
