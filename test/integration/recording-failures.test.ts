/**
 * Bad inputs get their camera state and a clear message while the other
 * cameras keep recording: a wrong path (404), wrong credentials (401), a
 * closed port, an H.265 source, and a source without video. The right
 * credentials record.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AUTH, freePort, startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import type { Engine } from '../../main/engine/engine.js';
import { ffprobe, startEngine, tempDir, waitFor } from './recording-harness.js';

describe('bad camera inputs', () => {
  let rtsp: RtspFixture;
  let engine: Engine;
  let dataDir: string;
  let closedPort = 0;

  beforeAll(async () => {
    rtsp = await startRtspServer({
      port: 18030,
      mounts: { '/cam1': {}, '/h265': { codec: 'h265' }, '/auth': { auth: { ...DEFAULT_AUTH } }, '/noVideo': { audioOnly: true } },
    });
    closedPort = await freePort();
    dataDir = tempDir('failures');
    engine = await startEngine(dataDir, { segmentSeconds: 4, stallSeconds: 8 }, [
      { name: 'Good', url: rtsp.url('/cam1') },
      { name: 'Wrong path', url: rtsp.url('/nope') },
      { name: 'Wrong password', url: rtsp.url('/auth'), username: 'admin', password: 'not-the-password' },
      { name: 'Right password', url: rtsp.url('/auth'), username: DEFAULT_AUTH.user, password: DEFAULT_AUTH.pass },
      { name: 'Closed port', url: `rtsp://127.0.0.1:${closedPort}/cam1` },
      { name: 'HEVC', url: rtsp.url('/h265') },
      { name: 'Audio only', url: rtsp.url('/noVideo') },
    ]);
  });

  afterAll(async () => {
    await engine?.stop();
    await rtsp?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const st = (id: string) => engine.cameras.info(id)!.status;

  it('each gets its state and a message saying what to do; the others keep recording', async () => {
    await waitFor(
      'all states settled',
      () => {
        const s = ['good', 'wrong-path', 'wrong-password', 'right-password', 'closed-port', 'hevc', 'audio-only'].map((id) => st(id).state);
        return !s.includes('connecting') && s;
      },
      60_000,
    );

    expect(st('wrong-path')).toMatchObject({ state: 'offline' });
    expect(st('wrong-path').message).toMatch(/no stream at this path \(RTSP 404 Not Found\): check the stream path/);

    expect(st('wrong-password')).toMatchObject({
      state: 'auth_failed',
      message: 'wrong username or password (RTSP 401): fix them in Cameras → Edit',
    });

    expect(st('closed-port')).toMatchObject({
      state: 'offline',
      message: `connection refused at 127.0.0.1:${closedPort}: check the camera's power and network, and the port`,
    });

    expect(st('audio-only').state).toBe('unsupported');
    expect(st('audio-only').message).toMatch(/^the source sends no video stream/);

    await waitFor('HEVC recording', () => st('hevc').state === 'recording', 30_000);
    expect(st('hevc')).toMatchObject({ codec: 'H.265' });
    expect(st('hevc').message).toMatch(/^H\.265 source: recording works but browsers can't play it live/);

    await waitFor('right password recording', () => st('right-password').state === 'recording', 30_000);

    // the good cameras keep producing segments while the bad ones retry
    const count = (id: string) => engine.recorder.list(id, Date.now() - 3600_000, Date.now() + 1000).segments.length;
    const g0 = count('good');
    await waitFor('more segments from the good camera', () => count('good') >= g0 + 3, 40_000);
    await waitFor('segments from the HEVC camera', () => count('hevc') >= 2, 30_000);
    expect(count('right-password')).toBeGreaterThanOrEqual(1);
    expect(st('good').state).toBe('recording');

    const hevc = engine.recorder.list('hevc', Date.now() - 3600_000, Date.now() + 1000).segments[0]!;
    expect((await ffprobe(hevc.path)).codec).toBe('hevc');

    // still the same diagnosis after retries, and nothing recorded for them
    for (const id of ['wrong-path', 'wrong-password', 'closed-port', 'audio-only']) expect(count(id)).toBe(0);
    expect(st('wrong-password').state).toBe('auth_failed');
    // no credentials leak into status messages
    for (const c of engine.cameras.list()) expect(c.status.message).not.toMatch(/not-the-password|secret/);
  });
});
