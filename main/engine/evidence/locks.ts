/**
 * Evidence locks: the footage of some cameras in a time range, kept from
 * retention. A lock row (`evidence_locks`, its cameras in
 * `evidence_lock_cameras`) and the `locked` flag of every segment it covers
 * are written in one transaction, so a segment is locked before an export
 * copies a byte of it; retention and quota purges skip locked segments
 * (recording/retention.ts re-checks the flag inside its own delete
 * transaction). Releasing a lock clears the flag only on segments no other
 * active lock covers. Locks are never deleted: a released one keeps who
 * released it, when and why.
 *
 * Works on any connection to the index: the engine's durable one, or the
 * CLI's own (several processes may lock; SQLite serialises the writes).
 */
import type { EvidenceLock } from '../../api/export.js';
import { segmentsIn, type SegmentDetail } from '../recording/query.js';
import type { Db } from '../store/db.js';
import { parseJson } from '../store/json.js';

interface LockRow {
  id: number;
  created_ms: number;
  username: string;
  reason: string;
  case_id: number | null;
  export_job: string | null;
  from_ms: number;
  to_ms: number;
  segments: number;
  bytes: number;
  manifest_sha256: string | null;
  released_ms: number | null;
  released_by: string | null;
  release_reason: string | null;
  cameras: string;
  case_name: string | null;
}

export interface NewLock {
  cameraIds: string[];
  fromMs: number;
  toMs: number;
  username: string;
  reason: string;
  caseId?: number | null;
  exportJob?: string | null;
}

export interface LockFilter {
  all?: boolean;
  cameraId?: string;
  fromMs?: number;
  toMs?: number;
  caseId?: number;
  exportJob?: string;
}

const SELECT = `SELECT l.*, (SELECT json_group_array(camera_id) FROM evidence_lock_cameras c WHERE c.lock_id = l.id) AS cameras,
  (SELECT name FROM cases WHERE cases.id = l.case_id) AS case_name FROM evidence_locks l`;

function toLock(r: LockRow): EvidenceLock {
  return {
    id: r.id,
    createdAt: new Date(r.created_ms).toISOString(),
    username: r.username,
    reason: r.reason,
    caseId: r.case_id,
    caseName: r.case_name,
    exportJob: r.export_job,
    from: new Date(r.from_ms).toISOString(),
    to: new Date(r.to_ms).toISOString(),
    cameraIds: parseJson<string[]>(r.cameras, []).sort(),
    segments: r.segments,
    bytes: r.bytes,
    manifestSha256: r.manifest_sha256,
    active: r.released_ms === null,
    releasedAt: r.released_ms === null ? null : new Date(r.released_ms).toISOString(),
    releasedBy: r.released_by,
    releaseReason: r.release_reason,
  };
}

export class EvidenceLocks {
  constructor(private readonly db: Db) {}

  /**
   * Lock every segment of these cameras overlapping [fromMs, toMs] (a frame at
   * exactly `toMs` still belongs to the range). With `within`, runs `within`
   * in the same transaction after locking (the export selects its segments
   * there, so what it reads is exactly what is locked).
   */
  lock<T = undefined>(l: NewLock, within?: (lockId: number) => T, now = Date.now()): { lock: EvidenceLock; segments: SegmentDetail[]; within: T } {
    const tx = this.db.transaction(() => {
      const segs: SegmentDetail[] = [];
      for (const cam of l.cameraIds) segs.push(...segmentsIn(this.db, cam, l.fromMs, l.toMs + 1));
      const r = this.db
        .prepare(
          'INSERT INTO evidence_locks (created_ms, username, reason, case_id, export_job, from_ms, to_ms, segments, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(now, l.username, l.reason, l.caseId ?? null, l.exportJob ?? null, l.fromMs, l.toMs, segs.length, segs.reduce((a, s) => a + s.bytes, 0));
      const id = Number(r.lastInsertRowid);
      const cam = this.db.prepare('INSERT OR IGNORE INTO evidence_lock_cameras (camera_id, lock_id) VALUES (?, ?)');
      for (const c of l.cameraIds) cam.run(c, id);
      const set = this.db.prepare('UPDATE segments SET locked = 1 WHERE id = ? AND locked = 0');
      for (const s of segs) set.run(s.id);
      const w = within ? within(id) : (undefined as T);
      return { id, segs, w };
    });
    const { id, segs, w } = this.db.inTransaction ? tx() : tx.immediate();
    return { lock: this.get(id)!, segments: segs, within: w };
  }

  /** Release a lock: its segments lose the flag unless another active lock covers them. Idempotent. */
  release(id: number, by: string, reason: string, now = Date.now()): EvidenceLock {
    const tx = this.db.transaction(() => {
      const row = this.db.prepare<[number], { released_ms: number | null; from_ms: number; to_ms: number }>('SELECT released_ms, from_ms, to_ms FROM evidence_locks WHERE id = ?').get(id);
      if (!row) return false;
      if (row.released_ms !== null) return true;
      this.db.prepare('UPDATE evidence_locks SET released_ms = ?, released_by = ?, release_reason = ? WHERE id = ?').run(now, by, reason, id);
      const cams = this.db.prepare<[number], { camera_id: string }>('SELECT camera_id FROM evidence_lock_cameras WHERE lock_id = ?').all(id);
      const holders = this.db.prepare<[string, number, number], { n: number }>(
        `SELECT COUNT(*) AS n FROM evidence_locks l JOIN evidence_lock_cameras c ON c.lock_id = l.id
         WHERE c.camera_id = ? AND l.released_ms IS NULL AND l.from_ms < ? AND l.to_ms + 1 > ?`,
      );
      const clear = this.db.prepare('UPDATE segments SET locked = 0 WHERE id = ? AND locked = 1');
      for (const { camera_id } of cams) {
        for (const s of segmentsIn(this.db, camera_id, row.from_ms, row.to_ms + 1)) {
          if (holders.get(camera_id, s.endMs, s.startMs)!.n === 0) clear.run(s.id);
        }
      }
      return true;
    });
    const found = this.db.inTransaction ? tx() : tx.immediate();
    if (!found) throw new Error(`no evidence lock ${id}`);
    return this.get(id)!;
  }

  /** Record the signed manifest of the export that holds this lock. */
  setManifest(id: number, sha256: string): void {
    this.db.prepare('UPDATE evidence_locks SET manifest_sha256 = ? WHERE id = ?').run(sha256, id);
  }

  get(id: number): EvidenceLock | null {
    const r = this.db.prepare<[number], LockRow>(`${SELECT} WHERE l.id = ?`).get(id);
    return r ? toLock(r) : null;
  }

  list(f: LockFilter = {}): EvidenceLock[] {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (!f.all) where.push('l.released_ms IS NULL');
    if (f.cameraId) {
      where.push('EXISTS (SELECT 1 FROM evidence_lock_cameras c WHERE c.lock_id = l.id AND c.camera_id = @cam)');
      args.cam = f.cameraId;
    }
    if (f.fromMs !== undefined) {
      where.push('l.to_ms >= @from');
      args.from = f.fromMs;
    }
    if (f.toMs !== undefined) {
      where.push('l.from_ms <= @to');
      args.to = f.toMs;
    }
    if (f.caseId !== undefined) {
      where.push('l.case_id = @case');
      args.case = f.caseId;
    }
    if (f.exportJob !== undefined) {
      where.push('l.export_job = @job');
      args.job = f.exportJob;
    }
    const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY l.created_ms DESC, l.id DESC LIMIT 1000`;
    return this.db.prepare<[Record<string, unknown>], LockRow>(sql).all(args).map(toLock);
  }
}
