import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoff', () => {
  it('doubles from 0.5 s up to 5 s', () => {
    const d = [0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, { jitter: 0 }));
    expect(d).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });
  it('adds bounded jitter and never exceeds the ceiling', () => {
    expect(backoffDelay(0, { jitter: 0.1, random: () => 1 })).toBe(550);
    expect(backoffDelay(9, { jitter: 0.5, random: () => 1 })).toBe(5000);
  });
});
