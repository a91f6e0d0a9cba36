/**
 * Frames for detection without a second RTSP session: subscribe to the
 * recorder's live fMP4 of the camera (like a viewer), pipe it into a small
 * decoder ffmpeg (`-f mp4 -i pipe:0`) that outputs a few BGR frames per
 * second scaled to fit 416×416. stdout is always drained; only the latest
 * frame is kept. A decoder that dies is restarted with backoff; a closed
 * live feed is re-subscribed with backoff.
 *
 * Idle mode (`setIdle(true)`, when the motion gate has seen nothing for a
 * while): only key-frame fragments go to the decoder, so it decodes one
 * picture per GOP instead of every frame. The fragments since the last key
 * frame are kept (≤ one GOP); waking up writes them first, so the decoder
 * goes on from that key frame without waiting for the next one.
 *
 * Media time: the decoder keeps the stream's own timestamps (`-copyts`) and
 * `showinfo` prints each kept frame's presentation time on stderr, so every
 * frame comes with its media time (seconds in the live fMP4 timeline, what a
 * console's <video> reports as currentTime) and the time its fragment arrived
 * (`FrameMeta`; docs/detection.md "Live boxes").
 */
import type { ChildProcess } from 'node:child_process';
import type { ChildRegistry } from '../process/children.js';
import type { LiveSink, Recorder } from '../recording/types.js';
import { logger } from '../log.js';
import { INPUT_SIZE } from '../../../native-workers/yolox.js';
import { StreamTimeline } from './media-clock.js';

const log = logger('detection');

export interface FrameSourceOptions {
  cameraId: string;
  recorder: Recorder;
  children: ChildRegistry;
  ffmpegPath: string;
  /** Put on the decoder's command line so stray reaping recognises it (the data dir). */
  ownerMark: string;
  /** Which live stream to decode (default the sub stream; a camera without one gives its main stream). */
  stream?: 'sub' | 'main';
  /** Decoded frames per second (default 2). */
  fps?: number;
  /** ffmpeg's version (FfmpegPaths.version): showinfo's checksum switch needs 5.0 or newer. */
  ffmpegVersion?: string | null;
  /** Called with each decoded frame (packed BGR, width×height, both ≤ 416). The buffer is owned by the callee. */
  onFrame: (frame: Buffer, width: number, height: number, meta: FrameMeta) => void;
  onState?: (state: 'starting' | 'running' | 'error', message?: string) => void;
  /** The live feed closed (camera offline, disabled, recorder stopping): no frames until it comes back. */
  onFeedClosed?: (reason: string) => void;
}

/** What is known about a decoded frame. `mediaTime` may be filled in a moment after the frame is delivered. */
export interface FrameMeta {
  /** Presentation time in the stream's fMP4 timeline (s), from showinfo; null until known. */
  mediaTime: number | null;
  /** When its fragment arrived from the camera (ms since the epoch); the delivery time until the media time is known. */
  wallMs: number;
}

/** True when this ffmpeg's showinfo takes `checksum=0` (5.0 and newer; git builds count as new). */
export function showinfoHasChecksumOption(version: string | null | undefined): boolean {
  const m = /^n?(\d+)\./.exec(version ?? '');
  return !m || Number(m[1]) >= 5;
}

/** pts_time of a showinfo frame line: "[Parsed_showinfo_1 @ 0x…] n:   3 pts:  15360 pts_time:1.5 …". */
export function parseShowinfo(line: string): { n: number; ptsTime: number } | null {
  const m = /\bn:\s*(\d+)\s+pts:\s*-?\d+\s+pts_time:(-?[0-9.]+(?:e[-+]?\d+)?)/.exec(line);
  return m ? { n: Number(m[1]), ptsTime: Number(m[2]) } : null;
}

/** Escape a value for an ffmpeg filter-graph option. */
function fesc(v: string): string {
  return v.replace(/[\\:',;[\]]/g, (c) => `\\${c}`);
}

/**
 * The decoder's command line. Frames are thinned with `select` rather than
 * the `fps` filter: `fps` holds a frame back until the next one arrives and
 * fills gaps with copies, which in idle mode (key frames only) would delay
 * every picture by a GOP.
 *
 * Frames are kept in pairs: the first frame of each 1/fps time slot (the
 * frame detection uses), then the very next frame (a "flusher", dropped by
 * `drain`). The ffmpeg command line writes a filtered frame out only when the
 * next one comes out behind it (measured with ffmpeg 5.1: the output lags by
 * exactly one output frame, whatever the muxer, `-flush_packets` or the sync
 * mode), so without the flusher each kept frame would wait a whole 1/fps
 * (500 ms at 2 fps) in ffmpeg; with it, one camera frame (~100 ms at 10 fps).
 * It costs one more scaled frame per kept frame, not a decode.
 */
/** Keep the first frame of each 1/fps slot (even selected_n) and the frame right after it (odd: the flusher). */
export function selectExpr(fps: number): string {
  const f = Math.max(0.1, fps);
  return `if(mod(selected_n,2),1,isnan(prev_selected_t)+gt(floor(t*${f}),floor(prev_selected_t*${f})))`;
}

/** Selected frame n (showinfo's n, the n-th frame out) is one detection uses, not a flusher. */
export const isPrimary = (n: number) => n % 2 === 0;

export function decoderArgs(fps: number, ownerMark: string, showinfoChecksumOption = true): string[] {
  const S = INPUT_SIZE;
  return [
    '-hide_banner', '-nostats', '-loglevel', 'info',
    '-fflags', '+genpts+discardcorrupt',
    // the stream's own timestamps, so showinfo's pts_time is the media time consoles play at
    '-copyts',
    // One decoding thread: frame threading holds back (threads - 1) pictures, a GOP each in idle mode.
    '-threads', '1',
    '-f', 'mp4', '-i', 'pipe:0',
    '-an', '-sn', '-dn',
    '-vf', `select=${fesc(selectExpr(fps))},showinfo${showinfoChecksumOption ? '=checksum=0' : ''},scale=w=${S}:h=${S}:force_original_aspect_ratio=decrease,metadata=mode=add:key=gatehouse_owner:value=${fesc(ownerMark)}`,
    '-vsync', '0',
    '-pix_fmt', 'bgr24', '-f', 'rawvideo', 'pipe:1',
  ];
}

/** The output frame size ffmpeg reports on stderr ("Output #0 … Video: rawvideo … 416x312"). */
export function parseOutputSize(stderr: string): { width: number; height: number } | null {
  const i = stderr.indexOf('Output #0');
  if (i < 0) return null;
  const m = /Video: rawvideo[^\n]*?\b(\d{2,5})x(\d{2,5})\b/.exec(stderr.slice(i));
  return m ? { width: Number(m[1]), height: Number(m[2]) } : null;
}

const MAX_STDIN_BACKLOG = 8 * 1024 * 1024;
/** Most bytes of non-key fragments kept in idle mode (one GOP); beyond it, waking waits for the next key frame. */
const MAX_GOP_BYTES = 4 * 1024 * 1024;

export class FrameSource {
  private detach: (() => void) | null = null;
  private child: ChildProcess | null = null;
  private initBuf: Buffer | null = null;
  private needKey = true;
  private stopped = true;
  private retry: NodeJS.Timeout | null = null;
  private failures = 0;
  private size: { width: number; height: number } | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private stderr = '';
  /** Idle mode: only key frames go to the decoder; `gop` holds the fragments after the last one. */
  private keyOnly = false;
  private gop: Buffer[] = [];
  private gopBytes = 0;
  private gopLost = false;
  /** Idle mode: the fragment after a key frame is written too (the flusher that gets the key frame out of ffmpeg). */
  private flushNext = false;
  frames = 0;
  /** Frames delivered by the current decoder (showinfo's n counts the same frames). */
  private decoderFrames = 0;
  /** Frames delivered whose media time is not known yet (showinfo's line comes on another pipe). */
  private awaiting = new Map<number, FrameMeta>();
  /** Media times showinfo printed for frames not delivered yet (n → pts_time). */
  private ptsByN = new Map<number, number>();
  private stderrLine = '';
  /** Media time ↔ arrival time of the fragments fed to the decoder. */
  readonly timeline = new StreamTimeline();
  lastError: string | null = null;

  constructor(private readonly o: FrameSourceOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.subscribe();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.detach?.();
    this.detach = null;
    await this.killDecoder();
  }

  private subscribe(): void {
    if (this.stopped) return;
    this.o.onState?.('starting');
    const sink: LiveSink = {
      init: (_codec, init) => {
        this.initBuf = Buffer.from(init);
        this.timeline.init(this.initBuf);
        // First init: start the decoder now, so the GOP the hub sends right after it is decoded.
        // A new init (camera restarted, codec changed): replace the decoder.
        if (!this.child) this.spawnDecoder();
        else void this.killDecoder().then(() => this.spawnDecoder());
      },
      fragment: (data, keyframe) => this.feed(data, keyframe),
      close: (reason) => {
        this.detach = null;
        this.lastError = `live feed closed: ${reason}`;
        log.debug(`detection feed for ${this.o.cameraId} closed: ${reason}`);
        void this.killDecoder();
        this.timeline.reset();
        this.o.onState?.('error', this.lastError);
        try {
          this.o.onFeedClosed?.(reason);
        } catch (err) {
          log.warn(`detection on ${this.o.cameraId}: after the feed closed: ${(err as Error).message}`);
        }
        this.later(() => this.subscribe());
      },
    };
    try {
      this.detach = this.o.recorder.subscribeLive(this.o.cameraId, this.o.stream ?? 'sub', sink);
    } catch (err) {
      this.lastError = (err as Error).message;
      this.later(() => this.subscribe());
    }
  }

  get idle(): boolean {
    return this.keyOnly;
  }

  /**
   * Idle: decode key frames only. Waking writes the fragments since the last
   * key frame, so the decoder goes on from it at once.
   */
  setIdle(idle: boolean): void {
    if (idle === this.keyOnly) return;
    this.keyOnly = idle;
    if (!idle) {
      const c = this.child;
      if (this.gopLost) this.needKey = true;
      else if (c?.stdin && !c.stdin.destroyed && !this.needKey) for (const b of this.gop) c.stdin.write(b);
    }
    this.gop = [];
    this.gopBytes = 0;
    this.gopLost = false;
    this.flushNext = false;
    log.debug(`detection decoder for ${this.o.cameraId}: ${idle ? 'idle, key frames only' : 'awake, every frame'}`);
  }

  private later(fn: () => void): void {
    if (this.stopped || this.retry) return;
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(this.failures, 5));
    this.failures++;
    this.retry = setTimeout(() => {
      this.retry = null;
      fn();
    }, delay);
    this.retry.unref?.();
  }

  private feed(data: Buffer, keyframe: boolean): void {
    this.timeline.fragment(data);
    const c = this.child;
    if (!c || !c.stdin || c.stdin.destroyed) return;
    if (this.needKey) {
      if (!keyframe) return;
      this.needKey = false;
    }
    // A decoder that cannot keep up skips to the next key frame rather than buffering without bound.
    if (c.stdin.writableLength > MAX_STDIN_BACKLOG) {
      this.needKey = true;
      return;
    }
    if (this.keyOnly) {
      if (keyframe) {
        this.gop = [];
        this.gopBytes = 0;
        this.gopLost = false;
        this.flushNext = true;
      } else if (this.flushNext) {
        // written, not kept: the decoder has it, waking goes on after it
        this.flushNext = false;
      } else {
        if (!this.gopLost && this.gopBytes + data.length <= MAX_GOP_BYTES) {
          this.gop.push(data);
          this.gopBytes += data.length;
        } else {
          this.gopLost = true;
          this.gop = [];
          this.gopBytes = 0;
        }
        return;
      }
    }
    c.stdin.write(data);
  }

  private spawnDecoder(): void {
    if (this.stopped || this.child || !this.initBuf) return;
    const args = decoderArgs(this.o.fps ?? 2, this.o.ownerMark, showinfoHasChecksumOption(this.o.ffmpegVersion));
    const child = this.o.children.spawn(`detect-decoder ${this.o.cameraId}`, this.o.ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.size = null;
    this.stderr = '';
    this.pending = [];
    this.pendingBytes = 0;
    this.needKey = true;
    this.decoderFrames = 0;
    this.awaiting.clear();
    this.ptsByN.clear();
    this.stderrLine = '';
    child.stdin!.on('error', () => {
      /* decoder gone; its exit handler restarts it */
    });
    child.stdin!.write(this.initBuf);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      if (this.child === child) this.readShowinfo(s);
      if (this.size) {
        if (/error/i.test(s)) log.debug(`decoder ${this.o.cameraId}: ${s.trim().slice(0, 300)}`);
        return;
      }
      this.stderr = (this.stderr + s).slice(-20_000);
      this.size = parseOutputSize(this.stderr);
      if (this.size) {
        log.debug(`decoder ${this.o.cameraId}: ${this.size.width}x${this.size.height} frames`);
        this.drain();
      }
    });
    child.stdout!.on('data', (b: Buffer) => {
      this.pending.push(b);
      this.pendingBytes += b.length;
      this.drain();
    });
    child.on('error', (err) => {
      this.lastError = `decoder failed to start: ${err.message}`;
    });
    child.once('exit', (code, signal) => {
      // A decoder we replaced or stopped on purpose is not a failure.
      const mine = this.child === child;
      if (mine) this.child = null;
      if (this.stopped || !mine) return;
      const why = this.stderr
        .split('\n')
        .filter((l) => /error|invalid/i.test(l))
        .slice(-1)[0]
        ?.trim();
      this.lastError = `decoder exited (${signal ?? `code ${code}`})${why ? `: ${why}` : ''}`;
      log.warn(`detection decoder for ${this.o.cameraId} ${this.lastError}; restarting`);
      this.o.onState?.('error', this.lastError);
      this.later(() => this.spawnDecoder());
    });
  }

  /** Cut whole frames out of stdout; deliver only the newest of each chunk. */
  private drain(): void {
    if (!this.size) {
      // Size not known yet: keep at most a few frames' worth.
      while (this.pendingBytes > 4 * INPUT_SIZE * INPUT_SIZE * 3 && this.pending.length > 1) this.pendingBytes -= this.pending.shift()!.length;
      return;
    }
    const frameBytes = this.size.width * this.size.height * 3;
    if (this.pendingBytes < frameBytes) return;
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    const whole = Math.floor(all.length / frameBytes);
    const first = this.decoderFrames;
    const rest = all.subarray(whole * frameBytes);
    this.decoderFrames += whole;
    // the newest frame detection uses (flushers are dropped)
    let k = whole - 1;
    while (k >= 0 && !isPrimary(first + k)) k--;
    const last = k >= 0 ? Buffer.from(all.subarray(k * frameBytes, (k + 1) * frameBytes)) : null;
    this.pending = rest.length ? [Buffer.from(rest)] : [];
    this.pendingBytes = rest.length;
    this.failures = 0;
    this.lastError = null;
    this.o.onState?.('running');
    if (!last) return;
    this.frames++;
    const n = first + k;
    const meta: FrameMeta = { mediaTime: null, wallMs: Date.now() };
    const pts = this.ptsByN.get(n);
    if (pts !== undefined) this.setMediaTime(meta, pts);
    else {
      this.awaiting.set(n, meta);
      if (this.awaiting.size > 16) this.awaiting.delete(this.awaiting.keys().next().value!);
    }
    for (const j of this.ptsByN.keys()) if (j <= n) this.ptsByN.delete(j);
    this.o.onFrame(last, this.size.width, this.size.height, meta);
  }

  private setMediaTime(meta: FrameMeta, pts: number): void {
    meta.mediaTime = Math.round(pts * 1e6) / 1e6;
    const wall = this.timeline.wallAt(pts);
    if (wall !== null) meta.wallMs = wall;
  }

  /** showinfo's frame lines: the media time of frame n. */
  private readShowinfo(chunk: string): void {
    const text = this.stderrLine + chunk;
    const lines = text.split('\n');
    this.stderrLine = (lines.pop() ?? '').slice(-4000);
    for (const line of lines) {
      if (!line.includes('pts_time:')) continue;
      const p = parseShowinfo(line);
      if (!p) continue;
      const meta = this.awaiting.get(p.n);
      if (meta) {
        this.awaiting.delete(p.n);
        this.setMediaTime(meta, p.ptsTime);
      } else if (p.n >= this.decoderFrames && isPrimary(p.n)) {
        this.ptsByN.set(p.n, p.ptsTime);
        if (this.ptsByN.size > 64) this.ptsByN.delete(this.ptsByN.keys().next().value!);
      }
    }
  }

  private async killDecoder(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (!c) return;
    try {
      c.stdin?.destroy();
    } catch {
      /* gone */
    }
    await this.o.children.stop(c, 2000);
  }
}
