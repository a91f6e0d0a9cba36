import { describe, expect, it } from 'vitest';
import { Tracker, type Box } from './tracker.js';

const p = (x: number, label = 'person', score = 0.8) => ({ label, score, box: [x, 0.2, x + 0.1, 0.6] as Box });

describe('tracker', () => {
  it('one person walking through makes one track and one start/end', () => {
    const tr = new Tracker({ minHits: 3, maxMisses: 2 });
    const starts: number[] = [];
    const ends: number[] = [];
    let t = 0;
    for (let x = 0; x < 0.5; x += 0.02) {
      const u = tr.update([p(x)], (t += 500));
      starts.push(...u.started.map((s) => s.id));
      ends.push(...u.ended.map((s) => s.id));
    }
    expect(starts).toEqual([1]);
    expect(ends).toEqual([]);
    for (let i = 0; i < 3; i++) ends.push(...tr.update([], (t += 500)).ended.map((s) => s.id));
    expect(ends).toEqual([1]);
    expect(tr.open).toHaveLength(0);
  });

  it('a flicker shorter than minHits never starts', () => {
    const tr = new Tracker({ minHits: 3, maxMisses: 1 });
    const u1 = tr.update([p(0.1)], 0);
    const u2 = tr.update([p(0.1)], 500);
    const u3 = tr.update([], 1000);
    const u4 = tr.update([], 1500);
    expect([...u1.started, ...u2.started, ...u3.started, ...u4.started, ...u3.ended, ...u4.ended]).toHaveLength(0);
  });

  it('keeps separate ids for separate objects and labels', () => {
    const tr = new Tracker({ minHits: 1 });
    const u = tr.update([p(0.1), p(0.7), p(0.1, 'vehicle')], 0);
    expect(u.started.map((t) => t.id)).toEqual([1, 2, 3]);
    const u2 = tr.update([p(0.71), p(0.11)], 500);
    expect(u2.started).toHaveLength(0);
    expect(tr.open.find((t) => t.id === 2)!.box[0]).toBeCloseTo(0.71);
    expect(tr.open.find((t) => t.id === 1)!.hits).toBe(2);
    expect(tr.flush().map((t) => t.id).sort()).toEqual([1, 2, 3]);
  });

  it('follows a small object that moves more than its width between inferences (predicted centre)', () => {
    const tr = new Tracker({ minHits: 2, maxMisses: 1 });
    const small = (x: number) => ({ label: 'person', score: 0.7, box: [x, 0.5, x + 0.02, 0.56] as Box });
    const ids = new Set<number>();
    for (let i = 0; i < 20; i++) for (const t of tr.update([small(0.1 + i * 0.025)], i * 500).started) ids.add(t.id);
    expect(ids.size).toBe(1);
    // but a far jump of a different size is a new object
    tr.update([{ label: 'person', score: 0.7, box: [0.9, 0.1, 0.98, 0.4] }], 10_500);
    expect(tr.open.some((t) => t.box[0] === 0.9 && t.hits === 1)).toBe(true);
  });
});
