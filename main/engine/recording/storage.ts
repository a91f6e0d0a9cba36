/**
 * The storage keeper: runs retention, the quota and the emergency purge on a
 * timer (and at once when ffmpeg hits a full disk), and reports storage
 * status with a forecast.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Settings, StorageCamera, StorageStatus } from '../../api/contract.js';
import type { EventBus } from '../bus.js';
import type { Db } from '../store/db.js';
import { logger } from '../log.js';
import { compactJournal } from './journal.js';
import { journalPath } from './layout.js';
import {
  collectGarbage,
  deleteSegments,
  lowSpaceBytes,
  quotaBytes,
  selectExpired,
  selectOldest,
  volumeOf,
  type Candidate,
  type Deleted,
} from './retention.js';

const log = logger('storage');

export interface StorageDeps {
  db: Db;
  bus: EventBus;
  recordingsRoot: string;
  dataDir: string;
  settings: () => Settings;
  /** Retention days of a camera (null = keep until the quota needs the space). */
  retentionDaysOf: (cameraId: string) => number | null;
  cameraName: (cameraId: string) => string;
  /** Ids of cameras known to the configuration (others show with their id). */
  cameraIds: () => string[];
  /** After a purge freed space: replay index writes that found the disk full. */
  afterPurge?: () => void;
}

/**
 * A small file kept in run/ so that, on a completely full disk, deleting it
 * gives SQLite the room it needs to commit the deletion of old segments.
 */
const RESERVE_NAME = 'space-reserve';
export function reserveBytes(volumeTotal: number): number {
  return Math.round(Math.min(4 * 1024 * 1024, Math.max(256 * 1024, volumeTotal * 0.005)));
}

export class StorageKeeper {
  private timer: NodeJS.Timeout | null = null;
  private firstTick: NodeJS.Timeout | null = null;
  private lastRetention = 0;
  private lastCompaction = 0;
  private lastLowSpaceEvent = 0;
  private busy = false;
  /** While the index is being rebuilt it does not know the oldest footage: no deletions until then. */
  private heldBy: Promise<unknown> | null = null;

  constructor(private readonly d: StorageDeps) {}

  private get reservePath(): string {
    return path.join(this.d.dataDir, 'run', RESERVE_NAME);
  }

  /** Keep the space reserve in place while there is room for it. */
  private keepReserve(vol: { total: number; free: number }, mark: number): void {
    const size = reserveBytes(vol.total);
    try {
      if (fs.existsSync(this.reservePath)) return;
      if (vol.free < mark + 2 * size) return;
      fs.mkdirSync(path.dirname(this.reservePath), { recursive: true });
      fs.writeFileSync(this.reservePath, Buffer.alloc(size));
    } catch {
      fs.rmSync(this.reservePath, { force: true });
    }
  }

  /** Release the reserve (the disk is full); true when it freed something. */
  private releaseReserve(): boolean {
    try {
      if (!fs.existsSync(this.reservePath)) return false;
      fs.rmSync(this.reservePath, { force: true });
      log.warn('disk full: released the space reserve so the index can record deletions');
      return true;
    } catch {
      return false;
    }
  }

  private deleteIds(ids: number[]): Deleted[] {
    const res = deleteSegments(this.d.db, this.d.recordingsRoot, ids, { onDiskFull: () => this.releaseReserve() });
    try {
      this.d.afterPurge?.();
    } catch (err) {
      log.warn('replaying index writes after a purge failed', err);
    }
    return res;
  }

  start(): void {
    collectGarbage(this.d.db, this.d.recordingsRoot);
    this.timer = setInterval(() => this.tick(), 5_000);
    this.timer.unref();
    this.firstTick = setTimeout(() => this.tick(), 1_000);
    this.firstTick.unref();
  }

  /** Stop both timers: after this no pass touches the database (the engine closes it next). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.firstTick) clearTimeout(this.firstTick);
    this.timer = null;
    this.firstTick = null;
  }

  /**
   * Hold every deletion (retention, quota, low space, full disk) until `until`
   * settles: while the index is rebuilt, the oldest rows it knows are the
   * newest footage. Then a full pass runs.
   */
  holdDeletions(until: Promise<unknown>): void {
    const p = until.then(
      () => undefined,
      () => undefined,
    );
    this.heldBy = p;
    void p.then(() => {
      if (this.heldBy !== p) return;
      this.heldBy = null;
      if (this.timer) this.tick(true);
    });
  }

  /** One pass: retention (every 5 min), quota and low space (every pass). */
  tick(force = false): void {
    if (this.busy || this.heldBy) return;
    this.busy = true;
    try {
      const now = Date.now();
      if (force || now - this.lastRetention > 300_000) {
        this.lastRetention = now;
        this.retention(now);
      }
      this.quota();
      this.emergency(false);
      const st = this.d.settings();
      const vol = volumeOf(this.d.recordingsRoot);
      if (vol.total > 0) this.keepReserve(vol, lowSpaceBytes(st.lowSpaceGb, vol.total));
      this.d.afterPurge?.();
      if (now - this.lastCompaction > 6 * 3600_000) {
        this.lastCompaction = now;
        this.compactJournals();
      }
    } catch (err) {
      log.error('storage pass failed', err);
    } finally {
      this.busy = false;
    }
  }

  /** ffmpeg reported a full disk: free space now (at least a few segments' worth). */
  async diskFull(): Promise<void> {
    if (this.heldBy) {
      log.warn('the disk is full while the index is being rebuilt: the oldest footage is deleted once the rebuild is done');
      await this.heldBy;
    }
    try {
      this.emergency(true);
    } catch (err) {
      log.error('emergency purge failed; retrying on the next pass', err);
    }
  }

  private report(dels: Deleted[], reason: 'retention' | 'quota' | 'emergency'): void {
    for (const d of dels) {
      log.info(`${reason}: deleted ${d.segments} segment(s), ${(d.bytes / 1e6).toFixed(1)} MB of ${d.cameraId}`);
      this.d.bus.emit('storage.purged', { cameraId: d.cameraId, segments: d.segments, bytes: d.bytes, reason });
    }
  }

  private retention(now: number): void {
    const cams = camerasWithSegments(this.d.db);
    const dels: Deleted[] = [];
    for (const { camera_id } of cams) {
      const days = this.d.retentionDaysOf(camera_id);
      if (days === null) continue;
      for (;;) {
        const rows = this.d.db
          .prepare<[string, number, number], { id: number; start_ms: number; end_ms: number; bytes: number; locked: number }>(
            'SELECT id, start_ms, end_ms, bytes, locked FROM segments WHERE camera_id = ? AND start_ms < ? AND end_ms < ? AND locked = 0 ORDER BY start_ms LIMIT 500',
          )
          .all(camera_id, now - days * 86_400_000, now - days * 86_400_000);
        const chosen = selectExpired(
          rows.map((r) => toCandidate(camera_id, r)),
          () => days,
          now,
        );
        if (chosen.length === 0) break;
        dels.push(...this.deleteIds(chosen.map((c) => c.id)));
        if (rows.length < 500) break;
      }
    }
    this.report(merge(dels), 'retention');
  }

  private usedBytes(): number {
    return this.d.db.prepare<[], { b: number | null }>('SELECT SUM(bytes) AS b FROM seg').get()?.b ?? 0;
  }

  private oldest(limit: number): Candidate[] {
    // the oldest of each camera (index camera, start), merged: there is no index on start alone
    const q = this.d.db.prepare<[string, number], { id: number; start_ms: number; end_ms: number; bytes: number; locked: number }>(
      'SELECT id, start_ms, end_ms, bytes, locked FROM segments WHERE camera_id = ? AND locked = 0 ORDER BY start_ms LIMIT ?',
    );
    const all: Candidate[] = [];
    for (const { camera_id } of camerasWithSegments(this.d.db)) for (const r of q.all(camera_id, limit)) all.push(toCandidate(camera_id, r));
    return all.sort((a, b) => a.startMs - b.startMs || a.id - b.id).slice(0, limit);
  }

  private quota(): void {
    const st = this.d.settings();
    const vol = volumeOf(this.d.recordingsRoot);
    const quota = quotaBytes(st.quotaGb, st.quotaPercent, vol.total);
    if (quota <= 0) return;
    const used = this.usedBytes();
    if (used <= quota) return;
    // free down to 98 % of the quota so each pass does not delete one segment at a time
    const need = used - quota * 0.98;
    const chosen = selectOldest(this.oldest(5000), need);
    if (chosen.length === 0) {
      log.warn(`recordings use ${(used / 1e9).toFixed(2)} GB, over the ${(quota / 1e9).toFixed(2)} GB quota, but every segment is locked`);
      return;
    }
    this.report(this.deleteIds(chosen.map((c) => c.id)), 'quota');
  }

  private emergency(diskFull: boolean): void {
    const st = this.d.settings();
    const vol = volumeOf(this.d.recordingsRoot);
    if (diskFull) this.releaseReserve();
    if (vol.total === 0) return;
    const mark = lowSpaceBytes(st.lowSpaceGb, vol.total);
    if (vol.free >= mark && !diskFull) return;
    const now = Date.now();
    if (now - this.lastLowSpaceEvent > 60_000 || diskFull) {
      this.lastLowSpaceEvent = now;
      log.warn(
        `low disk space: ${(vol.free / 1e6).toFixed(1)} MB free, under the ${(mark / 1e6).toFixed(1)} MB mark; deleting the oldest footage`,
      );
      this.d.bus.emit('storage.lowSpace', { freeBytes: vol.free, thresholdBytes: Math.round(mark) });
    }
    const candidates = this.oldest(5000);
    // free up to 120 % of the mark; on a full disk at least a few segments' worth
    let need = mark * 1.2 - vol.free;
    if (diskFull) {
      const avg = candidates.length ? candidates.reduce((a, c) => a + c.bytes, 0) / candidates.length : 0;
      need = Math.max(need, avg * 3, 1);
    }
    const chosen = selectOldest(candidates, need);
    if (chosen.length === 0) {
      log.error('the disk is nearly full and no recording can be deleted (none, or all locked): free space on the volume');
      return;
    }
    this.report(this.deleteIds(chosen.map((c) => c.id)), 'emergency');
  }

  private compactJournals(): void {
    const rows = this.d.db
      .prepare<[], { camera_id: string; s: number | null }>(
        'SELECT c.camera_id AS camera_id, (SELECT MIN(start_ms) FROM seg WHERE cam = c.id) AS s FROM rec_cameras c',
      )
      .all();
    for (const r of rows) if (r.s !== null) compactJournal(journalPath(this.d.recordingsRoot, r.camera_id), r.s);
  }

  status(): StorageStatus {
    const st = this.d.settings();
    const vol = volumeOf(this.d.recordingsRoot);
    const quota = quotaBytes(st.quotaGb, st.quotaPercent, vol.total);
    const now = Date.now();
    const rows = this.d.db
      .prepare<[number], { camera_id: string; bytes: number; n: number; oldest: number; newest: number; locked: number; recent: number }>(
        `SELECT camera_id, SUM(bytes) AS bytes, COUNT(*) AS n, MIN(start_ms) AS oldest, MAX(end_ms) AS newest,
                SUM(CASE WHEN locked = 1 THEN bytes ELSE 0 END) AS locked,
                SUM(CASE WHEN end_ms > ? THEN bytes ELSE 0 END) AS recent
         FROM segments GROUP BY camera_id`,
      )
      .all(now - 3600_000);
    const byId = new Map(rows.map((r) => [r.camera_id, r]));
    const ids = [...new Set([...this.d.cameraIds(), ...rows.map((r) => r.camera_id)])];
    const cameras: StorageCamera[] = ids.map((id) => {
      const r = byId.get(id);
      return {
        cameraId: id,
        name: this.d.cameraName(id),
        bytes: r?.bytes ?? 0,
        segments: r?.n ?? 0,
        oldest: r ? new Date(r.oldest).toISOString() : null,
        newest: r ? new Date(r.newest).toISOString() : null,
        daysRetained: r ? Math.round(((r.newest - r.oldest) / 86_400_000) * 100) / 100 : 0,
        lockedBytes: r?.locked ?? 0,
        bytesPerDay: Math.round((r?.recent ?? 0) * 24),
        retentionDays: this.d.retentionDaysOf(id),
      };
    });
    const used = cameras.reduce((a, c) => a + c.bytes, 0);
    const perDay = cameras.reduce((a, c) => a + c.bytesPerDay, 0);
    return {
      dataDir: this.d.dataDir,
      volumeTotalBytes: vol.total,
      volumeFreeBytes: vol.free,
      quotaBytes: Math.round(quota),
      usedBytes: used,
      lockedBytes: cameras.reduce((a, c) => a + c.lockedBytes, 0),
      lowSpace: vol.total > 0 && vol.free < lowSpaceBytes(st.lowSpaceGb, vol.total),
      forecastDays: perDay > 0 ? Math.round((quota / perDay) * 10) / 10 : null,
      cameras,
    };
  }
}

function toCandidate(cameraId: string, r: { id: number; start_ms: number; end_ms: number; bytes: number; locked: number }): Candidate {
  return { id: r.id, cameraId, startMs: r.start_ms, endMs: r.end_ms, bytes: r.bytes, locked: !!r.locked };
}

function merge(dels: Deleted[]): Deleted[] {
  const m = new Map<string, Deleted>();
  for (const d of dels) {
    const x = m.get(d.cameraId) ?? { cameraId: d.cameraId, segments: 0, bytes: 0 };
    x.segments += d.segments;
    x.bytes += d.bytes;
    m.set(d.cameraId, x);
  }
  return [...m.values()];
}

/** Cameras that have indexed segments (cheap: one index probe per known camera). */
export function camerasWithSegments(db: Db): { camera_id: string }[] {
  return db
    .prepare<[], { camera_id: string }>('SELECT camera_id FROM rec_cameras c WHERE EXISTS (SELECT 1 FROM seg WHERE cam = c.id) ORDER BY camera_id')
    .all();
}
