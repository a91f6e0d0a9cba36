import { describe, expect, it } from 'vitest';
import { nonBlankRatio, readTimecode, type Pixels } from './timecode.js';

/** A frame with the demo pattern's time code strip for `t` (Unix s), drawn like the engine's drawbox chain. */
function frame(t: number, width = 640, height = 360): Pixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = 90;
    data[i + 1] = 140;
    data[i + 2] = 200;
    data[i + 3] = 255;
  }
  const sx = width / 640;
  const sy = height / 360;
  for (let y = Math.floor(344 * sy); y < height; y++) {
    for (let x = 0; x < width; x++) {
      const block = Math.floor(x / (20 * sx));
      const bit = block < 32 ? Math.floor(t / 2 ** (31 - block)) % 2 : 0;
      const k = (y * width + x) * 4;
      const v = bit ? 255 : 0;
      data[k] = data[k + 1] = data[k + 2] = v;
    }
  }
  return { width, height, data };
}

describe('demo time code', () => {
  const t = Date.UTC(2026, 10, 26, 8, 15, 30) / 1000;
  it('reads the Unix time from a frame', () => {
    expect(readTimecode(frame(t))).toBe(t);
    expect(readTimecode(frame(t + 1))).toBe(t + 1);
  });
  it('reads a scaled frame', () => {
    expect(readTimecode(frame(t, 1280, 720))).toBe(t);
    expect(readTimecode(frame(t, 320, 180))).toBe(t);
  });
  it('says null for a frame without the strip', () => {
    const blank: Pixels = { width: 640, height: 360, data: new Uint8ClampedArray(640 * 360 * 4).fill(255) };
    expect(readTimecode(blank)).toBeNull();
    const black: Pixels = { width: 640, height: 360, data: new Uint8ClampedArray(640 * 360 * 4) };
    expect(readTimecode(black)).toBeNull();
  });
  it('tells a blank frame from a picture', () => {
    expect(nonBlankRatio({ width: 64, height: 36, data: new Uint8ClampedArray(64 * 36 * 4) })).toBe(0);
    expect(nonBlankRatio(frame(t))).toBeGreaterThan(0.02); // the strip differs from the flat background
  });
});
