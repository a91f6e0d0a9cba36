/**
 * The camera goes away (the RTSP server is stopped) for 20 s, and later for
 * 60 s (longer than the 30 s back-off cap), then comes back on the same
 * port. Each outage gives exactly one gap with its reason and
 * camera.offline / camera.online events; recording resumes by itself, and
 * fast: the engine probes a down camera about once a second, so the first
 * new segment starts within 2 s of the camera's return plus the time to its
 * first key frame (at most one GOP). While the camera is up, coverage is at
 * least 99.9 %.
 *
 * Times compared: the fixture's READY moment (Date.now() when the restarted
 * server listens) and the indexed segment times (the recorder's wall-clock
 * anchors): both are wall-clock positions, not durations of our code.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import type { Engine } from '../../main/engine/engine.js';
import type { CameraState } from '../../main/api/contract.js';
import { sleep, startEngine, tempDir, waitFor } from './recording-harness.js';

/** The fixture's clip (vtest) has a key frame every 2 s, and the server sends the current GOP on connect. */
const GOP_MS = 2000;
/** How soon after the camera answers again the first new segment must start: the probe interval plus ffmpeg's connect, then the first key frame. */
const RESUME_MS = 2000 + GOP_MS;
/** Slack for transport latency and rounding in the anchors (recording.md R1: about 0.3 s on loopback). */
const MARGIN_MS = 500;

describe('camera outage', () => {
  let rtsp: RtspFixture;
  let engine: Engine;
  let dataDir: string;
  const events: { event: string; data: unknown; at: number }[] = [];
  const states: CameraState[] = [];
  const outages: { stopAt: number; backAt: number; seconds: number }[] = [];

  beforeAll(async () => {
    // a free port rather than a fixed one: another session's fixture must not take it over during an outage
    rtsp = await startRtspServer({ port: await freePort(), mounts: { '/cam1': {}, '/cam2': {} } });
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

  const segs = () => engine.recorder.list('door', Date.now() - 3600_000, Date.now() + 1000);
  const count = (event: string) => events.filter((e) => e.event === event).length;

  /** Stop the camera for `seconds`, bring it back; returns when two new segments are indexed. */
  async function outage(seconds: number): Promise<void> {
    const offline0 = count('camera.offline');
    const online0 = count('camera.online');
    const stopAt = Date.now();
    await rtsp.stop();
    await waitFor('the camera to be reported down', () => ['offline', 'stalled'].includes(engine.cameras.info('door')!.status.state), 20_000);
    expect(engine.cameras.info('door')!.status.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${rtsp.port}|no video`));
    await waitFor('camera.offline', () => count('camera.offline') > offline0, 20_000);
    await sleep(Math.max(0, seconds * 1000 - (Date.now() - stopAt)));
    const before = segs().segments.length;
    await rtsp.start();
    outages.push({ stopAt, backAt: rtsp.readyAt, seconds });
    await waitFor('recording again', () => engine.cameras.info('door')!.status.state === 'recording', 30_000);
    await waitFor('camera.online', () => count('camera.online') > online0, 10_000);
    await waitFor('two new segments', () => segs().segments.length >= before + 2, 30_000);
  }

  /** The one gap of an outage, and the first segment after it. */
  function check(o: (typeof outages)[number]) {
    const { segments, gaps } = segs();
    const mine = gaps.filter((g) => Date.parse(g.start) >= o.stopAt - 5000 && Date.parse(g.start) <= o.backAt);
    expect(mine).toHaveLength(1);
    const gap = mine[0]!;
    expect(['camera_unreachable', 'stall']).toContain(gap.reason);
    // the gap spans the outage: from the last frame before it to the first after it
    const lastBefore = segments.filter((s) => Date.parse(s.end) <= Date.parse(gap.start)).pop()!;
    const firstAfter = segments.find((s) => Date.parse(s.start) >= Date.parse(gap.end))!;
    expect(gap.start).toBe(lastBefore.end);
    expect(gap.end).toBe(firstAfter.start);
    expect(Date.parse(gap.end) - Date.parse(gap.start)).toBeGreaterThan(o.seconds * 1000 - 5000);
    // back within 2 s plus the first key frame of the camera's return (not at the next back-off step: 16 s or 30 s)
    const resumedAfter = Date.parse(firstAfter.start) - o.backAt;
    expect(resumedAfter).toBeLessThanOrEqual(RESUME_MS + MARGIN_MS);
    return { gap, firstAfter, resumedAfter };
  }

  it('a 20 s outage: one gap, offline/online events, recording resumes within 2 s + the first key frame', async () => {
    await waitFor('two segments', () => segs().segments.length >= 2, 40_000);
    await outage(20);
    check(outages[0]!);
  });

  it('a 60 s outage (past the 30 s back-off cap): the same, and coverage while up is at least 99.9 %', async () => {
    await sleep(15_000); // up for a while between the outages
    await outage(60);
    const first = check(outages[0]!);
    const second = check(outages[1]!);
    console.log(`resumed ${first.resumedAfter} ms and ${second.resumedAfter} ms after the camera came back (limit ${RESUME_MS + MARGIN_MS} ms)`);
    await sleep(4000);

    const { segments, gaps } = segs();
    expect(gaps).toHaveLength(2);
    // while up (from the first segment after each return to the camera's next stop), nothing is missing
    const startAll = Date.parse(segments[0]!.start);
    const windows: [number, number][] = [
      [startAll, outages[0]!.stopAt - MARGIN_MS],
      [Date.parse(first.firstAfter.start), outages[1]!.stopAt - MARGIN_MS],
      [Date.parse(second.firstAfter.start), Date.parse(segments[segments.length - 1]!.end)],
    ];
    let up = 0;
    let covered = 0;
    for (const [a, b] of windows) {
      up += b - a;
      for (const s of segments) covered += Math.max(0, Math.min(b, Date.parse(s.end)) - Math.max(a, Date.parse(s.start)));
    }
    const coverage = covered / up;
    console.log(`coverage while up: ${(coverage * 100).toFixed(3)} % of ${(up / 1000).toFixed(1)} s`);
    expect(coverage).toBeGreaterThanOrEqual(0.999);
    // no hole anywhere but the two gaps
    for (let i = 1; i < segments.length; i++) {
      const step = Date.parse(segments[i]!.start) - Date.parse(segments[i - 1]!.end);
      if (segments[i]!.start !== first.firstAfter.start && segments[i]!.start !== second.firstAfter.start) expect(Math.abs(step)).toBeLessThanOrEqual(100);
    }
    const gapEvents = events.filter((e) => e.event === 'recording.gap');
    expect(gapEvents).toHaveLength(2);
    expect(gapEvents.map((e) => (e.data as { gap: { reason: string } }).gap.reason)).toEqual(gaps.map((g) => g.reason));
    const offline = events.filter((e) => e.event === 'camera.offline').map((e) => e.data as { since: string });
    const online = events.filter((e) => e.event === 'camera.online').map((e) => e.data as { offlineSince: string });
    expect(offline).toHaveLength(2);
    expect(online.map((o) => o.offlineSince)).toEqual(offline.map((o) => o.since));
    expect(states[0]).toBe('recording');
    expect(states[states.length - 1]).toBe('recording');
  });
});
