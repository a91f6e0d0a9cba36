import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export interface FfmpegPaths {
  ffmpeg: string;
  ffprobe: string;
  /** Where ffmpeg came from: the configured path, ffmpeg-static, or PATH. */
  source: 'configured' | 'ffmpeg-static' | 'path';
  version: string | null;
}

function onPath(name: string): string | null {
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const ext of exts) {
      const p = path.join(dir, name + ext);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) return p;
      } catch {
        /* next */
      }
    }
  }
  return null;
}

export function ffmpegVersion(bin: string): string | null {
  try {
    const out = execFileSync(bin, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 5000 });
    return /version\s+(\S+)/.exec(out)?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * Resolve ffmpeg and ffprobe: the configured path (GATEHOUSE_FFMPEG or the
 * argument), then ffmpeg-static if its binary exists, then PATH.
 * Throws with a one-line fix when none is found.
 */
export function resolveFfmpeg(configured?: string | null): FfmpegPaths {
  const want = configured || process.env.GATEHOUSE_FFMPEG || null;
  const probeBeside = (ff: string): string | null => {
    const dir = path.dirname(ff);
    const candidate = path.join(dir, path.basename(ff).replace(/ffmpeg/, 'ffprobe'));
    return fs.existsSync(candidate) ? candidate : null;
  };
  if (want) {
    if (!fs.existsSync(want)) throw new Error(`ffmpeg not found at ${want} (from GATEHOUSE_FFMPEG or --ffmpeg); fix the path or unset it`);
    const probe = process.env.GATEHOUSE_FFPROBE || probeBeside(want) || onPath('ffprobe');
    if (!probe) throw new Error(`ffprobe not found beside ${want} or on PATH; set GATEHOUSE_FFPROBE`);
    return { ffmpeg: want, ffprobe: probe, source: 'configured', version: ffmpegVersion(want) };
  }
  try {
    const req = createRequire(import.meta.url);
    const stat = req('ffmpeg-static') as string | null;
    if (stat && fs.existsSync(stat)) {
      const probe = probeBeside(stat) || onPath('ffprobe');
      if (probe) return { ffmpeg: stat, ffprobe: probe, source: 'ffmpeg-static', version: ffmpegVersion(stat) };
    }
  } catch {
    /* optional dependency not installed */
  }
  const ff = onPath('ffmpeg');
  const fp = onPath('ffprobe');
  if (ff && fp) return { ffmpeg: ff, ffprobe: fp, source: 'path', version: ffmpegVersion(ff) };
  throw new Error(
    'ffmpeg/ffprobe not found. Fix: install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg), or set GATEHOUSE_FFMPEG=/path/to/ffmpeg',
  );
}
