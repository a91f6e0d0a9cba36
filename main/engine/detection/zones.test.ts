import { describe, expect, it } from 'vitest';
import type { NormBox } from '../../api/detection.js';
import { ZoneTracker, type ZoneDef, type ZoneTransition } from './zones.js';

// zone: the left half of the picture
const left: ZoneDef = { id: 'z_left', name: 'Left', polygon: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]], labels: [], minDwellSeconds: 2, inertiaFrames: 2 };
// a box standing at x (its bottom centre)
const at = (x: number): NormBox => [x - 0.02, 0.5, x + 0.02, 0.7];
const phases = (l: ZoneTransition[]) => l.map((t) => `${t.trackId}:${t.phase}`);

describe('zone tracker', () => {
  it('enters after the inertia, dwells once, leaves after the inertia; counts objects of the label', () => {
    const z = new ZoneTracker();
    z.setZones([left]);
    const out: ZoneTransition[] = [];
    let t = 0;
    const step = (xs: Record<number, number>, label = 'person') => {
      out.push(...z.update(Object.entries(xs).map(([id, x]) => ({ trackId: Number(id), label, box: at(x) })), t));
      t += 500;
    };
    step({ 1: 0.2 }); // inside, 1 frame: not yet
    expect(out).toEqual([]);
    step({ 1: 0.2, 2: 0.3 }); // 1 entered (2 frames)
    expect(phases(out)).toEqual(['1:enter']);
    expect(out[0]).toMatchObject({ dwellSeconds: 0, count: 1, zoneId: 'z_left', zone: 'Left', timeMs: 500 });
    step({ 1: 0.2, 2: 0.3 }); // 2 entered: two people now
    expect(out[1]).toMatchObject({ trackId: 2, phase: 'enter', count: 2 });
    step({ 1: 0.2, 2: 0.3 });
    step({ 1: 0.2, 2: 0.3 }); // t=2000: track 1 inside for 1.5 s
    expect(phases(out)).toEqual(['1:enter', '2:enter']);
    step({ 1: 0.2, 2: 0.3 }); // t=2500: 1 dwelt 2 s
    expect(out[2]).toMatchObject({ trackId: 1, phase: 'dwell', dwellSeconds: 2, count: 2 });
    step({ 1: 0.8, 2: 0.3 }); // 1 outside once: still inside (inertia 2); 2 dwells
    expect(phases(out).slice(3)).toEqual(['2:dwell']);
    step({ 1: 0.8, 2: 0.3 }); // 1 leaves: the one leaving no longer counts
    expect(out[4]).toMatchObject({ trackId: 1, phase: 'leave', count: 1, dwellSeconds: 3 });
    step({ 1: 0.2, 2: 0.3 });
    step({ 1: 0.2, 2: 0.3 }); // 1 back in: a new enter, but no second dwell, ever
    for (let i = 0; i < 10; i++) step({ 1: 0.2, 2: 0.3 });
    expect(phases(out).slice(5)).toEqual(['1:enter']);
    // a track that ends leaves at the time it was last seen
    const end = z.end(2, 7000);
    expect(end).toEqual([expect.objectContaining({ trackId: 2, phase: 'leave', timeMs: 7000, count: 1 })]);
    expect(z.end(2, 8000)).toEqual([]);
  });

  it('filters by label, dwells at once with a zero dwell, and keeps state across a zone edit', () => {
    const z = new ZoneTracker();
    z.setZones([{ ...left, labels: ['vehicle'], minDwellSeconds: 0, inertiaFrames: 1 }]);
    expect(z.update([{ trackId: 1, label: 'person', box: at(0.2) }], 0)).toEqual([]);
    const l = z.update([{ trackId: 2, label: 'vehicle', box: at(0.2) }], 0);
    expect(phases(l)).toEqual(['2:enter', '2:dwell']);
    expect(l[1]!.dwellSeconds).toBe(0);
    // the zone's polygon moved: the vehicle is still inside it, no new enter
    z.setZones([{ ...left, polygon: [[0, 0], [0.6, 0], [0.6, 1], [0, 1]], labels: ['vehicle'], minDwellSeconds: 0, inertiaFrames: 1 }]);
    expect(z.update([{ trackId: 2, label: 'vehicle', box: at(0.2) }], 500)).toEqual([]);
    expect(z.zonesOf(2)).toEqual(['z_left']);
    // the zone removed: forgotten, no leave
    z.setZones([]);
    expect(z.end(2, 1000)).toEqual([]);
  });

  it('dwell timers run on frames without an inference (tick)', () => {
    const z = new ZoneTracker();
    z.setZones([{ ...left, minDwellSeconds: 10, inertiaFrames: 1 }]);
    z.update([{ trackId: 1, label: 'person', box: at(0.1) }], 1000);
    expect(z.tick(10_999)).toEqual([]);
    expect(phases(z.tick(11_000))).toEqual(['1:dwell']);
    expect(z.tick(20_000)).toEqual([]);
  });
});
