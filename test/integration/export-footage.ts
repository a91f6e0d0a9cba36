/**
 * Recorded footage made quickly for the export tests, the export e2e spec and
 * the export bench: real ffmpeg writes fragmented-MP4 segments with the
 * recorder's own segment-muxer options (ingest.ts, recordOutputArgs) from a
 * test clip by stream copy (no -re, so an hour takes seconds), the files are
 * named and placed exactly as the recorder places them (layout.ts), gap
 * reasons go into the camera's journal, and `index rebuild`'s code indexes
 * them. Nothing here stands in for the recorder's on-disk format: it is that
 * format, made faster than real time.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GapReason } from '../../main/api/contract.js';
import { walkFile } from '../../main/engine/media/boxes.js';
import { DataPaths } from '../../main/engine/paths.js';
import { appendJournal } from '../../main/engine/recording/journal.js';
import { journalPath, newIngestId, segmentRelPath } from '../../main/engine/recording/layout.js';
import { rebuildIndex } from '../../main/engine/recording/rebuild.js';
import { segmentEndMs } from '../../main/engine/recording/runs.js';
import { openIndex } from '../../main/engine/store/db.js';
import { ffmpegPath, vtestH264 } from '../fixtures/media.js';

const run = promisify(execFile);

export interface FootagePiece {
  /** Seconds recorded in this run (rounded up to a whole GOP by the muxer). */
  seconds: number;
  /** Then a gap of this long with this reason (none after the last piece). */
  gapMs?: number;
  reason?: GapReason;
  /** This piece re-encoded (a camera whose settings changed between runs). */
  encode?: FootageSpec['encode'];
}

export interface FootageSpec {
  cameraId: string;
  /** Wall-clock start of the first piece. */
  startMs: number;
  pieces: FootagePiece[];
  /** Source clip (looped): default the project's vtest clip (768×576, 10 fps, GOP 2 s). */
  source?: string;
  /** Seconds into the source to start. */
  sourceOffset?: number;
  segmentSeconds?: number;
  /** Add an AAC track (a sine tone), as a camera with a microphone records. */
  audio?: boolean;
  /** Re-encode with this ffmpeg video filter instead of stream copy (another size or codec setup). */
  encode?: { vf: string; codec?: 'libx264' | 'libx265' };
}

export interface MadeSegment {
  file: string;
  startMs: number;
  endMs: number;
  runId: string;
}

export interface MadeFootage {
  segments: MadeSegment[];
  /** The wall-clock holes between the pieces, with their reasons. */
  gaps: { startMs: number; endMs: number; reason: GapReason }[];
}

/** Write one camera's pieces under dataDir/recordings/<cameraId>/ (no index yet). */
export async function writeFootage(dataDir: string, spec: FootageSpec): Promise<MadeFootage> {
  const paths = new DataPaths(dataDir);
  paths.ensure();
  const segSec = spec.segmentSeconds ?? 10;
  const out: MadeFootage = { segments: [], gaps: [] };
  let t = spec.startMs;
  const source = spec.sourceOffset ? await rotated(spec.source ?? vtestH264, spec.sourceOffset, paths.recordings) : (spec.source ?? vtestH264);
  for (let i = 0; i < spec.pieces.length; i++) {
    const piece = spec.pieces[i]!;
    const runId = newIngestId(t);
    const work = fs.mkdtempSync(path.join(paths.recordings, '.make-'));
    try {
      const args = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
      args.push('-stream_loop', '-1', '-i', source);
      if (spec.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000');
      args.push('-t', String(piece.seconds), '-map', '0:v:0');
      if (spec.audio) args.push('-map', '1:a:0', '-c:a', 'aac', '-b:a', '48k');
      const encode = piece.encode ?? spec.encode;
      if (encode) {
        args.push('-vf', encode.vf, '-c:v', encode.codec ?? 'libx264', '-preset', 'ultrafast', '-g', '20', '-keyint_min', '20', '-sc_threshold', '0', '-bf', '0');
        if (encode.codec === 'libx265') args.push('-tag:v', 'hvc1', '-x265-params', 'log-level=error:keyint=20:min-keyint=20:scenecut=0:bframes=0');
      } else args.push('-c:v', 'copy');
      args.push(
        '-f',
        'segment',
        '-segment_time',
        String(segSec),
        '-segment_format',
        'mp4',
        '-segment_format_options',
        'movflags=+frag_keyframe+empty_moov+default_base_moof',
        '-segment_list',
        path.join(work, 'list.csv'),
        '-segment_list_type',
        'csv',
        '-reset_timestamps',
        '0',
        path.join(work, 'seg-%06d.mp4'),
      );
      await run(ffmpegPath(), args, { maxBuffer: 16 * 1024 * 1024 });
      const lines = fs.readFileSync(path.join(work, 'list.csv'), 'utf8').trim().split('\n');
      const origin = Number(lines[0]!.split(',')[1]);
      let lastEnd = t;
      for (const line of lines) {
        const [name, start] = line.split(',');
        const startMs = t + Math.round((Number(start) - origin) * 1000);
        const src = path.join(work, name!);
        const endMs = segmentEndMs(startMs, walkFile(src).durationMs);
        const rel = segmentRelPath(spec.cameraId, startMs, runId);
        const dest = path.join(paths.recordings, rel);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.renameSync(src, dest);
        out.segments.push({ file: dest, startMs, endMs, runId });
        lastEnd = endMs;
      }
      if (i < spec.pieces.length - 1) {
        const gapMs = piece.gapMs ?? 20_000;
        const reason = piece.reason ?? 'camera_unreachable';
        appendJournal(journalPath(paths.recordings, spec.cameraId), { ev: 'gap', t: lastEnd, startMs: lastEnd, reason });
        out.gaps.push({ startMs: lastEnd, endMs: lastEnd + gapMs, reason });
        t = lastEnd + gapMs;
      } else t = lastEnd;
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  if (source !== (spec.source ?? vtestH264)) fs.rmSync(source, { force: true });
  return out;
}

/**
 * The source starting `offset` seconds in and wrapping round (stream copy,
 * cut at key frames), so a looped piece starts elsewhere in the clip. (-ss with
 * -stream_loop would restart each loop at 0 with timestamps running backwards.)
 */
async function rotated(source: string, offset: number, dir: string): Promise<string> {
  const list = path.join(dir, `.rotate-${process.pid}-${offset}.txt`);
  const out = path.join(dir, `.rotate-${process.pid}-${offset}.mp4`);
  const q = source.replace(/'/g, "'\\''");
  fs.writeFileSync(list, `file '${q}'\ninpoint ${offset}\nfile '${q}'\noutpoint ${offset}\n`);
  try {
    await run(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-map', '0:v:0', '-c', 'copy', out]);
  } finally {
    fs.rmSync(list, { force: true });
  }
  return out;
}

/** Write footage for every camera, then index it with `index rebuild`'s code. */
export async function makeFootage(dataDir: string, specs: FootageSpec[]): Promise<Map<string, MadeFootage>> {
  const made = new Map<string, MadeFootage>();
  for (const s of specs) made.set(s.cameraId, await writeFootage(dataDir, s));
  await indexFootage(dataDir);
  return made;
}

export async function indexFootage(dataDir: string): Promise<void> {
  const paths = new DataPaths(dataDir);
  const db = openIndex(paths.index);
  try {
    await rebuildIndex(db, paths, null);
  } finally {
    db.close();
  }
}
