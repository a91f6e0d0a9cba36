import { describe, expect, it } from 'vitest';
import { DAY, formatClock, formatDay, HOUR, MINUTE, SECOND } from '../../time/index.js';
import {
  MAX_SPAN,
  MIN_SPAN,
  adjacentEvent,
  alignedInstants,
  chooseStep,
  follow,
  gapAt,
  ladderStep,
  mergeRuns,
  nextPlayable,
  parseGoTo,
  rangesToRects,
  runIndexAt,
  ticks,
  timeToX,
  toGaps,
  unionRuns,
  xToTime,
  zoomToSpan,
  zoomView,
  type TimelineEvent,
} from './timeline-math.js';

const BER = 'Europe/Berlin';
const T = (iso: string) => Date.parse(iso);

describe('ticks', () => {
  it('places hourly ticks on the real instants across the spring gap (no 02:00)', () => {
    const v = { start: T('2026-03-28T23:00:00Z'), span: 23 * HOUR }; // the whole local day
    const inst = alignedInstants(v.start, v.start + v.span, HOUR, BER);
    expect(inst).toHaveLength(24); // 00:00..23:00 local minus the missing 02:00, plus next midnight
    const labels = inst.map((t) => formatClock(t, BER, false));
    expect(labels.slice(0, 4)).toEqual(['00:00', '01:00', '03:00', '04:00']);
    expect(labels.includes('02:00')).toBe(false);
    expect(labels[labels.length - 1]).toBe('00:00');
    for (let i = 1; i < inst.length; i++) expect(inst[i]! - inst[i - 1]!).toBe(HOUR);
  });

  it('shows the repeated autumn hour twice, told apart by zone name', () => {
    const v = { start: T('2026-10-24T22:00:00Z'), span: 25 * HOUR };
    const { labelled, step } = ticks(v, 25 * 80, BER, 72);
    expect(step).toBe(HOUR);
    const two = labelled.filter((t) => t.label.startsWith('02:00'));
    expect(two).toHaveLength(2);
    expect(two[0]!.label).toBe('02:00 CEST');
    expect(two[1]!.label).toBe('02:00 CET');
    expect(two[1]!.t - two[0]!.t).toBe(HOUR);
    expect(labelled[0]).toMatchObject({ major: true, label: 'Sun 25 Oct' });
    expect(labelled.filter((t) => t.major)).toHaveLength(2); // both midnights, 25 h apart
  });

  it('puts day ticks at local midnights in multi-day views', () => {
    const v = { start: T('2026-03-27T00:00:00Z'), span: 4 * DAY };
    const inst = alignedInstants(v.start, v.start + v.span, DAY, BER);
    expect(inst.map((t) => formatDay(t, BER))).toEqual(['Sat 28 Mar', 'Sun 29 Mar', 'Mon 30 Mar', 'Tue 31 Mar']);
    expect(inst[1]! - inst[0]!).toBe(24 * HOUR);
    expect(inst[2]! - inst[1]!).toBe(23 * HOUR);
    const weekly = alignedInstants(T('2026-03-01T00:00:00Z'), T('2026-03-31T00:00:00Z'), 7 * DAY, BER);
    expect(weekly.map((t) => formatDay(t, BER).slice(0, 3))).toEqual(['Mon', 'Mon', 'Mon', 'Mon', 'Mon']); // 2, 9, 16, 23, 30 March
  });

  it('aligns sub-hour ticks to the local clock in a +05:45 zone', () => {
    const tz = 'Asia/Kathmandu';
    const inst = alignedInstants(T('2026-01-01T00:00:00Z'), T('2026-01-01T01:00:00Z'), 10 * MINUTE, tz);
    expect(inst.map((t) => formatClock(t, tz, false))).toEqual(['05:50', '06:00', '06:10', '06:20', '06:30', '06:40']);
  });

  it('chooses a step from seconds to days as the view zooms', () => {
    const w = 1000;
    expect(chooseStep({ start: 0, span: 10 * SECOND }, w, 70)).toBe(SECOND);
    expect(chooseStep({ start: 0, span: 5 * MINUTE }, w, 70)).toBe(30 * SECOND);
    expect(chooseStep({ start: 0, span: HOUR }, w, 70)).toBe(5 * MINUTE);
    expect(chooseStep({ start: 0, span: DAY }, w, 70)).toBe(2 * HOUR);
    expect(chooseStep({ start: 0, span: 7 * DAY }, w, 70)).toBe(12 * HOUR);
    expect(chooseStep({ start: 0, span: 14 * DAY }, w, 70)).toBe(DAY);
    const s = ticks({ start: T('2026-06-01T10:00:03.500Z'), span: 10 * SECOND }, w, BER, 70);
    expect(s.labelled[0]!.label).toBe('12:00:04');
    expect(s.labelled).toHaveLength(10);
    expect(s.minor).toEqual([]); // nothing finer than a second
    const h = ticks({ start: T('2026-06-01T10:00:00Z'), span: HOUR }, w, BER, 70);
    expect(h.step).toBe(5 * MINUTE);
    expect(h.labelled.map((t) => t.label).slice(0, 3)).toEqual(['12:00', '12:05', '12:10']);
    expect(h.minor).toHaveLength(60 - 13 + 1); // every minute that has no label
  });
});

describe('view: zoom, pan, pixels', () => {
  it('converts between time and pixels', () => {
    const v = { start: 1000, span: 10_000 };
    expect(timeToX(v, 500, 6000)).toBe(250);
    expect(xToTime(v, 500, 250)).toBe(6000);
  });

  it('zooms around an anchor and clamps from seconds to days', () => {
    const v = { start: 0, span: HOUR };
    const z = zoomView(v, 0.5, 15 * MINUTE);
    expect(z.span).toBe(30 * MINUTE);
    expect(timeToX(z, 100, 15 * MINUTE)).toBeCloseTo(timeToX(v, 100, 15 * MINUTE));
    expect(zoomView(v, 1e-6).span).toBe(MIN_SPAN);
    expect(zoomView(v, 1e6).span).toBe(MAX_SPAN);
    expect(zoomToSpan(v, DAY).span).toBe(DAY);
    expect(ladderStep(HOUR, -1)).toBe(15 * MINUTE);
    expect(ladderStep(HOUR, 1)).toBe(3 * HOUR);
    expect(ladderStep(MIN_SPAN, -1)).toBe(MIN_SPAN);
    expect(ladderStep(MAX_SPAN, 1)).toBe(MAX_SPAN);
    expect(ladderStep(40 * MINUTE, 1)).toBe(HOUR);
  });

  it('pages to keep the playhead in view', () => {
    const v = { start: 0, span: 100_000 };
    expect(follow(v, 50_000)).toBe(v);
    expect(follow(v, 99_000).start).toBe(49_000);
  });
});

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
});

describe('go to a typed time', () => {
  const now = T('2026-03-29T10:00:00Z'); // 12:00 CEST
  it('reads dates and times in the zone, DST-aware', () => {
    expect(parseGoTo('2026-03-29 01:30', BER, now)).toEqual({ t: T('2026-03-29T00:30:00Z') });
    expect(parseGoTo('2026-03-29 02:30', BER, now)).toEqual({ t: T('2026-03-29T01:30:00Z') });
    expect(parseGoTo('2026-10-25 02:30', BER, now)).toEqual({ t: T('2026-10-25T00:30:00Z') });
    expect(parseGoTo('2026-10-25 02:30 later', BER, now)).toEqual({ t: T('2026-10-25T01:30:00Z') });
    expect(parseGoTo('29.03.2026 11:15:30', BER, now)).toEqual({ t: T('2026-03-29T09:15:30Z') });
    expect(parseGoTo('2026-03-29T11:15', BER, now)).toEqual({ t: T('2026-03-29T09:15:00Z') });
  });
  it('reads times of today, falling back to yesterday for a future time', () => {
    expect(parseGoTo('11:00', BER, now)).toEqual({ t: T('2026-03-29T09:00:00Z') });
    expect(parseGoTo('23:00', BER, now)).toEqual({ t: T('2026-03-28T22:00:00Z') });
  });
  it('reads relative times', () => {
    expect(parseGoTo('-1h', BER, now)).toEqual({ t: now - HOUR });
    expect(parseGoTo('-1h30m', BER, now)).toEqual({ t: now - 90 * MINUTE });
    expect(parseGoTo('-90s', BER, now)).toEqual({ t: now - 90 * SECOND });
    expect(parseGoTo('now', BER, now)).toEqual({ t: now });
  });
  it('explains bad input', () => {
    expect(parseGoTo('', BER, now)).toHaveProperty('error');
    expect(parseGoTo('yesterday-ish', BER, now)).toHaveProperty('error');
    expect(parseGoTo('2026-02-30 10:00', BER, now)).toEqual({ error: '2026-02 has no day 30' });
    expect(parseGoTo('25:00', BER, now)).toHaveProperty('error');
  });
});
