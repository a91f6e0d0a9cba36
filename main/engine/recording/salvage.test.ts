import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openIndex } from '../store/db.js';
import { DataPaths } from '../paths.js';
import { synthFile } from '../media/__fixtures__/synthetic.js';
import { walkBuffer } from '../media/boxes.js';
import { appendJournal, readJournal } from './journal.js';
import { incomingDir, journalPath } from './layout.js';
import { rebuildIndex } from './rebuild.js';
import { salvageIncoming } from './salvage.js';
import { Timeline } from './timeline.js';

const data = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-salvage-'));
afterAll(() => fs.rmSync(data, { recursive: true, force: true }));

function dump(db: ReturnType<typeof openIndex>) {
  return {
    segs: db
      .prepare('SELECT camera_id, start_ms, end_ms, bytes, path, run_id, codec, width, height, init_hash FROM segments ORDER BY start_ms')
      .all(),
    gaps: db.prepare('SELECT camera_id, start_ms, end_ms, reason FROM gaps ORDER BY start_ms').all(),
  };
}

describe('salvage, live timeline and rebuild agree', () => {
  const paths = new DataPaths(data);
  paths.ensure();
  const root = paths.recordings;
  const cam = 'cam1';
  const T = Date.UTC(2026, 10, 26, 8, 0, 0, 0);

  it('salvages a closed and a torn segment of a run from the journal anchor, then a gap, then a new run', () => {
    const db = openIndex(path.join(data, 'index.sqlite'));
    const tl = new Timeline(db, (id) => journalPath(root, id));
    const inc = incomingDir(root, cam);
    fs.mkdirSync(inc, { recursive: true });
    appendJournal(journalPath(root, cam), { ev: 'anchor', t: T, ingest: 'aaa', seq: 0, run: 'aaa', startMs: T });
    const full = synthFile(5, 10, 9000); // 5 s at 90 kHz
    fs.writeFileSync(path.join(inc, 'aaa-000000.mp4'), full);
    const torn = walkBuffer(full);
    fs.writeFileSync(path.join(inc, 'aaa-000001.mp4'), full.subarray(0, torn.fragments[3]!.start + 77));
    fs.writeFileSync(path.join(inc, 'aaa-000002.mp4'), full.subarray(0, 100)); // no complete fragment

    const r = salvageIncoming(root, tl, cam);
    expect(r.indexed.map((s) => [s.startMs - T, s.endMs - T, s.cutBytes])).toEqual([
      [0, 5000, 0],
      [5000, 8000, 77],
    ]);
    expect(r.discarded).toBe(1);
    expect(fs.readdirSync(inc)).toEqual([]);
    expect(fs.existsSync(path.join(root, cam, '2026-11-26', '08', '20261126T080005000Z_aaa.mp4'))).toBe(true);

    // the engine was down; later a new run starts
    expect(tl.noteDown(cam, 'engine_down', T + 9000)).toEqual({ startMs: T + 8000, reason: 'engine_down' });
    expect(tl.noteDown(cam, 'camera_unreachable', T + 20_000)).toEqual({ startMs: T + 20_000, reason: 'camera_unreachable' });
    expect(tl.noteDown(cam, 'stall', T + 25_000)).toBeNull(); // same outage
    appendJournal(journalPath(root, cam), { ev: 'anchor', t: T, ingest: 'bbb', seq: 0, run: 'bbb', startMs: T + 30_000 });
    fs.writeFileSync(path.join(inc, 'bbb-000000.mp4'), synthFile(2, 10, 9000));
    const r2 = salvageIncoming(root, tl, cam);
    expect(r2.indexed[0]!.closedGaps).toEqual([{ startMs: T + 20_000, endMs: T + 30_000, reason: 'camera_unreachable' }]);
    const live = dump(db);
    expect(live.gaps).toEqual([
      { camera_id: cam, start_ms: T + 8000, end_ms: T + 20_000, reason: 'engine_down' },
      { camera_id: cam, start_ms: T + 20_000, end_ms: T + 30_000, reason: 'camera_unreachable' },
    ]);
    expect(readJournal(journalPath(root, cam)).filter((e) => e.ev === 'gap')).toHaveLength(2);

    // rebuild from the files alone into a fresh index: the same rows
    const db2 = openIndex(':memory:');
    return rebuildIndex(db2, paths, null).then((res) => {
      expect(res).toMatchObject({ segments: 3, cameras: 1, gaps: 2 });
      expect(dump(db2)).toEqual(live);
      db.close();
    });
  });
});
