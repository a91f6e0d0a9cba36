/**
 * Camera health as an alarm source, end to end with a real RTSP server and
 * the real recorder: stop the source, a camera-offline alarm comes up; start
 * it again, the alarm is marked resolved (the guard still closes it).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '../../main/api/alarms.js';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import { startEngine, tempDir, waitFor, type TestEngine } from './alarms-support.js';

let rtsp: RtspFixture;
let e: TestEngine;
let dir: string;

beforeAll(async () => {
  rtsp = await startRtspServer({ mounts: { '/gate': {} } });
  dir = tempDir('camera');
  fs.writeFileSync(`${dir}/config.json`, JSON.stringify({ schemaVersion: 2, settings: { offlineAlarmSeconds: 5, stallSeconds: 4 } }));
  e = await startEngine(dir, { http: false });
});
afterAll(async () => {
  await e?.stop();
  await rtsp?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('camera health alarms', () => {
  it('raises camera offline when the RTSP source stops and marks it resolved when it returns', async () => {
    const cam = (await e.engine.handle('cameras.add', { name: 'Gate', url: rtsp.url('/gate') }, { token: e.token, peer: 'test' })) as { id: string };
    await waitFor('recording', () => e.engine.cameras.info(cam.id)?.status.state === 'recording', 60_000, 250);
    const raised: Alarm[] = [];
    e.engine.bus.on('alarm.raised', (a) => raised.push(a));

    await rtsp.stop();
    const offline = await waitFor('camera offline alarm', () => e.engine.alarms!.store.queue().find((a) => a.type === 'camera.offline' && a.source === cam.id), 90_000, 250);
    expect(offline).toMatchObject({ priority: 2, state: 'new', cameraIds: [cam.id], resolvedAt: null });
    expect(offline.title).toMatch(/Camera offline: Gate/);
    expect(offline.media[0]!.snapshotUrl).toContain(`/api/media/${cam.id}/snapshot.jpg?at=`);
    expect(raised.some((a) => a.id === offline.id)).toBe(true);

    await rtsp.start();
    const resolved = await waitFor('resolved', () => e.engine.alarms!.store.get(offline.id)?.resolvedAt, 90_000, 250);
    expect(resolved).toBeTruthy();
    const entries = e.engine.alarms!.store.entries(offline.id);
    expect(entries.at(-1)).toMatchObject({ kind: 'resolved', user: 'system' });
    // still in the queue until a guard closes it, with the reason
    expect(e.engine.alarms!.store.queue().some((a) => a.id === offline.id)).toBe(true);
  });
});
