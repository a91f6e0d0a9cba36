/**
 * Wall time for the recorder, and clock steps.
 *
 * The recorder reads the wall clock only through a RecordingClock. It
 * compares the wall clock's progress with a monotonic clock (which NTP
 * slews but never steps): when `wall − monotonic` moves by STEP_MS or more
 * between two looks, the wall clock was stepped (an NTP step, someone
 * setting the time). Smaller changes are slewing and are followed.
 *
 * The recording timeline never runs backwards (docs/recording.md, "Clock
 * steps"): a backward step of D adds D to the `hold`, and the recording
 * time is the wall clock plus the hold, so footage recorded after the step
 * lands after what was recorded before it instead of on top of it. A later
 * forward step uses up the hold first. The hold lasts while the engine
 * runs; at the next start each camera's first run starts no earlier than
 * its last segment's end (ingest.ts), which keeps the same promise.
 *
 * Tests replace the clock source with setClockSource(); the default is
 * Date.now and performance.now.
 */
import { performance } from 'node:perf_hooks';

export interface ClockSource {
  /** Wall-clock time, ms since the epoch. */
  now(): number;
  /** Monotonic time, ms from an arbitrary origin. */
  mono(): number;
}

const SYSTEM: ClockSource = { now: () => Date.now(), mono: () => performance.now() };
let source: ClockSource = SYSTEM;

/** Replace the clock (tests). Returns a function that puts the system clock back. */
export function setClockSource(s: Partial<ClockSource>): () => void {
  const prev = source;
  source = { now: s.now ?? SYSTEM.now, mono: s.mono ?? SYSTEM.mono };
  return () => {
    source = prev;
  };
}

/** A change of `wall − monotonic` this large between two looks is a step, not slewing. */
export const STEP_MS = 1000;

export interface ClockStep {
  /** How far the wall clock jumped: > 0 forward, < 0 back. */
  stepMs: number;
  /** The wall time just after the step. */
  at: number;
  /** How much of the step the recording timeline shows (0 for a backward step, held instead). */
  visibleMs: number;
}

export class RecordingClock {
  private base: number;
  private holdMs = 0;
  private count = 0;
  private listeners = new Set<(s: ClockStep) => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor() {
    this.base = source.now() - source.mono();
  }

  /** Look every `everyMs` (so steps are reported even while no camera records). */
  start(everyMs = 500): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Recording time: the wall clock plus the hold left by backward steps. */
  now(): number {
    this.check();
    return source.now() + this.holdMs;
  }

  /** Monotonic ms, for durations (watchdog, back-off, health). */
  mono(): number {
    return source.mono();
  }

  /** Steps seen so far (a run compares it with the count when it was anchored). */
  get steps(): number {
    this.check();
    return this.count;
  }

  /** How far the recording time is ahead of the wall clock. */
  get hold(): number {
    return this.holdMs;
  }

  onStep(fn: (s: ClockStep) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Compare the clocks now; returns the step if there was one. */
  check(): ClockStep | null {
    const wall = source.now();
    const off = wall - source.mono();
    const d = off - this.base;
    this.base = off;
    if (Math.abs(d) < STEP_MS) return null;
    let visible = d;
    if (d < 0) {
      this.holdMs += -d;
      visible = 0;
    } else {
      const used = Math.min(this.holdMs, d);
      this.holdMs -= used;
      visible = d - used;
    }
    this.count++;
    const step: ClockStep = { stepMs: Math.round(d), at: wall, visibleMs: Math.round(visible) };
    for (const fn of this.listeners) {
      try {
        fn(step);
      } catch {
        /* a listener's problem is not the clock's */
      }
    }
    return step;
  }
}
