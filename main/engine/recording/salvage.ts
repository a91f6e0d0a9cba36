/**
 * Salvage: index what ffmpeg left in `.incoming` — a segment cut mid-write
 * by a crash, a killed ffmpeg, a camera that vanished, or a closed segment
 * whose row was never written. Each file is cut after its last complete
 * fragment and placed on the timeline (runs.ts R1) from the journal's run
 * anchor or from the previous segment of its run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { logger } from '../log.js';
import { closeSegment, prepareFile, type ClosedSegment } from './closer.js';
import { anchorFor, readJournal } from './journal.js';
import { incomingDir, journalPath, parseIncomingName } from './layout.js';
import type { Timeline } from './timeline.js';

const log = logger('salvage');

export interface SalvageResult {
  indexed: ClosedSegment[];
  discarded: number;
}

/**
 * Salvage the `.incoming` files of one camera (only those of `ingestId`
 * when given: the ingest that just exited; or those it accepts). Files are handled in ingest and
 * sequence order so each one can follow the previous segment of its run.
 */
export function salvageIncoming(recordingsRoot: string, timeline: Timeline, cameraId: string, ingestId?: string | ((ingestId: string) => boolean)): SalvageResult {
  const dir = incomingDir(recordingsRoot, cameraId);
  const res: SalvageResult = { indexed: [], discarded: 0 };
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return res;
  }
  const files = names
    .map((n) => ({ n, p: parseIncomingName(n) }))
    .filter(
      (f): f is { n: string; p: { ingestId: string; seq: number } } =>
        !!f.p && (!ingestId || (typeof ingestId === 'function' ? ingestId(f.p.ingestId) : f.p.ingestId === ingestId)),
    )
    .sort((a, b) => (a.p.ingestId === b.p.ingestId ? a.p.seq - b.p.seq : a.p.ingestId < b.p.ingestId ? -1 : 1));
  if (files.length === 0) return res;
  const journal = readJournal(journalPath(recordingsRoot, cameraId));
  for (const f of files) {
    const file = path.join(dir, f.n);
    try {
      const prepared = prepareFile(file);
      if (!prepared) {
        fs.rmSync(file, { force: true });
        res.discarded++;
        log.info(`${cameraId}: dropped ${f.n}: no complete fragment in it`);
        continue;
      }
      const anchor = anchorFor(journal, f.p.ingestId, f.p.seq);
      const runId = anchor?.run ?? f.p.ingestId;
      const prev = timeline.lastOfRun(cameraId, runId);
      let startMs: number;
      if (prev) startMs = prev.end_ms;
      else if (anchor && anchor.seq === f.p.seq) startMs = anchor.startMs;
      else {
        // no anchor (journal lost): the file was last written "now-ish"
        startMs = fs.statSync(file).mtimeMs - prepared.info.durationMs;
        log.warn(`${cameraId}: ${f.n} has no run anchor; placing it by its modification time`);
      }
      const seg = closeSegment(recordingsRoot, timeline, file, prepared, { cameraId, startMs, runId, salvaged: true });
      res.indexed.push(seg);
    } catch (err) {
      log.error(`${cameraId}: could not salvage ${f.n}; it stays in ${dir}`, err);
    }
  }
  return res;
}
