/**
 * Decisions of the live player, kept pure so they can be unit-tested:
 * how to hold the live edge, what to trim from the MSE buffer, how long
 * to wait before reconnecting, and which codecs the browser can play.
 */

/** Seek to the live edge when playback is further behind than this (s). */
export const MAX_LAG_S = 1.0;
/** Aim to play this far behind the newest buffered frame (s). */
export const TARGET_LAG_S = 0.12;
/** Keep this much already-played media in the buffer (s); older is removed. */
export const KEEP_BEHIND_S = 10;
/** Trim only when at least this much can go, to keep remove() calls rare (s). */
export const TRIM_MIN_S = 5;

export interface EdgeInput {
  currentTime: number;
  /** Start and end of the buffered range that holds or follows currentTime. */
  bufferedStart: number;
  bufferedEnd: number;
}

export interface EdgeDecision {
  /** Jump to this time (s) when set. */
  seekTo: number | null;
  /** Playback rate to use: slightly fast to catch up a small lag. */
  rate: number;
  /** Current lag behind the newest frame (s). */
  lag: number;
}

/**
 * Hold the live edge: a lag over MAX_LAG_S is cut with a seek; a smaller one
 * is caught up by playing a little faster, which is invisible, instead of
 * jumping. Playback that sits before the buffered range (after a gap in the
 * stream) jumps into it.
 */
export function liveEdge(i: EdgeInput): EdgeDecision {
  const lag = Math.max(0, i.bufferedEnd - i.currentTime);
  if (i.bufferedEnd <= i.bufferedStart) return { seekTo: null, rate: 1, lag };
  if (i.currentTime < i.bufferedStart - 0.01 || lag > MAX_LAG_S) {
    return { seekTo: Math.max(i.bufferedStart, i.bufferedEnd - TARGET_LAG_S), rate: 1, lag };
  }
  if (lag > 0.45) return { seekTo: null, rate: 1.15, lag };
  if (lag > 0.2) return { seekTo: null, rate: 1.05, lag };
  return { seekTo: null, rate: 1, lag };
}

/**
 * The range to remove from the buffer so a tab open for days stays flat in
 * memory: everything older than KEEP_BEHIND_S behind the playhead. Returns
 * null when there is too little to bother.
 */
export function trimRange(currentTime: number, bufferedStart: number, keepBehind = KEEP_BEHIND_S): [number, number] | null {
  const end = currentTime - keepBehind;
  if (end - bufferedStart < TRIM_MIN_S) return null;
  return [0, end];
}

/** Wait before reconnect attempt `n` (0-based): 0.5, 1, 2, 4, 5, 5 ... s with ±20 % jitter. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(5000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export type CodecFamily = 'h264' | 'h265' | 'other';

export function codecFamily(codec: string): CodecFamily {
  const c = codec.toLowerCase();
  if (c.startsWith('avc1') || c.startsWith('avc3')) return 'h264';
  if (c.startsWith('hvc1') || c.startsWith('hev1')) return 'h265';
  return 'other';
}

/** The MSE type string for a codec from the init frame. */
export function mseType(codec: string): string {
  return `video/mp4; codecs="${codec.replace(/"/g, '')}"`;
}

/** What to tell the guard when the browser cannot play a camera's codec. */
export function unsupportedMessage(codec: string): string {
  const fam = codecFamily(codec);
  if (fam === 'h265') {
    return 'This camera sends H.265 (HEVC), which this console cannot play live. Switch the camera to H.264 in its own settings, or show snapshots instead.';
  }
  return `This camera sends ${codec || 'an unknown codec'}, which this console cannot play live. Set the camera to H.264, or show snapshots instead.`;
}

/** Build the live WebSocket URL for a camera on this page's server. */
export function liveUrl(origin: { protocol: string; host: string }, cameraId: string, stream: 'main' | 'sub'): string {
  const scheme = origin.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${origin.host}/api/live?camera=${encodeURIComponent(cameraId)}&stream=${stream}`;
}

/** Boxes at the top level of an fMP4 chunk: ["moof", "mdat"] or ["ftyp", "moov"]. */
export function topLevelBoxes(buf: Uint8Array): string[] {
  const out: string[] = [];
  let off = 0;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (off + 8 <= buf.length) {
    let size = dv.getUint32(off);
    const type = String.fromCharCode(buf[off + 4]!, buf[off + 5]!, buf[off + 6]!, buf[off + 7]!);
    if (size === 1 && off + 16 <= buf.length) size = Number(dv.getBigUint64(off + 8));
    else if (size === 0) size = buf.length - off;
    if (size < 8) break;
    out.push(type);
    off += size;
  }
  return out;
}

/** Is this binary frame an init segment (ftyp/moov) rather than a media fragment? */
export function isInitSegment(buf: Uint8Array): boolean {
  const boxes = topLevelBoxes(buf);
  return boxes.includes('moov') || boxes[0] === 'ftyp';
}
