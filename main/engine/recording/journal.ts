/**
 * The per-camera journal (recordings/<cameraId>/journal.jsonl): an
 * append-only record of what the media files alone cannot tell, so that
 * salvage and `index rebuild` reach the same answer as the live index.
 *
 *   {"ev":"anchor","t":..,"ingest":"k3x9","seq":0,"run":"k3x9","startMs":..}
 *       segment `seq` of ingest "k3x9" starts run "k3x9" at wall time
 *       startMs; later segments of that ingest follow it (a re-anchoring
 *       after clock drift starts a new run, e.g. "k3x9.1", at a later seq).
 *   {"ev":"gap","t":..,"startMs":..,"reason":"camera_unreachable"}
 *       recording stopped (or the reason changed) at startMs.
 *   {"ev":"step","t":..,"startMs":..,"stepMs":3600000}
 *       the wall clock was stepped; the run that was going on ended at
 *       startMs and the recording time moved on by stepMs (0 after a
 *       backward step, which is held; negative when a new run found the
 *       clock behind the camera's last segment). For the record: the
 *       anchors and gaps around it already say where everything is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GAP_REASONS, type GapReason } from '../../api/contract.js';
import { logger } from '../log.js';

const log = logger('journal');

export interface AnchorEvent {
  ev: 'anchor';
  t: number;
  ingest: string;
  seq: number;
  run: string;
  startMs: number;
}
export interface GapEvent {
  ev: 'gap';
  t: number;
  startMs: number;
  reason: GapReason;
}
export interface StepEvent {
  ev: 'step';
  t: number;
  startMs: number;
  stepMs: number;
}
export type JournalEvent = AnchorEvent | GapEvent | StepEvent;

export function appendJournal(file: string, ev: JournalEvent, sync = false): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(file, 'a');
    try {
      fs.writeSync(fd, JSON.stringify(ev) + '\n');
      if (sync) fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    log.warn(`could not append to ${file}`, err);
  }
}

/** Every valid event of a journal; torn or foreign lines are skipped. */
export function readJournal(file: string): JournalEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: JournalEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as Record<string, unknown>;
      if (
        e.ev === 'anchor' &&
        typeof e.ingest === 'string' &&
        typeof e.seq === 'number' &&
        typeof e.run === 'string' &&
        typeof e.startMs === 'number'
      ) {
        out.push(e as unknown as AnchorEvent);
      } else if (e.ev === 'gap' && typeof e.startMs === 'number' && (GAP_REASONS as readonly string[]).includes(e.reason as string)) {
        out.push(e as unknown as GapEvent);
      } else if (e.ev === 'step' && typeof e.startMs === 'number' && typeof e.stepMs === 'number') {
        out.push(e as unknown as StepEvent);
      }
    } catch {
      /* torn last line after a crash */
    }
  }
  return out;
}

/** The anchor that applies to segment `seq` of an ingest (the latest with seq <= it). */
export function anchorFor(events: JournalEvent[], ingest: string, seq: number): AnchorEvent | null {
  let best: AnchorEvent | null = null;
  for (const e of events) {
    if (e.ev !== 'anchor' || e.ingest !== ingest || e.seq > seq) continue;
    if (!best || e.seq > best.seq || (e.seq === best.seq && e.t >= best.t)) best = e;
  }
  return best;
}

/**
 * Drop events older than `beforeMs` (their footage is gone), keeping the
 * file small. Rewrites atomically.
 */
export function compactJournal(file: string, beforeMs: number): void {
  const evs = readJournal(file);
  const keep = evs.filter((e) => e.startMs >= beforeMs - (e.ev === 'anchor' ? 86_400_000 : 0));
  if (keep.length === evs.length) return;
  const tmp = file + '.tmp';
  try {
    fs.writeFileSync(tmp, keep.map((e) => JSON.stringify(e)).join('\n') + (keep.length ? '\n' : ''));
    const fd = fs.openSync(tmp, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (err) {
    log.warn(`could not compact ${file}`, err);
  }
}
