/**
 * The live index of segments and gaps: inserting closed segments and keeping
 * gaps, following the rules in runs.ts so that `index rebuild` agrees.
 * Every gap decision is journaled first (journal.ts), then written here.
 */
import type { GapReason } from '../../api/contract.js';
import type { Db } from '../store/db.js';
import { WriteQueue } from '../store/write-queue.js';
import { appendJournal } from './journal.js';
import { parseSegmentName } from './layout.js';
import { reasonSplitsGap } from './runs.js';
import { logger } from '../log.js';

const log = logger('recording');

export interface SegmentRow {
  id: number;
  camera_id: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
  path: string;
  codec: string | null;
  width: number | null;
  height: number | null;
  run_id: string | null;
  locked: number;
  salvaged: number;
  init_hash: string | null;
}

export interface GapRow {
  id: number;
  camera_id: string;
  start_ms: number;
  end_ms: number | null;
  reason: GapReason;
}

export interface NewSegment {
  cameraId: string;
  startMs: number;
  endMs: number;
  bytes: number;
  /** Relative to the recordings root. */
  path: string;
  codec: string | null;
  width: number | null;
  height: number | null;
  runId: string;
  salvaged: boolean;
  initHash: string | null;
}

export class Timeline {
  private q;
  /**
   * Writes that found the disk full (replayed by flushDeferred() once the
   * storage keeper has freed space) or the index busy (retried every second),
   * in order: a gap before the segment that closes it.
   */
  private readonly pending: WriteQueue;
  constructor(
    private readonly db: Db,
    private readonly journalOf: (cameraId: string) => string,
    /** Wall time for gap starts and journal stamps (the recorder's clock). */
    private readonly now: () => number = Date.now,
  ) {
    this.pending = new WriteQueue({ log, what: 'segment and gap rows', retryFullDisk: false, isOpen: () => db.open });
    this.q = {
      last: db.prepare<[string], SegmentRow>('SELECT * FROM segments WHERE camera_id = ? ORDER BY start_ms DESC LIMIT 1'),
      lastOfRun: db.prepare<[string, string], SegmentRow>(
        'SELECT * FROM segments WHERE camera_id = ? AND run_id = ? ORDER BY start_ms DESC LIMIT 1',
      ),
      insert: db.prepare(
        `INSERT INTO segments (camera_id, start_ms, end_ms, bytes, path, codec, width, height, run_id, locked, salvaged, init_hash)
         VALUES (@cameraId, @startMs, @endMs, @bytes, @path, @codec, @width, @height, @runId, 0, @salvaged, @initHash)`,
      ),
      setEnd: db.prepare('UPDATE segments SET end_ms = ? WHERE id = ?'),
      openGap: db.prepare<[string], GapRow>('SELECT * FROM gaps WHERE camera_id = ? AND end_ms IS NULL ORDER BY start_ms DESC LIMIT 1'),
      openGaps: db.prepare<[string], GapRow>('SELECT * FROM gaps WHERE camera_id = ? AND end_ms IS NULL'),
      insertGap: db.prepare('INSERT INTO gaps (camera_id, start_ms, end_ms, reason) VALUES (?, ?, ?, ?)'),
      closeGap: db.prepare('UPDATE gaps SET end_ms = ? WHERE id = ?'),
      deleteGap: db.prepare('DELETE FROM gaps WHERE id = ?'),
      atStart: db.prepare<[string, number, string], { one: number }>(
        'SELECT 1 AS one FROM segments WHERE camera_id = ? AND start_ms = ? AND path = ? LIMIT 1',
      ),
      byPath: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM segments WHERE path = ? LIMIT 1'),
      // the row the segments view's insert trigger just added (rowid = max + 1)
      lastId: db.prepare<[], { id: number }>('SELECT MAX(id) AS id FROM seg'),
    };
  }

  lastSegment(cameraId: string): SegmentRow | undefined {
    return this.q.last.get(cameraId);
  }

  lastOfRun(cameraId: string, runId: string): SegmentRow | undefined {
    return this.q.lastOfRun.get(cameraId, runId);
  }

  openGap(cameraId: string): GapRow | undefined {
    return this.q.openGap.get(cameraId);
  }

  /** Is a segment indexed at this path (relative to the recordings root)? */
  hasPath(rel: string): boolean {
    // paths are not stored: find the row by camera and start (indexed), then compare the derived path
    const parts = rel.split(/[\\/]/);
    const name = parseSegmentName(parts[parts.length - 1] ?? '');
    if (name && parts.length >= 2) return !!this.q.atStart.get(parts[0]!, name.startMs, rel);
    return !!this.q.byPath.get(rel);
  }

  get deferredWrites(): number {
    return this.pending.size;
  }

  /** Replay deferred writes (after the storage keeper freed space); returns how many are still waiting. */
  flushDeferred(): number {
    return this.pending.flush();
  }

  /** Stop retrying (the recorder stops); one last try first. Returns the writes that never made it. */
  dispose(): number {
    const { left, why } = this.pending.dispose();
    if (left) log.warn(`${left} index write(s) could not be made before the stop (${why}): "gatehouse index rebuild" indexes their files`);
    return left;
  }

  /** Run a write now, or queue it (S9): files are already in place (S2), so a queued row is late, never lost. */
  private write<T>(op: () => T, fallback: T): T {
    return this.pending.run(op, fallback);
  }

  /**
   * Index a closed segment (its file is already in place and fsynced).
   * A segment that starts a new run closes the open gap (R2) or clamps the
   * previous run's end (R3). Returns the new row id.
   */
  addSegment(s: NewSegment): { id: number; closedGaps: { startMs: number; endMs: number; reason: GapReason }[] } {
    return this.write(() => this.addSegmentNow(s), { id: -1, closedGaps: [] });
  }

  private addSegmentNow(s: NewSegment): { id: number; closedGaps: { startMs: number; endMs: number; reason: GapReason }[] } {
    return this.db.transaction(() => {
      const closedGaps: { startMs: number; endMs: number; reason: GapReason }[] = [];
      const prev = this.q.last.get(s.cameraId);
      if (prev && prev.run_id === s.runId) {
        // a run that goes on has no gap inside it (rebuild sees none either)
        for (const g of this.q.openGaps.all(s.cameraId)) this.q.deleteGap.run(g.id);
      } else if (prev && s.startMs > prev.start_ms) {
        const open = this.q.openGaps.all(s.cameraId).sort((a, b) => a.start_ms - b.start_ms);
        if (s.startMs < prev.end_ms) {
          this.q.setEnd.run(s.startMs, prev.id);
          for (const g of open) this.q.deleteGap.run(g.id);
        } else {
          for (const g of open) {
            if (g.start_ms >= s.startMs) this.q.deleteGap.run(g.id);
            else {
              this.q.closeGap.run(s.startMs, g.id);
              closedGaps.push({ startMs: g.start_ms, endMs: s.startMs, reason: g.reason });
            }
          }
          if (open.length === 0 && s.startMs > prev.end_ms) {
            this.q.insertGap.run(s.cameraId, prev.end_ms, s.startMs, 'unknown');
            closedGaps.push({ startMs: prev.end_ms, endMs: s.startMs, reason: 'unknown' });
          }
        }
      }
      this.q.insert.run({ ...s, salvaged: s.salvaged ? 1 : 0 });
      return { id: this.q.lastId.get()?.id ?? -1, closedGaps };
    })();
  }

  /**
   * The camera stopped recording (or its outage changed cause) at `atMs`.
   * Opens a gap at the last segment's end, or splits the open gap when the
   * cause changes in a way worth telling apart (runs.reasonSplitsGap).
   * Returns the gap opened, if any.
   */
  noteDown(cameraId: string, reason: GapReason, atMs = this.now()): { startMs: number; reason: GapReason } | null {
    return this.write(() => this.noteDownNow(cameraId, reason, atMs), null);
  }

  private noteDownNow(cameraId: string, reason: GapReason, atMs: number): { startMs: number; reason: GapReason } | null {
    const journal = this.journalOf(cameraId);
    return this.db.transaction(() => {
      const open = this.q.openGap.get(cameraId);
      if (!open) {
        const last = this.q.last.get(cameraId);
        if (!last) return null;
        appendJournal(journal, { ev: 'gap', t: this.now(), startMs: last.end_ms, reason });
        this.q.insertGap.run(cameraId, last.end_ms, null, reason);
        return { startMs: last.end_ms, reason };
      }
      if (!reasonSplitsGap(open.reason, reason)) return null;
      const at = Math.max(atMs, open.start_ms);
      if (at <= open.start_ms) {
        // same instant: the new reason replaces the old one
        appendJournal(journal, { ev: 'gap', t: this.now(), startMs: open.start_ms, reason });
        this.db.prepare('UPDATE gaps SET reason = ? WHERE id = ?').run(reason, open.id);
        return { startMs: open.start_ms, reason };
      }
      appendJournal(journal, { ev: 'gap', t: this.now(), startMs: at, reason });
      this.q.closeGap.run(at, open.id);
      this.q.insertGap.run(cameraId, at, null, reason);
      return { startMs: at, reason };
    })();
  }
}
