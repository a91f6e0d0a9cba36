import { describe, expect, it } from 'vitest';
import { correct, frameDurationMs, MasterClock, shuttle, speedLabel } from './sync.js';

describe('master clock', () => {
  it('advances at its rate only while playing, and re-anchors on change', () => {
    let mono = 0;
    const c = new MasterClock(1_000_000, () => mono);
    mono = 500;
    expect(c.now()).toBe(1_000_000);
    c.play();
    mono = 1500;
    expect(c.now()).toBe(1_001_000);
    c.setRate(4);
    mono = 2500;
    expect(c.now()).toBe(1_005_000);
    c.pause();
    mono = 9000;
    expect(c.now()).toBe(1_005_000);
    c.seek(2_000_000);
    c.setRate(0.25);
    c.play();
    mono = 13000;
    expect(c.now()).toBe(2_001_000);
  });
});

describe('slave correction', () => {
  const frame = 100; // 10 fps
  it('leaves drift under half a frame alone', () => {
    expect(correct(1000, 1040, { rate: 1, playing: true, frameMs: frame })).toEqual({ seekTo: null, rate: 1, drift: 40 });
  });
  it('nudges the rate to close a small drift, the right way round', () => {
    const ahead = correct(1000, 1150, { rate: 1, playing: true, frameMs: frame });
    expect(ahead.seekTo).toBeNull();
    expect(ahead.rate).toBeLessThan(1);
    const behind = correct(1000, 850, { rate: 2, playing: true, frameMs: frame });
    expect(behind.rate).toBeGreaterThan(2);
    expect(behind.rate).toBeLessThanOrEqual(2.2);
  });
  it('seeks when far off, or when paused and off by more than half a frame', () => {
    expect(correct(1000, 3000, { rate: 1, playing: true, frameMs: frame }).seekTo).toBe(1000);
    expect(correct(1000, 1080, { rate: 1, playing: false, frameMs: frame }).seekTo).toBe(1000);
    expect(correct(1000, 1020, { rate: 1, playing: false, frameMs: frame }).seekTo).toBeNull();
  });
  it('converges: a simulated slave ends within one frame of the master', () => {
    let master = 0;
    let slave = 300; // starts 3 frames ahead
    let rate = 1;
    for (let step = 0; step < 40; step++) {
      master += 250;
      slave += 250 * rate;
      const c = correct(master, slave, { rate: 1, playing: true, frameMs: frame });
      if (c.seekTo !== null) slave = c.seekTo;
      rate = c.rate;
    }
    expect(Math.abs(slave - master)).toBeLessThanOrEqual(frame);
  });
});

describe('J/K/L shuttle', () => {
  it('steps through speeds and pauses', () => {
    expect(shuttle(1, 'l', false)).toEqual({ rate: 1, playing: true });
    expect(shuttle(1, 'l', true)).toEqual({ rate: 2, playing: true });
    expect(shuttle(16, 'l', true)).toEqual({ rate: 16, playing: true });
    expect(shuttle(2, 'j', true)).toEqual({ rate: 1, playing: true });
    expect(shuttle(0.25, 'j', true)).toEqual({ rate: 0.25, playing: false });
    expect(shuttle(4, 'k', true)).toEqual({ rate: 4, playing: false });
    expect(speedLabel(0.25)).toBe('¼×');
    expect(speedLabel(16)).toBe('16×');
  });
});

describe('frame duration', () => {
  it('is 1/fps in ms, 100 ms for an unknown or absurd rate', () => {
    expect(frameDurationMs(25)).toBe(40);
    expect(frameDurationMs(50)).toBe(20);
    expect(frameDurationMs(null)).toBe(100);
    expect(frameDurationMs(0)).toBe(100);
    expect(frameDurationMs(1000)).toBe(100);
  });
});
