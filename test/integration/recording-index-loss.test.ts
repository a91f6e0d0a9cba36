/**
 * index.sqlite lost at start: deleted, then (next start) damaged so that
 * SQLite fails on its first query. Each time a real engine starts recording
 * at once, shows `rebuilding` in storage.status, re-indexes the media files
 * in the background, and ends with exactly one row per file on disk: the
 * old footage and what it recorded meanwhile, nothing doubled, nothing lost,
 * the engine_down gap between them. The history is made big (hard links of
 * real segments under older names) so that the rebuild takes a while.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLogErrors } from '../support/log-guard.js';
import { freePort, startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import { Engine } from '../../main/engine/engine.js';
import { parseSegmentName, segmentRelPath } from '../../main/engine/recording/layout.js';
import { startEngine, tempDir, waitFor } from './recording-harness.js';

/** Files of history to make (hard links of the recorded segments, further back in time, 5 s apart, within retention): a few seconds of re-indexing. */
const HISTORY_FILES = 60_000;

describe('index lost at start', () => {
  let rtsp: RtspFixture;
  let engine: Engine;
  let dataDir: string;
  let rec = '';

  beforeAll(async () => {
    rtsp = await startRtspServer({ port: await freePort(), mounts: { '/cam1': {} } });
    dataDir = tempDir('index-loss');
    rec = path.join(dataDir, 'recordings');
    engine = await startEngine(dataDir, { segmentSeconds: 4 }, [{ name: 'Lobby', url: rtsp.url('/cam1') }]);
  });

  afterAll(async () => {
    await engine?.stop();
    await rtsp?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Every segment file of the camera on disk, relative to recordings/. */
  function filesOnDisk(): string[] {
    const out: string[] = [];
    const cam = path.join(rec, 'lobby');
    for (const day of fs.readdirSync(cam)) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
      for (const hour of fs.readdirSync(path.join(cam, day)))
        for (const f of fs.readdirSync(path.join(cam, day, hour))) if (f.endsWith('.mp4')) out.push(path.join('lobby', day, hour, f));
    }
    return out.sort();
  }

  /** The camera's index rows (paths relative to recordings/). */
  function rows(): { path: string; start_ms: number; end_ms: number }[] {
    return engine.db.prepare<[], { path: string; start_ms: number; end_ms: number }>("SELECT path, start_ms, end_ms FROM segments WHERE camera_id = 'lobby' ORDER BY start_ms").all();
  }

  /** Start an engine on the data dir and check that it records before the re-index is done, and ends consistent. */
  async function restartAndCheck(expectReason: RegExp): Promise<void> {
    const before = filesOnDisk();
    engine = new Engine({ dataDir, adminPassword: 'adminadmin', headless: true });
    const segmentsWhileRebuilding: string[] = [];
    engine.bus.on('recording.segment', (s) => {
      if (engine.recorder.storage().rebuilding) segmentsWhileRebuilding.push(s.start);
    });
    await engine.start();
    // started, and the re-index is still going on: start did not wait for it
    const st = engine.recorder.storage().rebuilding;
    expect(st).toBeDefined();
    expect(st!.reason).toMatch(expectReason);
    let recordingWhileRebuilding = false;
    await waitFor(
      'recording, then the re-index done',
      () => {
        const rebuilding = !!engine.recorder.storage().rebuilding;
        if (rebuilding && engine.cameras.info('lobby')!.status.state === 'recording') recordingWhileRebuilding = true;
        return !rebuilding;
      },
      120_000,
      100,
    );
    expect(recordingWhileRebuilding).toBe(true);
    console.log(`${segmentsWhileRebuilding.length} segment(s) indexed live while the re-index ran`);
    await waitFor('a new segment after the re-index', () => filesOnDisk().length > before.length + 1, 30_000);

    // exactly one row per file, old and new; no row without its file; nothing overlaps
    const disk = filesOnDisk();
    const r = rows();
    const paths = r.map((x) => x.path).sort();
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.length).toBe(disk.length);
    expect(paths).toEqual(disk);
    const have = new Set(paths);
    expect(before.filter((f) => !have.has(f))).toEqual([]);
    for (let i = 1; i < r.length; i++) if (r[i]!.start_ms < r[i - 1]!.end_ms) throw new Error(`${r[i]!.path} overlaps ${r[i - 1]!.path}`);
    // between the last segment before this start and the first after it: the engine_down gap (or, when the
    // new run's first GOP reaches back over the old end, the old end clamped to it: runs.ts R3)
    const old = new Set(before);
    const lastOld = r.filter((x) => old.has(x.path)).pop()!;
    const firstNew = r.find((x) => !old.has(x.path))!;
    const gaps = engine.recorder.list('lobby', lastOld.start_ms, firstNew.end_ms).gaps;
    if (firstNew.start_ms > lastOld.end_ms) {
      expect(gaps).toEqual([{ start: new Date(lastOld.end_ms).toISOString(), end: new Date(firstNew.start_ms).toISOString(), reason: 'engine_down' }]);
    } else {
      expect(firstNew.start_ms).toBe(lastOld.end_ms);
      expect(gaps).toEqual([]);
    }
    expect(fs.existsSync(path.join(dataDir, 'run', 'reindex-pending'))).toBe(false);
  }

  it('deleted: recording starts at once, the old footage is indexed in the background, nothing doubled or lost', async () => {
    await waitFor('three segments', () => rows().length >= 3, 60_000);
    const t0 = Date.now();
    await engine.stop();
    // a long history: hard links of the real segments, 5 s apart going back (3.5 days)
    const real = filesOnDisk();
    const first = Math.min(...real.map((f) => parseSegmentName(path.basename(f))!.startMs));
    const copies = Math.ceil(HISTORY_FILES / real.length);
    for (let k = 1; k <= copies; k++) {
      for (const [j, f] of real.entries()) {
        const start = first - (k * real.length + j) * 5000;
        const rel = segmentRelPath('lobby', start, `h${k}x${j}`);
        fs.mkdirSync(path.dirname(path.join(rec, rel)), { recursive: true });
        fs.linkSync(path.join(rec, f), path.join(rec, rel));
      }
    }
    console.log(`made ${copies * real.length} history files in ${Date.now() - t0} ms`);
    for (const s of ['', '-wal', '-shm']) fs.rmSync(path.join(dataDir, `index.sqlite${s}`), { force: true });
    await restartAndCheck(/index file was missing/);
  });

  it('damaged (malformed on the first query): moved aside, recording at once, re-indexed in the background', async () => {
    expectLogErrors(/index\.sqlite is damaged \(database disk image is malformed\): moved it to/); // provoked on purpose
    await engine.stop();
    const file = path.join(dataDir, 'index.sqlite');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(3000, 0xa5), 0, 3000, 100); // the schema page, after the header
    fs.closeSync(fd);
    await restartAndCheck(/damaged \((database disk image is malformed|malformed database schema|file is not a database)/);
    const aside = fs.readdirSync(dataDir).filter((n) => /^index\.sqlite\.corrupt-\d{8}T\d{6}Z$/.test(n));
    expect(aside).toHaveLength(1);
  });
});
