/**
 * Retention: which segments to delete, and deleting them safely.
 *
 *  - per camera: segments that ended more than retentionDays ago
 *    (camera.retentionDays, else settings.defaultRetentionDays);
 *  - quota: while the recordings use more than the quota (quotaGb, else
 *    quotaPercent of the volume), the oldest segments of all cameras;
 *  - emergency: while the volume's free space is under the low-space mark,
 *    the oldest segments, so a full disk overwrites its oldest footage.
 *
 * Locked segments (evidence, exports) are never selected. The segment being
 * written is not in the index yet, so it cannot be selected either.
 * Deletion order (docs/storage.md S5): rows move to the garbage table in one
 * transaction, then files are unlinked, then garbage rows are dropped.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';
import { logger } from '../log.js';
import { isDiskFull } from '../store/write-queue.js';

const log = logger('retention');

export interface Candidate {
  id: number;
  cameraId: string;
  startMs: number;
  endMs: number;
  bytes: number;
  locked: boolean;
}

/** Pure selection for per-camera retention: unlocked segments that ended before the cut-off. */
export function selectExpired(segs: Candidate[], retentionDaysOf: (cameraId: string) => number | null, nowMs: number): Candidate[] {
  return segs.filter((s) => {
    if (s.locked) return false;
    const days = retentionDaysOf(s.cameraId);
    return days !== null && s.endMs < nowMs - days * 86_400_000;
  });
}

/**
 * Pure selection to free `needBytes`: the oldest unlocked segments across
 * cameras (oldest start first), until enough bytes are selected.
 */
export function selectOldest(segs: Candidate[], needBytes: number): Candidate[] {
  if (needBytes <= 0) return [];
  const sorted = segs.filter((s) => !s.locked).sort((a, b) => a.startMs - b.startMs || a.id - b.id);
  const out: Candidate[] = [];
  let freed = 0;
  for (const s of sorted) {
    if (freed >= needBytes) break;
    out.push(s);
    freed += s.bytes;
  }
  return out;
}

/**
 * The low-space mark in bytes: settings.lowSpaceGb, but never more than 10 %
 * of the volume (a 2 GB mark would empty a small disk).
 */
export function lowSpaceBytes(lowSpaceGb: number, volumeTotal: number): number {
  const mark = lowSpaceGb * 1e9;
  return volumeTotal > 0 ? Math.min(mark, volumeTotal * 0.1) : mark;
}

export function quotaBytes(quotaGb: number | null, quotaPercent: number, volumeTotal: number): number {
  if (quotaGb !== null && quotaGb > 0) return quotaGb * 1e9;
  return (volumeTotal * quotaPercent) / 100;
}

export interface Volume {
  total: number;
  free: number;
}

export function volumeOf(dir: string): Volume {
  try {
    const s = fs.statfsSync(dir);
    return { total: s.blocks * s.bsize, free: s.bavail * s.bsize };
  } catch {
    return { total: 0, free: 0 };
  }
}

export interface Deleted {
  cameraId: string;
  segments: number;
  bytes: number;
}

/**
 * Delete segments: rows first (to the garbage queue), then files, then the
 * queue entries. Returns the totals per camera.
 */
export function deleteSegments(db: Db, recordingsRoot: string, ids: number[], opts: { onDiskFull?: () => boolean } = {}): Deleted[] {
  if (ids.length === 0) return [];
  const sel = db.prepare<[number], { id: number; camera_id: string; path: string; bytes: number; locked: number }>(
    'SELECT id, camera_id, path, bytes, locked FROM segments WHERE id = ?',
  );
  const del = db.prepare('DELETE FROM segments WHERE id = ?');
  const queue = db.prepare('INSERT OR REPLACE INTO garbage (path, camera_id, bytes, queued_ms) VALUES (?, ?, ?, ?)');
  let rows: { camera_id: string; path: string; bytes: number }[] = [];
  const commit = () => {
    rows = [];
    db.transaction(() => {
      const now = Date.now();
      for (const id of ids) {
        const r = sel.get(id);
        if (!r || r.locked) continue;
        del.run(id);
        queue.run(r.path, r.camera_id, r.bytes, now);
        rows.push(r);
      }
    })();
  };
  try {
    commit();
  } catch (err) {
    if (!isDiskFull(err)) throw err;
    // SQLite needs a little room to commit: let the caller free some (the space reserve), then retry
    let retried = false;
    if (opts.onDiskFull?.()) {
      try {
        commit();
        retried = true;
      } catch (e2) {
        if (!isDiskFull(e2)) throw e2;
      }
    }
    if (!retried) {
      // last resort: the files first (an index row may point at a missing file until the next
      // pass deletes it; the media routes answer 404 for it meanwhile), then the rows
      const files = ids.map((id) => sel.get(id)).filter((r): r is NonNullable<typeof r> => !!r && !r.locked);
      for (const r of files) fs.rmSync(path.join(recordingsRoot, r.path), { force: true });
      log.warn(`disk completely full: deleted ${files.length} file(s) before their index rows`);
      commit();
    }
  }
  collectGarbage(db, recordingsRoot);
  const per = new Map<string, Deleted>();
  for (const r of rows) {
    const d = per.get(r.camera_id) ?? { cameraId: r.camera_id, segments: 0, bytes: 0 };
    d.segments++;
    d.bytes += r.bytes;
    per.set(r.camera_id, d);
  }
  return [...per.values()];
}

/** Unlink every file in the garbage queue (also run at start: a crash may leave some). */
export function collectGarbage(db: Db, recordingsRoot: string): number {
  const rows = db.prepare<[], { path: string }>('SELECT path FROM garbage').all();
  const done = db.prepare('DELETE FROM garbage WHERE path = ?');
  let n = 0;
  for (const r of rows) {
    const abs = path.join(recordingsRoot, r.path);
    try {
      fs.rmSync(abs, { force: true });
      pruneEmptyDirs(path.dirname(abs), recordingsRoot);
      done.run(r.path);
      n++;
    } catch (err) {
      log.warn(`could not delete ${abs}; will retry`, err);
    }
  }
  return n;
}

/** Remove empty hour/day folders up to (not including) the camera folder. */
function pruneEmptyDirs(dir: string, root: string): void {
  let d = dir;
  for (let i = 0; i < 2; i++) {
    if (!d.startsWith(root) || d === root) return;
    try {
      fs.rmdirSync(d);
    } catch {
      return;
    }
    d = path.dirname(d);
  }
}
