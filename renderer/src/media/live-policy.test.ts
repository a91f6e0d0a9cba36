import { describe, expect, it } from 'vitest';
import {
  codecFamily,
  isInitSegment,
  liveEdge,
  liveUrl,
  mseType,
  reconnectDelay,
  topLevelBoxes,
  trimRange,
  unsupportedMessage,
} from './live-policy.js';

function box(type: string, payload = 0): Uint8Array {
  const b = new Uint8Array(8 + payload);
  new DataView(b.buffer).setUint32(0, 8 + payload);
  for (let i = 0; i < 4; i++) b[4 + i] = type.charCodeAt(i);
  return b;
}
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe('live edge', () => {
  it('plays normally close to the edge', () => {
    expect(liveEdge({ currentTime: 10, bufferedStart: 0, bufferedEnd: 10.1 })).toEqual({
      seekTo: null,
      rate: 1,
      lag: expect.closeTo(0.1, 5),
    });
  });
  it('catches up a small lag by playing slightly fast', () => {
    expect(liveEdge({ currentTime: 10, bufferedStart: 0, bufferedEnd: 10.4 }).rate).toBe(1.05);
    expect(liveEdge({ currentTime: 10, bufferedStart: 0, bufferedEnd: 10.8 }).rate).toBe(1.15);
  });
  it('seeks to the edge when more than a second behind, or before the buffered range', () => {
    const d = liveEdge({ currentTime: 10, bufferedStart: 0, bufferedEnd: 12 });
    expect(d.seekTo).toBeCloseTo(11.88);
    expect(d.rate).toBe(1);
    expect(liveEdge({ currentTime: 0, bufferedStart: 5, bufferedEnd: 5.05 }).seekTo).toBe(5);
  });
  it('does nothing on an empty range', () => {
    expect(liveEdge({ currentTime: 0, bufferedStart: 0, bufferedEnd: 0 }).seekTo).toBeNull();
  });
});

describe('buffer trimming', () => {
  it('removes what is more than 10 s behind the playhead, in chunks of at least 5 s', () => {
    expect(trimRange(12, 0)).toBeNull();
    expect(trimRange(20, 0)).toEqual([0, 10]);
    expect(trimRange(20, 6)).toBeNull();
    expect(trimRange(3600, 3585)).toEqual([0, 3590]);
  });
  it('keeps memory flat over 12 hours of simulated playback', () => {
    let start = 0;
    let maxKept = 0;
    for (let t = 0; t < 12 * 3600; t += 2) {
      const r = trimRange(t, start);
      if (r) start = r[1];
      maxKept = Math.max(maxKept, t - start);
    }
    expect(maxKept).toBeLessThan(16);
  });
});

describe('reconnect backoff', () => {
  it('doubles from 0.5 s to 5 s with jitter', () => {
    expect(reconnectDelay(0, () => 0.5)).toBe(500);
    expect(reconnectDelay(1, () => 0.5)).toBe(1000);
    expect(reconnectDelay(3, () => 0.5)).toBe(4000);
    expect(reconnectDelay(10, () => 0.5)).toBe(5000);
    expect(reconnectDelay(10, () => 0)).toBe(4000);
    expect(reconnectDelay(10, () => 1)).toBe(6000);
  });
});

describe('codecs and URLs', () => {
  it('tells H.264 from H.265', () => {
    expect(codecFamily('avc1.4d401e')).toBe('h264');
    expect(codecFamily('hvc1.1.6.L93.B0')).toBe('h265');
    expect(codecFamily('hev1.1.6.L93.B0')).toBe('h265');
    expect(codecFamily('mp4v.20.9')).toBe('other');
    expect(mseType('avc1.4d401e')).toBe('video/mp4; codecs="avc1.4d401e"');
    expect(unsupportedMessage('hvc1.1.6.L93.B0')).toMatch(/H\.265.*snapshots/);
  });
  it('builds the live socket URL', () => {
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:8780' }, 'gate 1', 'sub')).toBe(
      'ws://127.0.0.1:8780/api/live?camera=gate%201&stream=sub',
    );
    expect(liveUrl({ protocol: 'https:', host: 'nvr' }, 'a', 'main')).toBe('wss://nvr/api/live?camera=a&stream=main');
  });
});

describe('fMP4 boxes', () => {
  it('tells init segments from media fragments', () => {
    expect(topLevelBoxes(cat(box('ftyp', 8), box('moov', 20)))).toEqual(['ftyp', 'moov']);
    expect(isInitSegment(cat(box('ftyp', 8), box('moov', 20)))).toBe(true);
    expect(isInitSegment(cat(box('moof', 30), box('mdat', 100)))).toBe(false);
    expect(topLevelBoxes(new Uint8Array([0, 0, 0, 3, 1, 2]))).toEqual([]);
  });
});
