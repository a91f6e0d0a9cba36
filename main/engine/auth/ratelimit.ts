/**
 * Sliding-window limiter per key (client address, username). `take()` counts
 * a hit and says how long to wait; `peek()` only says it, so a caller can
 * count failures alone (a successful login must not use up the allowance).
 */
export class RateLimiter {
  private hits = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}
  /** Returns seconds to wait, or 0 if allowed (and counts the hit). */
  take(key: string, now = Date.now()): number {
    const wait = this.peek(key, now);
    if (wait > 0) return wait;
    this.hit(key, now);
    return 0;
  }
  /** Seconds to wait before the next hit would be allowed (0 = allowed); counts nothing. */
  peek(key: string, now = Date.now()): number {
    const arr = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (arr.length) this.hits.set(key, arr);
    else this.hits.delete(key);
    if (arr.length < this.max) return 0;
    return Math.max(1, Math.ceil((this.windowMs - (now - arr[0]!)) / 1000));
  }
  /** Count one hit (a failure). */
  hit(key: string, now = Date.now()): void {
    const arr = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    arr.push(now);
    this.hits.set(key, arr);
    if (this.hits.size > 10000) this.prune(now);
  }
  reset(key: string): void {
    this.hits.delete(key);
  }
  private prune(now: number): void {
    for (const [k, v] of this.hits) if (!v.some((t) => now - t < this.windowMs)) this.hits.delete(k);
  }
}
