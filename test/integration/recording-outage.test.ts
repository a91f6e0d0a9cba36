/**
 * The camera goes away for 20 s (the RTSP server is stopped), then comes
 * back on the same port: exactly one gap with its reason, camera.offline and
 * camera.online events, and recording resumes by itself.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import type { Engine } from '../../main/engine/engine.js';
import type { CameraState } from '../../main/api/contract.js';
import { sleep, startEngine, tempDir, waitFor } from './recording-harness.js';

describe('camera outage', () => {
  let rtsp: RtspFixture;
  let engine: Engine;
  let dataDir: string;
  const events: { event: string; data: unknown; at: number }[] = [];
  const states: CameraState[] = [];

  beforeAll(async () => {
    rtsp = await startRtspServer({ port: 18025, mounts: { '/cam1': {}, '/cam2': {} } });
    dataDir = tempDir('outage');
    engine = await startEngine(dataDir, { segmentSeconds: 4, stallSeconds: 5, offlineAlarmSeconds: 5 }, [
      { name: 'Door', url: rtsp.url('/cam1') },
    ]);
    engine.bus.onAny((event, data) => {
      events.push({ event, data, at: Date.now() });
      if (event === 'camera.status') {
        const d = data as { cameraId: string; status: { state: CameraState } };
        if (d.cameraId === 'door' && states[states.length - 1] !== d.status.state) states.push(d.status.state);
      }
    });
  });

  afterAll(async () => {
    await engine?.stop();
    await rtsp?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('one gap with its reason, offline/online events, and recording resumes by itself', async () => {
    const segs = () => engine.recorder.list('door', Date.now() - 3600_000, Date.now() + 1000);
    await waitFor('two segments', () => segs().segments.length >= 2, 40_000);
    const stopAt = Date.now();
    await rtsp.stop();
    await waitFor(
      'the camera to be reported down',
      () => ['offline', 'stalled'].includes(engine.cameras.info('door')!.status.state),
      20_000,
    );
    const down = engine.cameras.info('door')!.status;
    expect(down.message).toMatch(/127\.0\.0\.1:18025|no video/);
    await waitFor('camera.offline', () => events.some((e) => e.event === 'camera.offline'), 20_000);
    await sleep(Math.max(0, 20_000 - (Date.now() - stopAt)));
    const before = segs().segments;
    await rtsp.start();
    const backAt = Date.now();
    await waitFor('recording again', () => engine.cameras.info('door')!.status.state === 'recording', 60_000);
    await waitFor('camera.online', () => events.some((e) => e.event === 'camera.online'), 10_000);
    await waitFor('two new segments', () => segs().segments.length >= before.length + 2, 30_000);

    const { segments, gaps } = segs();
    expect(gaps).toHaveLength(1);
    const gap = gaps[0]!;
    expect(['camera_unreachable', 'stall']).toContain(gap.reason);
    // the gap spans the outage: from the last frame before it to the first after it
    const lastBefore = segments.filter((s) => Date.parse(s.end) <= Date.parse(gap.start)).pop()!;
    const firstAfter = segments.find((s) => Date.parse(s.start) >= Date.parse(gap.end))!;
    expect(gap.start).toBe(lastBefore.end);
    expect(gap.end).toBe(firstAfter.start);
    const gapMs = Date.parse(gap.end) - Date.parse(gap.start);
    expect(gapMs).toBeGreaterThan(15_000);
    expect(Date.parse(gap.end)).toBeGreaterThanOrEqual(backAt - 2000);
    // no other hole anywhere
    for (let i = 1; i < segments.length; i++) {
      const step = Date.parse(segments[i]!.start) - Date.parse(segments[i - 1]!.end);
      if (segments[i] !== firstAfter) expect(Math.abs(step)).toBeLessThanOrEqual(100);
    }
    const gapEvents = events.filter((e) => e.event === 'recording.gap');
    expect(gapEvents).toHaveLength(1);
    expect((gapEvents[0]!.data as { gap: { reason: string } }).gap.reason).toBe(gap.reason);
    const offline = events.find((e) => e.event === 'camera.offline')!.data as { since: string };
    const online = events.find((e) => e.event === 'camera.online')!.data as { offlineSince: string };
    expect(online.offlineSince).toBe(offline.since);
    expect(states[0]).toBe('recording');
    expect(states[states.length - 1]).toBe('recording');
  });
});
