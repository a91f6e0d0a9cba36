import { describe, expect, it } from 'vitest';
import { lastScheduled, localTimeMs, nextScheduled } from './schedule.js';
import { modeTimeline } from './store.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('scheduled arming', () => {
  it('finds a local time on a date, across DST (skipped: the jump; twice: the first)', () => {
    expect(iso(localTimeMs(2026, 11, 27, '22:00', 'Europe/Berlin'))).toBe('2026-11-27T21:00:00.000Z');
    expect(iso(localTimeMs(2026, 7, 1, '22:00', 'Europe/Berlin'))).toBe('2026-07-01T20:00:00.000Z');
    expect(iso(localTimeMs(2026, 3, 29, '02:30', 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(localTimeMs(2026, 3, 29, '06:00', 'Europe/Berlin'))).toBe('2026-03-29T04:00:00.000Z');
    expect(iso(localTimeMs(2026, 10, 25, '02:30', 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(localTimeMs(2026, 10, 25, '06:00', 'Europe/Berlin'))).toBe('2026-10-25T05:00:00.000Z');
    expect(iso(localTimeMs(2026, 11, 27, '00:00', 'America/New_York'))).toBe('2026-11-27T05:00:00.000Z');
  });

  it('the latest switch passed and the next one, by weekday', () => {
    const entries = [
      { mode: 'night', days: [1, 2, 3, 4, 5], at: '22:00' },
      { mode: 'day', days: [1, 2, 3, 4, 5], at: '06:00' },
      { mode: 'away', days: [6], at: '00:00' },
    ];
    // Friday 27 Nov 2026, 23:00 Berlin
    const fri23 = Date.parse('2026-11-27T22:00:00Z');
    expect(lastScheduled(entries, fri23, 'Europe/Berlin')).toMatchObject({ mode: 'night', atMs: Date.parse('2026-11-27T21:00:00Z') });
    expect(nextScheduled(entries, fri23, 'Europe/Berlin')).toMatchObject({ mode: 'away', atMs: Date.parse('2026-11-27T23:00:00Z') });
    // Sunday noon: Saturday's "away" is the latest; Monday 06:00 the next
    const sun = Date.parse('2026-11-29T11:00:00Z');
    expect(lastScheduled(entries, sun, 'Europe/Berlin')!.mode).toBe('away');
    expect(nextScheduled(entries, sun, 'Europe/Berlin')).toMatchObject({ mode: 'day', atMs: Date.parse('2026-11-30T05:00:00Z') });
    expect(lastScheduled([], sun, 'UTC')).toBeNull();
  });

  it('the mode at any time from the recorded switches', () => {
    const at = modeTimeline(
      [
        { timeMs: 100, mode: 'night' },
        { timeMs: 200, mode: 'day' },
        { timeMs: 200, mode: 'away' },
      ],
      'day',
    );
    expect([at(0), at(100), at(150), at(200), at(10_000)]).toEqual(['day', 'night', 'night', 'away', 'away']);
  });
});
