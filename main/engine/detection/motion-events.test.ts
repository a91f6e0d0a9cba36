import { describe, expect, it } from 'vitest';
import { MotionEvents } from './motion-events.js';

describe('software motion events', () => {
  it('starts on the first frame that moves, ends after the quiet time with the peak, ignores noise', () => {
    const m = new MotionEvents({ minScore: 0.01, endAfterMs: 5000 });
    expect(m.frame(0.004, 0)).toEqual([]); // below the event threshold
    expect(m.frame(0.02, 500)).toEqual([{ phase: 'start', timeMs: 500, score: 0.02 }]);
    expect(m.moving).toBe(true);
    expect(m.frame(0.3, 1000)).toEqual([]);
    expect(m.frame(0, 5999)).toEqual([]);
    expect(m.frame(0, 6000)).toEqual([{ phase: 'end', timeMs: 1000, score: 0.3 }]);
    expect(m.moving).toBe(false);
    expect(m.tick(99_000)).toEqual([]);
    m.frame(0.05, 10_000);
    expect(m.flush()).toEqual([{ phase: 'end', timeMs: 10_000, score: 0.05 }]);
    expect(m.flush()).toEqual([]);
  });
});
