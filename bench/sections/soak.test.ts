import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM JavaScript without type declarations
import { holesWhileUp, percentile, slope } from './soak.mjs';

describe('soak arithmetic', () => {
  it('fits the slope per hour by least squares', () => {
    expect(slope([[0, 100], [0.5, 101], [1, 102]])).toBeCloseTo(2);
    expect(slope([[0, 5], [1, 5], [2, 5]])).toBe(0);
    expect(slope([[0, 1]])).toBeNull();
    expect(slope([[1, 1], [1, 2]])).toBeNull();
  });

  it('finds what the segments miss while a camera was up, less the allowance after each return', () => {
    // up [0, 100) and [200, 300); allowance 10 after each start
    const up = [
      [0, 100],
      [200, 300],
    ];
    const segs = [
      [5, 60],
      [60, 100],
      [212, 250],
      [260, 300],
    ];
    const r = holesWhileUp(up, segs, 10, 0);
    expect(r.requiredMs).toBe(180);
    // [210, 212) is a hole (the camera resumed 2 later than the allowance), [250, 260) another
    expect(r.holes).toEqual([
      { start: 210, end: 212 },
      { start: 250, end: 260 },
    ]);
    expect(r.lostMs).toBe(12);
    // holes shorter than minMs are not counted
    expect(holesWhileUp(up, segs, 10, 5).lostMs).toBe(10);
    // nothing recorded at all: every required ms is lost
    expect(holesWhileUp(up, [], 10, 0).lostMs).toBe(180);
  });

  it('takes percentiles by rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(Number.isNaN(percentile([], 99))).toBe(true);
  });
});
