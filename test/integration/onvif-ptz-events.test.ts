/**
 * PTZ against the fake camera (moves change its position; a move that is
 * not refreshed stops by itself), presets and home, relay outputs, pull-point
 * events into the events table and out to a WebSocket console, recovery of
 * the subscription after the camera was killed, and the clock-skew warning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCamera, type FakeCamera } from '../fixtures/onvif/fake-camera.js';
import { eventClient, onvifEnv, startEngine, until, type TestEngine } from '../fixtures/onvif/harness.js';
import type { StoredEvent } from '../../main/api/onvif.js';

const DISCOVERY_PORT = 18621;
const HTTP_PORT = 18629;
let te: TestEngine;
let cam: FakeCamera;
let skewed: FakeCamera;
let baseUrl: string;
let camId: string;
let skewedId: string;
const skewEvents: { cameraId: string; skewMs: number; ok: boolean; message: string }[] = [];

beforeAll(async () => {
  onvifEnv(DISCOVERY_PORT, { GATEHOUSE_ONVIF_CLOCK_CHECK_S: '1' });
  cam = await startFakeCamera({ port: 18622, discoveryPort: null, auth: { username: 'op', password: 'ptz-pass' }, refParams: true });
  skewed = await startFakeCamera({ port: 18623, discoveryPort: null, clockOffsetMs: 90_000, ptz: false });
  te = await startEngine('ptz');
  te.engine.bus.on('camera.clockSkew', (e) => skewEvents.push(e));
  baseUrl = await te.serve(HTTP_PORT);
  camId = (await te.call<{ id: string }>('onvif.add', { xaddr: cam.xaddr, username: 'op', password: 'ptz-pass', name: 'Yard PTZ' })).id;
  skewedId = (await te.call<{ id: string }>('onvif.add', { xaddr: skewed.xaddr, name: 'Skewed' })).id;
});

afterAll(async () => {
  await te?.stop();
  await Promise.all([cam?.stop(), skewed?.stop()]);
});

describe('PTZ', () => {
  it('a held move changes the position and the engine stops it when the refreshes stop', async () => {
    const before = cam.position();
    const stopsBefore = cam.ops('Stop');
    const r = await te.call<{ ok: boolean; deadline: string }>('ptz.move', { cameraId: camId, pan: 0.5, tilt: 0, zoom: 0 });
    expect(Date.parse(r.deadline) - Date.now()).toBeLessThanOrEqual(1000);
    // Hold it for ~1.2 s with refreshes every 300 ms, as the console does while a key is down.
    for (let i = 0; i < 4; i++) {
      await new Promise((res) => setTimeout(res, 300));
      await te.call('ptz.move', { cameraId: camId, pan: 0.5, tilt: 0, zoom: 0 });
    }
    expect(cam.position().pan).toBeGreaterThan(before.pan + 0.3);
    expect(cam.ops('Stop')).toBe(stopsBefore);
    // No more refreshes: the watchdog must stop it within 1 s of the last one.
    await until(() => cam.ops('Stop') > stopsBefore, 3000, 'the watchdog Stop');
    const stopped = cam.position();
    expect(stopped.moving).toBe(false);
    await new Promise((res) => setTimeout(res, 400));
    expect(cam.position().pan).toBeCloseTo(stopped.pan, 5);
    const st = await te.call<{ pan: number; moving: boolean }>('ptz.status', { cameraId: camId });
    expect(st.moving).toBe(false);
    expect(st.pan).toBeCloseTo(stopped.pan, 2);
  });

  it('a single move without any refresh stops by itself', async () => {
    const stopsBefore = cam.ops('Stop');
    await te.call('ptz.move', { cameraId: camId, pan: 0, tilt: -0.5, zoom: 0.5, timeoutMs: 300 });
    await until(() => cam.ops('Stop') > stopsBefore, 2500, 'the watchdog Stop');
    expect(cam.position().moving).toBe(false);
  });

  it('stop, presets, go to preset and home', async () => {
    await te.call('ptz.move', { cameraId: camId, pan: -1, tilt: 0.2, zoom: 0 });
    await new Promise((res) => setTimeout(res, 200));
    await te.call('ptz.stop', { cameraId: camId });
    expect(cam.position().moving).toBe(false);
    const spot = cam.position();
    const { token } = await te.call<{ token: string }>('ptz.setPreset', { cameraId: camId, name: 'Gate' });
    const { presets } = await te.call<{ presets: { token: string; name: string }[] }>('ptz.presets', { cameraId: camId });
    expect(presets).toContainEqual({ token, name: 'Gate' });
    await te.call('ptz.home', { cameraId: camId });
    expect(cam.position().pan).toBe(0);
    await te.call('ptz.gotoPreset', { cameraId: camId, token });
    expect(cam.position().pan).toBeCloseTo(spot.pan, 5);
    await expect(te.call('ptz.move', { cameraId: skewedId, pan: 0.1 })).rejects.toThrow(/has no PTZ/);
    await expect(te.call('ptz.move', { cameraId: camId, pan: 2 })).rejects.toThrow(/velocities run from -1 to 1/);
  });

  it('onvif.cameras tells the console which cameras have PTZ', async () => {
    const r = await te.call<{ cameras: { cameraId: string; ptz: boolean; relayOutputs: number }[] }>('onvif.cameras');
    expect(r.cameras.find((c) => c.cameraId === camId)).toMatchObject({ ptz: true, relayOutputs: 1 });
    expect(r.cameras.find((c) => c.cameraId === skewedId)).toMatchObject({ ptz: false });
  });

  it('every PTZ action goes on the bus for the audit trail', async () => {
    const seen: { action: string; user: string }[] = [];
    const off = te.engine.bus.on('ptz.action', (e) => seen.push(e));
    await te.call('ptz.home', { cameraId: camId });
    off();
    expect(seen).toContainEqual(expect.objectContaining({ action: 'home', user: 'admin' }));
  });
});

describe('events', () => {
  it('an injected motion event is stored and reaches a WebSocket console', async () => {
    const ws = await eventClient(baseUrl, te.token);
    try {
      await until(() => cam.subscriptionCount() > 0, 10_000, 'a pull-point subscription');
      await new Promise((res) => setTimeout(res, 300));
      const t0 = Date.now();
      cam.inject({ kind: 'motion', state: true });
      const ev = await ws.waitFor((e) => e.event === 'onvif.event' && (e.data as { kind: string; state: boolean }).state === true, 10_000);
      expect(ev.data).toMatchObject({ cameraId: camId, kind: 'motion', state: true, source: 'VideoSource_1' });
      cam.inject({ kind: 'input', state: true, source: 'input1' });
      await ws.waitFor((e) => e.event === 'onvif.event' && (e.data as { kind: string }).kind === 'input', 10_000);
      const { events } = await te.call<{ events: StoredEvent[] }>('events.list', {
        cameraId: camId,
        from: new Date(t0 - 60_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      });
      expect(events.map((e) => [e.kind, e.data.state])).toEqual([
        ['motion', true],
        ['input', true],
      ]);
      expect(events[0]!.source).toBe('onvif');
      // The initial "false" states of a new subscription are not events.
      const onlyMotion = await te.call<{ events: StoredEvent[] }>('events.list', { from: new Date(t0 - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString(), kinds: ['motion'] });
      expect(onlyMotion.events).toHaveLength(1);
    } finally {
      ws.close();
    }
  });

  it('a relay output driven from the console changes on the camera and comes back as an event', async () => {
    const { relays } = await te.call<{ relays: { token: string }[] }>('onvif.relays', { cameraId: camId });
    expect(relays.map((r) => r.token)).toEqual(['relay1']);
    const got = new Promise((res) => {
      const off = te.engine.bus.on('onvif.event', (e) => {
        if (e.kind === 'relay' && e.state) {
          off();
          res(e);
        }
      });
    });
    await te.call('onvif.relay', { cameraId: camId, token: 'relay1', active: true });
    expect(await got).toMatchObject({ cameraId: camId, kind: 'relay', state: true, source: 'relay1' });
  });

  it('the subscription recovers after the camera was killed and came back', async () => {
    await until(() => cam.subscriptionCount() > 0, 10_000, 'a subscription');
    await cam.stop();
    await new Promise((res) => setTimeout(res, 2500));
    const info = await te.call<{ events: { state: string } }>('onvif.deviceInfo', { cameraId: camId });
    expect(info.events.state).toBe('retrying');
    await cam.start();
    await until(() => cam.subscriptionCount() > 0, 15_000, 'a new subscription after the restart');
    const got = new Promise((res) => {
      const off = te.engine.bus.on('onvif.event', (e) => {
        if (e.kind === 'tamper') {
          off();
          res(e);
        }
      });
    });
    cam.inject({ kind: 'tamper', state: true });
    expect(await Promise.race([got, new Promise((_, rej) => setTimeout(() => rej(new Error('no tamper event after recovery')), 10_000))])).toMatchObject({ kind: 'tamper', state: true });
    const after = await te.call<{ events: { state: string } }>('onvif.deviceInfo', { cameraId: camId });
    expect(after.events.state).toBe('subscribed');
  });
});

describe('health', () => {
  it('a camera clock 90 s ahead is reported on the bus and in the device info', async () => {
    const ev = (await until(() => skewEvents.find((e) => e.cameraId === skewedId), 10_000, 'a camera.clockSkew event'))!;
    // Reported once when it turns bad, not on every check.
    expect(skewEvents.filter((e) => e.cameraId === skewedId)).toHaveLength(1);
    expect(skewEvents.some((e) => e.cameraId === camId)).toBe(false);
    expect(ev.ok).toBe(false);
    expect(ev.skewMs).toBeGreaterThan(88_000);
    expect(ev.skewMs).toBeLessThan(92_000);
    expect(ev.message).toMatch(/ahead/);
    const info = await te.call<{ clockOk: boolean; clockSkewMs: number; manufacturer: string; live: boolean }>('onvif.deviceInfo', { cameraId: skewedId });
    expect(info.live).toBe(true);
    expect(info.clockOk).toBe(false);
    expect(info.manufacturer).toBe('Gatehouse Fake');
    const status = (await te.call<{ id: string; status: { message: string } }[]>('cameras.list')).find((c) => c.id === skewedId)!.status;
    expect(status.message).toMatch(/camera clock is 1\.5 min ahead|camera clock is \d+\.\d s ahead|camera clock is 2 min ahead/);
    const ok = await te.call<{ clockOk: boolean }>('onvif.deviceInfo', { cameraId: camId });
    expect(ok.clockOk).toBe(true);
  });
});
