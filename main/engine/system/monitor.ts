/**
 * The engine's own vital signs, always on and cheap: event-loop lag (how late
 * a timer fires: Node's `monitorEventLoopDelay`, sampled by libuv in C++ every
 * RESOLUTION_MS, no JavaScript per sample), event-loop utilisation, memory and
 * open file descriptors. Answered by `system.status` (admin): the soak bench
 * (`npm run bench -- soak`) reads it every few seconds to see whether the
 * engine stays responsive and flat over hours.
 *
 * Lag is kept per WINDOW_MS window (the last whole one is reported) and since
 * the start (a second histogram, never reset), so a reader sees both "now"
 * and "over the run" without resetting anything.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { LagStats, SystemStatus } from '../../api/types.js';
import type { EngineModule } from '../module.js';

/** How often libuv's timer measures the delay. 20 ms: 50 cheap wake-ups a second. */
const RESOLUTION_MS = 20;
/** One reporting window. */
export const WINDOW_MS = 10_000;

const ns = (v: number) => Math.round((v / 1e6) * 100) / 100;

/** Percentiles of a histogram of nanoseconds, in ms; null when it holds no sample yet. */
export function lagStats(h: { count?: number; percentile(p: number): number; max: number; mean: number }, seconds: number): LagStats | null {
  const count = h.count ?? 0;
  if (!count) return null;
  // The histogram records the whole time between the timer's due time and its run, resolution included:
  // subtract nothing here, readers compare windows of the same engine.
  return { seconds: Math.round(seconds * 10) / 10, samples: count, p50Ms: ns(h.percentile(50)), p99Ms: ns(h.percentile(99)), maxMs: ns(h.max), meanMs: ns(h.mean) };
}

/** Open file descriptors of this process (Linux: /proc/self/fd; elsewhere /dev/fd), or null where neither exists. */
export function openFds(): number | null {
  for (const dir of ['/proc/self/fd', '/dev/fd']) {
    try {
      // the listing itself holds one descriptor open while it runs
      return Math.max(0, fs.readdirSync(dir).length - 1);
    } catch {
      /* not on this system */
    }
  }
  return null;
}

export class ProcessMonitor implements EngineModule {
  readonly name = 'monitor';
  /** The current window (reset at each roll). */
  private delay: IntervalHistogram | null = null;
  /** Since the start (never reset): a second libuv timer, as cheap as the first. */
  private total: IntervalHistogram | null = null;
  private timer: NodeJS.Timeout | null = null;
  private last: LagStats | null = null;
  private windowStart = 0;
  private startedAt = 0;
  private elu: EventLoopUtilization | null = null;
  private lastElu: number | null = null;

  private readonly windowMs: number;

  /** `windowMs`: the reporting window (tests shorten it). */
  constructor(private readonly d: { children: () => number; windowMs?: number } = { children: () => 0 }) {
    this.windowMs = d.windowMs ?? WINDOW_MS;
  }

  start(): void {
    if (this.delay) return;
    this.delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.delay.enable();
    this.total = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.total.enable();
    this.startedAt = this.windowStart = performance.now();
    this.elu = performance.eventLoopUtilization();
    this.timer = setInterval(() => this.roll(), this.windowMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.delay?.disable();
    this.delay = null;
    this.total?.disable();
    this.total = null;
  }

  /** Close the current window: keep its figures, add it to the total, start the next. */
  private roll(): void {
    const h = this.delay;
    if (!h) return;
    const now = performance.now();
    this.last = lagStats(h, (now - this.windowStart) / 1000);
    h.reset();
    this.windowStart = now;
    if (this.elu) {
      const e = performance.eventLoopUtilization(this.elu);
      this.lastElu = Math.round(e.utilization * 1000) / 1000;
      this.elu = performance.eventLoopUtilization();
    }
  }

  status(): SystemStatus {
    const mem = process.memoryUsage();
    const now = performance.now();
    return {
      pid: process.pid,
      uptimeSeconds: Math.round(process.uptime()),
      memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, heapTotalBytes: mem.heapTotal, externalBytes: mem.external, arrayBuffersBytes: mem.arrayBuffers },
      openFds: openFds(),
      children: this.d.children(),
      eventLoop: {
        resolutionMs: RESOLUTION_MS,
        windowSeconds: this.windowMs / 1000,
        last: this.last,
        sinceStart: this.total ? lagStats(this.total, (now - this.startedAt) / 1000) : null,
        utilization: this.lastElu,
      },
    };
  }
}
