/**
 * Closing a segment: make the file durable, move it to its final place,
 * then index it. Files before rows (docs/storage.md, invariant S2):
 *
 *   1. walk the file; cut a torn tail after the last complete moof+mdat
 *   2. fsync the file
 *   3. rename .incoming/<ingest>-<seq>.mp4 → <day>/<hour>/<start>_<run>.mp4
 *   4. fsync the directories touched
 *   5. insert the row (one SQLite transaction)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { GapReason } from '../../api/contract.js';
import { walkFd, type Mp4Info } from '../media/boxes.js';
import { cleanInit } from '../media/fmp4.js';
import { logger } from '../log.js';
import { segmentRelPath } from './layout.js';
import { segmentEndMs } from './runs.js';
import type { Timeline } from './timeline.js';
import { fsyncDir } from '../util/fsync.js';

const log = logger('recording');

export interface PreparedFile {
  info: Mp4Info;
  /** Bytes cut from a torn tail (0 for a cleanly closed file). */
  cutBytes: number;
  initHash: string | null;
}

/** Steps 1–2. Returns null when the file holds no complete fragment (nothing to keep). */
export function prepareFile(file: string): PreparedFile | null {
  const fd = fs.openSync(file, 'r+');
  try {
    const size = fs.fstatSync(fd).size;
    let info = walkFd(fd, size);
    if (!info.initEnd || info.fragments.length === 0 || !info.video || info.durationMs <= 0) return null;
    let cutBytes = 0;
    if (info.truncated) {
      cutBytes = size - info.validEnd;
      fs.ftruncateSync(fd, info.validEnd);
      info = { ...info, fileSize: info.validEnd, truncated: false };
    }
    fs.fsyncSync(fd);
    const init = Buffer.alloc(info.initEnd);
    fs.readSync(fd, init, 0, info.initEnd, 0);
    return { info, cutBytes, initHash: initHash(init) };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Steps 1–2 without writing: for a file that is already closed (the
 * background re-index reads every segment while ffmpeg writes new ones).
 * A torn tail is not cut, only left out of the duration.
 */
export function inspectFile(file: string): PreparedFile | null {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const info = walkFd(fd, size);
    if (!info.initEnd || info.fragments.length === 0 || !info.video || info.durationMs <= 0) return null;
    const init = Buffer.alloc(info.initEnd);
    fs.readSync(fd, init, 0, info.initEnd, 0);
    const cutBytes = info.truncated ? size - info.validEnd : 0;
    return { info: info.truncated ? { ...info, fileSize: info.validEnd, truncated: false } : info, cutBytes, initHash: initHash(init) };
  } finally {
    fs.closeSync(fd);
  }
}

export function initHash(init: Buffer): string {
  return crypto.createHash('sha1').update(cleanInit(init)).digest('hex').slice(0, 16);
}

/** The MSE codecs parameter of a file: video first, then audio. */
export function codecsOf(info: Mp4Info): string | null {
  const list = info.tracks.filter((t) => t.handler === 'vide' || t.handler === 'soun').map((t) => t.codec ?? t.format);
  return list.length ? list.join(',') : null;
}

/** mkdir -p that fsyncs each parent whose entry it created. */
function ensureDir(dir: string): void {
  if (fs.existsSync(dir)) return;
  ensureDir(path.dirname(dir));
  fs.mkdirSync(dir);
  fsyncDir(path.dirname(dir));
}

export interface ClosedSegment {
  id: number;
  cameraId: string;
  startMs: number;
  endMs: number;
  bytes: number;
  rel: string;
  codec: string | null;
  width: number | null;
  height: number | null;
  salvaged: boolean;
  cutBytes: number;
  /** Gaps this segment closed (it started a new run after an outage). */
  closedGaps: { startMs: number; endMs: number; reason: GapReason }[];
}

/**
 * Steps 3–5 for a prepared file. `startMs` is the segment's wall-clock
 * start (runs.ts R1). Never throws for a bad file: returns null and logs.
 */
export function closeSegment(
  recordingsRoot: string,
  timeline: Timeline,
  file: string,
  prepared: PreparedFile,
  o: { cameraId: string; startMs: number; runId: string; salvaged: boolean },
): ClosedSegment {
  const { info } = prepared;
  let startMs = Math.round(o.startMs);
  let rel = segmentRelPath(o.cameraId, startMs, o.runId);
  // two segments of one run never share a start; guard anyway (never overwrite)
  while (fs.existsSync(path.join(recordingsRoot, rel)) || timeline.hasPath(rel)) {
    startMs += 1;
    rel = segmentRelPath(o.cameraId, startMs, o.runId);
  }
  const endMs = segmentEndMs(startMs, info.durationMs);
  const abs = path.join(recordingsRoot, rel);
  ensureDir(path.dirname(abs));
  fs.renameSync(file, abs);
  fsyncDir(path.dirname(abs));
  fsyncDir(path.dirname(file));
  const codec = codecsOf(info);
  const { id, closedGaps } = timeline.addSegment({
    cameraId: o.cameraId,
    startMs,
    endMs,
    bytes: info.fileSize,
    path: rel,
    codec,
    width: info.video?.width ?? null,
    height: info.video?.height ?? null,
    runId: o.runId,
    salvaged: o.salvaged,
    initHash: prepared.initHash,
  });
  if (prepared.cutBytes > 0) log.info(`salvaged ${rel}: cut ${prepared.cutBytes} torn bytes after the last complete fragment`);
  return {
    id,
    cameraId: o.cameraId,
    startMs,
    endMs,
    bytes: info.fileSize,
    rel,
    codec,
    width: info.video?.width ?? null,
    height: info.video?.height ?? null,
    salvaged: o.salvaged,
    cutBytes: prepared.cutBytes,
    closedGaps,
  };
}
