/**
 * Clock steps while a real camera records. The recorder's wall clock is
 * injected (recording/clock.ts) and stepped 1 h forward, then 1 h back,
 * mid-recording; its monotonic clock is the real one, as it is for an NTP
 * step. Then the engine restarts with the clock behind what was recorded.
 * Expected (docs/recording.md, "Clock steps"): no overlapping or negative
 * segments; the forward step is a `clock_step` gap, the backward step a run
 * split with the timeline held (no overlap); playback seeks on both sides of
 * each step; a `clock.step` event for each.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import { Engine } from '../../main/engine/engine.js';
import type { HttpServer } from '../../main/server/http.js';
import { walkBuffer } from '../../main/engine/media/boxes.js';
import { setClockSource } from '../../main/engine/recording/clock.js';
import { readJournal } from '../../main/engine/recording/journal.js';
import { serveAndLogin, startEngine, tempDir, waitFor } from './recording-harness.js';

const HOUR = 3600_000;

describe('wall-clock steps while recording', () => {
  let rtsp: RtspFixture;
  let engine: Engine;
  let server: HttpServer;
  let dataDir: string;
  let base = '';
  let token = '';
  let offset = 0;
  let restoreClock: () => void = () => {};
  const steps: { stepMs: number; cameraId?: string; at: string }[] = [];

  beforeAll(async () => {
    restoreClock = setClockSource({ now: () => Date.now() + offset });
    rtsp = await startRtspServer({ port: await freePort(), mounts: { '/cam1': {} } });
    dataDir = tempDir('clock');
    engine = await startEngine(dataDir, { segmentSeconds: 4 }, [{ name: 'Yard', url: rtsp.url('/cam1') }]);
    engine.bus.on('clock.step', (s) => steps.push(s));
    ({ server, base, token } = await serveAndLogin(engine, await freePort()));
  });

  afterAll(async () => {
    await server?.stop();
    await engine?.stop();
    restoreClock();
    await rtsp?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const all = () => engine.recorder.list('yard', Date.now() - 3 * HOUR, Date.now() + 3 * HOUR);
  const runOf = (p: string) => /_([a-z0-9.]+)\.mp4$/.exec(p)![1]!;

  function noOverlap(segments: { start: string; end: string }[]): void {
    for (let i = 0; i < segments.length; i++) {
      const s = Date.parse(segments[i]!.start);
      const e = Date.parse(segments[i]!.end);
      expect(e, `segment ${i} has a positive length`).toBeGreaterThan(s);
      if (i > 0) expect(s, `segment ${i} starts after the previous one ends`).toBeGreaterThanOrEqual(Date.parse(segments[i - 1]!.end));
    }
  }

  /** map.json around wall time T: the segment holding T, its retimed data on the map's timeline, and a snapshot at T. */
  async function seek(t: number): Promise<void> {
    const auth = { authorization: `Bearer ${token}` };
    const q = `from=${new Date(t - 30_000).toISOString()}&to=${new Date(t + 30_000).toISOString()}`;
    const map = (await (await fetch(`${base}/api/media/yard/map.json?${q}`, { headers: auth })).json()) as {
      originMs: number;
      segments: { startMs: number; endMs: number; mediaStart: number; init: string; url: string }[];
    };
    const hit = map.segments.filter((s) => s.startMs <= t && t < s.endMs);
    expect(hit, `one segment holds ${new Date(t).toISOString()}`).toHaveLength(1);
    const seg = hit[0]!;
    expect(seg.mediaStart).toBeCloseTo((seg.startMs - map.originMs) / 1000, 3);
    const init = Buffer.from(await (await fetch(`${base}${seg.init}`, { headers: auth })).arrayBuffer());
    const data = Buffer.from(await (await fetch(`${base}${seg.url}`, { headers: auth })).arrayBuffer());
    const w = walkBuffer(Buffer.concat([init, data]));
    expect(w.fragments[0]!.trafs[0]!.baseTime / w.video!.timescale).toBeCloseTo(seg.mediaStart, 2);
    const snap = await fetch(`${base}/api/media/yard/snapshot.jpg?at=${new Date(t).toISOString()}`, { headers: auth });
    expect(snap.status).toBe(200);
    expect(snap.headers.get('content-type')).toBe('image/jpeg');
  }

  it('1 h forward: a clock_step gap of 1 h, no overlap, a clock.step event, playback seeks on both sides', async () => {
    await waitFor('two segments', () => all().segments.length >= 2, 60_000);
    offset += HOUR;
    await waitFor('the clock.step event', () => steps.length >= 1, 5000);
    expect(steps[0]!.stepMs).toBeGreaterThan(HOUR - 1000);
    expect(steps[0]!.stepMs).toBeLessThan(HOUR + 1000);
    expect(steps[0]!.cameraId).toBeUndefined();
    const before = all().segments.length;
    await waitFor('three segments after the step', () => all().segments.length >= before + 3, 60_000);
    const { segments, gaps } = all();
    noOverlap(segments);
    expect(gaps).toHaveLength(1);
    const gap = gaps[0]!;
    expect(gap.reason).toBe('clock_step');
    const len = Date.parse(gap.end) - Date.parse(gap.start);
    expect(len).toBeGreaterThan(HOUR - 1000);
    expect(len).toBeLessThan(HOUR + 1000);
    const lastBefore = segments.filter((s) => s.end <= gap.start).pop()!;
    const firstAfter = segments.find((s) => s.start >= gap.end)!;
    expect(lastBefore.end).toBe(gap.start);
    expect(firstAfter.start).toBe(gap.end);
    expect(runOf(firstAfter.path)).not.toBe(runOf(lastBefore.path));
    await seek(Date.parse(lastBefore.start) + 1500);
    await seek(Date.parse(firstAfter.start) + 1500);
  });

  it('1 h back: the run splits, the timeline is held (no overlap, no gap), a clock.step event, playback seeks', async () => {
    const before = all().segments.length;
    offset -= HOUR;
    await waitFor('the second clock.step event', () => steps.length >= 2, 5000);
    expect(steps[1]!.stepMs).toBeLessThan(-HOUR + 1000);
    await waitFor('three segments after the step', () => all().segments.length >= before + 3, 60_000);
    const { segments, gaps } = all();
    noOverlap(segments);
    expect(gaps.map((g) => g.reason)).toEqual(['clock_step']);
    // three runs: before the forward step, between the steps, after the backward step; the last two meet exactly
    const runs = [...new Set(segments.map((s) => runOf(s.path)))];
    expect(runs).toHaveLength(3);
    const firstOfLast = segments.findIndex((s) => runOf(s.path) === runs[2]);
    expect(segments[firstOfLast]!.start).toBe(segments[firstOfLast - 1]!.end);
    // the journal says why the runs ended
    const journal = readJournal(`${dataDir}/recordings/yard/journal.jsonl`).filter((e) => e.ev === 'step');
    expect(journal.map((e) => (e.ev === 'step' ? Math.round(e.stepMs / 1000) + 0 : 0))).toEqual([3600, 0]); // + 0: a -0 is a zero step
    await seek(Date.parse(segments[firstOfLast - 1]!.start) + 1500);
    await seek(Date.parse(segments[firstOfLast]!.start) + 1500);
    // recorded times are now ahead of the (stepped back) clock by the hold, and nothing overlaps the recorded hour
    expect(Date.parse(segments[segments.length - 1]!.end) - (Date.now() + offset)).toBeGreaterThan(HOUR - 60_000);
  });

  it('a restart with the clock behind the last recording: the new run starts after it, with a clock.step for the camera', async () => {
    const before = all().segments;
    await server.stop();
    await engine.stop();
    engine = new Engine({ dataDir, adminPassword: 'adminadmin', headless: true });
    engine.bus.on('clock.step', (s) => steps.push(s));
    await engine.start();
    await waitFor('three new segments', () => all().segments.length >= before.length + 3, 60_000);
    const { segments, gaps } = all();
    noOverlap(segments);
    // every new segment comes after the old ones (none was placed an hour back, by the clock)
    expect(segments.slice(0, before.length).map((s) => s.start)).toEqual(before.map((s) => s.start));
    const behind = steps.find((s) => s.cameraId === 'yard');
    expect(behind).toBeDefined();
    expect(behind!.stepMs).toBeLessThan(-HOUR + 60_000);
    // the engine_down gap between the runs is the time the engine was really down, not minus an hour
    const down = gaps.find((g) => g.reason === 'engine_down');
    expect(down === undefined || Date.parse(down.end) - Date.parse(down.start) < 60_000).toBe(true);
  });
});
