/**
 * Live fan-out of one camera stream to any number of viewers. The ingest
 * publishes the init segment and every fragment; a new viewer gets the init
 * segment, then at once the current GOP (the fragments since the last key
 * frame, so it shows a picture without waiting for the next key frame),
 * then every fragment as it comes. When the GOP is not held whole (it
 * outgrew MAX_GOP_BYTES, or the stream started mid-GOP) the viewer starts at
 * the next key frame instead. A viewer's sink is
 * called synchronously and must never block: transports drop data for a
 * viewer that falls behind (see server/live-ws.ts), so a slow consumer never
 * slows the recorder.
 */
import type { LiveSink } from '../recording/types.js';
import { logger } from '../log.js';

const log = logger('live');

interface Sub {
  sink: LiveSink;
  waitKey: boolean;
}

/** The fragments since the last key frame, kept for new viewers and snapshots (bounded). */
export const MAX_GOP_BYTES = 16 * 1024 * 1024;

export class LiveHub {
  private subs = new Set<Sub>();
  private initSeg: { codec: string; data: Buffer } | null = null;
  private gop: Buffer[] = [];
  private gopBytes = 0;
  /** The GOP was cut at MAX_GOP_BYTES: its tail is missing, so new viewers wait for the next key frame. */
  private gopTruncated = false;
  /** Wall time of the last fragment (ms). */
  lastFragmentAt = 0;
  /** Called when the number of viewers goes 0 → 1 or 1 → 0. */
  onDemand: ((viewers: number) => void) | null = null;

  constructor(readonly key: string) {}

  get viewers(): number {
    return this.subs.size;
  }

  get codec(): string | null {
    return this.initSeg?.codec ?? null;
  }

  /** The init segment and the fragments of the current GOP (for a snapshot of the live edge). */
  currentGop(): { init: Buffer; fragments: Buffer[] } | null {
    if (!this.initSeg || this.gop.length === 0) return null;
    return { init: this.initSeg.data, fragments: [...this.gop] };
  }

  setInit(codec: string, data: Buffer): void {
    this.initSeg = { codec, data };
    this.gop = [];
    this.gopBytes = 0;
    for (const s of this.subs) {
      s.waitKey = true;
      this.call(s, () => s.sink.init(codec, data));
    }
  }

  publish(data: Buffer, keyframe: boolean): void {
    this.lastFragmentAt = Date.now();
    if (keyframe) {
      this.gop = [data];
      this.gopBytes = data.length;
      this.gopTruncated = false;
    } else if (this.gop.length && !this.gopTruncated) {
      if (this.gopBytes + data.length <= MAX_GOP_BYTES) {
        this.gop.push(data);
        this.gopBytes += data.length;
      } else this.gopTruncated = true;
    }
    for (const s of this.subs) {
      if (s.waitKey) {
        if (!keyframe) continue;
        s.waitKey = false;
      }
      this.call(s, () => s.sink.fragment(data, keyframe));
    }
  }

  /** The source ended (camera disabled, removed, engine stopping): tell viewers, keep them attached. */
  end(reason: string): void {
    this.initSeg = null;
    this.gop = [];
    this.gopBytes = 0;
    for (const s of this.subs) {
      s.waitKey = true;
      this.call(s, () => s.sink.close(reason));
    }
  }

  subscribe(sink: LiveSink): () => void {
    const sub: Sub = { sink, waitKey: true };
    this.subs.add(sub);
    if (this.initSeg) {
      const { codec, data } = this.initSeg;
      this.call(sub, () => sink.init(codec, data));
      // the current GOP right away: a picture now instead of at the next key frame
      if (this.gop.length && !this.gopTruncated && this.subs.has(sub)) {
        sub.waitKey = false;
        const gop = this.gop.slice();
        this.call(sub, () => {
          for (let i = 0; i < gop.length; i++) sink.fragment(gop[i]!, i === 0);
        });
      }
    }
    if (this.subs.size === 1) this.onDemand?.(1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.subs.delete(sub);
      if (this.subs.size === 0) this.onDemand?.(0);
    };
  }

  private call(s: Sub, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      log.warn(`live viewer of ${this.key} failed and was detached`, err);
      this.subs.delete(s);
      if (this.subs.size === 0) this.onDemand?.(0);
    }
  }
}
