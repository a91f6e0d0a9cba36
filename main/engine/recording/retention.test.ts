import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openIndex } from '../store/db.js';
import { collectGarbage, deleteSegments, lowSpaceBytes, quotaBytes, selectExpired, selectOldest, type Candidate } from './retention.js';

const DAY = 86_400_000;
const c = (id: number, cameraId: string, startMs: number, bytes = 100, locked = false): Candidate => ({
  id,
  cameraId,
  startMs,
  endMs: startMs + 10_000,
  bytes,
  locked,
});

describe('retention selection', () => {
  const now = 100 * DAY;
  it('per camera days; locked and keep-forever cameras are exempt', () => {
    const segs = [
      c(1, 'a', now - 8 * DAY),
      c(2, 'a', now - 6 * DAY),
      c(3, 'b', now - 8 * DAY),
      c(4, 'a', now - 9 * DAY, 100, true),
      c(5, 'z', now - 99 * DAY),
    ];
    const days = (id: string) => (id === 'a' ? 7 : id === 'b' ? 10 : null);
    expect(selectExpired(segs, days, now).map((s) => s.id)).toEqual([1]);
  });
  it('oldest first across cameras until enough bytes, skipping locked ones', () => {
    const segs = [c(1, 'a', 30, 100), c(2, 'b', 10, 100, true), c(3, 'b', 20, 100), c(4, 'a', 40, 100)];
    expect(selectOldest(segs, 150).map((s) => s.id)).toEqual([3, 1]);
    expect(selectOldest(segs, 0)).toEqual([]);
    expect(selectOldest(segs, 10_000).map((s) => s.id)).toEqual([3, 1, 4]);
  });
  it('the low-space mark never exceeds 10 % of a small volume; quota from GB or percent', () => {
    expect(lowSpaceBytes(2, 40e6)).toBe(4e6);
    expect(lowSpaceBytes(2, 4e12)).toBe(2e9);
    expect(quotaBytes(null, 90, 1e12)).toBe(9e11);
    expect(quotaBytes(0.02, 90, 1e12)).toBe(2e7);
  });
});

describe('deleting segments', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-ret-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  it('rows go first (to the garbage queue), then files, then empty folders; locked rows stay', () => {
    const db = openIndex(':memory:');
    const ins = db.prepare('INSERT INTO segments (camera_id, start_ms, end_ms, bytes, path, locked) VALUES (?, ?, ?, ?, ?, ?)');
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const rel = `cam/2026-01-01/0${i}/seg${i}.mp4`;
      fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), Buffer.alloc(10));
      ins.run('cam', i * 10, i * 10 + 10, 10, rel, i === 2 ? 1 : 0);
      // segments is a view (lastInsertRowid does not see through its insert trigger)
      ids.push((db.prepare('SELECT MAX(id) AS id FROM segments').get() as { id: number }).id);
    }
    const res = deleteSegments(db, dir, ids);
    expect(res).toEqual([{ cameraId: 'cam', segments: 2, bytes: 20 }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM segments').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM garbage').get()).toEqual({ n: 0 });
    expect(fs.existsSync(path.join(dir, 'cam/2026-01-01/00'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'cam/2026-01-01/02/seg2.mp4'))).toBe(true);
  });
  it('a crash between row and file deletion is finished by the next collection', () => {
    const db = openIndex(':memory:');
    fs.mkdirSync(path.join(dir, 'cam2/d/h'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'cam2/d/h/x.mp4'), 'x');
    db.prepare('INSERT INTO garbage (path, camera_id, bytes, queued_ms) VALUES (?, ?, ?, ?)').run('cam2/d/h/x.mp4', 'cam2', 1, 0);
    db.prepare('INSERT INTO garbage (path, camera_id, bytes, queued_ms) VALUES (?, ?, ?, ?)').run(
      'cam2/d/h/already-gone.mp4',
      'cam2',
      1,
      0,
    );
    expect(collectGarbage(db, dir)).toBe(2);
    expect(fs.existsSync(path.join(dir, 'cam2/d/h/x.mp4'))).toBe(false);
  });
});
