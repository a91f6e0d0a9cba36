/** Reconnect delays: 0.5 s doubling to a 5 s ceiling, with a little jitter so consoles don't stampede. */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  factor?: number;
  /** Fraction of the delay added at random (0 = none). */
  jitter?: number;
  random?: () => number;
}

export function backoffDelay(attempt: number, o: BackoffOptions = {}): number {
  const base = o.baseMs ?? 500;
  const max = o.maxMs ?? 5000;
  const factor = o.factor ?? 2;
  const jitter = o.jitter ?? 0.1;
  const random = o.random ?? Math.random;
  const raw = Math.min(max, base * Math.pow(factor, Math.max(0, attempt)));
  return Math.round(Math.min(max, raw + raw * jitter * random()));
}
