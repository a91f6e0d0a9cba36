import { afterEach, describe, expect, it } from 'vitest';
import { RecordingClock, setClockSource, STEP_MS } from './clock.js';

describe('RecordingClock', () => {
  let restore: () => void = () => {};
  afterEach(() => restore());

  function fake() {
    const t = { wall: 1_800_000_000_000, mono: 1000 };
    restore = setClockSource({ now: () => t.wall, mono: () => t.mono });
    const advance = (ms: number) => {
      t.wall += ms;
      t.mono += ms;
    };
    return { t, advance };
  }

  it('follows slewing, reports steps, and holds backward steps so recording time never goes back', () => {
    const { t, advance } = fake();
    const c = new RecordingClock();
    const seen: number[] = [];
    c.onStep((s) => seen.push(s.stepMs));
    advance(10_000);
    t.wall += STEP_MS - 1; // slewing-sized: followed, not a step
    expect(c.now()).toBe(t.wall);
    expect(c.steps).toBe(0);

    t.wall += 3600_000; // forward
    expect(c.now()).toBe(t.wall);
    expect(c.steps).toBe(1);

    const before = c.now();
    t.wall -= 3600_000; // back: held
    expect(c.now()).toBe(before);
    expect(c.hold).toBe(3600_000);
    advance(5000);
    expect(c.now()).toBe(before + 5000);

    t.wall += 1800_000; // forward by half the hold: used up by the hold, invisible
    expect(c.now()).toBe(before + 5000);
    expect(c.hold).toBe(1800_000);
    t.wall += 3600_000; // forward past the hold: the rest shows
    expect(c.now()).toBe(before + 5000 + 1800_000);
    expect(c.hold).toBe(0);
    expect(seen).toEqual([3600_000, -3600_000, 1800_000, 3600_000]);
  });

  it('reports a step even when nobody reads the time (timer)', async () => {
    const { t } = fake();
    const c = new RecordingClock();
    const seen: number[] = [];
    c.onStep((s) => seen.push(s.stepMs));
    c.start(10);
    t.wall -= 7200_000;
    await new Promise((r) => setTimeout(r, 50));
    c.stop();
    expect(seen).toEqual([-7200_000]);
  });
});
