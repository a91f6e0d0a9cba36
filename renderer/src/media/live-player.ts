/**
 * One live camera stream in one <video>: fMP4 over the `/api/live`
 * WebSocket into Media Source Extensions.
 *
 * Wire (main/server/live-ws.ts): a text frame {"type":"init","codec"}, then
 * binary frames, the first being the init segment (ftyp+moov), the rest
 * one-frame media fragments (moof+mdat) starting at a key frame; a text
 * {"type":"end","reason"} when the source stops, {"type":"error"} for an
 * unknown camera.
 *
 * What the player takes care of:
 *  - the live edge: a lag over 1 s is cut with a seek, a smaller one is
 *    caught up by playing slightly fast (live-policy.ts);
 *  - memory: everything older than 10 s behind the playhead is removed from
 *    the buffer, so a tab left open for days stays flat;
 *  - reconnecting by itself with backoff after a lost socket, a source that
 *    ended, or a decoder error; the last frame stays on screen (as the
 *    poster) while it does, so a reconnect never flashes black;
 *  - codecs the browser can't play (H.265): reported, not retried.
 */
import { codecFamily, isInitSegment, liveEdge, liveUrl, mseType, reconnectDelay, trimRange, unsupportedMessage } from './live-policy.js';
import { rangeAround, SourceBufferQueue } from './source-buffer-queue.js';

export type LivePhase =
  /** Opening the socket or waiting for the first frame. */
  | 'connecting'
  /** Frames are arriving and rendering. */
  | 'playing'
  /** Connected, but no frame for a while. */
  | 'stalled'
  /** The source stopped (camera offline); retrying. */
  | 'ended'
  /** Lost the socket or the decoder failed; retrying. */
  | 'retrying'
  /** The browser can't decode this codec. Not retried. */
  | 'unsupported'
  /** The server refused (unknown camera, not logged in). Retried slowly. */
  | 'error'
  /** Closed on purpose (hidden tab, tile emptied). */
  | 'closed';

export interface LiveStatus {
  phase: LivePhase;
  message: string | null;
  codec: string | null;
  /** When the phase began (epoch ms). */
  since: number;
  /** Epoch ms of the last media fragment received. */
  lastFrameAt: number | null;
}

export interface LiveStats {
  bytes: number;
  fragments: number;
  reconnects: number;
  /** ms from open() to the first rendered frame of the latest connection. */
  firstFrameMs: number | null;
  /** Seconds behind the newest buffered frame. */
  lag: number;
  /** Seconds of media in the buffer. */
  buffered: number;
  droppedFrames: number;
  totalFrames: number;
}

export interface LivePlayerOptions {
  cameraId: string;
  stream: 'main' | 'sub';
  onStatus?: (s: LiveStatus) => void;
  /** Fired once per connection when its first frame is on screen. */
  onFirstFrame?: (ms: number) => void;
  /** Page origin; defaults to location. */
  origin?: { protocol: string; host: string };
  /** No fragment for this long while playing → "stalled" (ms). */
  stallMs?: number;
  /** No fragment for this long → reconnect (ms). */
  deadMs?: number;
}

type VideoWithRvfc = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: { mediaTime: number; presentedFrames: number }) => void) => number;
  cancelVideoFrameCallback?: (h: number) => void;
};

export class LivePlayer {
  private ws: WebSocket | null = null;
  private ms: MediaSource | null = null;
  private objectUrl: string | null = null;
  private queue: SourceBufferQueue | null = null;
  private codec: string | null = null;
  private awaitingInitSegment = false;
  private pendingMedia: ArrayBuffer[] = [];
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private openedAt = 0;
  private firstFrameSeen = false;
  private lastTrimAt = 0;
  private stopped = true;
  private st: LiveStatus;
  readonly stats: LiveStats = {
    bytes: 0,
    fragments: 0,
    reconnects: 0,
    firstFrameMs: null,
    lag: 0,
    buffered: 0,
    droppedFrames: 0,
    totalFrames: 0,
  };

  constructor(
    readonly video: HTMLVideoElement,
    private readonly o: LivePlayerOptions,
  ) {
    this.st = { phase: 'closed', message: null, codec: null, since: Date.now(), lastFrameAt: null };
    video.muted = true;
    video.playsInline = true;
    video.autoplay = true;
    video.disablePictureInPicture = true;
  }

  get status(): LiveStatus {
    return this.st;
  }

  /** Start (or restart) streaming. */
  open(): void {
    this.stopped = false;
    this.clearRetry();
    this.connect();
    if (!this.watchdog) this.watchdog = setInterval(() => this.tick(), 1000);
  }

  /** Stop streaming and free the decoder; the last frame stays as the poster. */
  close(message: string | null = null): void {
    this.stopped = true;
    this.clearRetry();
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.dropSocket();
    this.teardownMse(true);
    this.setPhase('closed', message);
  }

  /** Close and release everything, including the poster. */
  destroy(): void {
    this.close();
    this.video.removeAttribute('poster');
    this.video.removeAttribute('src');
    try {
      this.video.load();
    } catch {
      /* detached element */
    }
  }

  // ------------------------------------------------------------ socket

  private connect(): void {
    this.dropSocket();
    this.openedAt = performance.now();
    this.firstFrameSeen = false;
    this.awaitingInitSegment = false;
    this.pendingMedia = [];
    if (this.st.phase !== 'ended' && this.st.phase !== 'retrying') this.setPhase('connecting', null);
    const origin = this.o.origin ?? location;
    let ws: WebSocket;
    try {
      ws = new WebSocket(liveUrl(origin, this.o.cameraId, this.o.stream));
    } catch (err) {
      this.retry('retrying', `cannot open the live connection: ${(err as Error).message}`);
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      if (typeof ev.data === 'string') this.onText(ev.data);
      else this.onBinary(ev.data as ArrayBuffer);
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (this.st.phase === 'unsupported') return;
      if (ev.code === 4404 || this.st.phase === 'error') {
        this.retry('error', this.st.message ?? 'the server does not know this camera', 10_000);
      } else if (this.st.phase === 'ended') {
        this.retry('ended', this.st.message);
      } else {
        this.retry(
          'retrying',
          ev.code === 1006 ? 'lost the live connection; reconnecting' : `the live connection closed (${ev.code}); reconnecting`,
        );
      }
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  private dropSocket(): void {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onmessage = ws.onclose = ws.onerror = null;
    if (ws.readyState === WebSocket.CONNECTING) {
      // Closing before the handshake makes the browser log a warning: close once open.
      ws.onopen = () => ws.close(1000, 'viewer closed');
      return;
    }
    try {
      ws.close(1000, 'viewer closed');
    } catch {
      /* already closed */
    }
  }

  private retry(phase: LivePhase, message: string | null, minDelay = 0): void {
    if (this.stopped) return;
    this.dropSocket();
    this.setPhase(phase, message);
    this.clearRetry();
    const delay = Math.max(minDelay, reconnectDelay(this.attempt++));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped) return;
      this.stats.reconnects++;
      this.connect();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private onText(text: string): void {
    let msg: { type?: string; codec?: string; reason?: string; message?: string };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.type === 'init' && typeof msg.codec === 'string') {
      const codec = msg.codec;
      if (typeof MediaSource === 'undefined' || !MediaSource.isTypeSupported(mseType(codec))) {
        this.codec = codec;
        this.st = { ...this.st, codec };
        this.stopped = true;
        this.dropSocket();
        this.teardownMse(true);
        this.setPhase('unsupported', unsupportedMessage(codec));
        return;
      }
      this.codec = codec;
      this.awaitingInitSegment = true;
    } else if (msg.type === 'end') {
      this.setPhase('ended', msg.reason ? `the camera stream stopped: ${msg.reason}` : 'the camera stream stopped');
    } else if (msg.type === 'error') {
      this.setPhase('error', msg.message ?? 'the server refused the live stream');
    }
  }

  private onBinary(buf: ArrayBuffer): void {
    this.stats.bytes += buf.byteLength;
    const bytes = new Uint8Array(buf);
    if (this.awaitingInitSegment || isInitSegment(bytes)) {
      if (!isInitSegment(bytes)) return; // protocol hiccup: wait for the real init segment
      this.awaitingInitSegment = false;
      this.setupMse(buf);
      return;
    }
    if (!this.queue) {
      // MediaSource still opening: hold a few fragments (from a key frame on).
      if (this.ms && this.pendingMedia.length < 120) this.pendingMedia.push(buf);
      return;
    }
    this.stats.fragments++;
    this.st = { ...this.st, lastFrameAt: Date.now() };
    this.queue.append(buf);
  }

  // --------------------------------------------------------------- MSE

  private setupMse(initSegment: ArrayBuffer): void {
    this.teardownMse(true);
    const codec = this.codec ?? 'avc1.42e01e';
    const ms = new MediaSource();
    this.ms = ms;
    this.objectUrl = URL.createObjectURL(ms);
    ms.addEventListener(
      'sourceopen',
      () => {
        if (ms !== this.ms) return;
        let sb: SourceBuffer;
        try {
          sb = ms.addSourceBuffer(mseType(codec));
        } catch (err) {
          this.retry('retrying', `the browser could not start the decoder (${(err as Error).message})`);
          return;
        }
        sb.mode = 'segments';
        this.queue = new SourceBufferQueue(sb, {
          onIdle: () => this.afterAppend(),
          onError: (err) => this.onDecodeError(err),
        });
        this.queue.append(initSegment);
        for (const f of this.pendingMedia.splice(0)) {
          this.stats.fragments++;
          this.queue.append(f);
        }
        try {
          ms.duration = Infinity;
        } catch {
          /* not allowed in this state: fine */
        }
      },
      { once: true },
    );
    this.video.src = this.objectUrl;
    this.watchFirstFrame();
  }

  private teardownMse(keepPoster: boolean): void {
    if (keepPoster) this.capturePoster();
    this.queue?.close();
    this.queue = null;
    const ms = this.ms;
    this.ms = null;
    if (ms && ms.readyState === 'open') {
      try {
        ms.endOfStream();
      } catch {
        /* updating: fine, it is going away */
      }
    }
    if (this.objectUrl) {
      URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = null;
    }
  }

  /** Keep the current frame as the poster, so reconnects and offline cameras show it, not black. */
  private capturePoster(): void {
    const v = this.video;
    if (v.readyState < 2 || !v.videoWidth) return;
    try {
      const c = document.createElement('canvas');
      const scale = Math.min(1, 640 / v.videoWidth);
      c.width = Math.round(v.videoWidth * scale);
      c.height = Math.round(v.videoHeight * scale);
      c.getContext('2d')?.drawImage(v, 0, 0, c.width, c.height);
      v.poster = c.toDataURL('image/jpeg', 0.8);
    } catch {
      /* tainted or detached: keep the old poster */
    }
  }

  private watchFirstFrame(): void {
    const v = this.video as VideoWithRvfc;
    const started = this.openedAt;
    const done = () => {
      if (this.firstFrameSeen || this.openedAt !== started || this.stopped) return;
      this.firstFrameSeen = true;
      this.attempt = 0;
      const ms = Math.round(performance.now() - started);
      this.stats.firstFrameMs = ms;
      this.setPhase('playing', null);
      this.o.onFirstFrame?.(ms);
    };
    if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(() => done());
    else v.addEventListener('loadeddata', done, { once: true });
  }

  private afterAppend(): void {
    const v = this.video;
    const q = this.queue;
    if (!q) return;
    const r = rangeAround(v.buffered, v.currentTime);
    if (!r) return;
    const d = liveEdge({ currentTime: v.currentTime, bufferedStart: r[0], bufferedEnd: r[1] });
    this.stats.lag = d.lag;
    this.stats.buffered = v.buffered.length ? v.buffered.end(v.buffered.length - 1) - v.buffered.start(0) : 0;
    if (d.seekTo !== null) v.currentTime = d.seekTo;
    if (v.playbackRate !== d.rate) v.playbackRate = d.rate;
    if (v.paused) v.play().catch(() => undefined);
    const now = performance.now();
    if (now - this.lastTrimAt > 2000 && v.buffered.length) {
      this.lastTrimAt = now;
      const t = trimRange(v.currentTime, v.buffered.start(0));
      if (t) q.remove(t[0], t[1]);
    }
  }

  private onDecodeError(err: Error): void {
    if (this.stopped) return;
    this.retry('retrying', err.message);
  }

  /** Once a second: stall detection, dead-connection detection, frame counters. */
  private tick(): void {
    if (this.stopped) return;
    const q = (this.video as HTMLVideoElement & { getVideoPlaybackQuality?: () => VideoPlaybackQuality }).getVideoPlaybackQuality?.();
    if (q) {
      this.stats.droppedFrames = q.droppedVideoFrames;
      this.stats.totalFrames = q.totalVideoFrames;
    }
    const last = this.st.lastFrameAt;
    const now = Date.now();
    const stallMs = this.o.stallMs ?? 4000;
    const deadMs = this.o.deadMs ?? 15000;
    if (this.st.phase === 'playing' && last && now - last > stallMs) {
      this.setPhase('stalled', `no picture for ${Math.round((now - last) / 1000)} s`);
    } else if (this.st.phase === 'stalled' && last && now - last <= stallMs) {
      this.setPhase('playing', null);
    } else if (
      (this.st.phase === 'stalled' || this.st.phase === 'connecting') &&
      this.ws &&
      now - Math.max(last ?? 0, this.st.since) > deadMs
    ) {
      this.retry('retrying', 'no video for a while; reconnecting');
    } else if (this.st.phase === 'ended' && this.ws && now - this.st.since > 2 * deadMs) {
      // The socket stayed open after the source ended and nothing came back: start over.
      this.retry('ended', this.st.message);
    }
    if (this.video.error && this.st.phase === 'playing') {
      this.retry('retrying', `the video decoder failed (${this.video.error.message || this.video.error.code}); reconnecting`);
    }
  }

  private setPhase(phase: LivePhase, message: string | null): void {
    if (phase === this.st.phase && message === this.st.message) return;
    this.st = { ...this.st, phase, message, codec: this.codec, since: phase === this.st.phase ? this.st.since : Date.now() };
    this.o.onStatus?.(this.st);
  }
}

/** Is this codec one this browser plays through MSE? */
export function canPlayLive(codec: string): boolean {
  return typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(mseType(codec));
}

export { codecFamily };
