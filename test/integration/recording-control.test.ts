/**
 * Live control of the recorder through the API: disabling a camera stops it
 * (gap reason "disabled"), enabling resumes it, a URL change reconnects, and
 * a source with G.711 audio is recorded with the audio converted to AAC.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import type { Engine } from '../../main/engine/engine.js';
import { processesMentioning, run, startEngine, tempDir, waitFor } from './recording-harness.js';

describe('recorder control', () => {
  let rtsp: RtspFixture;
  let engine: Engine;
  let dataDir: string;
  let web: http.Server;
  let token = '';

  beforeAll(async () => {
    rtsp = await startRtspServer({ port: 18046, mounts: { '/cam1': {}, '/cam2': {} } });
    dataDir = tempDir('control');
    // a file with H.264 video and G.711 A-law audio, served over HTTP
    const mkv = path.join(dataDir, 'g711.mkv');
    await run('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=10',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=8000',
      '-t',
      '12',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '20',
      '-bf',
      '0',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'pcm_alaw',
      mkv,
    ]);
    web = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'video/x-matroska' });
      fs.createReadStream(mkv).pipe(res);
    });
    await new Promise<void>((r) => web.listen(18047, '127.0.0.1', () => r()));
    engine = await startEngine(dataDir, { segmentSeconds: 4 }, [
      { name: 'Hall', url: rtsp.url('/cam1') },
      { name: 'Intercom', url: 'http://127.0.0.1:18047/g711.mkv' },
    ]);
    token = ((await engine.handle('auth.login', { username: 'admin', password: 'adminadmin' }, { peer: 'test' })) as { token: string })
      .token;
  });

  afterAll(async () => {
    await engine?.stop();
    await rtsp?.close();
    await new Promise((r) => web?.close(r));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (method: string, params: unknown) => engine.handle(method, params, { token, peer: 'test' });
  const st = (id: string) => engine.cameras.info(id)!.status;
  const list = (id: string) => engine.recorder.list(id, Date.now() - 3600_000, Date.now() + 1000);

  it('disable stops recording with a "disabled" gap, enable resumes, a URL change reconnects', async () => {
    await waitFor('two segments', () => list('hall').segments.length >= 2, 40_000);
    await call('cameras.update', { id: 'hall', patch: { enabled: false } });
    await waitFor('disabled', () => st('hall').state === 'disabled', 15_000);
    await waitFor('the "disabled" gap', () => list('hall').gaps.length === 1, 15_000);
    const n = list('hall').segments.length;
    expect(list('hall').gaps.map((g) => g.reason)).toEqual(['disabled']);
    await new Promise((r) => setTimeout(r, 3000));
    expect(list('hall').segments.length).toBe(n);
    await call('cameras.update', { id: 'hall', patch: { enabled: true } });
    await waitFor('recording again', () => st('hall').state === 'recording', 30_000);
    await waitFor('new segments', () => list('hall').segments.length >= n + 2, 30_000);
    const gaps = list('hall').gaps;
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.reason).toBe('disabled');
    // the camera sends its current GOP (up to 2 s old) on connect, so the gap is shorter than the pause
    expect(Date.parse(gaps[0]!.end) - Date.parse(gaps[0]!.start)).toBeGreaterThan(500);

    const states: string[] = [];
    const off = engine.bus.on('camera.status', (e) => {
      if (e.cameraId === 'hall') states.push(e.status.state);
    });
    const m = list('hall').segments.length;
    await call('cameras.update', { id: 'hall', patch: { url: rtsp.url('/cam2') } });
    await waitFor('reconnected to the new URL', () => states.includes('connecting') && st('hall').state === 'recording', 30_000);
    await waitFor('segments from the new URL', () => list('hall').segments.length >= m + 2, 30_000);
    off();
    // the new connection's first GOP may reach back before the old run's end: the old run is clamped
    // then (no overlap, no gap); otherwise the hole is an ffmpeg_restart gap
    const after = list('hall');
    expect(after.gaps[0]!.reason).toBe('disabled');
    expect(after.gaps.slice(1).map((g) => g.reason)).toEqual(after.gaps.length > 1 ? ['ffmpeg_restart'] : []);
    for (let i = 1; i < after.segments.length; i++)
      expect(Date.parse(after.segments[i]!.start)).toBeGreaterThanOrEqual(Date.parse(after.segments[i - 1]!.end));

    const cov = (await call('recordings.coverage', {
      cameraId: 'hall',
      from: new Date(Date.now() - 3600_000).toISOString(),
      to: new Date().toISOString(),
      timeZone: 'Europe/Berlin',
    })) as {
      days: { day: string; recordedSeconds: number }[];
    };
    expect(cov.days.reduce((a, d) => a + d.recordedSeconds, 0)).toBeGreaterThan(10);
    await expect(
      call('recordings.coverage', {
        cameraId: 'hall',
        from: new Date(0).toISOString(),
        to: new Date().toISOString(),
        timeZone: 'Mars/Olympus',
      }),
    ).rejects.toThrow(/unknown time zone/);
  });

  it('a sub stream starts on demand for live view, supervised, while the main stream records', async () => {
    await call('cameras.update', { id: 'hall', patch: { subUrl: rtsp.url('/cam1') } });
    await waitFor('recording', () => st('hall').state === 'recording', 30_000);
    const got: { key: boolean }[] = [];
    let codec = '';
    const detach = engine.recorder.subscribeLive('hall', 'sub', {
      init: (c) => (codec = c),
      fragment: (_d, key) => got.push({ key }),
      close: () => {},
    });
    try {
      await waitFor('sub-stream fragments', () => got.length >= 10, 30_000);
      expect(codec).toMatch(/^avc1\./);
      expect(got[0]!.key).toBe(true);
      // its own ffmpeg: live output only, carrying the data dir for stray reaping
      const subs = processesMentioning(dataDir).filter((pid) => {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmd.includes('/cam1') && cmd.includes('.owner') && !cmd.includes('segment');
      });
      expect(subs).toHaveLength(1);
      const n = list('hall').segments.length;
      await waitFor('main stream still recording', () => list('hall').segments.length > n, 20_000);
    } finally {
      detach();
    }
  });

  it('G.711 audio is converted to AAC and shown in the status', async () => {
    await waitFor('intercom segments', () => list('intercom').segments.length >= 1, 60_000);
    expect(st('intercom').audio).toMatch(/^pcm_alaw → AAC/);
    const seg = list('intercom').segments[0]!;
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'csv=p=0', seg.path]);
    expect(stdout.trim().split('\n').sort()).toEqual(['aac,audio', 'h264,video']);
    const row = engine.db.prepare('SELECT codec FROM segments WHERE camera_id = ? LIMIT 1').get('intercom') as { codec: string };
    expect(row.codec).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
  });
});
