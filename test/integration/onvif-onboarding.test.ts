/**
 * Discovery and onboarding end to end: two fake ONVIF cameras answer real
 * multicast WS-Discovery on loopback; one is added with credentials (its
 * clock an hour off) and records through the recording pipeline from the
 * RTSP URI it reported. Plus "Test connection" for manual RTSP URLs.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import { startFakeCamera, type FakeCamera } from '../fixtures/onvif/fake-camera.js';
import { onvifEnv, startEngine, until, type TestEngine } from '../fixtures/onvif/harness.js';
import type { DiscoveredDeviceInfo, StreamTestResult } from '../../main/api/onvif.js';
import type { CameraInfo } from '../../main/api/contract.js';

const DISCOVERY_PORT = 18601;
const ROOT = path.resolve(import.meta.dirname, '..', '..');
let rtsp: RtspFixture;
let a: FakeCamera;
let b: FakeCamera;
let te: TestEngine;

beforeAll(async () => {
  onvifEnv(DISCOVERY_PORT);
  rtsp = await startRtspServer({ port: 18680 });
  a = await startFakeCamera({ port: 18602, discoveryPort: DISCOVERY_PORT, manufacturer: 'Acme', model: 'Dome-1', firmware: '5.4.1', rtsp: { main: rtsp.url('/cam1'), sub: rtsp.url('/cam2') } });
  b = await startFakeCamera({
    port: 18603,
    discoveryPort: DISCOVERY_PORT,
    scopeName: 'Bullet',
    model: 'BX-200',
    openDeviceInfo: false,
    auth: { username: 'onvif', password: 's3cret-pw' },
    clockOffsetMs: 3600_000,
    refParams: true,
    rtsp: { main: rtsp.url('/cam3'), sub: rtsp.url('/cam4') },
  });
  te = await startEngine('onboarding');
});

afterAll(async () => {
  await te?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
  await rtsp?.close();
});

function cli(args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main/cli/gatehouse.ts'), ...args], { cwd: ROOT, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('discovery', () => {
  it('finds both cameras once each, with device info where it is open and scopes where it is not', async () => {
    const t0 = Date.now();
    const r = await te.call<{ devices: DiscoveredDeviceInfo[]; tookMs: number }>('onvif.discover', { timeoutMs: 1500 });
    const took = Date.now() - t0;
    expect(took).toBeLessThan(4000);
    const byPort = (p: number) => r.devices.filter((d) => d.xaddr.includes(`:${p}/`));
    expect(byPort(18602)).toHaveLength(1);
    expect(byPort(18603)).toHaveLength(1);
    // Two probe types, each sent twice: every camera answered several times, and was listed once.
    expect(a.probes).toBeGreaterThanOrEqual(2);
    const da = byPort(18602)[0]!;
    expect(da).toMatchObject({ manufacturer: 'Acme', model: 'Dome-1', firmware: '5.4.1', infoFrom: 'device', endpoint: `urn:uuid:${a.uuid}`, cameraId: null });
    const db = byPort(18603)[0]!;
    expect(db).toMatchObject({ manufacturer: 'Bullet', model: 'BX-200', firmware: null, infoFrom: 'scopes', cameraId: null });
  });

  it('gatehouse discover --json lists them too', async () => {
    const r = await cli(['discover', '--timeout', '1', '--json', '--port', String(DISCOVERY_PORT), '--interface', '127.0.0.1', '--data', path.join(te.dir, 'cli-none')]);
    expect(r.code).toBe(0);
    const devs = JSON.parse(r.stdout) as DiscoveredDeviceInfo[];
    expect(devs.map((d) => d.xaddr).sort()).toEqual([a.xaddr, b.xaddr].sort());
    expect(fs.existsSync(path.join(te.dir, 'cli-none'))).toBe(false);
  });
});

describe('onboarding', () => {
  let cam: CameraInfo;

  it('adds the camera that needs credentials, with the URIs of its main and sub profiles', async () => {
    cam = await te.call<CameraInfo>('onvif.add', { xaddr: b.xaddr, username: 'onvif', password: 's3cret-pw' });
    expect(cam.name).toBe('Gatehouse Fake BX-200');
    expect(cam.url).toBe(rtsp.url('/cam3'));
    expect(cam.subUrl).toBe(rtsp.url('/cam4'));
    expect(cam.username).toBe('onvif');
    expect(JSON.stringify(cam)).not.toContain('s3cret-pw');
    const stored = te.engine.cameras.get(cam.id)!;
    expect(stored.onvif).toMatchObject({ xaddr: b.xaddr, endpoint: `urn:uuid:${b.uuid}`, mainProfile: 'profile_main', subProfile: 'profile_sub', ptzProfile: 'profile_main' });
    expect(stored.onvif!.capabilities).toMatchObject({ ptz: true, events: true, pullPoint: true, relayOutputs: 1 });
    const onDisk = fs.readFileSync(path.join(te.dir, 'config.json'), 'utf8');
    expect(onDisk).not.toContain('s3cret-pw');
    expect(onDisk).toMatch(/"schemaVersion": 3/);
    const again = await te.call<{ devices: DiscoveredDeviceInfo[] }>('onvif.discover', { timeoutMs: 1000 });
    expect(again.devices.find((d) => d.xaddr === b.xaddr)?.cameraId).toBe(cam.id);
    expect(again.devices.find((d) => d.xaddr === a.xaddr)?.cameraId).toBeNull();
  });

  it('gatehouse cameras add --onvif works without a server, and says what is wrong', async () => {
    const data = path.join(te.dir, 'cli-data');
    const bad = await cli(['cameras', 'add', '--onvif', b.xaddr, '--user', 'onvif', '--password', 'nope-123', '--data', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/refused the username or password/);
    expect(bad.stderr).not.toContain('nope-123');
    const ok = await cli(['cameras', 'add', '--onvif', `127.0.0.1:${a.port}`, '--name', 'Dome', '--json', '--data', data]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ id: 'dome', name: 'Dome', url: rtsp.url('/cam1'), subUrl: rtsp.url('/cam2') });
    const cfg = JSON.parse(fs.readFileSync(path.join(data, 'config.json'), 'utf8')) as { cameras: { onvif?: { xaddr: string } }[] };
    expect(cfg.cameras[0]!.onvif?.xaddr).toBe(a.xaddr);
  });

  it('onvif.inspect shows what would be used, without adding', async () => {
    const r = await te.call<{ mainProfile: string; profiles: unknown[]; clockSkewMs: number; cameraId: string | null }>('onvif.inspect', { xaddr: a.xaddr });
    expect(r.mainProfile).toBe('profile_main');
    expect(r.profiles).toHaveLength(2);
    expect(Math.abs(r.clockSkewMs)).toBeLessThan(2000);
    expect(r.cameraId).toBeNull();
  });

  it('records through the recording pipeline from the ONVIF-provided URI', async () => {
    const seg = await until(
      async () => {
        const r = await te.call<{ segments: { start: string; bytes: number }[] }>('recordings.list', {
          cameraId: cam.id,
          from: new Date(Date.now() - 3600_000).toISOString(),
          to: new Date(Date.now() + 60_000).toISOString(),
        });
        return r.segments.find((s) => s.bytes > 0);
      },
      90_000,
      'a recorded segment',
      1000,
    );
    expect(seg!.bytes).toBeGreaterThan(1000);
    const info = (await te.call<CameraInfo[]>('cameras.list')).find((c) => c.id === cam.id)!;
    expect(info.status.state).toBe('recording');
  });
});

describe('cameras.test (manual RTSP URL)', () => {
  it('reports codec, resolution, fps and a snapshot', async () => {
    const r = await te.call<StreamTestResult>('cameras.test', { url: rtsp.url('/cam1'), timeoutMs: 20_000 });
    expect(r).toMatchObject({ ok: true, codec: 'h264', width: 768, height: 576 });
    expect(r.fps).toBeCloseTo(10, 0);
    expect(r.snapshot).toMatch(/^data:image\/jpeg;base64,\/9j\//);
  });

  it('a wrong password, a wrong path and a closed port each get their own message', async () => {
    await expect(te.call('cameras.test', { url: rtsp.url('/auth'), username: 'admin', password: 'nope', timeoutMs: 15_000 })).rejects.toThrow(/refused the username or password/);
    await expect(te.call('cameras.test', { url: rtsp.url('/nothing-here'), timeoutMs: 15_000 })).rejects.toThrow(/no stream at that path|404/);
    await expect(te.call('cameras.test', { url: 'rtsp://127.0.0.1:18689/x', timeoutMs: 15_000 })).rejects.toThrow(/connection refused/);
    const ok = await te.call<StreamTestResult>('cameras.test', { url: rtsp.url('/auth'), username: 'admin', password: 'secret', timeoutMs: 20_000 });
    expect(ok.codec).toBe('h264');
  });
});
