/**
 * `gatehouse index rebuild`: recreate the segment and gap rows from the
 * media files alone (files are the truth, the index is a cache). And the
 * engine's background re-index after the index was lost or damaged
 * (reindexInBackground): the same rows, merged with what was recorded
 * meanwhile.
 *
 * For each camera folder: every <day>/<hour>/<start>_<run>.mp4 gives a row
 * (start and run from the name, end = start + the file's own sample
 * durations, bytes, codec, size), the journal's gap events give the gap
 * reasons, and runs.deriveTimeline applies the same rules as the live index.
 * Then what is left in .incoming is salvaged, as the engine does at start.
 * Evidence locks of files that still exist are kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';
import type { DataPaths } from '../paths.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import { logger } from '../log.js';
import { appendJournal, readJournal, type GapEvent } from './journal.js';
import { codecsOf, inspectFile, prepareFile, type PreparedFile } from './closer.js';
import { INCOMING, journalPath, parseSegmentName } from './layout.js';
import { deriveTimeline, segmentEndMs } from './runs.js';
import { salvageIncoming, type SalvageResult } from './salvage.js';
import { Timeline } from './timeline.js';

const log = logger('rebuild');

interface FileRow {
  cameraId: string;
  startMs: number;
  endMs: number;
  runId: string;
  rel: string;
  bytes: number;
  codec: string | null;
  width: number | null;
  height: number | null;
  initHash: string | null;
}

function listDirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/** Every file in a camera's <day>/<hour>/ folders: [relative path, absolute path, name]. */
function* segmentFiles(recordingsRoot: string, cameraId: string): Generator<[string, string, string]> {
  const camDir = path.join(recordingsRoot, cameraId);
  for (const day of listDirs(camDir)) {
    if (day === INCOMING || !/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
    for (const hour of listDirs(path.join(camDir, day))) {
      const dir = path.join(camDir, day, hour);
      let names: string[];
      try {
        names = fs.readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (const name of names) if (name.endsWith('.mp4')) yield [path.join(cameraId, day, hour, name), path.join(dir, name), name];
    }
  }
}

/** The index row of one segment file, or null (with the reason logged) when it is not one of ours. */
function rowOf(cameraId: string, rel: string, abs: string, name: string, read: (file: string) => PreparedFile | null): FileRow | null {
  const parsed = parseSegmentName(name);
  if (!parsed) return null;
  try {
    const prepared = read(abs);
    if (!prepared) return null;
    const { info } = prepared;
    return {
      cameraId,
      startMs: parsed.startMs,
      endMs: segmentEndMs(parsed.startMs, info.durationMs),
      runId: parsed.runId,
      rel,
      bytes: info.fileSize,
      codec: codecsOf(info),
      width: info.video?.width ?? null,
      height: info.video?.height ?? null,
      initHash: prepared.initHash,
    };
  } catch (err) {
    log.warn(`skipping ${rel}: ${(err as Error).message}`);
    return null;
  }
}

/** Every closed segment file of one camera, read from disk. */
export function scanCamera(recordingsRoot: string, cameraId: string): { rows: FileRow[]; skipped: string[] } {
  const rows: FileRow[] = [];
  const skipped: string[] = [];
  for (const [rel, abs, name] of segmentFiles(recordingsRoot, cameraId)) {
    const row = rowOf(cameraId, rel, abs, name, prepareFile);
    if (row) rows.push(row);
    else skipped.push(rel);
  }
  return { rows, skipped };
}

export async function rebuildIndex(
  db: Db,
  paths: DataPaths,
  ffmpeg: FfmpegPaths | null,
): Promise<{ segments: number; cameras: number; gaps: number; skipped: number; salvaged: number }> {
  void ffmpeg; // the box walker reads everything needed; ffmpeg stays unused
  const root = paths.recordings;
  const cameras = listDirs(root).filter((d) => !d.startsWith('.'));
  const locked = new Set(
    db
      .prepare<[], { path: string }>('SELECT path FROM segments WHERE locked = 1')
      .all()
      .map((r) => r.path),
  );
  let segCount = 0;
  let gapCount = 0;
  let skipped = 0;
  const perCamera: { cameraId: string; segments: FileRow[]; gaps: { startMs: number; endMs: number | null; reason: string }[] }[] = [];
  for (const cameraId of cameras) {
    const { rows, skipped: sk } = scanCamera(root, cameraId);
    skipped += sk.length;
    for (const s of sk) log.warn(`not a segment of ours, left alone: ${s}`);
    const events = readJournal(journalPath(root, cameraId)).filter((e): e is GapEvent => e.ev === 'gap');
    const t = deriveTimeline(rows, events);
    perCamera.push({ cameraId, segments: t.segments, gaps: t.gaps });
  }
  const insSeg = db.prepare(
    `INSERT INTO segments (camera_id, start_ms, end_ms, bytes, path, codec, width, height, run_id, locked, salvaged, init_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
  );
  const insGap = db.prepare('INSERT INTO gaps (camera_id, start_ms, end_ms, reason) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    // the segments view's tables (camera ids stay: they are referenced by id only here)
    db.prepare('DELETE FROM seg').run();
    db.prepare('DELETE FROM rec_runs').run();
    db.prepare('DELETE FROM rec_params').run();
    db.prepare('DELETE FROM gaps').run();
    db.prepare('DELETE FROM garbage').run();
    for (const c of perCamera) {
      for (const s of c.segments) {
        insSeg.run(
          c.cameraId,
          s.startMs,
          s.endMs,
          s.bytes,
          s.rel,
          s.codec,
          s.width,
          s.height,
          s.runId,
          locked.has(s.rel) ? 1 : 0,
          s.initHash,
        );
        segCount++;
      }
      for (const g of c.gaps) {
        insGap.run(c.cameraId, g.startMs, g.endMs, g.reason);
        gapCount++;
      }
    }
  })();
  // what ffmpeg left mid-write, handled as the engine would at start
  const timeline = new Timeline(db, (id) => journalPath(root, id));
  let salvaged = 0;
  for (const cameraId of cameras) {
    const r = salvageIncoming(root, timeline, cameraId);
    salvaged += r.indexed.length;
    segCount += r.indexed.length;
  }
  return { segments: segCount, cameras: cameras.length, gaps: gapCount, skipped, salvaged };
}

/** Does the recordings folder hold segment files (a camera folder with a <day> folder)? */
export function hasMediaFiles(recordingsRoot: string): boolean {
  for (const cam of listDirs(recordingsRoot)) {
    if (cam.startsWith('.')) continue;
    if (listDirs(path.join(recordingsRoot, cam)).some((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))) return true;
  }
  return false;
}

/** Rows inserted per transaction by the background re-index (the event loop gets a turn between them). */
const INSERT_CHUNK = 2000;

export interface ReindexProgress {
  cameras: number;
  camerasDone: number;
  segments: number;
}

/**
 * Re-index the media files while the engine records (after the index was
 * lost or damaged). Per camera: read its files in small batches, yielding
 * to the event loop between them, then:
 *   1. add a row for every file that has none, in chunks (the live recorder
 *      indexed what it wrote meanwhile: those are skipped, never doubled,
 *      and it only ever adds new files);
 * and in one synchronous transaction (so no live segment is indexed halfway):
 *   2. salvage what a crash left in .incoming by ingests older than
 *      `sessionStartMs` (the live ones are left alone);
 *   3. open the engine_down gap that the start would have opened after the
 *      last old segment, unless the journal already has a reason there;
 *   4. derive every gap (and clamped end) of the camera from all its rows
 *      and its journal, as `index rebuild` does, and replace its gaps.
 * Evidence locks were kept only in the lost index: they are gone.
 */
export async function reindexInBackground(
  db: Db,
  recordingsRoot: string,
  timeline: Timeline,
  opts: { sessionStartMs: number; now: () => number; progress?: (p: ReindexProgress) => void; batch?: number; stopped?: () => boolean },
): Promise<{ segments: number; gaps: number; salvaged: SalvageResult['indexed']; skipped: number }> {
  const cameras = listDirs(recordingsRoot).filter((d) => !d.startsWith('.'));
  const p: ReindexProgress = { cameras: cameras.length, camerasDone: 0, segments: 0 };
  const batch = opts.batch ?? 20;
  const out = { segments: 0, gaps: 0, salvaged: [] as SalvageResult['indexed'], skipped: 0 };
  const insSeg = db.prepare(
    `INSERT INTO segments (camera_id, start_ms, end_ms, bytes, path, codec, width, height, run_id, locked, salvaged, init_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)`,
  );
  const camRows = db.prepare<[string], { id: number; start_ms: number; end_ms: number; path: string; run_id: string | null }>(
    'SELECT id, start_ms, end_ms, path, run_id FROM segments WHERE camera_id = ? ORDER BY start_ms',
  );
  const setEnd = db.prepare('UPDATE segments SET end_ms = ? WHERE id = ?');
  const delGaps = db.prepare('DELETE FROM gaps WHERE camera_id = ?');
  const insGap = db.prepare('INSERT INTO gaps (camera_id, start_ms, end_ms, reason) VALUES (?, ?, ?, ?)');
  opts.progress?.(p);
  for (const cameraId of cameras) {
    if (opts.stopped?.()) break;
    const rows: FileRow[] = [];
    let n = 0;
    for (const [rel, abs, name] of segmentFiles(recordingsRoot, cameraId)) {
      if (++n % batch === 0) {
        await new Promise((r) => setImmediate(r));
        if (opts.stopped?.()) return out;
      }
      const row = rowOf(cameraId, rel, abs, name, inspectFile);
      if (row) rows.push(row);
      else {
        out.skipped++;
        log.warn(`not a segment of ours, left alone: ${rel}`);
      }
    }
    const journal = journalPath(recordingsRoot, cameraId);
    // 1. rows for the files that have none, a chunk per transaction (the live recorder only adds new files meanwhile)
    const live = camRows.all(cameraId);
    const have = new Set(live.map((r) => r.path));
    const old = rows.filter((r) => !have.has(r.rel));
    for (let i = 0; i < old.length; i += INSERT_CHUNK) {
      if (i > 0) {
        await new Promise((r) => setImmediate(r));
        if (opts.stopped?.()) return out;
      }
      db.transaction(() => {
        for (const s of old.slice(i, i + INSERT_CHUNK)) {
          if (!fs.existsSync(path.join(recordingsRoot, s.rel))) continue;
          insSeg.run(cameraId, s.startMs, s.endMs, s.bytes, s.rel, s.codec, s.width, s.height, s.runId, s.initHash);
          out.segments++;
          p.segments++;
        }
      })();
    }
    db.transaction(() => {
      // 2. a crash's leftovers, placed after their runs' segments (which are indexed now)
      const salvaged = salvageIncoming(recordingsRoot, timeline, cameraId, (ingest) => parseInt(ingest, 36) < opts.sessionStartMs);
      out.salvaged.push(...salvaged.indexed);
      // 3. the engine was down between the last old segment and this start
      const oldPaths = new Set([...old.map((r) => r.rel), ...salvaged.indexed.map((r) => r.rel)]);
      const now = camRows.all(cameraId);
      const firstLive = now.find((r) => !oldPaths.has(r.path))?.start_ms ?? Infinity;
      let lastOld: number | null = null;
      for (const r of now) if (oldPaths.has(r.path) && (lastOld === null || r.end_ms > lastOld)) lastOld = r.end_ms;
      let events = readJournal(journal).filter((e): e is GapEvent => e.ev === 'gap');
      if (lastOld !== null && lastOld < firstLive && !events.some((e) => e.startMs >= lastOld && e.startMs < firstLive)) {
        const ev: GapEvent = { ev: 'gap', t: opts.now(), startMs: lastOld, reason: 'engine_down' };
        appendJournal(journal, ev);
        events = [...events, ev];
      }
      // 4. the camera's whole timeline, as index rebuild derives it
      const all = now.map((r) => ({ id: r.id, startMs: r.start_ms, endMs: r.end_ms, runId: r.run_id ?? '' }));
      const t = deriveTimeline(all, events);
      const before = new Map(all.map((r) => [r.id, r.endMs]));
      for (const s of t.segments) if (before.get(s.id) !== s.endMs) setEnd.run(s.endMs, s.id);
      delGaps.run(cameraId);
      for (const g of t.gaps) insGap.run(cameraId, g.startMs, g.endMs, g.reason);
      out.gaps += t.gaps.length;
    })();
    p.camerasDone++;
    opts.progress?.(p);
  }
  return out;
}
