/**
 * Crash safety with a real `gatehouse serve` process: kill -9 it in the
 * middle of a segment, start it again: the torn segment is salvaged up to
 * its last complete fragment and indexed, the time the engine was down is a
 * gap with reason engine_down, and `gatehouse index rebuild` recreates the
 * same index from the media files alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import {
  cli,
  exited,
  ffprobe,
  listJson,
  prepareDataDir,
  processesMentioning,
  serveChild,
  sleep,
  tempDir,
  waitFor,
} from './recording-harness.js';

interface Row {
  camera_id: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
  path: string;
  run_id: string;
  salvaged?: number;
}

function readIndex(dataDir: string): {
  segments: Row[];
  gaps: { camera_id: string; start_ms: number; end_ms: number | null; reason: string }[];
} {
  const db = new Database(path.join(dataDir, 'index.sqlite'), { readonly: true });
  try {
    return {
      segments: db
        .prepare('SELECT camera_id, start_ms, end_ms, bytes, path, run_id, salvaged FROM segments ORDER BY camera_id, start_ms')
        .all() as Row[],
      gaps: db.prepare('SELECT camera_id, start_ms, end_ms, reason FROM gaps ORDER BY camera_id, start_ms').all() as never,
    };
  } finally {
    db.close();
  }
}

describe('crash safety', () => {
  let rtsp: RtspFixture;
  let dataDir: string;
  let serve: ReturnType<typeof serveChild> | null = null;

  beforeAll(async () => {
    rtsp = await startRtspServer({ port: 18035, mounts: { '/cam1': {}, '/cam2': {} } });
    dataDir = tempDir('crash');
    await prepareDataDir(dataDir, { segmentSeconds: 6 }, [
      { name: 'Yard', url: rtsp.url('/cam1') },
      { name: 'Dock', url: rtsp.url('/cam2') },
    ]);
  });

  afterAll(async () => {
    if (serve && serve.child.exitCode === null) {
      serve.child.kill('SIGKILL');
      await exited(serve.child);
    }
    await rtsp?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('salvages the torn segment after kill -9, gaps the downtime, and rebuild reproduces the index', async () => {
    serve = serveChild(dataDir, 18036);
    await waitFor(
      '2 segments per camera',
      async () => (await listJson(dataDir, 'yard')).segments.length >= 2 && (await listJson(dataDir, 'dock')).segments.length >= 2,
      60_000,
      1000,
    );
    // kill in the middle of a segment: ~3 s after one closed
    const last = (await listJson(dataDir, 'yard')).segments.pop()!;
    await sleep(Math.max(0, Date.parse(last.end) + 3000 - Date.now()));
    const incoming = fs.readdirSync(path.join(dataDir, 'recordings', 'yard', '.incoming'));
    expect(incoming.length).toBe(1);
    const partial = fs.statSync(path.join(dataDir, 'recordings', 'yard', '.incoming', incoming[0]!)).size;
    expect(partial).toBeGreaterThan(0);
    const killedAt = Date.now();
    serve.child.kill('SIGKILL');
    await exited(serve.child);
    const before = readIndex(dataDir);

    // ffmpeg notices its reader is gone; the next engine would reap it anyway
    await waitFor('ffmpeg children to end', () => processesMentioning(dataDir).length === 0, 20_000);
    await sleep(3000);

    serve = serveChild(dataDir, 18036);
    await waitFor(
      'recording again',
      async () => {
        const l = await listJson(dataDir, 'yard');
        return l.segments.filter((s) => Date.parse(s.start) > killedAt).length >= 2;
      },
      60_000,
      1000,
    );

    const after = readIndex(dataDir);
    const salvaged = after.segments.filter((s) => s.camera_id === 'yard' && s.salvaged === 1);
    expect(salvaged).toHaveLength(1);
    const torn = salvaged[0]!;
    expect(before.segments.find((s) => s.path === torn.path)).toBeUndefined();
    expect(torn.start_ms).toBe(before.segments.filter((s) => s.camera_id === 'yard').pop()!.end_ms);
    expect(torn.end_ms - torn.start_ms).toBeGreaterThan(1000); // ~3 s minus the torn last GOP
    // the orphaned ffmpeg writes on until it hits the broken live pipe: at most about a GOP more
    expect(torn.end_ms).toBeLessThanOrEqual(killedAt + 2500);
    const probe = await ffprobe(path.join(dataDir, 'recordings', torn.path));
    expect(probe.codec).toBe('h264');
    expect(Math.abs(probe.duration * 1000 - (torn.end_ms - torn.start_ms))).toBeLessThanOrEqual(100);
    const gaps = after.gaps.filter((g) => g.camera_id === 'yard');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ reason: 'engine_down', start_ms: torn.end_ms });
    expect(gaps[0]!.end_ms).toBeGreaterThan(killedAt);

    // graceful stop, then rebuild from the files alone
    serve.child.kill('SIGTERM');
    await exited(serve.child);
    expect(serve.child.exitCode).toBe(0);
    const live = readIndex(dataDir);
    expect(live.gaps.filter((g) => g.end_ms === null).map((g) => g.reason)).toEqual(['engine_down', 'engine_down']);
    fs.rmSync(path.join(dataDir, 'index.sqlite'));
    for (const f of ['index.sqlite-wal', 'index.sqlite-shm']) fs.rmSync(path.join(dataDir, f), { force: true });
    // (log lines go to stdout too; the JSON is the last line)
    const out = JSON.parse((await cli('index', 'rebuild', '--data', dataDir, '--json')).trim().split('\n').pop()!) as {
      segments: number;
      cameras: number;
    };
    expect(out.segments).toBe(live.segments.length);
    expect(out.cameras).toBe(2);
    const rebuilt = readIndex(dataDir);
    const strip = (rows: Row[]) => rows.map(({ salvaged: _s, ...r }) => r);
    expect(strip(rebuilt.segments)).toEqual(strip(live.segments));
    expect(rebuilt.gaps).toEqual(live.gaps);
    // and the CLI lists the same thing
    const l = await listJson(dataDir, 'yard', '-1h');
    expect(l.segments).toHaveLength(live.segments.filter((s) => s.camera_id === 'yard').length);
    expect(l.gaps.map((g) => g.reason)).toEqual(['engine_down', 'engine_down']);
  });
});
