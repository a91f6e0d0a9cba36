/**
 * Restart back-off for a supervised ffmpeg: 1 s, 2 s, 4 s … capped at 30 s,
 * reset once a run has stayed healthy for `healthyMs`.
 */
export class Backoff {
  private failures = 0;
  constructor(
    readonly baseMs = 1000,
    readonly maxMs = 30_000,
    readonly healthyMs = 60_000,
  ) {}

  /** Delay before the next attempt, and count this failure. */
  next(): number {
    const d = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return d;
  }

  /** Call when a run ends: a run that stayed healthy long enough resets the count. */
  runEnded(healthyForMs: number): void {
    if (healthyForMs >= this.healthyMs) this.failures = 0;
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}
