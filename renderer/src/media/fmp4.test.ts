import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { children, segmentMeta, tracks } from './fmp4.js';

// 2.5 s of 64×48 H.264 Main, 10 fps, key frame every second, written by
// ffmpeg with +frag_keyframe+empty_moov+default_base_moof like the recorder.
const file = new Uint8Array(fs.readFileSync(path.join(import.meta.dirname, '__fixtures__', 'small-frag.mp4')));

describe('fMP4 reading', () => {
  it('lists the top-level boxes', () => {
    expect(children(file).map((b) => b.type)).toEqual(['ftyp', 'moov', 'moof', 'mdat', 'moof', 'mdat', 'moof', 'mdat', 'mfra']);
  });

  it('reads the video track: timescale and MSE codec string', () => {
    expect(tracks(file)).toEqual([{ trackId: 1, handler: 'vide', timescale: 10240, codec: 'avc1.4d400a' }]);
  });

  it('finds where the media starts, for a whole file and for fragments alone', () => {
    const whole = segmentMeta(file);
    expect(whole).toMatchObject({ hasInit: true, hasMedia: true, firstTime: 0 });
    const moofs = children(file).filter((b) => b.type === 'moof');
    const rest = file.subarray(moofs[1]!.start);
    const tail = segmentMeta(rest, whole.video);
    expect(tail.hasInit).toBe(false);
    expect(tail.firstTime).toBeCloseTo(1.0, 3);
  });

  it('survives truncated and garbage input', () => {
    expect(segmentMeta(file.subarray(0, 500))).toMatchObject({ hasMedia: false });
    expect(segmentMeta(new Uint8Array([1, 2, 3]))).toEqual({ video: null, firstTime: null, hasInit: false, hasMedia: false });
    expect(children(new Uint8Array(64).fill(255))).toEqual([]);
  });
});
