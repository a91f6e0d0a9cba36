import { describe, expect, it } from 'vitest';
import { MotionGate } from './motion.js';
import type { BatchFrame, BatchResult, WorkerDetection } from './pool.js';
import { DetectionScheduler, type SchedulerPool } from './scheduler.js';

/** A pool with `workers` slots whose requests finish when the test says so. */
class FakePool implements SchedulerPool {
  busy = 0;
  requests: { frames: BatchFrame[]; finish: (r: BatchResult | null) => void }[] = [];
  constructor(
    public workers = 1,
    public maxBatch = 1,
  ) {}
  idle(): boolean {
    return this.busy < this.workers;
  }
  buffer(bytes: number): ArrayBuffer {
    return new ArrayBuffer(bytes);
  }
  detectBatch(frames: BatchFrame[]): Promise<BatchResult | null> | null {
    if (!this.idle()) return null;
    this.busy++;
    return new Promise((resolve) => {
      this.requests.push({
        frames,
        finish: (r) => {
          this.busy--;
          resolve(r);
        },
      });
    });
  }
  /** Finish the oldest open request with `dets` for every frame (null = worker failed). */
  async finishNext(dets: WorkerDetection[] | null = []): Promise<void> {
    const req = this.requests.shift()!;
    req.finish(dets ? { results: req.frames.map(() => dets), inferMs: 10 * req.frames.length, totalMs: 12 * req.frames.length, runs: 1 } : null);
    await new Promise((r) => setImmediate(r));
  }
}

const frame = (v = 0) => Buffer.alloc(32 * 24 * 3, v);
const person: WorkerDetection = { label: 'person', classId: 0, score: 0.9, box: [0.1, 0.1, 0.2, 0.4] };

function lanes(s: DetectionScheduler, ids: string[], gate = false) {
  const seen: Record<string, number> = {};
  for (const id of ids) {
    seen[id] = 0;
    s.add({ id, gate: gate ? new MotionGate({ maxIdleMs: 5000 }) : null, onResult: () => seen[id]!++ });
  }
  return seen;
}

describe('DetectionScheduler', () => {
  it('newest frame wins: a camera keeps at most one frame waiting, the replaced ones count as skipped', async () => {
    const pool = new FakePool(1, 1);
    const s = new DetectionScheduler(() => pool);
    const seen = lanes(s, ['a']);
    for (let i = 0; i < 5; i++) s.offer('a', frame(i), 32, 24);
    // the first went to the worker at once; 2, 3, 4 replaced each other; 5 waits
    expect(pool.requests).toHaveLength(1);
    expect(s.backlog()).toEqual({ waiting: 1, inFlight: 1 });
    expect(s.counters('a')).toMatchObject({ offered: 5, skipped: 3, processed: 0 });
    await pool.finishNext([person]);
    expect(seen.a).toBe(1);
    expect(new Uint8Array(pool.requests[0]!.frames[0]!.frame)[0]).toBe(4); // the newest frame went next
    await pool.finishNext([person]);
    const c = s.counters('a')!;
    expect(c).toMatchObject({ offered: 5, processed: 2, inferred: 2, skipped: 3, gated: 0 });
    expect(c.offered).toBe(c.processed + c.skipped);
    expect(c.msPerFrame).toBe(12);
    expect(s.backlog()).toEqual({ waiting: 0, inFlight: 0 });
  });

  it('batches the waiting frames of several cameras into one request, the camera served longest ago first', async () => {
    const pool = new FakePool(1, 3);
    const s = new DetectionScheduler(() => pool);
    const seen = lanes(s, ['a', 'b', 'c', 'd']);
    s.offer('a', frame(), 32, 24); // goes alone: the worker was free
    for (const id of ['b', 'c', 'd']) s.offer(id, frame(), 32, 24);
    expect(pool.requests).toHaveLength(1);
    await pool.finishNext();
    expect(pool.requests[0]!.frames).toHaveLength(3); // b, c, d in one request
    s.offer('a', frame(), 32, 24);
    await pool.finishNext();
    expect(pool.requests[0]!.frames).toHaveLength(1); // then a
    await pool.finishNext();
    expect(seen).toEqual({ a: 2, b: 1, c: 1, d: 1 });
    expect(s.stats()).toMatchObject({ requests: 3, frames: 5, meanBatch: 1.67 });
  });

  it('serves every camera in turn when it cannot keep up (no camera starves)', async () => {
    const pool = new FakePool(1, 2);
    const s = new DetectionScheduler(() => pool);
    const ids = Array.from({ length: 16 }, (_, i) => `cam${i}`);
    const seen = lanes(s, ids);
    // 10 rounds: each camera offers a frame, the detector finishes one request of 2 per round
    for (let round = 0; round < 10; round++) {
      for (const id of ids) s.offer(id, frame(round), 32, 24);
      await pool.finishNext();
      expect(s.backlog().waiting).toBeLessThanOrEqual(16);
    }
    const counts = ids.map((id) => seen[id]!);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    for (const id of ids) {
      const c = s.counters(id)!;
      expect(c.offered).toBe(10);
      expect(c.processed + c.skipped + (s.backlog().waiting ? 1 : 0)).toBeGreaterThanOrEqual(9);
    }
  });

  it('gated frames are processed without the detector; a failed request counts its frames as skipped', async () => {
    const pool = new FakePool(1, 4);
    const s = new DetectionScheduler(() => pool);
    lanes(s, ['a'], true);
    s.offer('a', frame(10), 32, 24); // first frame: inferred (no previous)
    await pool.finishNext();
    s.offer('a', frame(10), 32, 24); // same picture: gated
    expect(pool.requests).toHaveLength(0);
    s.offer('a', frame(200), 32, 24); // changed: inferred, but the worker dies
    await pool.finishNext(null);
    expect(s.counters('a')).toMatchObject({ offered: 3, inferred: 1, gated: 1, processed: 2, skipped: 1 });
  });

  it('a camera removed while its frame is in the detector drops the result', async () => {
    const pool = new FakePool(1, 1);
    const s = new DetectionScheduler(() => pool);
    const seen = lanes(s, ['a']);
    s.offer('a', frame(), 32, 24);
    s.remove('a');
    await pool.finishNext([person]);
    expect(seen.a).toBe(0);
    expect(s.counters('a')).toBeNull();
  });

  it('without a pool (model loading) frames wait, one per camera', () => {
    const s = new DetectionScheduler(() => null);
    lanes(s, ['a', 'b']);
    for (let i = 0; i < 100; i++) {
      s.offer('a', frame(), 32, 24);
      s.offer('b', frame(), 32, 24);
    }
    expect(s.backlog()).toEqual({ waiting: 2, inFlight: 0 });
    expect(s.counters('a')).toMatchObject({ offered: 100, skipped: 99 });
  });

  it('keeps only ~10 s of timestamps per camera for its rates', () => {
    let t = 0;
    const s = new DetectionScheduler(() => null, () => t);
    lanes(s, ['a']);
    for (let i = 0; i < 10_000; i++) {
      t += 500;
      s.offer('a', frame(), 32, 24);
    }
    expect(s.rates('a').fps).toBe(2);
    const st = (s as unknown as { lanes: Map<string, { frameTimes: number[] }> }).lanes.get('a')!;
    expect(st.frameTimes.length).toBeLessThanOrEqual(20);
  });
});
