import { describe, expect, it } from 'vitest';
import { AnchorEstimator, deriveTimeline, driftMs, reasonSplitsGap, segmentEndMs, segmentStartMs, splitHole } from './runs.js';

describe('wall-clock anchoring', () => {
  it('takes the smallest arrival-minus-stream-time, so a connect burst does not skew it', () => {
    const a = new AnchorEstimator(10_000);
    const T = 1_000_000;
    // 2 s of buffered frames arrive at once 2 s after capture began, then live frames with 300 ms latency
    for (let s = 0; s <= 2000; s += 100) a.observe(T + 2000 + 5, s);
    for (let s = 2100; s <= 9000; s += 100) a.observe(T + s + 300 + (s % 700 === 0 ? 150 : 0), s);
    expect(a.anchorMs).toBe(T + 5);
    // outside the window nothing changes
    expect(a.observe(T + 20_000, 19_999)).toBe(false);
  });
  it('places segments by stream time and their own duration', () => {
    expect(segmentStartMs(1_000_000, 0.1, 10.1)).toBe(1_010_000);
    expect(segmentEndMs(1_010_000, 9999.6)).toBe(1_020_000);
    expect(driftMs(1_012_500, 1_000_000, 0, 10)).toBe(2500);
  });
});

describe('gaps from segments and journal events', () => {
  const seg = (startMs: number, endMs: number, runId: string) => ({ startMs, endMs, runId });
  it('continuous runs have no gaps; a new run after a hole gets the journaled reason', () => {
    const t = deriveTimeline(
      [seg(0, 10, 'a'), seg(10, 20, 'a'), seg(50, 60, 'b'), seg(60, 70, 'b')],
      [{ startMs: 20, reason: 'camera_unreachable' }],
    );
    expect(t.gaps).toEqual([{ startMs: 20, endMs: 50, reason: 'camera_unreachable' }]);
  });
  it('splits a hole at each event and marks the part before the first event unknown', () => {
    expect(
      splitHole(100, 400, [
        { startMs: 150, reason: 'camera_unreachable' },
        { startMs: 300, reason: 'engine_down' },
        { startMs: 500, reason: 'disabled' },
      ]),
    ).toEqual([
      { startMs: 100, endMs: 150, reason: 'unknown' },
      { startMs: 150, endMs: 300, reason: 'camera_unreachable' },
      { startMs: 300, endMs: 400, reason: 'engine_down' },
    ]);
  });
  it('the last event at one instant wins', () => {
    expect(
      splitHole(0, 10, [
        { startMs: 0, reason: 'stall' },
        { startMs: 0, reason: 'engine_down' },
      ]),
    ).toEqual([{ startMs: 0, endMs: 10, reason: 'engine_down' }]);
  });
  it('clamps an overlapping earlier run (re-anchoring ahead of the stream clock)', () => {
    const t = deriveTimeline([seg(0, 10, 'a'), seg(10, 20, 'a'), seg(17, 27, 'a.1')], [{ startMs: 20, reason: 'stall' }]);
    expect(t.segments.map((s) => [s.startMs, s.endMs])).toEqual([
      [0, 10],
      [10, 17],
      [17, 27],
    ]);
    expect(t.gaps).toEqual([]);
  });
  it('events after the last segment make an open gap', () => {
    const t = deriveTimeline(
      [seg(0, 10, 'a')],
      [
        { startMs: 10, reason: 'camera_unreachable' },
        { startMs: 40, reason: 'engine_down' },
      ],
    );
    expect(t.gaps).toEqual([
      { startMs: 10, endMs: 40, reason: 'camera_unreachable' },
      { startMs: 40, endMs: null, reason: 'engine_down' },
    ]);
  });
  it('same-run neighbours never get a gap even with events between them', () => {
    expect(deriveTimeline([seg(0, 10, 'a'), seg(12, 20, 'a')], [{ startMs: 10, reason: 'stall' }]).gaps).toEqual([]);
  });
  it('camera-side causes are one outage; engine, disabled and disk causes are told apart', () => {
    expect(reasonSplitsGap('camera_unreachable', 'stall')).toBe(false);
    expect(reasonSplitsGap('stall', 'auth_failed')).toBe(false);
    expect(reasonSplitsGap('camera_unreachable', 'engine_down')).toBe(true);
    expect(reasonSplitsGap('engine_down', 'camera_unreachable')).toBe(true);
    expect(reasonSplitsGap('disabled', 'disabled')).toBe(false);
  });
});
