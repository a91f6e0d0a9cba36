/**
 * Media time ↔ arrival time of one live stream, for live boxes (docs/detection.md
 * "Live boxes"). A console plays a camera's live fMP4 in a <video>, whose
 * currentTime is the fragments' own media time (tfdt / timescale). The detector
 * decodes one stream (the sub stream by default) and knows each frame's media
 * time in that stream; a full-screen tile plays the other one, whose media
 * timeline is unrelated. Both streams' fragments arrive at the engine at about
 * the moment the camera sent them, so the arrival time links the two: the
 * detection frame's media time → when it arrived → the other stream's fragment
 * that arrived then → its media time.
 *
 * Keeps the last ~30 s of (media time, arrival time) per stream: bounded.
 */
import { readHeader, parseMoof, parseMoov, type TrackInfo } from '../media/boxes.js';

interface Entry {
  /** Media (decode) time of the fragment's first sample, seconds. */
  t: number;
  /** When it arrived, ms since the epoch. */
  wall: number;
}

const KEEP_MS = 30_000;
const MAX_ENTRIES = 2000;

/** The video track of an init segment (ftyp + moov), or null. */
export function videoTrackOf(init: Buffer): TrackInfo | null {
  let off = 0;
  while (off + 8 <= init.length) {
    const h = readHeader(init, off);
    if (!h) return null;
    if (h.type === 'moov') return parseMoov(init, h).find((t) => t.handler === 'vide') ?? null;
    off += h.size;
  }
  return null;
}

/** The media time (s) of a media fragment (moof + mdat) of `track`, or null when it is not one. */
export function fragmentTime(data: Buffer, track: TrackInfo): number | null {
  try {
    const h = readHeader(data, 0);
    if (!h || h.type !== 'moof' || h.size > data.length) return null;
    const traf = parseMoof(data, h, [track]).find((t) => t.trackId === track.id);
    return traf && track.timescale > 0 ? traf.baseTime / track.timescale : null;
  } catch {
    return null;
  }
}

export class StreamTimeline {
  private track: TrackInfo | null = null;
  private ring: Entry[] = [];

  /** A new init segment: the media timeline starts over. */
  init(init: Buffer): void {
    this.track = videoTrackOf(init);
    this.ring = [];
  }

  /** A media fragment arrived. Returns its media time (s), or null. */
  fragment(data: Buffer, wallMs = Date.now()): number | null {
    if (!this.track) return null;
    const t = fragmentTime(data, this.track);
    if (t === null) return null;
    const last = this.ring[this.ring.length - 1];
    // a jump back (the source restarted without a new init) starts over
    if (last && t < last.t - 1) this.ring = [];
    this.ring.push({ t, wall: wallMs });
    const cut = wallMs - KEEP_MS;
    let i = 0;
    while (i < this.ring.length && (this.ring[i]!.wall < cut || this.ring.length - i > MAX_ENTRIES)) i++;
    if (i) this.ring.splice(0, i);
    return t;
  }

  reset(): void {
    this.track = null;
    this.ring = [];
  }

  get size(): number {
    return this.ring.length;
  }

  /** When the fragment nearest to media time `t` arrived; null when none within `tolerance` s. */
  wallAt(t: number, tolerance = 1): number | null {
    const e = nearest(this.ring, (x) => x.t, t);
    return e && Math.abs(e.t - t) <= tolerance ? e.wall : null;
  }

  /** The media time of the fragment that arrived nearest to `wallMs`; null when none within `toleranceMs`. */
  mediaAt(wallMs: number, toleranceMs = 1000): number | null {
    const e = nearest(this.ring, (x) => x.wall, wallMs);
    return e && Math.abs(e.wall - wallMs) <= toleranceMs ? e.t : null;
  }
}

/** The entry whose key is nearest to `v` (entries in ascending key order). */
function nearest(a: Entry[], key: (e: Entry) => number, v: number): Entry | null {
  if (!a.length) return null;
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(a[mid]!) < v) lo = mid + 1;
    else hi = mid;
  }
  const b = a[lo]!;
  const p = lo > 0 ? a[lo - 1]! : null;
  return p && Math.abs(key(p) - v) <= Math.abs(key(b) - v) ? p : b;
}
