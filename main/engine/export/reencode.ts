/**
 * The optional re-encode of one clip part with ffmpeg (libx264, CRF 20):
 *
 *  - a frame-exact start: decoding starts at the clip's key frame and frames
 *    before `startSeconds` are dropped (the stream copy already ends at the
 *    last frame ≤ `to`);
 *  - privacy masks burned in: the polygons, rendered opaque black to a PNG
 *    at the video's size (masks.ts), overlaid on every frame;
 *  - burned-in text (DejaVu Sans): the camera name (top left), the operator
 *    watermark (top right) and the wall-clock time of each frame in UTC
 *    with milliseconds (bottom left), which follows the runs, so a frame
 *    after a gap shows its own time.
 *
 * ffmpeg runs with its working folder set to a private work folder and sees
 * only relative file names there, so nothing typed by a user is parsed as
 * filter syntax (the texts are read from files with expansion off).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ExportError } from './errors.js';
import { renderMaskPng, type MaskPolygon } from './masks.js';

/** A stretch of the output's timeline whose wall clock is `wallStartMs + (t - t0)`. */
export interface TimePiece {
  /** Output seconds where the piece starts and ends. */
  t0: number;
  t1: number;
  wallStartMs: number;
}

export interface ReencodeOptions {
  ffmpeg: string;
  input: string;
  /** Output file; written under a temporary name and renamed. */
  output: string;
  /** Private work folder (mask PNG, text files). */
  workDir: string;
  /** Media time (s) in the input of the first frame to keep (0 = from its key frame). */
  startSeconds: number;
  /** Length of the input after startSeconds, for progress. */
  durationSeconds: number;
  width: number;
  height: number;
  hasAudio: boolean;
  masks: MaskPolygon[];
  /** Burned-in texts; null for none. */
  overlay: { camera: string; watermark: string; pieces: TimePiece[] } | null;
  /** A TrueType font (DejaVu Sans); required when overlay is set. */
  fontFile: string | null;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** How to start ffmpeg (the engine passes its ChildRegistry's spawn); default: child_process.spawn in its own group. */
  spawn?: (cmd: string, args: string[], opts: SpawnOptions) => ChildProcess;
}

const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/local/share/fonts/DejaVuSans.ttf',
  '/Library/Fonts/DejaVuSans.ttf',
  'C:\\Windows\\Fonts\\DejaVuSans.ttf',
];

/** DejaVu Sans where it is installed (Debian: fonts-dejavu-core), else null. */
export function findDejaVu(): string | null {
  for (const f of FONT_CANDIDATES) {
    try {
      if (fs.statSync(f).isFile()) return f;
    } catch {
      /* next */
    }
  }
  return null;
}

/** Escape a value for an ffmpeg filter-graph option. */
function fq(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/:/g, '\\:').replace(/,/g, '\\,');
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const DAY = 86400;

/**
 * Split pieces at UTC midnight, so `%{pts:hms:offset}` (seconds since
 * midnight) never passes 24:00, and give each its date and offset.
 */
export function clockPieces(pieces: TimePiece[]): { t0: number; t1: number; date: string; offset: number }[] {
  const out: { t0: number; t1: number; date: string; offset: number }[] = [];
  for (const p of pieces) {
    let t = p.t0;
    while (t < p.t1 - 1e-9) {
      const wallSec = p.wallStartMs / 1000 + (t - p.t0);
      const dayStart = Math.floor(wallSec / DAY) * DAY;
      const tEnd = Math.min(p.t1, t + (dayStart + DAY - wallSec));
      const d = new Date(dayStart * 1000);
      out.push({
        t0: t,
        t1: tEnd,
        date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
        // pts + offset = seconds since that midnight
        offset: p.wallStartMs / 1000 - p.t0 - dayStart,
      });
      t = tEnd;
    }
  }
  return out;
}

/** The filter graph (inputs [0:v] and, with masks, [1:v]; output [vout]). */
export function filterGraph(o: Pick<ReencodeOptions, 'masks' | 'overlay' | 'fontFile' | 'height'>, texts: { camera: string; watermark: string; clocks: string[] } | null): string {
  const chain: string[] = [];
  let cur = '[0:v]';
  if (o.masks.length) {
    chain.push(`${cur}[1:v]overlay=0:0:format=auto[masked]`);
    cur = '[masked]';
  }
  const steps: string[] = ['format=yuv420p'];
  if (o.overlay && texts) {
    const size = Math.max(14, Math.round(o.height / 28));
    const common = `fontfile=${fq(o.fontFile!)}:fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=${Math.round(size / 4)}`;
    steps.push(`drawtext=${common}:expansion=none:textfile=${texts.camera}:x=${size / 2}:y=${size / 2}`);
    steps.push(`drawtext=${common}:expansion=none:textfile=${texts.watermark}:x=w-tw-${size / 2}:y=${size / 2}`);
    const pieces = clockPieces(o.overlay.pieces);
    pieces.forEach((p, i) => {
      const en = `between(t\\,${p.t0.toFixed(6)}\\,${(p.t1 - 1e-6).toFixed(6)})`;
      steps.push(`drawtext=${common}:expansion=normal:textfile=${texts.clocks[i]}:x=${size / 2}:y=h-th-${size / 2}:enable='${en}'`);
    });
  }
  chain.push(`${cur}${steps.join(',')}[vout]`);
  return chain.join(';');
}

/** Re-encode one part. Resolves when the output is in place; on cancel or failure nothing is left. */
export async function reencodeClip(o: ReencodeOptions): Promise<void> {
  if (o.overlay && !o.fontFile) {
    throw new ExportError('ffmpeg', 'the burned-in timestamp needs the DejaVu Sans font, which is not installed (Debian/Ubuntu: sudo apt-get install fonts-dejavu-core)');
  }
  fs.mkdirSync(o.workDir, { recursive: true });
  let texts: { camera: string; watermark: string; clocks: string[] } | null = null;
  if (o.overlay) {
    fs.writeFileSync(path.join(o.workDir, 'camera.txt'), o.overlay.camera);
    fs.writeFileSync(path.join(o.workDir, 'watermark.txt'), o.overlay.watermark);
    const pieces = clockPieces(o.overlay.pieces);
    const clocks = pieces.map((p, i) => {
      const name = `clock-${i}.txt`;
      fs.writeFileSync(path.join(o.workDir, name), `${p.date} %{pts:hms:${p.offset.toFixed(6)}} UTC`);
      return name;
    });
    texts = { camera: 'camera.txt', watermark: 'watermark.txt', clocks };
  }
  if (o.masks.length) await renderMaskPng(o.masks, o.width, o.height, path.join(o.workDir, 'mask.png'));
  const tmpOut = `${o.output}.partial.mp4`;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1'];
  if (o.startSeconds > 0) args.push('-ss', o.startSeconds.toFixed(6));
  args.push('-i', path.resolve(o.input));
  // one still image: overlay repeats its last frame over the whole clip
  if (o.masks.length) args.push('-i', 'mask.png');
  args.push('-filter_complex', filterGraph(o, texts), '-map', '[vout]');
  if (o.hasAudio) args.push('-map', '0:a:0?', '-c:a', 'aac', '-b:a', '96k');
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-profile:v', 'high', '-pix_fmt', 'yuv420p');
  args.push('-movflags', '+faststart', '-f', 'mp4', '-n', path.resolve(tmpOut));
  const start = o.spawn ?? ((cmd: string, a: string[], so: SpawnOptions) => spawn(cmd, a, { ...so, detached: true }));
  const child = start(o.ffmpeg, args, { cwd: o.workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) {
      const m = /^out_time_us=(\d+)/.exec(l);
      if (m && o.durationSeconds > 0) o.onProgress?.(Math.min(1, Number(m[1]) / 1e6 / o.durationSeconds));
    }
  });
  const kill = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      child.kill(sig);
    }
  };
  const onAbort = () => {
    kill('SIGTERM');
    setTimeout(() => kill('SIGKILL'), 1500).unref();
  };
  o.signal?.addEventListener('abort', onAbort);
  try {
    const code = await new Promise<number | null>((res, rej) => {
      child.once('error', rej);
      child.once('exit', (c, sig) => res(sig ? -1 : c));
    });
    if (o.signal?.aborted) throw new ExportError('aborted', 'the export was cancelled');
    if (code !== 0) throw new ExportError('ffmpeg', `ffmpeg could not re-encode ${path.basename(o.input)} (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    fs.renameSync(tmpOut, o.output);
    o.onProgress?.(1);
  } catch (err) {
    fs.rmSync(tmpOut, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !(err instanceof ExportError)) {
      throw new ExportError('ffmpeg', `ffmpeg was not found at ${o.ffmpeg}; install ffmpeg or set GATEHOUSE_FFMPEG`);
    }
    throw err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}
