/**
 * Software motion events from the motion gate (pure; unit tested in
 * motion-events.test.ts). The gate compares each frame it looks at with the
 * previous one (motion masks left out); this turns its changed share into
 * `start` (the first frame with at least `minScore` of the cells changed)
 * and `end` (`endAfterMs` after the last such frame, with the peak share).
 * The threshold is above the gate's own (0.2 %), so compression noise and
 * a leaf wake the detector without making an event.
 */
export interface MotionEventOptions {
  /** Changed share of the cells (0-1) that counts as motion for an event. */
  minScore?: number;
  /** No motion for this long ends the event (ms). */
  endAfterMs?: number;
}

export interface MotionPhase {
  phase: 'start' | 'end';
  timeMs: number;
  score: number;
}

export class MotionEvents {
  readonly minScore: number;
  readonly endAfterMs: number;
  private active = false;
  private peak = 0;
  private lastMotionMs = 0;

  constructor(o: MotionEventOptions = {}) {
    this.minScore = o.minScore ?? 0.005;
    this.endAfterMs = o.endAfterMs ?? 5000;
  }

  get moving(): boolean {
    return this.active;
  }

  /** A frame the gate looked at, with its changed share. */
  frame(change: number, timeMs: number): MotionPhase[] {
    const out = this.tick(timeMs);
    if (change >= this.minScore) {
      this.lastMotionMs = timeMs;
      if (!this.active) {
        this.active = true;
        this.peak = change;
        out.push({ phase: 'start', timeMs, score: round(change) });
      } else this.peak = Math.max(this.peak, change);
    }
    return out;
  }

  /** Time passes: the end, when it is due. */
  tick(timeMs: number): MotionPhase[] {
    if (!this.active || timeMs - this.lastMotionMs < this.endAfterMs) return [];
    return this.flush();
  }

  /** End now (the camera stopped or went offline): the end is the last frame that moved. */
  flush(): MotionPhase[] {
    if (!this.active) return [];
    this.active = false;
    const p = this.peak;
    this.peak = 0;
    return [{ phase: 'end', timeMs: this.lastMotionMs, score: round(p) }];
  }
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;
