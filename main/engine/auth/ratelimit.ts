/** Fixed-window-with-decay limiter per key (client address, username). */
export class RateLimiter {
  private hits = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}
  /** Returns seconds to wait, or 0 if allowed (and counts the hit). */
  take(key: string, now = Date.now()): number {
    const arr = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (arr.length >= this.max) {
      this.hits.set(key, arr);
      return Math.ceil((this.windowMs - (now - arr[0]!)) / 1000);
    }
    arr.push(now);
    this.hits.set(key, arr);
    if (this.hits.size > 10000) this.prune(now);
    return 0;
  }
  reset(key: string): void {
    this.hits.delete(key);
  }
  private prune(now: number): void {
    for (const [k, v] of this.hits) if (!v.some((t) => now - t < this.windowMs)) this.hits.delete(k);
  }
}
