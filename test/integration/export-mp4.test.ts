/**
 * The export's MP4 writer and re-encode on real recorded segments (real
 * ffmpeg writes them with the recorder's segment-muxer options, indexed by
 * `index rebuild`'s code; see export-footage.ts): H.264 with AAC across a
 * gap, H.265, a change of resolution (two parts), a torn last segment, and
 * the re-encode with privacy masks, a frame-exact cut and the burned-in
 * clock. ffprobe and ffmpeg read every output back.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyFileSecretBox } from '../../main/engine/config/secrets.js';
import { createExportBundle, selectSegments, SiteKeyStore, type ExportCamera, type Manifest, type ManifestVideoFile } from '../../main/engine/export/index.js';
import { planClip, writeClip } from '../../main/engine/export/index.js';
import { openIndex, type Db } from '../../main/engine/store/db.js';
import { clipH265, ffmpegPath, ffprobePath } from '../fixtures/media.js';
import { makeFootage } from './export-footage.js';
import { processesMentioning, tempDir } from './recording-harness.js';

const run = promisify(execFile);
const T0 = Date.UTC(2026, 10, 26, 8, 0, 0);

interface Stream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  duration?: string;
  nb_read_packets?: string;
  start_time?: string;
}
async function probe(file: string): Promise<{ streams: Stream[]; duration: number }> {
  const { stdout } = await run(ffprobePath(), ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,codec_name,width,height,duration,nb_read_packets,start_time:format=duration', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { streams: Stream[]; format: { duration: string } };
  return { streams: j.streams, duration: Number(j.format.duration) };
}
/** Decode every frame; resolves with ffmpeg's error output (empty when clean). */
async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run(ffmpegPath(), ['-v', 'error', '-nostdin', '-i', file, '-f', 'null', '-'], { maxBuffer: 16 * 1024 * 1024 });
  return stderr.trim();
}
/** One decoded frame at `t` seconds as 8-bit gray, and its size. */
async function grayFrame(file: string, t: number, w: number, h: number): Promise<Buffer> {
  const { stdout } = await run(ffmpegPath(), ['-v', 'error', '-nostdin', '-ss', String(t), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(stdout.length).toBe(w * h);
  return stdout;
}

describe('export MP4 writer on recorded segments', () => {
  let dataDir: string;
  let db: Db;
  let keys: SiteKeyStore;
  const cam = (id: string, from: number, to: number, extra: Partial<ExportCamera> = {}): ExportCamera => ({
    id,
    name: id.toUpperCase(),
    ...selectSegments(db, path.join(dataDir, 'recordings'), id, from, to),
    ...extra,
  });
  const common = () => ({
    case: { name: 'Test case' },
    reason: 'integration test',
    operator: { username: 'tester' },
    site: { name: 'Lab' },
    signer: keys.signer(),
    ffmpeg: ffmpegPath(),
  });

  beforeAll(async () => {
    dataDir = tempDir('export-mp4');
    await makeFootage(dataDir, [
      // H.264 + AAC, 40 s, a 15 s outage, 30 s
      { cameraId: 'door', startMs: T0, audio: true, pieces: [{ seconds: 40, gapMs: 15_000, reason: 'camera_unreachable' }, { seconds: 30 }] },
      // H.265 (the fixture's clip: 768×576, 10 fps, GOP 2 s)
      { cameraId: 'hevc', startMs: T0, source: await clipH265(), pieces: [{ seconds: 30 }] },
      // the camera's resolution changes after a restart: 768×576, then 640×360
      { cameraId: 'change', startMs: T0, pieces: [{ seconds: 20, gapMs: 2000, reason: 'ffmpeg_restart' }, { seconds: 20, encode: { vf: 'scale=640:360' } }] },
    ]);
    db = openIndex(path.join(dataDir, 'index.sqlite'));
    keys = new SiteKeyStore(dataDir, new KeyFileSecretBox(path.join(dataDir, 'secret.key')));
  });

  afterAll(() => {
    db?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('H.264 with AAC across a gap: one file, both tracks, decodes cleanly, gap left out and listed', async () => {
    const from = T0 + 5_500;
    const to = T0 + 80_000;
    const r = await createExportBundle({ ...common(), target: path.join(dataDir, 'exports', 'door'), fromMs: from, toMs: to, cameras: [cam('door', from, to)] });
    const f = r.manifest.files.find((x) => x.kind === 'video') as ManifestVideoFile;
    const file = path.join(r.dir, f.path);
    const p = await probe(file);
    expect(p.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    expect(await decodeErrors(file)).toBe('');
    // moov before mdat: progressive, plays before it is fully read
    const head = fs.readFileSync(file).subarray(0, 64);
    expect(head.toString('latin1', 4, 8)).toBe('ftyp');
    expect(head.includes(Buffer.from('moov'))).toBe(true);
    // recorded: 40 s + 30 s, minus what lies before `from` (cut at the key frame at or before it: GOP 2 s)
    const sel = selectSegments(db, path.join(dataDir, 'recordings'), 'door', from, to);
    const coverage = sel.segments.reduce((a, s) => a + Math.max(0, Math.min(to, s.endMs) - Math.max(from, s.startMs)), 0) / 1000;
    expect(p.duration).toBeGreaterThanOrEqual(coverage - 0.11);
    expect(p.duration).toBeLessThanOrEqual(coverage + 2 + 0.11);
    const audio = p.streams.find((s) => s.codec_type === 'audio')!;
    expect(Math.abs(Number(audio.duration) - Number(p.streams[0]!.duration))).toBeLessThan(0.2);
    expect(f.runs).toHaveLength(2);
    expect(f.gaps).toHaveLength(1);
    expect(f.gaps[0]).toMatchObject({ reason: 'camera_unreachable', seconds: 15 });
    expect(Date.parse(f.firstFrame)).toBeLessThanOrEqual(from);
    expect(from - Date.parse(f.firstFrame)).toBeLessThan(2000);
  });

  it('H.265 is copied as H.265 (hvc1)', async () => {
    const from = T0 + 3_000;
    const to = T0 + 25_000;
    const r = await createExportBundle({ ...common(), target: path.join(dataDir, 'exports', 'hevc'), fromMs: from, toMs: to, cameras: [cam('hevc', from, to)] });
    const f = r.manifest.files.find((x) => x.kind === 'video') as ManifestVideoFile;
    expect(f.codec).toMatch(/^hvc1\./);
    const p = await probe(path.join(r.dir, f.path));
    expect(p.streams[0]).toMatchObject({ codec_name: 'hevc', width: 768, height: 576 });
    expect(await decodeErrors(path.join(r.dir, f.path))).toBe('');
    expect(p.duration).toBeGreaterThanOrEqual(22 - 0.11);
    expect(p.duration).toBeLessThanOrEqual(24 + 0.11);
  });

  it('a change of resolution gives two parts, each playable, and the manifest says why', async () => {
    const from = T0;
    const to = T0 + 50_000;
    const r = await createExportBundle({ ...common(), target: path.join(dataDir, 'exports', 'change'), fromMs: from, toMs: to, cameras: [cam('change', from, to)] });
    const files = r.manifest.files.filter((x) => x.kind === 'video') as ManifestVideoFile[];
    expect(files.map((x) => [x.path, x.part, x.parts, x.width, x.height])).toEqual([
      ['video/change-part1.mp4', 1, 2, 768, 576],
      ['video/change-part2.mp4', 2, 2, 640, 360],
    ]);
    expect(files[1]!.splitReason).toMatch(/^video size 768×576 → 640×360/);
    for (const x of files) {
      const p = await probe(path.join(r.dir, x.path));
      expect(p.streams[0]).toMatchObject({ width: x.width, height: x.height });
      expect(await decodeErrors(path.join(r.dir, x.path))).toBe('');
    }
    expect(r.manifest.notes.join(' ')).toMatch(/stream settings changed/);
    // the restart, and the end of the range after the last recording (no gap row says why)
    expect(files[0]!.gaps.map((g) => g.reason)).toEqual(['ffmpeg_restart', 'unknown']);
  });

  it('a torn last segment contributes its complete fragments', async () => {
    const from = T0;
    const to = T0 + 30_000;
    const sel = selectSegments(db, path.join(dataDir, 'recordings'), 'hevc', from, to);
    const last = sel.segments[sel.segments.length - 1]!;
    const copy = path.join(dataDir, 'torn.mp4');
    const buf = fs.readFileSync(last.path);
    fs.writeFileSync(copy, buf.subarray(0, Math.floor(buf.length * 0.6)));
    const plan = await planClip([...sel.segments.slice(0, -1), { ...last, path: copy }], from, to);
    const p = plan.parts[0]!;
    await writeClip(p, path.join(dataDir, 'torn-out.mp4'));
    expect(await decodeErrors(path.join(dataDir, 'torn-out.mp4'))).toBe('');
    const full = await planClip(sel.segments, from, to);
    expect(p.video.samples.count).toBeLessThan(full.parts[0]!.video.samples.count);
    expect(p.video.samples.count).toBeGreaterThan(full.parts[0]!.video.samples.count - (last.endMs - last.startMs) / 100);
  });

  it('re-encode: privacy mask burned in, frame-exact cut, clock/camera/operator burned in', async () => {
    const from = T0 + 7_250; // between frames (10 fps) and inside a GOP
    const to = T0 + 19_000;
    const mask: [number, number][] = [
      [0.05, 0.1],
      [0.45, 0.1],
      [0.45, 0.6],
      [0.05, 0.6],
    ];
    const r = await createExportBundle({
      ...common(),
      target: path.join(dataDir, 'exports', 'masked'),
      fromMs: from,
      toMs: to,
      cameras: [cam('door', from, to, { reencode: { masks: [mask], frameExact: true } })],
    });
    const f = r.manifest.files.find((x) => x.kind === 'video') as ManifestVideoFile;
    expect(f).toMatchObject({ reencoded: true, reencodeReasons: ['privacy-mask', 'frame-exact'], cut: 'frame-exact', burnedIn: { timestamp: true, camera: true, privacyMasks: 1 } });
    const file = path.join(r.dir, f.path);
    const p = await probe(file);
    expect(p.streams[0]!.codec_name).toBe('h264');
    // frame-exact: first frame at or after `from` (≤ one frame later), last frame ≤ `to`
    expect(Date.parse(f.firstFrame)).toBeGreaterThanOrEqual(from);
    expect(Date.parse(f.firstFrame) - from).toBeLessThanOrEqual(100);
    expect(Math.abs(p.duration - (to - from) / 1000)).toBeLessThanOrEqual(0.2);
    expect(Number(p.streams[0]!.nb_read_packets)).toBe(f.frames);
    // the mask: opaque black inside the polygon, a picture outside
    const [w, h] = [768, 576];
    for (const t of [0.5, 5, 10]) {
      const g = await grayFrame(file, t, w, h);
      const mean = (x0: number, x1: number) => {
        const v: number[] = [];
        for (let y = Math.ceil(0.12 * h); y < 0.58 * h; y += 7) for (let x = Math.ceil(x0 * w); x < x1 * w; x += 7) v.push(g[y * w + x]!);
        return v.reduce((a, b) => a + b, 0) / v.length;
      };
      expect(mean(0.07, 0.43), `mask at ${t} s`).toBeLessThan(20);
      expect(mean(0.55, 0.95), `picture at ${t} s`).toBeGreaterThan(40);
      // the clock (bottom left) is white text on a dark box
      let bright = 0;
      let dark = 0;
      for (let y = h - 40; y < h - 4; y++)
        for (let x = 8; x < 330; x++) {
          const v = g[y * w + x]!;
          if (v > 200) bright++;
          if (v < 40) dark++;
        }
      expect(bright, `clock text at ${t} s`).toBeGreaterThan(100);
      expect(dark, `clock box at ${t} s`).toBeGreaterThan(1000);
    }
  });

  it('a cancelled re-encode stops ffmpeg and leaves nothing', async () => {
    const from = T0;
    const to = T0 + 40_000;
    const parent = path.join(dataDir, 'exports-cancel');
    const ac = new AbortController();
    await expect(
      createExportBundle({
        ...common(),
        target: path.join(parent, 'b'),
        fromMs: from,
        toMs: to,
        cameras: [cam('door', from, to, { reencode: { frameExact: true } })],
        signal: ac.signal,
        onProgress: (pr) => pr.phase === 'reencode' && pr.fraction > 0 && ac.abort(),
      }),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(fs.readdirSync(parent)).toEqual([]);
    await new Promise((res) => setTimeout(res, 500));
    expect(processesMentioning(parent)).toEqual([]);
  });

  it('a manifest written from real footage verifies with openssl', async () => {
    const dir = path.join(dataDir, 'exports', 'door');
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(m.files.length).toBeGreaterThan(3);
    const { stdout } = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'public-key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'], { cwd: dir });
    expect(stdout).toMatch(/Signature Verified Successfully/);
  });
});
