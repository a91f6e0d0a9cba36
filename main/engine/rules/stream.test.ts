import { describe, expect, it } from 'vitest';
import type { ZoneObjectEvent } from '../../api/detection.js';
import { DwellStream } from './stream.js';

const T0 = Date.parse('2026-11-27T22:00:00Z');
const z = (phase: ZoneObjectEvent['phase'], s: number, over: Partial<ZoneObjectEvent> = {}): ZoneObjectEvent => ({
  cameraId: 'yard',
  zoneId: 'z1',
  zone: 'Gate',
  label: 'person',
  trackId: 1,
  objectEventId: 10,
  phase,
  dwellSeconds: phase === 'enter' ? 0 : s,
  count: 1,
  time: new Date(T0 + s * 1000).toISOString(),
  eventId: 100 + s,
  ...over,
});

describe('the dwell stream', () => {
  it('passes zone events through when no rule has a dwell time of its own', () => {
    const st = new DwellStream(() => []);
    expect(st.feed(z('enter', 0))).toMatchObject([{ phase: 'enter', synthetic: false }]);
    expect(st.feed(z('dwell', 5))).toMatchObject([{ phase: 'dwell', dwellSeconds: 5, dwellFrom: -1, synthetic: false }]);
    expect(st.size).toBe(0);
  });

  it("makes a dwell event at a rule's dwell time while the object is inside, once, in time order", () => {
    const st = new DwellStream(() => [30, 10, 30]);
    st.feed(z('enter', 0));
    expect(st.nextDue()).toBe(T0 + 10_000);
    // the detector's own dwell at 5 s (the zone's minimum)
    expect(st.feed(z('dwell', 5))).toMatchObject([{ synthetic: false, dwellFrom: -1, dwellSeconds: 5 }]);
    // at 31 s both rule times have passed: 10 then 30
    const due = st.advance(T0 + 31_000);
    expect(due.map((e) => [e.dwellFrom, e.dwellSeconds, e.time, e.synthetic, e.eventId])).toEqual([
      [5, 10, new Date(T0 + 10_000).toISOString(), true, 105],
      [10, 30, new Date(T0 + 30_000).toISOString(), true, 105],
    ]);
    expect(st.advance(T0 + 100_000)).toEqual([]);
    expect(st.size).toBe(0);
  });

  it('a leave cancels what was pending; other objects keep theirs', () => {
    const st = new DwellStream(() => [20]);
    st.feed(z('enter', 0));
    st.feed(z('enter', 1, { trackId: 2, objectEventId: 11 }));
    st.feed(z('leave', 15));
    expect(st.advance(T0 + 60_000)).toMatchObject([{ trackId: 2, dwellSeconds: 20, time: new Date(T0 + 21_000).toISOString() }]);
  });

  it("a detector dwell beyond a rule's time covers it (no second event)", () => {
    const st = new DwellStream(() => [10]);
    st.feed(z('enter', 0));
    // the feed releases nothing before the event's own time... the 10 s mark came first
    const out = st.feed(z('dwell', 12));
    expect(out.map((e) => [e.synthetic, e.dwellFrom, e.dwellSeconds])).toEqual([
      [true, -1, 10],
      [false, 10, 12],
    ]);
    const st2 = new DwellStream(() => [10]);
    // entered before the stream saw it (a dwell event first): nothing older is invented
    expect(st2.feed(z('dwell', 15)).map((e) => [e.synthetic, e.dwellFrom, e.dwellSeconds])).toEqual([[false, -1, 15]]);
    expect(st2.advance(T0 + 60_000)).toEqual([]);
  });
});
