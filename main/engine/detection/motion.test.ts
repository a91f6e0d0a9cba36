import { describe, expect, it } from 'vitest';
import { MotionGate, changedFraction, greyThumb } from './motion.js';

function frame(w: number, h: number, fill: number, square?: { x: number; y: number; s: number; v: number }): Uint8Array {
  const f = new Uint8Array(w * h * 3).fill(fill);
  if (square)
    for (let y = square.y; y < square.y + square.s; y++) for (let x = square.x; x < square.x + square.s; x++) f.fill(square.v, (y * w + x) * 3, (y * w + x) * 3 + 3);
  return f;
}

describe('motion gate', () => {
  it('grey thumbnail averages blocks', () => {
    const t = greyThumb(frame(16, 8, 100), 16, 8, 8);
    expect(t.w).toBe(2);
    expect(t.h).toBe(1);
    expect([...t.data]).toEqual([100, 100]);
    expect(changedFraction(new Uint8Array([1, 2]), new Uint8Array([1, 50]), 10)).toBe(0.5);
  });

  it('runs on the first frame, skips a still scene, runs on a moving square', () => {
    const g = new MotionGate({ maxIdleMs: 10_000 });
    expect(g.check(frame(160, 120, 50), 160, 120, 0)).toBe(true);
    expect(g.check(frame(160, 120, 50), 160, 120, 500)).toBe(false);
    expect(g.check(frame(160, 120, 51), 160, 120, 1000)).toBe(false); // noise below threshold
    expect(g.check(frame(160, 120, 50, { x: 40, y: 40, s: 24, v: 250 }), 160, 120, 1500)).toBe(true);
    expect(g.lastChange).toBeGreaterThan(0);
  });

  it('runs at least every maxIdleMs, and when forced', () => {
    const g = new MotionGate({ maxIdleMs: 2000 });
    g.check(frame(64, 64, 0), 64, 64, 0);
    expect(g.check(frame(64, 64, 0), 64, 64, 1000)).toBe(false);
    expect(g.check(frame(64, 64, 0), 64, 64, 1000, true)).toBe(true);
    expect(g.check(frame(64, 64, 0), 64, 64, 2500)).toBe(false);
    expect(g.check(frame(64, 64, 0), 64, 64, 3100)).toBe(true);
  });

  it('tells how long nothing moved (forced runs are not motion)', () => {
    const g = new MotionGate({ maxIdleMs: 2000 });
    expect(g.quietMs(0)).toBe(Infinity);
    g.check(frame(64, 64, 0), 64, 64, 0); // the first frame counts as motion
    g.check(frame(64, 64, 0), 64, 64, 3000); // forced by maxIdleMs, no motion
    expect(g.quietMs(12_000)).toBe(12_000);
    g.check(frame(64, 64, 200), 64, 64, 12_500);
    expect(g.quietMs(13_000)).toBe(500);
  });
});

describe('motion gate with motion masks', () => {
  const f = (w: number, h: number, fill: number, sq?: { x: number; y: number; s: number; v: number }) => {
    const b = new Uint8Array(w * h * 3).fill(fill);
    if (sq) for (let y = sq.y; y < sq.y + sq.s; y++) for (let x = sq.x; x < sq.x + sq.s; x++) b.fill(sq.v, (y * w + x) * 3, (y * w + x) * 3 + 3);
    return b;
  };
  it('ignores motion inside a motion mask, sees it outside', () => {
    const g = new MotionGate({ maxIdleMs: 1e9 });
    g.setMasks([[[0, 0], [0.5, 0], [0.5, 1], [0, 1]]]);
    expect(g.check(f(64, 32, 50), 64, 32, 0)).toBe(true); // the first frame
    expect(g.check(f(64, 32, 50, { x: 0, y: 0, s: 16, v: 250 }), 64, 32, 100)).toBe(false); // moved under the mask
    expect(g.lastChange).toBe(0);
    expect(g.check(f(64, 32, 50, { x: 40, y: 8, s: 16, v: 250 }), 64, 32, 200)).toBe(true); // moved outside it
  });
  it('never opens when the masks cover the whole picture, not even for the forced look', () => {
    const g = new MotionGate({ maxIdleMs: 1000 });
    g.setMasks([[[0, 0], [1, 0], [1, 1], [0, 1]]]);
    let opened = 0;
    for (let i = 0; i < 20; i++) if (g.check(f(64, 32, i * 10), 64, 32, i * 1000)) opened++;
    expect(opened).toBe(0);
    expect(g.allMasked).toBe(true);
    g.setMasks([]);
    expect(g.check(f(64, 32, 0), 64, 32, 30_000)).toBe(true);
  });
});
