import { describe, expect, it } from 'vitest';
import { dayCoverage } from './coverage.js';

const H = 3600_000;

describe('per-day coverage (DST-safe)', () => {
  it('Berlin spring-forward day has 23 h, fall-back day 25 h', () => {
    const from = Date.UTC(2026, 2, 28, 23); // 2026-03-29 00:00 CET
    const to = Date.UTC(2026, 2, 30, 22); // 2026-03-31 00:00 CEST
    const d = dayCoverage([{ startMs: from, endMs: to }], from, to, 'Europe/Berlin');
    expect(d.map((x) => [x.day, x.spanSeconds / 3600, x.recordedSeconds / 3600])).toEqual([
      ['2026-03-29', 23, 23],
      ['2026-03-30', 24, 24],
    ]);
    const f2 = Date.UTC(2026, 9, 24, 22); // 2026-10-25 00:00 CEST
    const d2 = dayCoverage([], f2, f2 + 25 * H, 'Europe/Berlin');
    expect(d2).toEqual([{ day: '2026-10-25', recordedSeconds: 0, spanSeconds: 25 * 3600 }]);
  });
  it('counts overlapping intervals once and clips to the range', () => {
    const day = Date.UTC(2026, 5, 1);
    const d = dayCoverage(
      [
        { startMs: day + H, endMs: day + 3 * H },
        { startMs: day + 2 * H, endMs: day + 4 * H },
        { startMs: day - H, endMs: day + 0.5 * H },
      ],
      day,
      day + 12 * H,
      'UTC',
    );
    expect(d).toEqual([{ day: '2026-06-01', recordedSeconds: 3.5 * 3600, spanSeconds: 12 * 3600 }]);
  });
  it('splits a span across local midnights', () => {
    const start = Date.UTC(2026, 5, 1, 20); // 22:00 Berlin (CEST)
    const d = dayCoverage([{ startMs: start, endMs: start + 4 * H }], start, start + 4 * H, 'Europe/Berlin');
    expect(d.map((x) => [x.day, x.recordedSeconds / 3600])).toEqual([
      ['2026-06-01', 2],
      ['2026-06-02', 2],
    ]);
  });
});
