/**
 * Zone state per tracked object (pure; unit tested in zones.test.ts).
 *
 * An object is where the bottom centre of its box is (where it stands). Per
 * (zone, track): it `enter`s after `inertiaFrames` consecutive detection
 * frames inside, and `leave`s after as many outside, or when its track ends
 * (at the time it was last seen). `dwell` comes once per (track, zone), when
 * the time since `enter` first reaches the zone's `minDwellSeconds` (at once
 * after `enter` when that is 0); re-entering the zone later gives a new
 * `enter` and `leave` but no second `dwell`. `count` is the number of
 * objects of the same label inside the zone at that moment (the one leaving
 * no longer counts).
 *
 * Tracks are fed only once they are confirmed (they have an object event);
 * frames without an inference (the motion gate saw nothing move) only
 * advance the dwell timers (`tick`).
 */
import type { NormBox, StoredZone } from '../../api/detection.js';
import { pointInPolygon } from './geometry.js';
import { bottomCentre } from './settings.js';

export type ZoneDef = Pick<StoredZone, 'id' | 'name' | 'polygon' | 'labels' | 'minDwellSeconds' | 'inertiaFrames'>;

export interface ZoneTrack {
  trackId: number;
  label: string;
  box: NormBox;
}

export interface ZoneTransition {
  zoneId: string;
  zone: string;
  trackId: number;
  label: string;
  phase: 'enter' | 'dwell' | 'leave';
  dwellSeconds: number;
  count: number;
  timeMs: number;
}

interface State {
  label: string;
  inside: boolean;
  streakIn: number;
  streakOut: number;
  enteredMs: number;
  dwellDone: boolean;
}

const round = (s: number) => Math.round(s * 10) / 10;

export class ZoneTracker {
  private zones: ZoneDef[] = [];
  /** zone id → track id → state */
  private state = new Map<string, Map<number, State>>();

  get size(): number {
    return this.zones.length;
  }

  /** New zone definitions: zones that keep their id keep their objects; removed zones forget theirs. */
  setZones(zones: readonly ZoneDef[]): void {
    this.zones = zones.map((z) => ({ ...z, labels: [...z.labels], polygon: z.polygon.map(([x, y]) => [x, y] as [number, number]) }));
    const ids = new Set(zones.map((z) => z.id));
    for (const id of [...this.state.keys()]) if (!ids.has(id)) this.state.delete(id);
  }

  private countIn(zoneId: string, label: string): number {
    let n = 0;
    for (const s of this.state.get(zoneId)?.values() ?? []) if (s.inside && s.label === label) n++;
    return n;
  }

  private wants(z: ZoneDef, label: string): boolean {
    return !z.labels.length || z.labels.includes(label as never);
  }

  /** The confirmed tracks seen on a detection frame at `timeMs`. */
  update(tracks: readonly ZoneTrack[], timeMs: number): ZoneTransition[] {
    const out: ZoneTransition[] = [];
    for (const z of this.zones) {
      let per = this.state.get(z.id);
      for (const t of tracks) {
        if (!this.wants(z, t.label)) continue;
        const isIn = pointInPolygon(bottomCentre(t.box), z.polygon);
        if (!per) {
          if (!isIn) continue;
          per = new Map();
          this.state.set(z.id, per);
        }
        let s = per.get(t.trackId);
        if (!s) {
          if (!isIn) continue;
          s = { label: t.label, inside: false, streakIn: 0, streakOut: 0, enteredMs: 0, dwellDone: false };
          per.set(t.trackId, s);
        }
        if (!s.inside) {
          s.streakIn = isIn ? s.streakIn + 1 : 0;
          if (s.streakIn >= z.inertiaFrames) {
            s.inside = true;
            s.streakOut = 0;
            s.enteredMs = timeMs;
            out.push(this.transition(z, t.trackId, s, 'enter', 0, timeMs));
          }
        } else {
          s.streakOut = isIn ? 0 : s.streakOut + 1;
          if (s.streakOut >= z.inertiaFrames) {
            s.inside = false;
            s.streakIn = 0;
            out.push(this.transition(z, t.trackId, s, 'leave', round((timeMs - s.enteredMs) / 1000), timeMs));
          }
        }
      }
    }
    out.push(...this.tick(timeMs));
    return out;
  }

  /** Time passes (also on frames without an inference): dwell events that are due. */
  tick(timeMs: number): ZoneTransition[] {
    const out: ZoneTransition[] = [];
    for (const z of this.zones) {
      for (const [trackId, s] of this.state.get(z.id) ?? []) {
        if (!s.inside || s.dwellDone) continue;
        const dwell = (timeMs - s.enteredMs) / 1000;
        if (dwell + 1e-9 >= z.minDwellSeconds) {
          s.dwellDone = true;
          out.push(this.transition(z, trackId, s, 'dwell', round(dwell), timeMs));
        }
      }
    }
    return out;
  }

  /** A track ended (last seen at `lastMs`): it leaves every zone it is in, and is forgotten. */
  end(trackId: number, lastMs: number): ZoneTransition[] {
    const out: ZoneTransition[] = [];
    for (const z of this.zones) {
      const per = this.state.get(z.id);
      const s = per?.get(trackId);
      if (!per || !s) continue;
      per.delete(trackId);
      if (s.inside) {
        s.inside = false;
        out.push(this.transition(z, trackId, s, 'leave', round(Math.max(0, lastMs - s.enteredMs) / 1000), Math.max(lastMs, s.enteredMs)));
      }
    }
    return out;
  }

  /** The zones a track is inside now (ids). */
  zonesOf(trackId: number): string[] {
    return this.zones.filter((z) => this.state.get(z.id)?.get(trackId)?.inside).map((z) => z.id);
  }

  private transition(z: ZoneDef, trackId: number, s: State, phase: ZoneTransition['phase'], dwellSeconds: number, timeMs: number): ZoneTransition {
    return { zoneId: z.id, zone: z.name, trackId, label: s.label, phase, dwellSeconds, count: this.countIn(z.id, s.label), timeMs };
  }
}
