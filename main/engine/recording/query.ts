/**
 * Reading the index: segments and gaps of a camera in a time range. Works
 * on the SQLite file while a server writes it (WAL readers never block).
 */
import path from 'node:path';
import type { Gap, GapReason, Segment } from '../../api/contract.js';
import type { Db } from '../store/db.js';
import type { SegmentRow } from './timeline.js';

/** No segment is longer than this (segment_time ≤ 600 s; a camera without key frames for an hour is broken). */
export const MAX_SEGMENT_MS = 6 * 3600_000;

export interface SegmentDetail {
  id: number;
  startMs: number;
  endMs: number;
  bytes: number;
  /** Relative to the recordings root. */
  rel: string;
  codec: string | null;
  width: number | null;
  height: number | null;
  runId: string | null;
  locked: boolean;
  initHash: string | null;
}

/** A `segments` row as the range queries select it. */
type Row = Omit<SegmentRow, 'camera_id' | 'salvaged'>;

type Stmt = ReturnType<Db['prepare']> & { all(...p: unknown[]): unknown[]; get(...p: unknown[]): unknown };
const stmts = new WeakMap<Db, { segs: Stmt; gaps: Stmt; byId: Stmt }>();

function prepared(db: Db) {
  let s = stmts.get(db);
  if (!s) {
    s = {
      segs: db.prepare(
        `SELECT id, start_ms, end_ms, bytes, path, codec, width, height, run_id, locked, init_hash FROM segments
         WHERE camera_id = ? AND start_ms < ? AND start_ms >= ? AND end_ms > ? ORDER BY start_ms`,
      ),
      gaps: db.prepare(
        `SELECT start_ms, end_ms, reason FROM gaps WHERE camera_id = ? AND start_ms < ? AND (end_ms IS NULL OR end_ms > ?) ORDER BY start_ms`,
      ),
      byId: db.prepare(
        `SELECT id, start_ms, end_ms, bytes, path, codec, width, height, run_id, locked, init_hash, camera_id FROM segments WHERE id = ?`,
      ),
    } as unknown as { segs: Stmt; gaps: Stmt; byId: Stmt };
    stmts.set(db, s);
  }
  return s;
}

function detail(r: Row): SegmentDetail {
  return {
    id: r.id,
    startMs: r.start_ms,
    endMs: r.end_ms,
    bytes: r.bytes,
    rel: r.path,
    codec: r.codec,
    width: r.width,
    height: r.height,
    runId: r.run_id,
    locked: !!r.locked,
    initHash: r.init_hash,
  };
}

/** Segments overlapping [fromMs, toMs), oldest first. */
export function segmentsIn(db: Db, cameraId: string, fromMs: number, toMs: number): SegmentDetail[] {
  const rows = prepared(db).segs.all(cameraId, toMs, fromMs - MAX_SEGMENT_MS, fromMs) as Row[];
  return rows.map(detail);
}

export function segmentById(db: Db, id: number): (SegmentDetail & { cameraId: string }) | null {
  const r = prepared(db).byId.get(id) as (Row & { camera_id: string }) | undefined;
  return r ? { ...detail(r), cameraId: r.camera_id } : null;
}

/** Gaps overlapping [fromMs, toMs); an open gap (still going on) ends at `nowMs`. */
export function gapsIn(
  db: Db,
  cameraId: string,
  fromMs: number,
  toMs: number,
  nowMs = Date.now(),
): { startMs: number; endMs: number; reason: GapReason; open: boolean }[] {
  const rows = prepared(db).gaps.all(cameraId, toMs, fromMs) as { start_ms: number; end_ms: number | null; reason: GapReason }[];
  return rows
    .map((g) => ({ startMs: g.start_ms, endMs: g.end_ms ?? Math.max(nowMs, g.start_ms), reason: g.reason, open: g.end_ms === null }))
    .filter((g) => g.endMs > fromMs);
}

/**
 * Segments and gaps of one camera that overlap [fromMs, toMs), as the CLI
 * and `recordings.list` show them: ISO times, absolute paths. A gap that is
 * still going on ends "now".
 */
export function listRecordings(
  db: Db,
  cameraId: string,
  fromMs: number,
  toMs: number,
  recordingsRoot?: string,
): { segments: Segment[]; gaps: Gap[] } {
  const root = recordingsRoot ?? path.join(path.dirname(db.name), 'recordings');
  const segments = segmentsIn(db, cameraId, fromMs, toMs).map((s) => ({
    id: s.id,
    start: new Date(s.startMs).toISOString(),
    end: new Date(s.endMs).toISOString(),
    path: path.join(root, s.rel),
    bytes: s.bytes,
    locked: s.locked,
  }));
  const gaps = gapsIn(db, cameraId, fromMs, toMs).map((g) => ({
    start: new Date(g.startMs).toISOString(),
    end: new Date(g.endMs).toISOString(),
    reason: g.reason,
  }));
  return { segments, gaps };
}
