/**
 * What an export of one camera reads from the index: its segments and gaps
 * overlapping the range, through the recorder's own read-only range queries
 * (recording/query.ts). Works on a live index (WAL readers never block).
 */
import path from 'node:path';
import { gapsIn, segmentsIn } from '../recording/query.js';
import type { Db } from '../store/db.js';
import type { SourceSegment } from './clip-plan.js';
import type { KnownGap } from './bundle.js';

export interface CameraSelection {
  segments: SourceSegment[];
  gaps: KnownGap[];
  /** Bytes of the selected segment files, as indexed. */
  bytes: number;
  /** Whether any selected segment is already evidence-locked. */
  locked: boolean;
}

export function selectSegments(db: Db, recordingsRoot: string, cameraId: string, fromMs: number, toMs: number, nowMs = Date.now()): CameraSelection {
  // a frame at exactly `to` still belongs to the range: ask for (to + 1 ms)
  const rows = segmentsIn(db, cameraId, fromMs, toMs + 1);
  const segments: SourceSegment[] = rows.map((r) => ({
    path: path.join(recordingsRoot, r.rel),
    startMs: r.startMs,
    endMs: r.endMs,
    runId: r.runId,
    id: r.id,
  }));
  const gaps: KnownGap[] = gapsIn(db, cameraId, fromMs, toMs, nowMs).map((g) => ({ startMs: g.startMs, endMs: g.endMs, reason: g.reason, open: g.open }));
  return { segments, gaps, bytes: rows.reduce((a, r) => a + r.bytes, 0), locked: rows.some((r) => r.locked) };
}
