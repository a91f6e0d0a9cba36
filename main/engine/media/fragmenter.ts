/**
 * Splits a live fragmented-MP4 byte stream (ffmpeg `-f mp4 -movflags
 * +frag_every_frame+empty_moov+default_base_moof pipe:1`) into its init
 * segment (ftyp+moov) and media fragments (moof+mdat), marking the
 * fragments that start with a key frame.
 */
import { parseMoof, parseMoov, readHeader, type TrackInfo } from './boxes.js';

export interface FragmenterEvents {
  init(init: Buffer, tracks: TrackInfo[]): void;
  fragment(data: Buffer, keyframe: boolean, info: { trackId: number; baseTime: number; duration: number; timescale: number } | null): void;
  error(err: Error): void;
}

/** Upper bound for one box: anything larger means the stream is not what we expect. */
const MAX_BOX = 64 * 1024 * 1024;

export class Fragmenter {
  private chunks: Buffer[] = [];
  private len = 0;
  private need = 8;
  private header: { type: string; size: number } | null = null;
  private preInit: Buffer[] = [];
  private tracks: TrackInfo[] | null = null;
  private moof: Buffer | null = null;
  private failed = false;
  /** Bytes seen so far (progress for the stall watchdog). */
  bytes = 0;

  constructor(private readonly on: FragmenterEvents) {}

  get hasInit(): boolean {
    return this.tracks !== null;
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.bytes += chunk.length;
    this.chunks.push(chunk);
    this.len += chunk.length;
    try {
      while (this.len >= this.need) {
        const buf = this.take(this.need, !this.header);
        if (!this.header) {
          const h = readHeader(buf, 0, buf.length);
          if (!h) {
            this.need = 16;
            continue;
          }
          if (h.size > MAX_BOX) throw new Error(`live stream box ${h.type} of ${h.size} bytes`);
          this.header = { type: h.type, size: h.size };
          this.need = h.size;
          continue;
        }
        // a complete box
        const type = this.header.type;
        this.header = null;
        this.need = 8;
        this.onBox(type, buf);
      }
    } catch (err) {
      this.failed = true;
      this.on.error(err as Error);
    }
  }

  /** Take n bytes; when peek is true leave them in place. */
  private take(n: number, peek: boolean): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.len);
    const out = all.subarray(0, n);
    if (peek) {
      this.chunks = [all];
      return out;
    }
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.len = rest.length;
    return Buffer.from(out);
  }

  private onBox(type: string, box: Buffer): void {
    if (!this.tracks) {
      this.preInit.push(box);
      if (type === 'moov') {
        const h = readHeader(box, 0)!;
        this.tracks = parseMoov(box, h);
        const init = Buffer.concat(this.preInit);
        this.preInit = [];
        this.on.init(init, this.tracks);
      }
      return;
    }
    if (type === 'moof') {
      this.moof = box;
      return;
    }
    if (type === 'mdat' && this.moof) {
      const trafs = parseMoof(this.moof, readHeader(this.moof, 0)!, this.tracks);
      const video = this.tracks.find((t) => t.handler === 'vide');
      const v = trafs.find((t) => t.trackId === video?.id) ?? trafs[0];
      const data = Buffer.concat([this.moof, box]);
      this.moof = null;
      this.on.fragment(
        data,
        v?.keyframe ?? false,
        v
          ? {
              trackId: v.trackId,
              baseTime: v.baseTime,
              duration: v.duration,
              timescale: this.tracks.find((t) => t.id === v.trackId)?.timescale ?? 90000,
            }
          : null,
      );
    }
    // other top-level boxes (mfra at the end, free) are ignored
  }
}
