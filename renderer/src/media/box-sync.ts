/**
 * Which detection frame's boxes belong with the picture on screen (pure;
 * tested in box-sync.test.ts). Detection frames carry their media time in
 * each live stream (docs/detection.md "Live boxes"); a <video> reports the
 * media time of the frame it shows. The boxes drawn are those of the newest
 * detection frame at or before the picture (a small tolerance for rounding),
 * so they are never early and at most one detection frame late. Frames the
 * picture has not reached yet wait; boxes older than `maxAgeSec` are not
 * drawn (the object left, or detection stopped). Frames without a media
 * time for the stream (the engine could not tell) are drawn on arrival, for
 * `maxAgeSec`.
 */
import type { DetectionFrameEvent } from '../../../main/api/detection.js';

export interface HeldFrame {
  frame: DetectionFrameEvent;
  /** performance.now() when it arrived. */
  arrivedAt: number;
}

/** Seconds a picture may be behind a detection frame's media time and still count as the same moment (rounding). */
export const EARLY_TOLERANCE = 0.05;

export function frameFor(
  held: readonly HeldFrame[],
  stream: 'sub' | 'main',
  mediaTime: number | null,
  nowMs: number,
  maxAgeSec = 3,
): HeldFrame | null {
  let best: HeldFrame | null = null;
  let newestTimed: number | null = null;
  for (const h of held) {
    const t = h.frame.mediaTime[stream];
    if (t === null) continue;
    if (newestTimed === null || t > newestTimed) newestTimed = t;
    if (mediaTime === null || t > mediaTime + EARLY_TOLERANCE) continue;
    if (!best || t > best.frame.mediaTime[stream]!) best = h;
  }
  if (best && mediaTime !== null) {
    const age = mediaTime - best.frame.mediaTime[stream]!;
    // Far behind, or the picture's timeline is not the frames' (the stream restarted): nothing to draw from them.
    if (age > maxAgeSec) best = null;
  }
  if (best) return best;
  // Frames on this stream's timeline, none for this picture: nothing (never boxes from another moment).
  if (newestTimed !== null) return null;
  // Not one frame with a media time for this stream: on arrival.
  let latest: HeldFrame | null = null;
  for (const h of held) if (!latest || h.arrivedAt > latest.arrivedAt) latest = h;
  return latest && nowMs - latest.arrivedAt <= maxAgeSec * 1000 ? latest : null;
}

/** The box in CSS pixels of an element showing a w×h picture with object-fit: contain. */
export function fitBox(box: readonly number[], pictureW: number, pictureH: number, elW: number, elH: number): [number, number, number, number] {
  const scale = Math.min(elW / pictureW, elH / pictureH);
  const w = pictureW * scale;
  const h = pictureH * scale;
  const ox = (elW - w) / 2;
  const oy = (elH - h) / 2;
  return [ox + box[0]! * w, oy + box[1]! * h, ox + box[2]! * w, oy + box[3]! * h];
}
