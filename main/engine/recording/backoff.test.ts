import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('restart back-off', () => {
  it('doubles from 1 s up to 30 s', () => {
    const b = new Backoff();
    expect(Array.from({ length: 8 }, () => b.next())).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
  it('resets after a healthy run, not after a short one', () => {
    const b = new Backoff(1000, 30000, 60000);
    b.next();
    b.next();
    b.runEnded(5000);
    expect(b.next()).toBe(4000);
    b.runEnded(60000);
    expect(b.next()).toBe(1000);
  });
});
