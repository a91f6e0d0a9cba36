/**
 * Record a real RTSP camera for 30 s: every segment is a valid MP4 that
 * ffprobe reads, segments follow each other within one frame, the live
 * fan-out delivers init + key-frame-first fragments, and the playback API
 * serves a continuous timeline across segment boundaries.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import type { Engine } from '../../main/engine/engine.js';
import type { HttpServer } from '../../main/server/http.js';
import { walkBuffer } from '../../main/engine/media/boxes.js';
import { ffprobe, run, sleep, startEngine, tempDir, waitFor, serveAndLogin } from './recording-harness.js';

const FRAME_MS = 100; // the fixture's clip is 10 fps

describe('recording a camera', () => {
  let rtsp: RtspFixture;
  let engine: Engine;
  let server: HttpServer;
  let dataDir: string;
  let base = '';
  let token = '';
  const events: string[] = [];

  beforeAll(async () => {
    rtsp = await startRtspServer({ port: 18020, mounts: { '/cam1': {} } });
    dataDir = tempDir('basic');
    engine = await startEngine(dataDir, { segmentSeconds: 4 }, [{ name: 'Gate', url: rtsp.url('/cam1') }]);
    engine.bus.onAny((e) => events.push(e));
    ({ server, base, token } = await serveAndLogin(engine, 18021));
  });

  afterAll(async () => {
    await server?.stop();
    await engine?.stop();
    await rtsp?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('records 30 s into fMP4 segments that ffprobe reads, continuous within one frame', async () => {
    const t0 = Date.now();
    await waitFor('recording state', () => engine.cameras.info('gate')?.status.state === 'recording', 30_000);
    const status = engine.cameras.info('gate')!.status;
    expect(status).toMatchObject({ codec: 'H.264', width: 768, height: 576, fps: 10 });
    await sleep(Math.max(0, 30_000 - (Date.now() - t0)));
    const { segments, gaps } = engine.recorder.list('gate', t0 - 60_000, Date.now() + 1000);
    expect(gaps).toEqual([]);
    expect(segments.length).toBeGreaterThanOrEqual(5);
    let total = 0;
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      const p = await ffprobe(s.path);
      expect(p).toMatchObject({ codec: 'h264', width: 768, height: 576 });
      const span = Date.parse(s.end) - Date.parse(s.start);
      expect(Math.abs(p.duration * 1000 - span), `duration of ${s.path}`).toBeLessThanOrEqual(FRAME_MS);
      expect(p.frames).toBeGreaterThan(0);
      expect(s.bytes).toBe(fs.statSync(s.path).size);
      total += span;
      if (i > 0) {
        const step = Date.parse(s.start) - Date.parse(segments[i - 1]!.end);
        expect(Math.abs(step), `step before segment ${i}`).toBeLessThanOrEqual(FRAME_MS);
      }
    }
    // the index covers (nearly) the whole time since the first frame
    const covered = Date.parse(segments[segments.length - 1]!.end) - Date.parse(segments[0]!.start);
    expect(Math.abs(covered - total)).toBeLessThanOrEqual(FRAME_MS * segments.length);
    expect(events).toContain('recording.segment');
    // and the wall-clock anchor is sane: the last segment ended within a few seconds of now
    expect(Date.now() - Date.parse(segments[segments.length - 1]!.end)).toBeLessThan(4 * 4000 + 3000);
  });

  it('fans the live stream out: init first, then fragments from a key frame', async () => {
    const got: { kind: string; key?: boolean; codec?: string; len: number }[] = [];
    const detach = engine.recorder.subscribeLive('gate', 'sub', {
      init: (codec, init) => got.push({ kind: 'init', codec, len: init.length }),
      fragment: (d, key) => got.push({ kind: 'frag', key, len: d.length }),
      close: () => got.push({ kind: 'close', len: 0 }),
    });
    await waitFor('live fragments', () => got.filter((g) => g.kind === 'frag').length >= 25, 20_000);
    detach();
    expect(got[0]).toMatchObject({ kind: 'init' });
    expect(got[0]!.codec).toMatch(/^avc1\.4d40[0-9a-f]{2}$/);
    expect(got[1]).toMatchObject({ kind: 'frag', key: true });
    expect(got.filter((g) => g.kind === 'frag' && g.key).length).toBeGreaterThanOrEqual(2);
  });

  it('serves a continuous playback timeline over HTTP (map, init, retimed segments) and a snapshot', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const from = new Date(Date.now() - 120_000).toISOString();
    const to = new Date().toISOString();
    const map = (await (await fetch(`${base}/api/media/gate/map.json?from=${from}&to=${to}`, { headers: auth })).json()) as {
      originMs: number;
      segments: {
        id: number;
        startMs: number;
        endMs: number;
        mediaStart: number;
        init: string;
        url: string;
        codec: string;
        initHash: string;
      }[];
    };
    expect(map.segments.length).toBeGreaterThanOrEqual(3);
    const segs = map.segments.slice(0, 3);
    expect(new Set(segs.map((s) => s.initHash)).size).toBe(1);
    const parts = [Buffer.from(await (await fetch(`${base}${segs[0]!.init}`, { headers: auth })).arrayBuffer())];
    for (const s of segs) parts.push(Buffer.from(await (await fetch(`${base}${s.url}`, { headers: auth })).arrayBuffer()));
    const joined = Buffer.concat(parts);
    // decode times sit on the map's timeline: media time = (wall time - origin)
    const w = walkBuffer(joined);
    const ts = w.video!.timescale;
    expect(w.fragments[0]!.trafs[0]!.baseTime / ts).toBeCloseTo(segs[0]!.mediaStart, 2);
    const file = `${dataDir}/joined.mp4`;
    fs.writeFileSync(file, joined);
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v',
      '-show_entries',
      'packet=pts_time',
      '-of',
      'csv=p=0',
      file,
    ]);
    const pts = stdout.trim().split('\n').map(Number);
    // monotonic, no jump longer than a frame across the segment boundaries (an RTSP run's very
    // first frame arrives without a timestamp and gets a 1-tick duration from ffmpeg)
    for (let i = 1; i < pts.length; i++) {
      const step = pts[i]! - pts[i - 1]!;
      expect(step).toBeGreaterThan(0);
      expect(step).toBeLessThanOrEqual(FRAME_MS / 1000 + 0.002);
    }
    expect(pts.length).toBeGreaterThanOrEqual(Math.round((segs[2]!.endMs - segs[0]!.startMs) / FRAME_MS) - 1);
    expect(pts[0]).toBeCloseTo(segs[0]!.mediaStart, 2);
    expect(Math.abs(pts[pts.length - 1]! + FRAME_MS / 1000 - (segs[2]!.endMs - map.originMs) / 1000)).toBeLessThanOrEqual(
      FRAME_MS / 1000 + 0.002,
    );

    // a window starting inside a segment: the origin moves back to that segment's start
    const mid = new Date(segs[1]!.startMs + 1000).toISOString();
    const map2 = (await (await fetch(`${base}/api/media/gate/map.json?from=${mid}&to=${to}`, { headers: auth })).json()) as typeof map;
    expect(map2.segments[0]!.id).toBe(segs[1]!.id);
    expect(map2.originMs).toBe(segs[1]!.startMs);
    expect((await fetch(`${base}${map2.segments[0]!.url}`, { headers: auth })).status).toBe(200);

    const snap = await fetch(`${base}/api/media/gate/snapshot.jpg?at=${new Date(segs[1]!.startMs + 1500).toISOString()}`, {
      headers: auth,
    });
    expect(snap.status).toBe(200);
    expect(snap.headers.get('content-type')).toBe('image/jpeg');
    const live = await fetch(`${base}/api/media/gate/snapshot.jpg`, { headers: auth });
    expect(live.status).toBe(200);
    const missing = await fetch(`${base}/api/media/gate/snapshot.jpg?at=2001-01-01T00:00:00Z`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/nothing recorded/);
    expect((await fetch(`${base}/api/media/gate/map.json?from=${from}&to=${to}`)).status).toBe(401);
  });
});
