import { describe, expect, it } from 'vitest';
import { DAY } from '../../../time/index.js';
import { adjacentEvent, episodeStarts, gapAt, mergeRuns, nextPlayable, rangesToRects, runIndexAt, toGaps, unionRuns, type TimelineEvent } from './runs.js';

const T = (iso: string) => Date.parse(iso);

describe('runs, gaps, events', () => {
  const segs = [
    { start: '2026-06-01T10:00:00Z', end: '2026-06-01T10:00:10Z' },
    { start: '2026-06-01T10:00:10.400Z', end: '2026-06-01T10:00:20Z' }, // boundary jitter: same run
    { start: '2026-06-01T10:05:00Z', end: '2026-06-01T10:05:10Z' },
    { start: 'garbage', end: '2026-06-01T10:05:10Z' },
    { start: '2026-06-01T10:06:00Z', end: '2026-06-01T10:06:00Z' },
  ];

  it('merges segments into runs and drops bad ones', () => {
    const runs = mergeRuns(segs);
    expect(runs).toEqual([
      { start: T('2026-06-01T10:00:00Z'), end: T('2026-06-01T10:00:20Z'), segments: 2 },
      { start: T('2026-06-01T10:05:00Z'), end: T('2026-06-01T10:05:10Z'), segments: 1 },
    ]);
    expect(runIndexAt(runs, T('2026-06-01T10:00:15Z'))).toBe(0);
    expect(runIndexAt(runs, T('2026-06-01T10:00:20Z'))).toBe(-1);
    expect(runIndexAt(runs, T('2026-06-01T10:05:05Z'))).toBe(1);
  });

  it('skips a gap forward and backward, and reports the end of recordings', () => {
    const runs = mergeRuns(segs);
    expect(nextPlayable(runs, T('2026-06-01T10:00:05Z'))).toEqual({ t: T('2026-06-01T10:00:05Z'), skipped: null });
    expect(nextPlayable(runs, T('2026-06-01T10:01:00Z'))).toEqual({
      t: T('2026-06-01T10:05:00Z'),
      skipped: { start: T('2026-06-01T10:01:00Z'), end: T('2026-06-01T10:05:00Z') },
    });
    expect(nextPlayable(runs, T('2026-06-01T10:01:00Z'), -1)!.t).toBe(T('2026-06-01T10:00:20Z') - 1);
    expect(nextPlayable(runs, T('2026-06-01T11:00:00Z'))).toBeNull();
    expect(nextPlayable(runs, T('2026-06-01T09:00:00Z'), -1)).toBeNull();
  });

  it('finds the gap reason under the pointer', () => {
    const gaps = toGaps([
      { start: '2026-06-01T10:00:20Z', end: '2026-06-01T10:05:00Z', reason: 'camera_unreachable' },
      { start: 'x', end: 'y', reason: 'unknown' },
    ]);
    expect(gaps).toHaveLength(1);
    expect(gapAt(gaps, T('2026-06-01T10:03:00Z'))?.reason).toBe('camera_unreachable');
    expect(gapAt(gaps, T('2026-06-01T10:06:00Z'))).toBeUndefined();
  });

  it('merges runs of several cameras', () => {
    expect(
      unionRuns([
        [
          { start: 0, end: 10 },
          { start: 50, end: 60 },
        ],
        [{ start: 5, end: 20 }],
      ]),
    ).toEqual([
      { start: 0, end: 20 },
      { start: 50, end: 60 },
    ]);
  });

  it('draws a week of 10-second segments as a few pixel rects', () => {
    const runs = [];
    for (let i = 0; i < 7 * 8640; i++) if (i % 1000 !== 999) runs.push({ start: i * 10_000, end: i * 10_000 + 9_000 });
    const rects = rangesToRects(runs, { start: 0, span: 7 * DAY }, 1000);
    expect(rects.length).toBeLessThan(100);
    expect(rects[0]!.x).toBe(0);
    const zoomed = rangesToRects(runs, { start: 0, span: 60_000 }, 600);
    expect(zoomed).toHaveLength(6);
    expect(zoomed[1]).toEqual({ x: 100, w: 90 });
  });

  it('jumps between events, moving on when already on one', () => {
    const ev: TimelineEvent[] = [
      { time: 1000, kind: 'motion', label: 'a' },
      { time: 5000, kind: 'person', label: 'b' },
      { time: 9000, kind: 'alarm', label: 'c' },
    ];
    expect(adjacentEvent(ev, 5000, 1)!.label).toBe('c');
    expect(adjacentEvent(ev, 5000, -1)!.label).toBe('a');
    expect(adjacentEvent(ev, 5200, -1)!.label).toBe('a');
    expect(adjacentEvent(ev, 9000, 1)).toBeNull();
    expect(adjacentEvent(ev, 0, 1)!.label).toBe('a');
  });

  it('steps over repeats of the same thing: a person seen every 5 s is one episode (issue 14)', () => {
    const T = 1_000_000;
    const person = Array.from({ length: 12 }, (_, i) => ({ time: T + i * 5000, kind: 'person', label: 'Person', cameraId: 'gate' }));
    const alarm = { time: T + 20_000, kind: 'alarm', label: 'P1 Door', cameraId: 'gate' };
    const later = { time: T + 200_000, kind: 'person', label: 'Person again', cameraId: 'gate' };
    const other = { time: T + 10_000, kind: 'person', label: 'Person at the yard', cameraId: 'yard' };
    const eps = episodeStarts([...person, alarm, later, other]);
    expect(eps.map((e) => e.label)).toEqual(['Person', 'Person at the yard', 'P1 Door', 'Person again']);
    let t = T - 1000;
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      const e = adjacentEvent(eps, t, 1);
      if (!e) break;
      seen.push(e.label);
      t = e.time;
    }
    expect(seen).toEqual(['Person', 'Person at the yard', 'P1 Door', 'Person again']);
    // a track with an end holds its episode until then
    expect(episodeStarts([{ time: 0, end: 120_000, kind: 'person', label: 'a' }, { time: 150_000, kind: 'person', label: 'b' }]).map((e) => e.label)).toEqual(['a']);
  });
});
