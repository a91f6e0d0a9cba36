/**
 * Recorded playback of one camera in one <video>, through MSE.
 *
 * One MSE timeline per player, where media time t (s) is wall time
 * origin + t·1000. The player fetches the segments around the playhead
 * from the recorder's segment map (docs/recording.md, "Playback API"): an
 * init segment whenever the codec setup changes (init hash), then each
 * segment's fragments, which the engine has already retimed to the origin.
 * A segment given as one self-contained file instead (no `init`) is placed
 * by reading its first decode time (fmp4.ts). Gaps between segments stay
 * gaps in the buffer, so the clock above can skip them.
 *
 * The player does not own the clock: `follow(master)` is called a few
 * times a second by the sync controller and corrects the video towards the
 * master wall time (sync.ts).
 */
import { segmentMeta, type TrackMeta } from './fmp4.js';
import { mseType } from './live-policy.js';
import { SourceBufferQueue } from './source-buffer-queue.js';
import { correct } from './sync.js';

export interface PlaybackSegment {
  start: number;
  end: number;
  /** Media fragments, retimed to the player's origin (or a whole file when `init` is absent). */
  url: string;
  /** Init segment URL. */
  init?: string;
  /** Segments with the same key share their init segment. */
  initKey?: string | null;
  codec?: string | null;
}

export type PlaybackPhase = 'idle' | 'loading' | 'ready' | 'gap' | 'error' | 'unsupported';

export interface PlaybackStatus {
  phase: PlaybackPhase;
  message: string | null;
}

export interface PlaybackOptions {
  onStatus?: (s: PlaybackStatus) => void;
  fetch?: typeof fetch;
  /** Frame duration (ms) for drift tolerance and stepping. */
  frameMs?: number;
}

/** Keep this much behind the playhead (s). */
const KEEP_BEHIND_S = 30;
/** Most segments fetched ahead of the playhead. */
const MAX_AHEAD = 3;

interface Loaded {
  seg: PlaybackSegment;
  state: 'loading' | 'appended' | 'failed';
}

export class PlaybackPlayer {
  private segments: PlaybackSegment[] = [];
  private ms: MediaSource | null = null;
  private url: string | null = null;
  private queue: SourceBufferQueue | null = null;
  private sb: SourceBuffer | null = null;
  private codec: string | null = null;
  private track: TrackMeta | null = null;
  /** initKey of the init segment appended last. */
  private lastInit: string | null = null;
  private initCache = new Map<string, Promise<ArrayBuffer>>();
  private loaded = new Map<string, Loaded>();
  private opening: Promise<void> | null = null;
  private destroyed = false;
  private st: PlaybackStatus = { phase: 'idle', message: null };
  private lastFollow = { master: 0, rate: 1, playing: false };
  private abort = new AbortController();
  private generation = 0;
  /** Wall-clock origin of the MSE timeline (ms). */
  readonly origin: number;

  constructor(
    readonly video: HTMLVideoElement,
    origin: number,
    private readonly o: PlaybackOptions = {},
  ) {
    this.origin = origin;
    video.muted = true;
    video.playsInline = true;
    video.preload = 'auto';
    video.disablePictureInPicture = true;
  }

  get status(): PlaybackStatus {
    return this.st;
  }

  /** Wall time of the frame on screen (ms). */
  get wallTime(): number {
    return this.origin + this.video.currentTime * 1000;
  }

  /** Replace the known segments (sorted by start). */
  setSegments(list: PlaybackSegment[]): void {
    this.segments = list.filter((s) => s.end > s.start && s.start >= this.origin).sort((a, b) => a.start - b.start);
    this.prefetch();
  }

  /** Index of the segment holding `t`, or -1. */
  private segmentAt(t: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.segments[mid]!;
      if (t < s.start) hi = mid - 1;
      else if (t >= s.end) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Is wall time `t` inside a known segment? */
  covers(t: number): boolean {
    return this.segmentAt(t) >= 0;
  }

  /** Buffered (decodable now) at wall time `t`? */
  bufferedAt(t: number): boolean {
    const b = this.video.buffered;
    const s = (t - this.origin) / 1000;
    for (let i = 0; i < b.length; i++) if (s >= b.start(i) && s < b.end(i)) return true;
    return false;
  }

  /**
   * Follow the master clock: load what is needed around it, and keep the
   * video within a frame of it (seek when paused or far off, nudge the
   * rate when close).
   */
  follow(master: number, rate: number, playing: boolean): void {
    if (this.destroyed) return;
    this.lastFollow = { master, rate, playing };
    const v = this.video;
    const inSegment = this.segmentAt(master) >= 0;
    if (!inSegment) {
      if (!v.paused) v.pause();
      this.setStatus('gap', null);
      this.prefetch();
      return;
    }
    void this.ensureOpen().then(() => this.prefetch());
    if (!this.bufferedAt(master)) {
      if (this.st.phase !== 'error' && this.st.phase !== 'unsupported') this.setStatus('loading', null);
      if (!v.paused) v.pause();
      return;
    }
    if (this.st.phase !== 'ready') this.setStatus('ready', null);
    const frameMs = this.o.frameMs ?? 100;
    const c = correct(master, this.wallTime, { rate, playing, frameMs });
    if (c.seekTo !== null) v.currentTime = (c.seekTo - this.origin) / 1000;
    if (Math.abs(v.playbackRate - c.rate) > 1e-3) v.playbackRate = c.rate;
    if (playing && v.paused) v.play().catch(() => undefined);
    if (!playing && !v.paused) v.pause();
  }

  /** Seek exactly (paused stepping, go-to-time). */
  seekExact(t: number): void {
    this.lastFollow = { ...this.lastFollow, master: t };
    if (this.bufferedAt(t)) this.video.currentTime = (t - this.origin) / 1000;
    this.prefetch();
  }

  destroy(): void {
    this.destroyed = true;
    this.abort.abort();
    this.queue?.close();
    this.queue = null;
    if (this.ms?.readyState === 'open') {
      try {
        this.ms.endOfStream();
      } catch {
        /* fine */
      }
    }
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
    this.ms = null;
    this.video.removeAttribute('src');
    try {
      this.video.load();
    } catch {
      /* detached */
    }
  }

  // ------------------------------------------------------------ internals

  private setStatus(phase: PlaybackPhase, message: string | null): void {
    if (this.st.phase === phase && this.st.message === message) return;
    this.st = { phase, message };
    this.o.onStatus?.(this.st);
  }

  private ensureOpen(): Promise<void> {
    if (this.ms) return this.opening ?? Promise.resolve();
    const ms = new MediaSource();
    this.ms = ms;
    this.url = URL.createObjectURL(ms);
    this.opening = new Promise<void>((resolve) => {
      ms.addEventListener(
        'sourceopen',
        () => {
          try {
            ms.duration = Infinity;
          } catch {
            /* fine */
          }
          resolve();
        },
        { once: true },
      );
    });
    this.video.src = this.url;
    return this.opening;
  }

  /** Load the segment under the playhead and a few after it; trim the buffer. */
  private prefetch(): void {
    if (this.destroyed || !this.ms || this.ms.readyState !== 'open') return;
    const t = this.lastFollow.master;
    let i = this.segmentAt(t);
    if (i < 0) i = this.segments.findIndex((s) => s.start > t);
    if (i < 0) return;
    const aheadMs = Math.max(20_000, 12_000 * this.lastFollow.rate);
    const wanted: PlaybackSegment[] = [];
    for (let k = i; k < this.segments.length && wanted.length < MAX_AHEAD + 1; k++) {
      const s = this.segments[k]!;
      if (s.start > t + aheadMs && wanted.length > 0) break;
      wanted.push(s);
    }
    // When stepping backwards, the segment before matters too.
    const prev = this.segments[i - 1];
    if (prev && t - prev.end < 2000) wanted.push(prev);
    for (const s of wanted) void this.load(s);
    this.trim(t);
  }

  private trim(t: number): void {
    const q = this.queue;
    const v = this.video;
    if (!q || q.busy || !v.buffered.length) return;
    const cur = (t - this.origin) / 1000;
    const start = v.buffered.start(0);
    if (cur - KEEP_BEHIND_S - start > 10) {
      q.remove(0, cur - KEEP_BEHIND_S);
      for (const [k, l] of this.loaded) if (l.seg.end < t - KEEP_BEHIND_S * 1000) this.loaded.delete(k);
    }
    const end = v.buffered.end(v.buffered.length - 1);
    const far = cur + Math.max(120, 60 * this.lastFollow.rate);
    if (end > far + 10) {
      q.remove(far, Infinity);
      for (const [k, l] of this.loaded) if (l.seg.start > t + far * 1000) this.loaded.delete(k);
    }
    // Anything that jumped far away (a seek) invalidates the bookkeeping of removed media.
    for (const [k, l] of this.loaded) {
      if (l.state === 'appended' && (l.seg.end < t - (KEEP_BEHIND_S + 15) * 1000 || l.seg.start > t + (far + 15) * 1000))
        this.loaded.delete(k);
    }
  }

  private async fetchBuf(url: string): Promise<ArrayBuffer> {
    const f = this.o.fetch ?? fetch;
    const res = await f(url, { credentials: 'same-origin', signal: this.abort.signal });
    if (!res.ok) {
      let msg = res.status === 404 ? 'the recording is gone (deleted by retention?)' : `the server answered ${res.status}`;
      try {
        msg = ((await res.json()) as { error?: { message?: string } }).error?.message ?? msg;
      } catch {
        /* not JSON */
      }
      throw new Error(msg);
    }
    return res.arrayBuffer();
  }

  private initBuf(seg: PlaybackSegment): Promise<ArrayBuffer> {
    const key = seg.initKey ?? seg.init!;
    let p = this.initCache.get(key);
    if (!p) {
      p = this.fetchBuf(seg.init!);
      this.initCache.set(key, p);
      p.catch(() => this.initCache.delete(key));
    }
    return p;
  }

  private async load(seg: PlaybackSegment): Promise<void> {
    const key = seg.url;
    if (this.loaded.has(key)) return;
    const entry: Loaded = { seg, state: 'loading' };
    this.loaded.set(key, entry);
    const gen = this.generation;
    let media: ArrayBuffer;
    let init: ArrayBuffer | null = null;
    try {
      [media, init] = await Promise.all([this.fetchBuf(seg.url), seg.init ? this.initBuf(seg) : Promise.resolve(null)]);
    } catch (err) {
      if (this.destroyed) return;
      entry.state = 'failed';
      // Let a later prefetch try again.
      setTimeout(() => {
        if (this.loaded.get(key) === entry) this.loaded.delete(key);
      }, 3000);
      this.setStatus('error', `could not load the recording at ${new Date(seg.start).toISOString()}: ${(err as Error).message}`);
      return;
    }
    if (this.destroyed || gen !== this.generation) return;

    let offset = 0;
    let codec: string | null;
    if (init) {
      const meta = segmentMeta(new Uint8Array(init));
      codec = seg.codec ?? meta.video?.codec ?? this.codec;
    } else {
      // A whole self-contained file: place its first frame at its wall-clock start.
      const meta = segmentMeta(new Uint8Array(media), this.track);
      if (!meta.hasMedia || meta.firstTime === null) {
        entry.state = 'failed';
        this.setStatus('error', 'a recording file could not be read (damaged, or not fragmented MP4)');
        return;
      }
      if (meta.video) this.track = meta.video;
      codec = meta.video?.codec ?? this.codec;
      offset = (seg.start - this.origin) / 1000 - meta.firstTime;
    }
    if (!codec || typeof MediaSource === 'undefined' || !MediaSource.isTypeSupported(mseType(codec))) {
      entry.state = 'failed';
      this.setStatus(
        'unsupported',
        `this recording is ${codec ?? 'in an unknown codec'}, which this console cannot play; export it and play it in a desktop player`,
      );
      return;
    }
    await this.ensureOpen();
    if (this.destroyed || !this.ms || this.ms.readyState !== 'open') return;
    if (!this.sb) {
      try {
        this.sb = this.ms.addSourceBuffer(mseType(codec));
      } catch (err) {
        this.setStatus('error', `the browser could not start the decoder (${(err as Error).message})`);
        return;
      }
      this.sb.mode = 'segments';
      this.codec = codec;
      this.queue = new SourceBufferQueue(this.sb, {
        maxQueuedBytes: 64 * 1024 * 1024,
        onIdle: () => this.follow(this.lastFollow.master, this.lastFollow.rate, this.lastFollow.playing),
        onError: (err) => this.setStatus('error', err.message),
      });
    } else if (codec !== this.codec && 'changeType' in this.sb) {
      try {
        this.sb.changeType(mseType(codec));
        this.codec = codec;
      } catch {
        /* same family: keep going */
      }
    }
    const q = this.queue!;
    if (init) {
      const k = seg.initKey ?? seg.init!;
      // Fragments are decoded with the last init segment appended: re-append when it changes,
      // and always before a segment that is not adjacent to the previous append (seeks).
      if (k !== this.lastInit) {
        q.append(init, 0);
        this.lastInit = k;
      }
      q.append(media, 0);
    } else {
      q.append(media, offset);
    }
    entry.state = 'appended';
  }
}
