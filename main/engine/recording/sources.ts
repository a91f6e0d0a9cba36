/**
 * Where a camera's stream comes from: the ffmpeg input arguments for a
 * network camera (RTSP over TCP, HTTP) or a demo source. Only the input
 * arguments differ; the ingest downstream is the same for all.
 *
 * demo://vtest          assets/media/vtest_h264.mp4 looped in real time
 * demo://vtest-offset   the same, starting 40 s in
 * demo://pattern        an H.264 test pattern (640×360, 10 fps, GOP 2 s) with
 *                       a burned-in clock and a binary time code (below)
 * demo://bars           SMPTE HD bars, same clock and time code
 *
 * The pattern sources are made by separate "camera" processes: ffmpeg #1
 * renders the base pattern in real time (lavfi, raw frames on a pipe);
 * ffmpeg #2 stamps each frame with the wall clock at the moment it takes it
 * (`-use_wallclock_as_timestamps` + `-copyts`, so the filters' `t` is Unix
 * time), draws the clock and the time code from that, and encodes H.264 into
 * MPEG-TS on a pipe. The ingest reads that pipe with stream copy, exactly as
 * it would read a camera.
 *
 * Time code (docs/recording.md): the bottom 16 rows of the 640×360 frame
 * (y 344–359) are a row of 32 blocks, each 20 px wide (block i spans x
 * 20i … 20i+19), black background; block i is white when bit (31 − i) of
 * the frame's Unix time in whole seconds is 1 (block 0 is the most
 * significant bit). Read a block at its centre (20i+10, 352): luma > 128 = 1.
 */
import fs from 'node:fs';
import type { StoredCamera } from '../config/schema.js';
import type { SecretBox } from '../config/secrets.js';
import { demoKind } from '../cameras/demo.js';
import { needsRelay } from '../rtsp/index.js';
import { assetPath } from '../paths.js';

/** How much longer ffmpeg's own read timeout is than the stall watchdog. */
export const FFMPEG_TIMEOUT_PAST_WATCHDOG_S = 2;

export interface SourceSpec {
  /** ffmpeg input arguments (ending with `-i <input>`). Never credentials: cameras that need them are reached through the relay. */
  inputArgs: string[];
  /** Generator ffmpeg stages (pattern demos): each one's stdout is the next one's stdin, the last feeds the ingest. */
  generator: string[][] | null;
  /** host:port (or demo name) for messages. */
  where: string;
  kind: 'rtsp' | 'http' | 'demo';
  /** Known to have no audio (skips the audio map). */
  noAudio: boolean;
  /** The camera's URL without credentials (network cameras): what the reachability probe checks while it is down. */
  probeUrl: string | null;
}

/** A network camera as the relay needs it. The password is clear text: it stays in this process. */
export interface CameraTarget {
  url: string;
  username: string | null;
  password: string | null;
}

/**
 * Hands a network camera that needs a secret to the relay and returns the
 * URL ffmpeg opens instead (rtsp://127.0.0.1:<port>/<token>), so no secret
 * reaches a command line (docs/recording.md, "Camera credentials").
 */
export type Route = (target: CameraTarget) => string;

export const PATTERN_SIZE = { width: 640, height: 360 };
export const TIMECODE = { bits: 32, blockWidth: 20, height: 16 };
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

export function findFont(): string | null {
  for (const f of FONT_CANDIDATES) {
    try {
      if (fs.statSync(f).isFile()) return f;
    } catch {
      /* next */
    }
  }
  return null;
}

/** host:port of a URL, without credentials. */
export function whereOf(url: string): string {
  const m = /^([a-z]+):\/\/(?:[^@/]*@)?([^/?#]+)/i.exec(url);
  if (!m) return url.slice(0, 60);
  const scheme = m[1]!.toLowerCase();
  const hp = m[2]!;
  if (/:\d+$/.test(hp) || hp.endsWith(']')) return hp;
  const port = scheme === 'rtsp' ? 554 : scheme === 'rtsps' ? 322 : scheme === 'https' ? 443 : scheme === 'http' ? 80 : null;
  return port ? `${hp}:${port}` : hp;
}

/** Escape a value for an ffmpeg filter-graph option. */
function fesc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/:/g, '\\:').replace(/,/g, '\\,');
}

/**
 * The filter graph of stage 2 of a pattern demo: the time code and the clock
 * text, computed from `t` = the frame's Unix time in seconds (wall clock).
 */
export function patternFilter(kind: 'pattern' | 'bars', font: string | null, ownerMark?: string): string {
  const { width: W, height: H } = PATTERN_SIZE;
  const y = H - TIMECODE.height;
  const parts = [`drawbox=x=0:y=${y}:w=${W}:h=${TIMECODE.height}:color=black:t=fill`];
  if (ownerMark) parts.unshift(ownerFilter(ownerMark));
  for (let i = 0; i < TIMECODE.bits; i++) {
    const p = 2 ** (TIMECODE.bits - 1 - i);
    parts.push(
      `drawbox=x=${i * TIMECODE.blockWidth}:y=${y}:w=${TIMECODE.blockWidth}:h=${TIMECODE.height}:color=white:t=fill:` +
        `enable='mod(floor(t/${p})\\,2)'`,
    );
  }
  if (font) {
    const label = kind === 'pattern' ? 'GATEHOUSE DEMO' : 'GATEHOUSE BARS';
    parts.push(
      `drawtext=fontfile=${fesc(font)}:text='%{localtime\\:%Y-%m-%d %X}':x=12:y=12:fontsize=30:fontcolor=white:box=1:boxcolor=black@0.65:boxborderw=6`,
      `drawtext=fontfile=${fesc(font)}:text='${label}':x=12:y=${y - 34}:fontsize=20:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=4`,
    );
  }
  // the encoder gets timestamps from 0 again
  parts.push('setpts=PTS-STARTPTS');
  return parts.join(',');
}

/**
 * A filter that only tags frames with the data dir (frame metadata is never
 * encoded): it puts the data dir on the generator's command line, which is
 * how ChildRegistry recognises its own strays after a crash.
 */
function ownerFilter(mark: string): string {
  return `metadata=mode=add:key=gatehouse_owner:value=${fesc(mark)}`;
}

/** The generator chain of a pattern demo (see the header): raw pattern → stamped, encoded MPEG-TS. */
export function patternGeneratorArgs(kind: 'pattern' | 'bars', font: string | null = findFont(), ownerMark?: string): string[][] {
  const { width: W, height: H } = PATTERN_SIZE;
  const base =
    (kind === 'pattern' ? `testsrc2=size=${W}x${H}:rate=10` : `smptehdbars=size=${W}x${H}:rate=10`) +
    (ownerMark ? `,${ownerFilter(ownerMark)}` : '');
  const quiet = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'];
  const render = [...quiet, '-re', '-f', 'lavfi', '-i', base, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'];
  const encode = [
    ...quiet,
    '-copyts',
    '-use_wallclock_as_timestamps',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    '-s',
    `${W}x${H}`,
    '-framerate',
    '10',
    '-i',
    'pipe:0',
    '-vf',
    patternFilter(kind, font, ownerMark),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-profile:v',
    'main',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '20',
    '-keyint_min',
    '20',
    '-sc_threshold',
    '0',
    '-bf',
    '0',
    '-b:v',
    '600k',
    '-maxrate',
    '800k',
    '-bufsize',
    '800k',
    '-threads',
    '1',
    '-f',
    'mpegts',
    '-muxdelay',
    '0',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
  return [render, encode];
}

/** The camera URL of a stream, as configured (main, or sub when the camera has one). */
export function rawUrlOf(cam: StoredCamera, which: 'main' | 'sub'): string {
  return which === 'sub' && cam.subUrl ? cam.subUrl : cam.url;
}

/** host:port (or the demo URL) of a camera stream, for messages. No credentials. */
export function sourceWhere(cam: StoredCamera, which: 'main' | 'sub'): string {
  const raw = rawUrlOf(cam, which);
  return raw.startsWith('demo://') ? raw : whereOf(raw);
}

/** The URL without user:password@. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1');
}

/** The input side of the ingest for a camera stream. Network cameras go through `route` (the relay). */
export function sourceFor(
  cam: StoredCamera,
  secrets: SecretBox,
  which: 'main' | 'sub',
  stallSeconds: number,
  opts: { ownerMark?: string; route: Route },
): SourceSpec {
  const raw = rawUrlOf(cam, which);
  const kind = demoKind(raw);
  if (raw.startsWith('demo://')) {
    if (kind === 'vtest' || kind === 'vtest-offset') {
      const file = assetPath('media', 'vtest_h264.mp4');
      return {
        inputArgs: ['-re', '-stream_loop', '-1', ...(kind === 'vtest-offset' ? ['-ss', '40'] : []), '-i', file],
        generator: null,
        where: raw,
        kind: 'demo',
        noAudio: true,
        probeUrl: null,
      };
    }
    if (kind === 'pattern' || kind === 'bars') {
      return {
        inputArgs: ['-analyzeduration', '1000000', '-probesize', '1000000', '-f', 'mpegts', '-i', 'pipe:0'],
        generator: patternGeneratorArgs(kind, findFont(), opts.ownerMark),
        where: raw,
        kind: 'demo',
        noAudio: true,
        probeUrl: null,
      };
    }
    throw new Error(`unknown demo source ${raw}`);
  }
  const username = cam.username || null;
  // a camera with a secret goes through the relay; one without is opened directly, as before
  const url = needsRelay(raw, username) ? opts.route({ url: raw, username, password: username && cam.password ? secrets.open(cam.password) : null }) : raw;
  // ffmpeg's own I/O timeout is a safety net 2 s past the watchdog (ingest.ts checkStall), so a silent camera is the
  // watchdog's: one way out (a stall, its gap reason, the tail kept), not a race between two
  const timeoutUs = String((Math.max(3, stallSeconds) + FFMPEG_TIMEOUT_PAST_WATCHDOG_S) * 1_000_000);
  if (/^rtsps?:/i.test(raw)) {
    return {
      inputArgs: ['-rtsp_transport', 'tcp', '-timeout', timeoutUs, '-fflags', '+genpts', '-i', url],
      generator: null,
      where: whereOf(raw),
      kind: 'rtsp',
      noAudio: false,
      probeUrl: withoutCredentials(raw),
    };
  }
  return {
    inputArgs: ['-rw_timeout', timeoutUs, '-fflags', '+genpts', '-i', url],
    generator: null,
    where: whereOf(raw),
    kind: 'http',
    noAudio: false,
    probeUrl: withoutCredentials(raw),
  };
}
