/**
 * Chaos (issue 18): a real engine recording four RTSP-fixture cameras while
 *  1. a random one of its ffmpeg children is killed (SIGKILL) every 10 s, and,
 *     a third of the way in, the MQTT broker (real mosquitto) restarts while a
 *     sensor publishes every half second: nothing is lost beyond what each kill
 *     itself destroyed (what was only in ffmpeg's memory: up to two GOPs) and
 *     the restart (ffmpeg again at once, its connect, the first key frame),
 *     measured from the index; every sensor message is committed and alarms
 *     arrive after the reconnect;
 *  2. the recordings volume (a real small tmpfs, root only) fills up and stays
 *     full, then is freed: disk_full, the disk.full alarm, recording resumes,
 *     and no index row points at a missing file.
 *
 * CI runs 80 s of kills (8 kills); GATEHOUSE_CHAOS_MINUTES=10 runs the issue's
 * full 10 minutes (60 kills). Coverage is printed. No wall-clock duration of our
 * code is asserted: only positions on the recording timeline (indexed segment
 * times against the moments of the faults), as recording-outage.test.ts does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { freePort, startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import { Engine } from '../../main/engine/engine.js';
import { RECORD_FRAGMENT_US } from '../../main/engine/recording/ingest.js';
import type { CameraState } from '../../main/api/contract.js';
import { mqttClient, publish, startBroker, type Broker } from './alarms-broker.js';
import { prepareDataDir, sleep, tempDir, waitFor } from './recording-harness.js';
import { expectLogErrors } from '../support/log-guard.js';

const CAMERAS = ['c1', 'c2', 'c3', 'c4'];
const KILL_EVERY_MS = 10_000;
const CHAOS_MS = Math.round(Number(process.env.GATEHOUSE_CHAOS_MINUTES ?? 80 / 60) * 60_000);
/** The fixture's clip (vtest) has a key frame every 2 s; a recording fragment is one GOP. */
const GOP_MS = 2000;
/**
 * What a kill destroys: ffmpeg's memory, which is the recording fragment being muxed. Fragments close at every key
 * frame and at least every RECORD_FRAGMENT_US (0.5 s), and each is flushed to the file as it closes, so the hole may
 * start up to one fragment before the kill, plus how late the frames were (a frame, transport, a busy machine).
 * (Before fragments were flushed and kept short, it was up to two GOPs: measured over 60 kills, holes started
 * 0.5-3.6 s before the kill.) On reconnect the fixture sends its current GOP first, which often gives all of it back:
 * then there is no hole and no gap at all.
 */
const TORN_MS = RECORD_FRAGMENT_US / 1000 + 1000;
/** After a kill: ffmpeg restarts at once (no back-off: the camera is fine), connects, and waits for a key frame (the outage bound). */
const RESUME_MS = 2000 + GOP_MS + 500;

/** The engine's ffmpeg recording `cameraId`, from /proc (its command line names the camera's .incoming dir). */
function ffmpegOf(dataDir: string, cameraId: string): number | null {
  const needle = path.join(dataDir, 'recordings', cameraId, '.incoming');
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes(needle) && /(^|\/)ffmpeg\0/.test(cmd)) return Number(p);
    } catch {
      /* gone */
    }
  }
  return null;
}

function nearest(kills: { at: number }[], t: number): string {
  const k = [...kills].sort((x, y) => Math.abs(x.at - t) - Math.abs(y.at - t))[0];
  return k ? `${new Date(k.at).toISOString()} (${((t - k.at) / 1000).toFixed(2)} s from it)` : 'none';
}

/** Holes (ms) that segments leave in [from, to]. */
function holes(segs: { start: string; end: string }[], from: number, to: number): [number, number][] {
  const iv = segs.map((s) => [Date.parse(s.start), Date.parse(s.end)] as [number, number]).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let cursor = from;
  for (const [a, b] of iv) {
    if (b <= cursor) continue;
    if (a >= to) break;
    if (a > cursor) out.push([cursor, Math.min(a, to)]);
    cursor = Math.max(cursor, b);
  }
  if (cursor < to) out.push([cursor, to]);
  return out.filter(([a, b]) => b - a > 100); // consecutive segments meet to within a frame
}

describe('chaos: ffmpeg kills and a broker restart while recording', () => {
  let rtsp: RtspFixture;
  let broker: Broker;
  let engine: Engine;
  let dataDir: string;
  let pub: MqttClient | null = null;

  beforeAll(async () => {
    rtsp = await startRtspServer({ port: await freePort(), mounts: Object.fromEntries(CAMERAS.map((c) => [`/${c}`, {}])) });
    broker = await startBroker({ persist: true });
    dataDir = tempDir('chaos');
    await prepareDataDir(dataDir, { segmentSeconds: 4 }, CAMERAS.map((c) => ({ name: c, url: rtsp.url(`/${c}`) })));
    engine = new Engine({ dataDir, adminPassword: 'adminadmin', headless: true, mqttUrl: broker.url });
    await engine.start();
    await waitFor('MQTT connected', () => engine.integrations!.status().mqtt.connected, 20_000);
  });

  afterAll(async () => {
    pub?.end(true);
    await engine?.stop();
    await broker?.close();
    await rtsp?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    `kills a random ffmpeg every 10 s for ${CHAOS_MS / 1000} s and restarts the broker: nothing lost beyond the kills, every sensor message committed`,
    async () => {
      const list = (id: string) => engine.recorder.list(id, Date.now() - 3 * 3600_000, Date.now() + 1000);
      await waitFor('two segments per camera', () => CAMERAS.every((c) => list(c).segments.length >= 2), 60_000);
      const alarmsRaised: { source: string; at: number }[] = [];
      engine.bus.on('alarm.raised', (a) => alarmsRaised.push({ source: a.source, at: Date.now() }));

      // a sensor that publishes every 500 ms all along (QoS 1; the client queues while the broker is away)
      pub = await mqttClient(broker.url);
      let published = 0;
      let sending = true;
      const sensor = (async () => {
        const inflight: Promise<void>[] = [];
        for (let i = 0; sending; i++) {
          // each with its message id: a message sent twice (QoS 1 is at-least-once, and no message id survives a broker restart) is dropped
          inflight.push(publish(pub!, `gatehouse/sensors/chaos-${i % 5}`, { type: 'motion', state: 'active', msgId: `m${i}` }).then(() => void published++));
          await sleep(500);
        }
        await Promise.all(inflight);
      })();

      const T0 = Date.now();
      const kills: { camera: string; at: number; pid: number }[] = [];
      let brokerRestart: { stoppedAt: number; startedAt: number; reconnectedAt: number } | null = null;
      for (let k = 1; T0 + k * KILL_EVERY_MS <= T0 + CHAOS_MS; k++) {
        await sleep(Math.max(0, T0 + k * KILL_EVERY_MS - Date.now()));
        const running = CAMERAS.map((c) => [c, ffmpegOf(dataDir, c)] as const).filter(([, p]) => p !== null);
        if (!running.length) continue;
        const [camera, pid] = running[Math.floor(Math.random() * running.length)]!;
        process.kill(pid!, 'SIGKILL');
        kills.push({ camera, at: Date.now(), pid: pid! });
        if (!brokerRestart && Date.now() - T0 >= CHAOS_MS / 3) {
          const stoppedAt = Date.now();
          await broker.stop();
          await waitFor('the engine to notice the broker went away', () => !engine.integrations!.status().mqtt.connected, 20_000);
          await sleep(3000);
          await broker.start();
          const startedAt = Date.now();
          await waitFor('the engine to reconnect', () => engine.integrations!.status().mqtt.connected, 30_000);
          brokerRestart = { stoppedAt, startedAt, reconnectedAt: Date.now() };
        }
      }
      const T1 = Date.now();
      sending = false;
      await sensor;
      // the last kill's restart and the segments covering T1 closed and indexed
      await waitFor('every camera recording', () => CAMERAS.every((c) => engine.cameras.info(c)!.status.state === 'recording'), 30_000);
      await waitFor('segments past the end', () => CAMERAS.every((c) => list(c).segments.some((s) => Date.parse(s.end) >= T1)), 30_000);
      // and, after each camera's last kill, the restarted run's first segment closed and indexed. The salvaged torn
      // segment alone may reach a few ms past T1 (its media runs a little ahead of the wall clock), so the condition
      // above could hold before the new run had a segment: CI once saw "recording resumed never" after a last kill
      // made just before T1. Only a segment of the new run ends 2 s after the kill (segments are 4 s).
      await waitFor(
        "the restarted runs' first segments",
        () =>
          CAMERAS.every((c) => {
            const last = kills.filter((k) => k.camera === c).at(-1);
            return !last || list(c).segments.some((s) => Date.parse(s.end) >= last.at + 2000);
          }),
        30_000,
      );

      // Recording: every hole in [T0, T1] lies inside a kill's window [kill − torn GOP, kill + resume], each a gap in the index.
      let lostMs = 0;
      const report: string[] = [];
      /** How long before its kill each hole starts (what the kill destroyed of the past). */
      const before: number[] = [];
      /** Kills that left no hole at all (the reconnect's GOP covered what the kill destroyed). */
      let seamless = 0;
      const unexplained: string[] = [];
      for (const c of CAMERAS) {
        const { segments, gaps } = list(c);
        const mine = kills.filter((k) => k.camera === c);
        const hs = holes(segments, T0, T1);
        for (const [a, b] of hs) {
          const kill = mine.find((k) => a >= k.at - TORN_MS && b <= k.at + RESUME_MS);
          if (!kill) unexplained.push(`${c}: ${b - a} ms not recorded from ${new Date(a).toISOString()}; nearest kill ${nearest(mine, a)}`);
          else before.push(kill.at - a);
          lostMs += b - a;
        }
        // each kill: either nothing was lost (the camera's GOP on reconnect covered the torn fragment: no hole, and
        // so no gap), or the index says why (a gap opened at the torn end, reason ffmpeg_restart); recording went on
        for (const k of mine) {
          const g = gaps.find((x) => Date.parse(x.start) >= k.at - TORN_MS && Date.parse(x.start) <= k.at + 1000);
          if (!g) {
            const hole = hs.find(([a, b]) => a < k.at + RESUME_MS && b > k.at - TORN_MS);
            if (hole) unexplained.push(`${c}: a ${hole[1] - hole[0]} ms hole at the kill at ${new Date(k.at).toISOString()} has no gap`);
            else seamless++;
            continue;
          }
          if (g.reason !== 'ffmpeg_restart') unexplained.push(`${c}: the kill at ${new Date(k.at).toISOString()} is a gap with reason ${g.reason}`);
          const after = segments.find((s) => Date.parse(s.start) >= Date.parse(g.start));
          if (!after || Date.parse(after.start) - k.at > RESUME_MS)
            unexplained.push(`${c}: recording resumed ${after ? `${Date.parse(after.start) - k.at} ms` : 'never'} after the kill at ${new Date(k.at).toISOString()}`);
        }
        for (const s of segments) expect(fs.existsSync(s.path), s.path).toBe(true);
        const covered = T1 - T0 - hs.reduce((t, [a, b]) => t + (b - a), 0);
        report.push(`${c}: ${mine.length} kills, ${(100 * covered / (T1 - T0)).toFixed(2)} % covered, ${hs.length} holes (${hs.map(([a, b]) => ((b - a) / 1000).toFixed(1)).join(', ')} s)`);
      }
      console.log(
        `chaos ${((T1 - T0) / 1000).toFixed(0)} s, ${kills.length} ffmpeg kills: lost ${(lostMs / 1000).toFixed(1)} s in all (${(lostMs / 1000 / Math.max(1, kills.length)).toFixed(2)} s per kill; ${seamless} left no hole); ` +
          `holes start ${before.length ? `${(Math.min(...before) / 1000).toFixed(1)} to ${(Math.max(...before) / 1000).toFixed(1)} s` : '-'} before their kill\n  ${report.join('\n  ')}`,
      );
      expect(unexplained).toEqual([]);
      expect(kills.length).toBeGreaterThanOrEqual(Math.floor(CHAOS_MS / KILL_EVERY_MS) - 1);

      // MQTT: the broker restarted; every message the sensor got a PUBACK for is committed, and alarms came after the reconnect.
      expect(brokerRestart).not.toBeNull();
      const committed = () => (engine.db.prepare("SELECT count(*) AS n FROM sensor_events WHERE sensor_id LIKE 'chaos-%'").get() as { n: number }).n;
      await waitFor(`all ${published} sensor messages committed`, () => committed() >= published, 30_000).catch(() => null);
      expect(committed()).toBe(published);
      const duplicates = engine.integrations!.status().mqtt.received - published;
      const counts = engine.alarms!.store.queue().filter((a) => a.source.startsWith('chaos-'));
      expect(counts).toHaveLength(5); // one alarm per sensor, repeats coalesced
      expect(counts.reduce((t, a) => t + a.count, 0)).toBe(committed());
      console.log(
        `broker restart: down ${((brokerRestart!.startedAt - brokerRestart!.stoppedAt) / 1000).toFixed(1)} s; ${published} sensor messages, all committed (${duplicates} delivered twice and dropped by message id)`,
      );
      // alarm events still reach the console after the reconnect: a new sensor raises a new alarm now
      await publish(pub!, 'gatehouse/sensors/after-restart', { type: 'door', state: 'open' });
      await waitFor('an alarm after the broker restart', () => alarmsRaised.some((a) => a.source === 'after-restart' && a.at > brokerRestart!.reconnectedAt), 20_000);
    },
    CHAOS_MS + 180_000,
  );
});

// ───────────── a full disk ─────────────

const MOUNT = `/tmp/rec-chaos-disk-${process.pid}`;

function mountTmpfs(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root: mounting a small tmpfs needs root (CI runs as root)';
  try {
    fs.mkdirSync(MOUNT, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', MOUNT]);
    return null;
  } catch (e) {
    return `cannot mount a tmpfs here: ${(e as Error).message.split('\n')[0]}`;
  }
}

describe('chaos: the recordings disk fills up and stays full, then space is freed', () => {
  let rtsp: RtspFixture;
  beforeAll(async () => {
    rtsp = await startRtspServer({ port: await freePort(), mounts: { '/d1': {}, '/d2': {} } });
  });
  afterAll(async () => {
    await rtsp?.close();
  });

  it('disk_full and the disk.full alarm while full; recording resumes once space is freed; no index row points at a missing file', async (ctx) => {
    const why = mountTmpfs();
    if (why) {
      console.warn(`chaos disk test skipped: ${why}`);
      ctx.skip();
      return;
    }
    // the foreign ballast takes every byte the purge frees, so the purge ends up with nothing left to delete: it says so
    expectLogErrors(/the disk is nearly full and no recording can be deleted/);
    let engine: Engine | null = null;
    const ballast = (i: number) => path.join(MOUNT, `ballast-${i}`);
    try {
      const dataDir = path.join(MOUNT, 'data');
      fs.mkdirSync(dataDir);
      await prepareDataDir(dataDir, { segmentSeconds: 2 }, [
        { name: 'd1', url: rtsp.url('/d1') },
        { name: 'd2', url: rtsp.url('/d2') },
      ]);
      engine = new Engine({ dataDir, adminPassword: 'adminadmin', headless: true });
      await engine.start();
      const states = new Map<string, CameraState[]>();
      engine.bus.on('camera.status', (d) => {
        const s = states.get(d.cameraId) ?? [];
        s.push(d.status.state);
        states.set(d.cameraId, s);
      });
      const list = (id: string) => engine!.recorder.list(id, 0, Date.now() + 1000);
      await waitFor('footage on both cameras', () => list('d1').segments.length >= 3 && list('d2').segments.length >= 3, 60_000);

      // The footage so far is evidence (locked: the purge may not delete it). Something else fills the volume and
      // keeps taking whatever is freed (by the purge of the newer footage too) for 15 s: the disk stays full until
      // someone frees space.
      engine.db.prepare('UPDATE segments SET locked = 1').run();
      const lockedBefore = ['d1', 'd2'].flatMap((id) => list(id).segments.map((s) => s.path));
      let n = 0;
      const fill = () => {
        const chunk = Buffer.alloc(16 * 1024);
        for (;;) {
          try {
            fs.appendFileSync(ballast(n % 4), chunk);
          } catch {
            return;
          }
          n++;
        }
      };
      fill();
      const filledAt = Date.now();
      const filler = setInterval(fill, 20);
      try {
        await waitFor('disk_full', () => [...states.values()].some((s) => s.includes('disk_full')), 20_000, 50);
        await sleep(Math.max(0, filledAt + 15_000 - Date.now()));
      } finally {
        clearInterval(filler);
      }
      const msg = (id: string) => engine!.cameras.info(id)!.status;
      expect([msg('d1'), msg('d2')].some((s) => s.state === 'disk_full' && /disk is full/.test(s.message))).toBe(true);

      // space freed
      for (let i = 0; i < 4; i++) fs.rmSync(ballast(i), { force: true });
      const freedAt = Date.now();
      await waitFor('both recording again', () => ['d1', 'd2'].every((id) => msg(id).state === 'recording'), 60_000);
      await waitFor('two new segments each', () => ['d1', 'd2'].every((id) => list(id).segments.filter((s) => Date.parse(s.start) >= freedAt).length >= 2), 60_000);
      for (const id of ['d1', 'd2']) {
        const { segments, gaps } = list(id);
        const first = segments.find((s) => Date.parse(s.start) >= freedAt)!;
        // the full disk is retried every 2 s: then ffmpeg's connect and the first key frame
        const resumed = Date.parse(first.start) - freedAt;
        console.log(`${id}: recording resumed ${resumed} ms after space was freed; gaps ${gaps.map((g) => g.reason).join(', ')}`);
        expect(resumed).toBeLessThanOrEqual(2000 + RESUME_MS);
        expect(gaps.map((g) => g.reason), JSON.stringify(gaps)).toContain('disk_full');
        // nothing in the index points at a missing file
        for (const s of segments) expect(fs.existsSync(s.path), s.path).toBe(true);
      }
      // the evidence survived the full disk
      for (const p of lockedBefore) expect(fs.existsSync(p), p).toBe(true);
      // the alarm of the full disk was committed (written once there was room)
      await waitFor('the disk.full alarm', () => engine!.alarms!.store.queue().some((a) => a.type === 'disk.full'), 30_000);
    } finally {
      await engine?.stop();
      for (let i = 0; i < 4; i++) fs.rmSync(ballast(i), { force: true });
      try {
        execFileSync('umount', [MOUNT]);
      } catch {
        execFileSync('umount', ['-l', MOUNT]);
      }
      fs.rmSync(MOUNT, { recursive: true, force: true });
    }
  });
});
