/**
 * Reads the binary time code that the demo pattern cameras burn into every
 * frame (docs/recording.md, main/engine/recording/sources.ts): the bottom
 * 16 rows of the 640×360 picture hold 32 blocks 20 px wide; block i is
 * white when bit (31 − i) of the frame's Unix time in whole seconds is set.
 * Read each block at its centre (20i + 10, 352): luma > 128 means 1.
 *
 * Coordinates scale with the decoded size, so a scaled stream still reads.
 * Used by the e2e tests and the latency benchmark, never by the console UI.
 */
export const TIMECODE = { bits: 32, refWidth: 640, refHeight: 360, blockWidth: 20, rowY: 352 } as const;

/** RGBA pixels, as in ImageData. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

function luma(p: Pixels, x: number, y: number): number {
  const i = (Math.min(p.height - 1, Math.max(0, y)) * p.width + Math.min(p.width - 1, Math.max(0, x))) * 4;
  return 0.299 * p.data[i]! + 0.587 * p.data[i + 1]! + 0.114 * p.data[i + 2]!;
}

/**
 * The Unix time (s) in a frame, or null when the strip is not there (not a
 * pattern camera, or the frame is blank): a real code is recent, and the
 * strip's black gaps read black.
 */
export function readTimecode(p: Pixels): number | null {
  const sx = p.width / TIMECODE.refWidth;
  const sy = p.height / TIMECODE.refHeight;
  const y = Math.round(TIMECODE.rowY * sy);
  let v = 0;
  let contrast = false;
  for (let i = 0; i < TIMECODE.bits; i++) {
    const x = Math.round((i * TIMECODE.blockWidth + TIMECODE.blockWidth / 2) * sx);
    const l = luma(p, x, y);
    if (l < 64) contrast = true;
    v = v * 2 + (l > 128 ? 1 : 0);
  }
  // 2001..2100: anything else is not a time code.
  if (!contrast || v < 978_307_200 || v > 4_102_444_800) return null;
  return v;
}

/** Draw the frame on screen into a canvas at its decoded size and read the time code. */
export function readVideoTimecode(video: HTMLVideoElement, canvas: HTMLCanvasElement = document.createElement('canvas')): number | null {
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (!w || !h) return null;
  canvas.width = w;
  canvas.height = h;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  if (!g) return null;
  g.drawImage(video, 0, 0, w, h);
  return readTimecode(g.getImageData(0, 0, w, h));
}

/** Share of pixels that differ from the first one by more than a little: 0 for a blank frame. */
export function nonBlankRatio(p: Pixels, step = 7): number {
  const r0 = p.data[0]!;
  const g0 = p.data[1]!;
  const b0 = p.data[2]!;
  let diff = 0;
  let n = 0;
  for (let i = 0; i < p.width * p.height; i += step) {
    const k = i * 4;
    n++;
    if (Math.abs(p.data[k]! - r0) + Math.abs(p.data[k + 1]! - g0) + Math.abs(p.data[k + 2]! - b0) > 30) diff++;
  }
  return n ? diff / n : 0;
}
