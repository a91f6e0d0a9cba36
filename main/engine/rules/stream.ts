/**
 * The dwell stream: zone events in time order, plus the moments a rule's
 * own dwell time is reached. The detector says 'dwell' once per object and
 * zone, when the zone's minimum dwell is reached; a rule may ask for a
 * longer (or shorter) dwell ("a person in the yard for 60 s"). For each
 * object inside a zone the stream keeps when it entered and the dwell it
 * has reached, and makes a dwell event of its own (synthetic) when an
 * object is still inside at a rule's dwell time. A 'leave' cancels what is
 * pending for that object.
 *
 * Each dwell event carries the dwell reached before it (`dwellFrom`) and
 * the dwell it stands for (`dwellSeconds`); a rule asking for S seconds
 * matches the one event with dwellFrom < S ≤ dwellSeconds, so it fires once
 * per object and zone whichever event gets there first (match.ts).
 *
 * Deterministic: `feed` first releases what fell due before the event's own
 * time. Live, a timer calls `advance(now)` at the next due time; the dry run
 * calls `advance` between stored rows. Pure (no clock, no I/O).
 */
import type { ZoneObjectEvent } from '../../api/detection.js';

export interface StreamZoneEvent extends Omit<ZoneObjectEvent, 'eventId'> {
  /** events.id of the zone row this came from (for a synthetic event: the object's last real one). */
  eventId: number | null;
  /** Dwell reached before this event for the same object and zone (-1: none yet). */
  dwellFrom: number;
  synthetic: boolean;
}

interface Inside {
  enterMs: number;
  reached: number;
  /** Rule dwell times still to come, seconds, ascending. */
  pending: number[];
  template: StreamZoneEvent;
  /** The detector's own dwell event came (nothing else will, but a leave). */
  dwelt: boolean;
  lastMs: number;
}

/** Bound on objects tracked at once; the oldest go first beyond it. */
const MAX_INSIDE = 10_000;

export class DwellStream {
  private inside = new Map<string, Inside>();

  /** @param thresholds rule dwell times (seconds) that can apply to this zone event (its camera, zone and label). */
  constructor(private readonly thresholds: (z: Omit<ZoneObjectEvent, 'eventId'>) => number[]) {}

  private key(z: Pick<ZoneObjectEvent, 'cameraId' | 'trackId' | 'zoneId'>): string {
    return `${z.cameraId}|${z.trackId}|${z.zoneId}`;
  }

  /** The next time a synthetic event falls due, or null. */
  nextDue(): number | null {
    let next: number | null = null;
    for (const s of this.inside.values()) {
      const s0 = s.pending[0];
      if (s0 === undefined) continue;
      const due = s.enterMs + s0 * 1000;
      if (next === null || due < next) next = due;
    }
    return next;
  }

  /** Synthetic dwell events due at or before `ms`, oldest first. */
  advance(ms: number): StreamZoneEvent[] {
    const out: StreamZoneEvent[] = [];
    for (;;) {
      let best: [string, Inside] | null = null;
      let bestDue = Infinity;
      for (const e of this.inside) {
        const s0 = e[1].pending[0];
        if (s0 === undefined) continue;
        const due = e[1].enterMs + s0 * 1000;
        if (due <= ms && due < bestDue) {
          best = e;
          bestDue = due;
        }
      }
      if (!best) break;
      const s = best[1];
      const secs = s.pending.shift()!;
      if (secs <= s.reached) continue;
      out.push({
        ...s.template,
        phase: 'dwell',
        dwellSeconds: secs,
        dwellFrom: s.reached,
        synthetic: true,
        time: new Date(bestDue).toISOString(),
      });
      s.reached = secs;
      s.lastMs = bestDue;
      if (!s.pending.length && s.dwelt) this.inside.delete(best[0]);
    }
    return out;
  }

  /** A zone event in: the synthetic events due before it, then the event itself with its dwell facts. */
  feed(z: ZoneObjectEvent | StreamZoneEvent): StreamZoneEvent[] {
    const ms = Date.parse(z.time);
    const out = this.advance(ms);
    const key = this.key(z);
    const ev: StreamZoneEvent = { ...z, eventId: z.eventId, dwellFrom: -1, synthetic: false };
    if (z.phase === 'leave') {
      const s = this.inside.get(key);
      this.inside.delete(key);
      ev.dwellFrom = s?.reached ?? -1;
      out.push(ev);
      return out;
    }
    let s = this.inside.get(key);
    if (!s) {
      const pending = [...new Set(this.thresholds(z))].filter((x) => x > 0).sort((a, b) => a - b);
      // nothing to wait for: no rule has a dwell time of its own here
      if (!pending.length) {
        if (z.phase === 'dwell') ev.dwellSeconds = Math.max(0, z.dwellSeconds);
        out.push(ev);
        return out;
      }
      s = { enterMs: ms - Math.max(0, z.dwellSeconds) * 1000, reached: -1, pending, template: ev, dwelt: false, lastMs: ms };
      this.remember(key, s);
    }
    s.template = ev;
    s.lastMs = ms;
    if (z.phase === 'dwell') {
      ev.dwellFrom = s.reached;
      ev.dwellSeconds = Math.max(s.reached, z.dwellSeconds);
      s.reached = ev.dwellSeconds;
      const reached = s.reached;
      s.pending = s.pending.filter((x) => x > reached);
      s.dwelt = true;
      if (!s.pending.length) this.inside.delete(key);
    }
    out.push(ev);
    return out;
  }

  private remember(key: string, s: Inside): void {
    this.inside.set(key, s);
    if (this.inside.size <= MAX_INSIDE) return;
    let oldest: string | null = null;
    let oldestMs = Infinity;
    for (const [k, v] of this.inside) {
      if (v.lastMs < oldestMs) {
        oldest = k;
        oldestMs = v.lastMs;
      }
    }
    if (oldest) this.inside.delete(oldest);
  }

  /** Objects being followed (for tests and the status). */
  get size(): number {
    return this.inside.size;
  }

  clear(): void {
    this.inside.clear();
  }
}
