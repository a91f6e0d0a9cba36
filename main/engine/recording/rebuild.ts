/**
 * `gatehouse index rebuild`: recreate the segment and gap rows from the
 * media files alone (files are the truth, the index is a cache).
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
import { codecsOf, prepareFile } from './closer.js';
import { readJournal, type GapEvent } from './journal.js';
import { INCOMING, journalPath, parseSegmentName } from './layout.js';
import { deriveTimeline, segmentEndMs } from './runs.js';
import { salvageIncoming } from './salvage.js';
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

/** Every closed segment file of one camera, read from disk. */
export function scanCamera(recordingsRoot: string, cameraId: string): { rows: FileRow[]; skipped: string[] } {
  const rows: FileRow[] = [];
  const skipped: string[] = [];
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
      for (const name of names) {
        if (!name.endsWith('.mp4')) continue;
        const rel = path.join(cameraId, day, hour, name);
        const parsed = parseSegmentName(name);
        if (!parsed) {
          skipped.push(rel);
          continue;
        }
        try {
          const prepared = prepareFile(path.join(dir, name));
          if (!prepared) {
            skipped.push(rel);
            continue;
          }
          const { info } = prepared;
          rows.push({
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
          });
        } catch (err) {
          log.warn(`skipping ${rel}: ${(err as Error).message}`);
          skipped.push(rel);
        }
      }
    }
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
