import { describe, expect, it } from 'vitest';
import { decoderArgs, parseOutputSize } from './decoder.js';

describe('detection decoder', () => {
  it('reads the output frame size from ffmpeg stderr (not the input size)', () => {
    const err = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'pipe:0':
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 768x576, 10 fps
Stream mapping:
  Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))
Output #0, rawvideo, to 'pipe:1':
  Stream #0:0(und): Video: rawvideo (BGR[24] / 0x18524742), bgr24(pc, gbr/unknown/unknown, progressive), 416x312, q=2-31, 7787 kb/s, 2 fps`;
    expect(parseOutputSize(err)).toEqual({ width: 416, height: 312 });
    expect(parseOutputSize(err.split('Output #0')[0]!)).toBeNull();
  });

  it('reads fMP4 from stdin, writes BGR that fits 416×416, and carries the owner mark', () => {
    const a = decoderArgs(2, '/data/dir, with:odd');
    expect(a.slice(a.indexOf('-i') - 2, a.indexOf('-i') + 2)).toEqual(['-f', 'mp4', '-i', 'pipe:0']);
    const vf = a[a.indexOf('-vf') + 1]!;
    expect(vf).toContain('fps=2');
    expect(vf).toContain('force_original_aspect_ratio=decrease');
    expect(vf).toContain('/data/dir\\, with\\:odd');
    expect(a.join(' ')).toContain('-pix_fmt bgr24 -f rawvideo pipe:1');
  });
});
