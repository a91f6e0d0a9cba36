/**
 * Synchronised playback of several cameras: one master clock in wall time,
 * every <video> a slave that is corrected towards it. Pure logic: the clock
 * takes an injectable monotonic time source, and the correction is a
 * function of two times, so both are unit-tested without a browser.
 */

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;
export type Speed = (typeof SPEEDS)[number];

/**
 * The master clock: wall time (UTC ms) that advances at `rate` while
 * playing. Reading it is cheap; every change re-anchors it so rounding
 * never accumulates.
 */
export class MasterClock {
  private anchorWall: number;
  private anchorMono: number;
  private _rate = 1;
  private _playing = false;

  constructor(
    start: number,
    private readonly mono: () => number = () => performance.now(),
  ) {
    this.anchorWall = start;
    this.anchorMono = mono();
  }

  get playing(): boolean {
    return this._playing;
  }
  get rate(): number {
    return this._rate;
  }

  now(): number {
    if (!this._playing) return this.anchorWall;
    return this.anchorWall + (this.mono() - this.anchorMono) * this._rate;
  }

  private reanchor(): void {
    this.anchorWall = this.now();
    this.anchorMono = this.mono();
  }

  play(): void {
    if (this._playing) return;
    this.anchorMono = this.mono();
    this._playing = true;
  }

  pause(): void {
    if (!this._playing) return;
    this.reanchor();
    this._playing = false;
  }

  setRate(r: number): void {
    this.reanchor();
    this._rate = r;
  }

  seek(t: number): void {
    this.anchorWall = t;
    this.anchorMono = this.mono();
  }
}

/** Duration of one frame at `fps` in ms (frame steps, sync tolerance), with a sane default for unknown rates. */
export function frameDurationMs(fps: number | null | undefined): number {
  return fps && fps > 0 && fps <= 240 ? 1000 / fps : 100;
}

export interface Correction {
  /** Seek the slave to this wall time. */
  seekTo: number | null;
  /** Playback rate to set on the slave. */
  rate: number;
  /** Slave minus master, ms (positive = slave ahead). */
  drift: number;
}

/**
 * Keep a slave within one frame of the master. Drift under half a frame is
 * left alone; up to `seekAboveMs` it is trimmed by playing up to 10 %
 * faster or slower (the correction spreads over about a second, so it is
 * invisible); beyond that, or while paused, the slave seeks.
 */
export function correct(
  master: number,
  slave: number,
  o: { rate: number; playing: boolean; frameMs: number; seekAboveMs?: number },
): Correction {
  const drift = slave - master;
  const abs = Math.abs(drift);
  const seekAbove = o.seekAboveMs ?? Math.max(400, o.frameMs * 4) * Math.max(1, o.rate);
  if (!o.playing) {
    return { seekTo: abs > o.frameMs / 2 ? master : null, rate: o.rate, drift };
  }
  if (abs > seekAbove) return { seekTo: master, rate: o.rate, drift };
  if (abs <= o.frameMs / 2) return { seekTo: null, rate: o.rate, drift };
  // Close the drift over ~1 s of wall time, at most ±10 %.
  const adj = Math.max(-0.1, Math.min(0.1, -drift / (1000 * o.rate)));
  return { seekTo: null, rate: o.rate * (1 + adj), drift };
}

/** J/K/L shuttle: L faster forward, J slower (never reverse here), K pauses. */
export function shuttle(current: number, key: 'j' | 'k' | 'l', playing: boolean): { rate: number; playing: boolean } {
  if (key === 'k') return { rate: current, playing: false };
  const i = SPEEDS.indexOf(current as Speed);
  const at = i < 0 ? SPEEDS.indexOf(1) : i;
  if (key === 'l') {
    if (!playing) return { rate: current, playing: true };
    return { rate: SPEEDS[Math.min(SPEEDS.length - 1, at + 1)]!, playing: true };
  }
  // j: slower; from the slowest it pauses.
  if (!playing) return { rate: current, playing: false };
  if (at === 0) return { rate: current, playing: false };
  return { rate: SPEEDS[at - 1]!, playing: true };
}

export function speedLabel(r: number): string {
  return r === 0.25 ? '¼×' : r === 0.5 ? '½×' : `${r}×`;
}
