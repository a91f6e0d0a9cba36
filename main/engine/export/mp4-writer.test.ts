import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mediaAt, planClip, wallAt, type SourceSegment } from './clip-plan.js';
import { ExportError } from './errors.js';
import { layoutClip, writeClip } from './mp4-writer.js';
import { readSegmentMedia } from './segment-media.js';
import { readMp4 } from './__fixtures__/read-mp4.js';
import { samplePayload, synthSegment, type SynthSegmentOptions } from './__fixtures__/segments.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-mp4-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 10, 26, 8, 0, 0);
let n = 0;
/** Write a synthetic segment (25 fps, GOP 10 frames = 400 ms) starting at wall time startMs. */
function seg(startMs: number, o: Partial<SynthSegmentOptions> & { gops: number }, runId = 'run1'): SourceSegment {
  const tag = ++n;
  const file = path.join(tmp, `seg-${tag}.mp4`);
  fs.writeFileSync(file, synthSegment({ tag, ...o }));
  const ft = o.frameTicks ?? 3600;
  const ms = (o.gops * (o.framesPerGop ?? 10) * ft * 1000) / (o.video?.timescale ?? 90000);
  return { path: file, startMs, endMs: startMs + ms, runId, id: tag };
}
const tagOf = (s: SourceSegment) => s.id!;
const out = (name: string) => path.join(tmp, name);

function readAt(file: string, pos: number, len: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(len);
    fs.readSync(fd, b, 0, len, pos);
    return b;
  } finally {
    fs.closeSync(fd);
  }
}

describe('clip plan and MP4 writer', () => {
  it('cuts at the key frame at or before `from` and ends at the last frame ≤ `to`, across a segment boundary', async () => {
    const a = seg(T0, { gops: 3 });
    const b = seg(T0 + 1200, { gops: 3 });
    const plan = await planClip([b, a], T0 + 500, T0 + 1200 + 680);
    expect(plan.parts).toHaveLength(1);
    const p = plan.parts[0]!;
    // A: frames 10..29 (GOP 2 starts at 400 ms), B: frames 0..17 (frame 17 is at 680 ms)
    expect(p.video.samples.count).toBe(38);
    expect(p.firstFrameMs).toBe(T0 + 400);
    expect(p.lastFrameMs).toBe(T0 + 1200 + 680);
    expect(p.runs).toEqual([{ mediaStart: 0, mediaEnd: 38 * 3600, wallStartMs: T0 + 400, runId: 'run1' }]);
    expect(p.segmentIds).toEqual([a.id, b.id]);

    const w = await writeClip(p, out('cut.mp4'));
    const m = readMp4(out('cut.mp4'));
    expect(m.top.map((x) => x.type)).toEqual(['ftyp', 'moov', 'mdat']);
    expect(w.bytes).toBe(fs.statSync(out('cut.mp4')).size);
    const v = m.tracks[0]!;
    expect(v.handler).toBe('vide');
    expect(v.count).toBe(38);
    expect(v.dur.every((d) => d === 3600)).toBe(true);
    expect(v.duration).toBe(38 * 3600);
    expect(m.movieDuration).toBe(1520);
    expect(v.hasStss).toBe(true);
    expect(v.sync.map((s, i) => (s ? i + 1 : 0)).filter(Boolean)).toEqual([1, 11, 21, 31]);
    expect(v.chunkBox).toBe('stco');
    expect(v.elst).toBeNull();
    expect([v.width, v.height]).toEqual([640, 360]);
    // every sample's bytes are where the tables say
    const expected = [...Array.from({ length: 20 }, (_, i) => [tagOf(a), 10 + i]), ...Array.from({ length: 18 }, (_, i) => [tagOf(b), i])];
    expected.forEach(([tag, idx], i) => {
      expect(readAt(out('cut.mp4'), v.offset[i]!, v.size[i]!).equals(samplePayload(tag!, 1, idx!, v.size[i]!)), `sample ${i}`).toBe(true);
    });
    expect(w.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves gaps out of the media timeline and maps each run to its wall-clock time', async () => {
    const a = seg(T0, { gops: 2 }, 'r1');
    const b = seg(T0 + 5000, { gops: 2 }, 'r2');
    const plan = await planClip([a, b], T0, T0 + 10_000);
    const p = plan.parts[0]!;
    expect(p.video.samples.count).toBe(40);
    expect(p.runs).toEqual([
      { mediaStart: 0, mediaEnd: 20 * 3600, wallStartMs: T0, runId: 'r1' },
      { mediaStart: 20 * 3600, mediaEnd: 40 * 3600, wallStartMs: T0 + 5000, runId: 'r2' },
    ]);
    expect(wallAt(p, 25 * 3600)).toBe(T0 + 5000 + 200);
    expect(wallAt(p, 40 * 3600)).toBeNull();
    expect(mediaAt(p, T0 + 3000)).toBe(0.8); // in the gap: the next run's start
    expect(mediaAt(p, T0 + 5200)).toBe(1);
  });

  it('merges segments of one run that meet within a frame, and splits a run when the wall clock jumps', async () => {
    const a = seg(T0, { gops: 1 }, 'r1');
    const b = seg(T0 + 400 + 20, { gops: 1 }, 'r1'); // 20 ms late: within 1.5 frames
    const c = seg(T0 + 1000, { gops: 1 }, 'r1'); // 180 ms late: a hole
    const plan = await planClip([a, b, c], T0, T0 + 2000);
    expect(plan.parts[0]!.runs.map((r) => r.wallStartMs)).toEqual([T0, T0 + 1000]);
  });

  it('copies AAC audio aligned to the video at every segment boundary', async () => {
    const a = seg(T0, { gops: 3, audioRate: 16000 });
    const b = seg(T0 + 1200, { gops: 3, audioRate: 16000 });
    const plan = await planClip([a, b], T0, T0 + 2400);
    const p = plan.parts[0]!;
    expect(p.audio).not.toBeNull();
    await writeClip(p, out('audio.mp4'));
    const m = readMp4(out('audio.mp4'));
    expect(m.tracks.map((t) => t.handler)).toEqual(['vide', 'soun']);
    const [v, au] = m.tracks;
    const vSec = v!.duration / v!.timescale;
    const aSec = au!.dur.reduce((x, y) => x + y, 0) / au!.timescale;
    expect(vSec).toBeCloseTo(2.4, 6);
    expect(Math.abs(aSec - vSec)).toBeLessThanOrEqual(1024 / 16000);
    // the first audio sample of segment B starts where B's video starts (within rounding)
    const perSeg = readSegmentMedia(a.path).audio!.samples.count;
    const bStart = au!.dur.slice(0, perSeg).reduce((x, y) => x + y, 0) / au!.timescale;
    expect(Math.abs(bStart - 1.2)).toBeLessThan(0.001);
    // audio payloads where the tables say
    for (const i of [0, perSeg - 1, perSeg, au!.count - 1]) {
      const tag = i < perSeg ? tagOf(a) : tagOf(b);
      expect(readAt(out('audio.mp4'), au!.offset[i]!, au!.size[i]!).equals(samplePayload(tag, 2, i < perSeg ? i : i - perSeg, au!.size[i]!))).toBe(true);
    }
    expect(au!.sampleEntry).toBe('mp4a');
  });

  it('keeps B-frame composition offsets (ctts) and starts presentation at the first frame (elst)', async () => {
    const pattern = [7200, 3600 * 5, 3600, 3600, 3600 * 4, 3600, 3600, 3600 * 4, 3600, 3600];
    const a = seg(T0, { gops: 2, cto: (i) => pattern[i]! });
    const plan = await planClip([a], T0, T0 + 800);
    await writeClip(plan.parts[0]!, out('bframes.mp4'));
    const v = readMp4(out('bframes.mp4')).tracks[0]!;
    expect(v.cto.slice(0, 10)).toEqual(pattern);
    expect(v.elst).toEqual([{ duration: 800, mediaTime: 7200 }]);
  });

  it('starts a new part when the stream setup changes, and says why', async () => {
    const a = seg(T0, { gops: 2 });
    const b = seg(T0 + 800, { gops: 2, video: { width: 1280, height: 720 } });
    const c = seg(T0 + 1600, { gops: 2, video: { width: 1280, height: 720 } });
    const plan = await planClip([a, b, c], T0, T0 + 2400);
    expect(plan.parts.map((p) => p.video.samples.count)).toEqual([20, 40]);
    expect(plan.parts[1]!.splitReason).toBe('video size 640×360 → 1280×720');
    expect(plan.parts[1]!.runs[0]!.mediaStart).toBe(0);
    const d = seg(T0 + 2400, { gops: 1, video: { width: 1280, height: 720, avc: [0x64, 0, 0x28] } });
    const plan2 = await planClip([c, d], T0 + 1600, T0 + 3000);
    expect(plan2.parts).toHaveLength(2);
    expect(plan2.parts[1]!.splitReason).toMatch(/video codec avc1.4d401e → avc1.640028/);
  });

  it('uses the complete fragments of a torn (salvaged) last segment', async () => {
    const a = seg(T0, { gops: 2 });
    const b = seg(T0 + 800, { gops: 3 });
    const full = fs.readFileSync(b.path);
    fs.writeFileSync(b.path, full.subarray(0, full.length - 300)); // inside the last fragment's mdat
    const media = readSegmentMedia(b.path);
    expect(media.truncated).toBe(true);
    expect(media.video!.samples.count).toBe(20);
    const plan = await planClip([a, b], T0, T0 + 2000);
    expect(plan.parts[0]!.video.samples.count).toBe(40);
    await writeClip(plan.parts[0]!, out('torn.mp4'));
    expect(readMp4(out('torn.mp4')).tracks[0]!.count).toBe(40);
  });

  it('reports missing and unreadable segments, and refuses a range without footage or backwards', async () => {
    const a = seg(T0, { gops: 2 });
    const gone: SourceSegment = { path: path.join(tmp, 'gone.mp4'), startMs: T0 + 800, endMs: T0 + 1600, runId: 'run1' };
    fs.writeFileSync(path.join(tmp, 'junk.mp4'), 'not an mp4 at all');
    const junk: SourceSegment = { path: path.join(tmp, 'junk.mp4'), startMs: T0 + 1600, endMs: T0 + 2400, runId: 'run1' };
    const plan = await planClip([a, gone, junk], T0, T0 + 2400);
    expect(plan.parts[0]!.video.samples.count).toBe(20);
    expect(plan.skipped.map((s) => s.reason)).toEqual(['file_missing', 'file_unreadable']);
    await expect(planClip([gone], T0, T0 + 2400)).rejects.toMatchObject({ code: 'no_footage' });
    await expect(planClip([a], T0 + 10_000, T0 + 20_000)).rejects.toMatchObject({ code: 'no_footage', message: expect.stringMatching(/no recorded footage between/) });
    await expect(planClip([a], T0 + 1000, T0)).rejects.toBeInstanceOf(ExportError);
    await expect(planClip([a], T0 + 1000, T0)).rejects.toMatchObject({ code: 'bad_range' });
  });

  it('writes co64 chunk offsets when asked, and on its own for an mdat past 4 GiB', async () => {
    const a = seg(T0, { gops: 2 });
    const plan = await planClip([a], T0, T0 + 800);
    await writeClip(plan.parts[0]!, out('co64.mp4'), { force64: true });
    const v = readMp4(out('co64.mp4')).tracks[0]!;
    expect(v.chunkBox).toBe('co64');
    expect(readAt(out('co64.mp4'), v.offset[5]!, v.size[5]!).equals(samplePayload(tagOf(a), 1, 5, v.size[5]!))).toBe(true);
    // the layout of a 5 GiB clip (no need to write it): 64-bit mdat size, co64
    const big = (await planClip([a], T0, T0 + 800)).parts[0]!;
    big.video.chunkOffsets[big.video.chunkOffsets.length - 1]! += 5 * 1024 ** 3;
    big.mdatBytes += 5 * 1024 ** 3;
    const lay = layoutClip(big);
    expect(lay.co64).toBe(true);
    expect(lay.header[2]!.length).toBe(16);
    expect(lay.header[2]!.readUInt32BE(0)).toBe(1);
    expect(Number(lay.header[2]!.readBigUInt64BE(8))).toBe(big.mdatBytes + 16);
    expect(lay.header[1]!.includes(Buffer.from('co64'))).toBe(true);
    expect(lay.totalBytes).toBe(lay.headerBytes + big.mdatBytes);
  });

  it('reports progress up to the total, and a cancel leaves no file behind', async () => {
    const segs = [seg(T0, { gops: 5 }), seg(T0 + 2000, { gops: 5 }), seg(T0 + 4000, { gops: 5 })];
    const plan = await planClip(segs, T0, T0 + 6000);
    const seen: number[] = [];
    const w = await writeClip(plan.parts[0]!, out('progress.mp4'), { readBytes: 4096, onProgress: (p) => seen.push(p.bytesDone) });
    expect(seen[seen.length - 1]).toBe(w.bytes);
    expect(seen.every((x, i) => i === 0 || x >= seen[i - 1]!)).toBe(true);
    const ac = new AbortController();
    const dir = fs.mkdtempSync(path.join(tmp, 'cancel-'));
    await expect(
      writeClip(plan.parts[0]!, path.join(dir, 'x.mp4'), {
        readBytes: 4096,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.bytesDone > 10_000) ac.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(fs.readdirSync(dir)).toEqual([]);
    await expect(writeClip(plan.parts[0]!, out('progress.mp4'))).rejects.toMatchObject({ code: 'exists' });
  });
});
