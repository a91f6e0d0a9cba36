// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HOUR, MINUTE, SECOND } from '../../time/index.js';
import { PLAYHEAD_AT, usePlaybackClock, type Coverage, type PlaybackClock } from './usePlaybackClock.js';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const NOW = Date.parse('2026-06-01T12:00:00Z');
const START = NOW - HOUR;

let root: Root;
let clock: PlaybackClock;
let said: string[];
let coverage: Coverage;

function Harness({ startAt }: { startAt: string | undefined }) {
  clock = usePlaybackClock({ startAt, visible: true, timeZone: 'UTC', say: (t) => said.push(t) });
  clock.coverage.current = coverage;
  return null;
}

async function mount(startAt: string | undefined = new Date(START).toISOString()) {
  root = createRoot(document.createElement('div'));
  await act(async () => root.render(<Harness startAt={startAt} />));
}
async function run(fn: () => void) {
  await act(async () => fn());
}
async function wait(ms: number) {
  await act(async () => {
    vi.advanceTimersByTime(ms);
  });
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  said = [];
  coverage = { runs: [{ start: START - HOUR, end: NOW }], gaps: [], events: [], loadedTo: NOW };
});
afterEach(async () => {
  await act(async () => root.unmount());
  vi.useRealTimers();
});

describe('usePlaybackClock', () => {
  it('starts paused at the route time (else 30 s ago), with the playhead at ¾ of an hour-wide view', async () => {
    await mount();
    expect(clock).toMatchObject({ time: START, playing: false, live: false, rate: 1 });
    expect(clock.view.span).toBe(HOUR);
    expect(clock.view.start + clock.view.span * PLAYHEAD_AT).toBe(START);
    expect(clock.origin).toBe(Date.parse('2026-05-25T00:00:00Z'));
    await act(async () => root.unmount());
    root = createRoot(document.createElement('div'));
    await act(async () => root.render(<Harness startAt={undefined} />));
    expect(clock.time).toBe(NOW - 30 * SECOND);
  });

  it('plays at the chosen speed, and J/K/L shuttle', async () => {
    await mount();
    await run(() => clock.play(true));
    await wait(1000);
    expect(clock.playing).toBe(true);
    expect(clock.time).toBeCloseTo(START + 1000, -2);
    await run(() => clock.shuttleKey('l'));
    expect(clock.rate).toBe(2);
    const t = clock.time;
    await wait(1000);
    expect(clock.time).toBeCloseTo(t + 2000, -2);
    await run(() => clock.shuttleKey('k'));
    expect(clock.playing).toBe(false);
    await run(() => clock.togglePlay());
    expect(clock.playing).toBe(true);
  });

  it('seeks never past now, steps frames at the camera rate, and jumps', async () => {
    await mount();
    await run(() => clock.seek(NOW + HOUR));
    expect(clock.time).toBe(NOW);
    await run(() => clock.seek(START));
    await run(() => clock.step(1, 25));
    expect(clock.time).toBe(START + 40);
    await run(() => clock.step(-2, null));
    expect(clock.time).toBe(START + 40 - 200);
    await run(() => clock.jump(-10 * SECOND));
    expect(clock.time).toBe(START - 160 - 10 * SECOND);
  });

  it('skips a stretch without recording while playing, and says why', async () => {
    coverage = {
      runs: [
        { start: START - MINUTE, end: START + 500 },
        { start: START + 5 * MINUTE, end: NOW },
      ],
      gaps: [{ start: START + 500, end: START + 5 * MINUTE, reason: 'camera_unreachable' }],
      events: [],
      loadedTo: NOW,
    };
    await mount();
    await run(() => clock.play(true));
    await wait(1000);
    expect(clock.time).toBeGreaterThanOrEqual(START + 5 * MINUTE);
    expect(said.at(-1)).toMatch(/^Skipped (5 min|4 min 5\d s) without recording \(camera unreachable\)$/);
  });

  it('stops at the end of the recordings', async () => {
    coverage = { runs: [{ start: START - MINUTE, end: START + 300 }], gaps: [], events: [], loadedTo: NOW };
    await mount();
    await run(() => clock.play(true));
    await wait(500);
    expect(clock.playing).toBe(false);
    expect(said.at(-1)).toBe('End of the recordings. Shift+L goes live.');
  });

  it('goes live when playback catches up with the present', async () => {
    await mount(new Date(NOW - SECOND).toISOString());
    await run(() => clock.play(true));
    await wait(200);
    expect(clock).toMatchObject({ live: true, playing: false });
    expect(said).toEqual(['Live', 'Caught up with the present: live']);
    expect(clock.playhead()).toBe(Date.now());
  });

  it('jumps between events, centring them, and says when there is none', async () => {
    coverage = { ...coverage, events: [{ time: START + 90 * SECOND, kind: 'motion', label: 'Motion' }] };
    await mount();
    await run(() => clock.toEvent(1));
    expect(clock.time).toBe(START + 90 * SECOND);
    expect(clock.view.start + clock.view.span / 2).toBe(START + 90 * SECOND);
    expect(said.at(-1)).toBe('Motion · 11:01:30.000');
    await run(() => clock.toEvent(1));
    expect(said.at(-1)).toBe('No later event in the loaded range');
  });

  it('zooms on the ladder around the playhead', async () => {
    await mount();
    await run(() => clock.zoom(-1));
    expect(clock.view.span).toBe(15 * MINUTE);
    await run(() => clock.zoom(1));
    await run(() => clock.zoom(1));
    expect(clock.view.span).toBe(3 * HOUR);
  });
});
