import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ChildRegistry } from '../process/children.js';
import type { LiveSink, Recorder } from '../recording/types.js';
import { decoderArgs, FrameSource, parseOutputSize } from './decoder.js';

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
    // pairs: the first frame of each 1/2 s slot, then the next one (the flusher)
    expect(vf).toContain('select=if(mod(selected_n\\,2)\\,1\\,isnan(prev_selected_t)+gt(floor(t*2)\\,floor(prev_selected_t*2)))');
    expect(a.join(' ')).toContain('-vsync 0');
    expect(vf).toContain('force_original_aspect_ratio=decrease');
    expect(vf).toContain('/data/dir\\, with\\:odd');
    expect(a.join(' ')).toContain('-pix_fmt bgr24 -f rawvideo pipe:1');
  });
});

describe('FrameSource idle mode (key frames only)', () => {
  function setup() {
    const written: string[] = [];
    let sink: LiveSink | null = null;
    const child = Object.assign(new EventEmitter(), {
      stdin: new Writable({
        write(chunk: Buffer, _enc, cb) {
          written.push(chunk.toString());
          cb();
        },
      }),
      stdout: new PassThrough(),
      stderr: new PassThrough(),
    });
    const children = { spawn: () => child, stop: async () => undefined } as unknown as ChildRegistry;
    const recorder = {
      subscribeLive: (_id: string, _s: string, s: LiveSink) => {
        sink = s;
        return () => undefined;
      },
    } as unknown as Recorder;
    const frames: { first: number; meta: { mediaTime: number | null } }[] = [];
    const src = new FrameSource({
      cameraId: 'c',
      recorder,
      children,
      ffmpegPath: 'ffmpeg',
      ownerMark: '/d',
      onFrame: (f, _w, _h, meta) => frames.push({ first: f[0]!, meta }),
    });
    src.start();
    sink!.init('avc1', Buffer.from('INIT'));
    const frag = (name: string, key: boolean) => sink!.fragment(Buffer.from(name), key);
    return { src, written, frag, child, frames };
  }

  it('feeds every fragment when awake, only key frames when idle, and replays the GOP on waking', () => {
    const { src, written, frag } = setup();
    frag('P0', false); // before the first key frame: dropped
    frag('K1', true);
    frag('P1a', false);
    src.setIdle(true);
    frag('P1b', false);
    frag('K2', true);
    frag('P2a', false);
    frag('P2b', false);
    // idle: each key frame, and the frame after it (it gets the key frame out of ffmpeg at once)
    expect(written).toEqual(['INIT', 'K1', 'P1a', 'K2', 'P2a']);
    src.setIdle(false); // wake: the fragments after that first, then live
    frag('P2c', false);
    expect(written).toEqual(['INIT', 'K1', 'P1a', 'K2', 'P2a', 'P2b', 'P2c']);
    expect(src.idle).toBe(false);
  });

  it('delivers only the frames detection uses (not the flushers), each with its media time from showinfo', () => {
    const { child, frames } = setup();
    const W = 16;
    const H = 12;
    child.stderr.write(`Output #0, rawvideo, to 'pipe:1':\n  Stream #0:0: Video: rawvideo (BGR[24]), bgr24, ${W}x${H}, q=2-31\n`);
    const info = (n: number, t: number) => `[Parsed_showinfo_1 @ 0x1] n:${String(n).padStart(4)} pts: ${t * 10240} pts_time:${t} pos: 1 fmt:yuv420p\n`;
    const frame = (v: number) => Buffer.alloc(W * H * 3, v);
    child.stderr.write(info(0, 100) + info(1, 100.1));
    child.stdout.write(Buffer.concat([frame(1), frame(2)])); // a primary and its flusher in one chunk
    child.stdout.write(frame(3).subarray(0, 100)); // half a frame
    child.stdout.write(frame(3).subarray(100)); // frame 2: a primary; its showinfo line comes after it
    child.stderr.write(info(2, 100.5) + info(3, 100.6));
    child.stdout.write(frame(4)); // a flusher alone: nothing delivered
    // the second one's media time is filled in when its showinfo line comes
    expect(frames.map((f) => [f.first, f.meta.mediaTime])).toEqual([
      [1, 100],
      [3, 100.5],
    ]);
  });

  it('waking after more than a GOP of buffer waits for the next key frame', () => {
    const { src, written, frag } = setup();
    frag('K1', true);
    src.setIdle(true);
    const big = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 5; i++) frag(big, false); // > 4 MiB: the GOP is dropped
    src.setIdle(false);
    frag('P1', false);
    frag('K2', true);
    expect(written.map((w) => w.slice(0, 4))).toEqual(['INIT', 'K1', 'K2']);
  });
});

describe('detection decoder media times', () => {
  it('keeps the stream timestamps and prints each kept frame (showinfo), before scaling', async () => {
    const { decoderArgs: args, parseShowinfo, showinfoHasChecksumOption } = await import('./decoder.js');
    const a = args(2, '/d');
    expect(a).toContain('-copyts');
    const vf = a[a.indexOf('-vf') + 1]!;
    expect(vf.indexOf('showinfo=checksum=0')).toBeGreaterThan(vf.indexOf('select='));
    expect(vf.indexOf('showinfo')).toBeLessThan(vf.indexOf('scale='));
    expect(args(2, '/d', false)[a.indexOf('-vf') + 1]).toContain(',showinfo,');
    expect(showinfoHasChecksumOption('5.1.9-0+deb12u1')).toBe(true);
    expect(showinfoHasChecksumOption('4.4.2')).toBe(false);
    expect(showinfoHasChecksumOption('N-113000-gabc')).toBe(true);
    expect(parseShowinfo('[Parsed_showinfo_1 @ 0x5574] n:   1 pts:   5120 pts_time:1234.5     pos: 109334 fmt:yuv420p')).toEqual({ n: 1, ptsTime: 1234.5 });
    expect(parseShowinfo('[Parsed_showinfo_1 @ 0x5574] config in time_base: 1/10240')).toBeNull();
  });
});
