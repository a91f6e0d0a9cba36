/**
 * Engine-level: an in-process engine with the demo cameras produces
 * `object` events (persisted, then on the bus) for the vtest demo camera,
 * from the recorder's live feed through the decoder, the worker and the
 * tracker. Turning detection off stops the pipeline and its decoder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import type { EventMap } from '../../main/api/contract.js';

let dir: string;
let engine: Engine;
let token: string;

async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'detect-engine-'));
  engine = new Engine({ dataDir: dir, adminPassword: 'adminadmin', headless: true, demo: true });
  await engine.start();
  const r = (await engine.handle('auth.login', { username: 'admin', password: 'adminadmin' }, { peer: 'test' })) as { token: string };
  token = r.token;
});

afterAll(async () => {
  await engine?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('detection in the engine', () => {
  it('turns vtest demo cameras on by default and the others off', async () => {
    const st = (await engine.handle('detection.status', {}, { peer: 'test', token })) as { cameras: { cameraId: string; enabled: boolean }[] };
    const cams = engine.cameras.stored();
    const vtest = cams.find((c) => c.url === 'demo://vtest')!;
    const pattern = cams.find((c) => c.url === 'demo://pattern')!;
    expect(st.cameras.find((c) => c.cameraId === vtest.id)!.enabled).toBe(true);
    expect(st.cameras.find((c) => c.cameraId === pattern.id)!.enabled).toBe(false);
  });

  it('produces person object events for the vtest camera, stored and pushed', async () => {
    const vtest = engine.cameras.stored().find((c) => c.url === 'demo://vtest')!;
    const seen: EventMap['detection.object'][] = [];
    const off = engine.bus.on('detection.object', (e) => seen.push(e));
    try {
      const ev = await waitFor('a person event on the vtest camera', () => seen.find((e) => e.cameraId === vtest.id && e.label === 'person'), 90_000);
      expect(ev.score).toBeGreaterThanOrEqual(0.3);
      expect(ev.box.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(ev.id).toBeGreaterThan(0);
      const from = new Date(Date.now() - 600_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      const list = (await engine.handle('events.list', { cameraId: vtest.id, from, to, kinds: ['object'] }, { peer: 'test', token })) as {
        events: { kind: string; source: string; data: Record<string, unknown> }[];
      };
      const row = list.events.find((e) => e.data.trackId === ev.trackId);
      expect(row?.kind).toBe('object');
      expect(row?.data.label).toBe('person');
      const st = (await engine.handle('detection.status', { cameraId: vtest.id }, { peer: 'test', token })) as {
        ready: boolean;
        cameras: { state: string; lastInferenceMs: number | null; fps: number }[];
      };
      expect(st.ready).toBe(true);
      expect(st.cameras[0]!.state).toBe('running');
      expect(st.cameras[0]!.lastInferenceMs).not.toBeNull();
      // One person walking through is one track, not one event per frame.
      expect(new Set(seen.map((e) => `${e.cameraId}:${e.trackId}`)).size).toBe(seen.length);
    } finally {
      off();
    }
  });

  it('a person becomes an alarm when a rule turns detection.person into an alarm (the default rule only logs)', async () => {
    const meta = (await engine.handle('alarms.meta', {}, { peer: 'test', token })) as { types: { type: string }[] };
    expect(meta.types.map((t) => t.type)).toContain('detection.person');
    await engine.handle(
      'alarms.setRules',
      { rules: [{ id: 'person-raise', name: 'Person (raise)', match: { type: 'detection.person' }, action: 'alarm', priority: 3, coalesceSeconds: 600 }] },
      { peer: 'test', token },
    );
    const found = await (async () => {
      const until = Date.now() + 60_000;
      for (;;) {
        const q = (await engine.handle('alarms.queue', {}, { peer: 'test', token })) as { type: string; cameraIds: string[] }[];
        const a = q.find((x) => x.type === 'detection.person');
        if (a) return a;
        if (Date.now() > until) throw new Error('timed out waiting for a detection.person alarm');
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const vtestIds = engine.cameras.stored().filter((c) => c.url.startsWith('demo://vtest')).map((c) => c.id);
    expect(vtestIds).toContain(found.cameraIds[0]);
    await engine.handle('alarms.setRules', { rules: null }, { peer: 'test', token });
  });

  it('restarts a decoder that died, and the decoder carries the data dir for stray reaping', async () => {
    const vtest = engine.cameras.stored().find((c) => c.url === 'demo://vtest')!;
    const decoders = () =>
      (JSON.parse(fs.readFileSync(engine.paths.children, 'utf8')) as { pid: number; tag: string }[]).filter((c) => c.tag === `detect-decoder ${vtest.id}`);
    const first = await waitFor('the decoder of the vtest camera', () => decoders()[0], 30_000);
    expect(fs.readFileSync(`/proc/${first.pid}/cmdline`, 'utf8')).toContain(dir);
    process.kill(-first.pid, 'SIGKILL');
    const second = await waitFor('a new decoder', () => decoders().find((c) => c.pid !== first.pid), 60_000);
    expect(second.pid).not.toBe(first.pid);
    const t0 = Date.now();
    await waitFor(
      'inference after the restart',
      () => {
        const st = engine.detection!.status(vtest.id).cameras[0]!;
        return st.lastInferenceAt !== null && Date.parse(st.lastInferenceAt) > t0;
      },
      60_000,
    );
  });

  it('the detectionModel setting switches between the float and the int8 model, and detection goes on', async () => {
    const vtest = engine.cameras.stored().find((c) => c.url === 'demo://vtest')!;
    type St = { model: string; modelKind: string; ready: boolean; cameras: { lastInferenceAt: string | null; offered: number; processed: number; skipped: number }[] };
    const st = () => engine.handle('detection.status', { cameraId: vtest.id }, { peer: 'test', token }) as Promise<St>;
    expect((await st()).modelKind).toBe('float');
    expect((await st()).model).toBe('yolox_nano_dyn.onnx');
    await expect(engine.handle('settings.update', { patch: { detectionModel: 'int16' } }, { peer: 'test', token })).rejects.toThrow();
    await engine.handle('settings.update', { patch: { detectionModel: 'int8' } }, { peer: 'test', token });
    await waitFor('the int8 model', async () => (await st()).model === 'yolox_nano_int8.onnx' && (await st()).ready, 60_000);
    const t0 = Date.now();
    await waitFor('an inference with the int8 model', async () => Date.parse((await st()).cameras[0]!.lastInferenceAt ?? '0') > t0, 60_000);
    const c = (await st()).cameras[0]!;
    expect(c.offered).toBeGreaterThanOrEqual(c.processed + c.skipped);
    await engine.handle('settings.update', { patch: { detectionModel: 'float' } }, { peer: 'test', token });
    await waitFor('the float model again', async () => (await st()).model === 'yolox_nano_dyn.onnx' && (await st()).ready, 60_000);
  });

  it('setEnabled is admin-only, persists, and stops the pipeline', async () => {
    const vtest = engine.cameras.stored().find((c) => c.url === 'demo://vtest')!;
    await expect(engine.handle('detection.setEnabled', { cameraId: 'nope', enabled: true }, { peer: 'test', token })).rejects.toThrow(/no camera/);
    await expect(engine.handle('detection.setEnabled', { cameraId: vtest.id, enabled: false }, { peer: 'test' })).rejects.toThrow();
    const r = (await engine.handle('detection.setEnabled', { cameraId: vtest.id, enabled: false }, { peer: 'test', token })) as { enabled: boolean; state: string };
    expect(r.enabled).toBe(false);
    // kept in config.json with the camera (cameras[].detection.enabled)
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { cameras: { id: string; detection?: { enabled?: boolean } }[] };
    expect(onDisk.cameras.find((c) => c.id === vtest.id)!.detection?.enabled).toBe(false);
    const st = (await engine.handle('detection.status', { cameraId: vtest.id }, { peer: 'test', token })) as { cameras: { state: string }[] };
    expect(st.cameras[0]!.state).toBe('off');
  });
});
