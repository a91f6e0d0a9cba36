/**
 * The on-disk layout of recordings (see docs/storage.md):
 *
 *   recordings/<cameraId>/.incoming/<ingestId>-<seq6>.mp4          being written by ffmpeg
 *   recordings/<cameraId>/<YYYY-MM-DD>/<HH>/<YYYYMMDDTHHMMSSmmmZ>_<runId>.mp4   closed, indexed
 *   recordings/<cameraId>/journal.jsonl                          run anchors and gap reasons
 *
 * Dates in folder and file names are UTC. The file name carries the exact
 * start (ms) and the run id, so `index rebuild` can recreate every row from
 * the files alone.
 */
import path from 'node:path';

export const INCOMING = '.incoming';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** 20261126T080000123Z */
export function stamp(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}${pad(d.getUTCMilliseconds(), 3)}Z`
  );
}

export function parseStamp(s: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, se, ms] = m.map(Number) as number[];
  const t = Date.UTC(y!, mo! - 1, d!, h!, mi!, se!, ms!);
  return Number.isNaN(t) ? null : t;
}

/** Path of a closed segment relative to the recordings root. */
export function segmentRelPath(cameraId: string, startMs: number, runId: string): string {
  const d = new Date(startMs);
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return path.join(cameraId, day, pad(d.getUTCHours()), `${stamp(startMs)}_${runId}.mp4`);
}

const SEGMENT_NAME = /^(\d{8}T\d{9}Z)_([a-z0-9]+(?:\.[0-9]+)?)\.mp4$/;

export function parseSegmentName(name: string): { startMs: number; runId: string } | null {
  const m = SEGMENT_NAME.exec(name);
  if (!m) return null;
  const startMs = parseStamp(m[1]!);
  return startMs === null ? null : { startMs, runId: m[2]! };
}

export function incomingName(ingestId: string, seq: number): string {
  return `${ingestId}-${String(seq).padStart(6, '0')}.mp4`;
}

export function parseIncomingName(name: string): { ingestId: string; seq: number } | null {
  const m = /^([a-z0-9]+)-(\d{6,})\.mp4$/.exec(name);
  return m ? { ingestId: m[1]!, seq: Number(m[2]) } : null;
}

export function incomingDir(recordingsRoot: string, cameraId: string): string {
  return path.join(recordingsRoot, cameraId, INCOMING);
}

export function journalPath(recordingsRoot: string, cameraId: string): string {
  return path.join(recordingsRoot, cameraId, 'journal.jsonl');
}

/** A new ingest id: base-36 milliseconds, unique per camera and sortable. */
export function newIngestId(now = Date.now()): string {
  return now.toString(36);
}

/** Run ids: the ingest id, then `<ingestId>.<n>` after the n-th re-anchoring. */
export function runIdOf(ingestId: string, reanchors: number): string {
  return reanchors === 0 ? ingestId : `${ingestId}.${reanchors}`;
}
