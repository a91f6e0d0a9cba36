import { describe, expect, it } from 'vitest';
import { etaSeconds } from './queue.js';

describe('export ETA', () => {
  it('is unknown at first, then elapsed × (1 − f) / f', () => {
    expect(etaSeconds(500, 0.5)).toBeNull();
    expect(etaSeconds(5000, 0.005)).toBeNull();
    expect(etaSeconds(10_000, 0.25)).toBe(30);
    expect(etaSeconds(10_000, 1)).toBe(0);
  });
});
