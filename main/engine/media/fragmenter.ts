/**
 * Splits a live fragmented-MP4 byte stream (ffmpeg `-f mp4 -movflags
 * +frag_every_frame+empty_moov+default_base_moof pipe:1`) into its init
 * segment (ftyp+moov) and media fragments (moof+mdat), marking the
 * fragments that start with a key frame.
 *
 * This runs for every frame of every camera whether anyone watches or not,
 * so it is kept cheap: incoming chunks are held in a list (no concatenation
 * per chunk), box headers are read in place, a fragment that lies within
 * one chunk is handed on as a view of it (no copy; a fragment split across
 * chunks is copied once), and the moof is only scanned for what the caller
 * needs (the video track's key-frame flag, decode time and duration), with
 * no allocation per fragment beyond the emitted buffer.
 */
import { parseMoov, readHeader, type TrackInfo } from './boxes.js';

export interface FragmentTiming {
  trackId: number;
  baseTime: number;
  duration: number;
  timescale: number;
}

export interface FragmenterEvents {
  init(init: Buffer, tracks: TrackInfo[]): void;
  /** `info` is reused between calls: copy what you keep. */
  fragment(data: Buffer, keyframe: boolean, info: FragmentTiming | null): void;
  error(err: Error): void;
}

/** Upper bound for one box: anything larger means the stream is not what we expect. */
const MAX_BOX = 64 * 1024 * 1024;
const SAMPLE_NON_SYNC = 0x00010000;
/** 'moof', 'mdat', 'moov', 'traf', 'tfhd', 'tfdt', 'trun' as big-endian u32. */
const T_MOOF = 0x6d6f6f66;
const T_MDAT = 0x6d646174;
const T_MOOV = 0x6d6f6f76;
const T_TRAF = 0x74726166;
const T_TFHD = 0x74666864;
const T_TFDT = 0x74666474;
const T_TRUN = 0x7472756e;

export class Fragmenter {
  /** Unconsumed input: chunks[0] from `head` on, then the other chunks whole. */
  private chunks: Buffer[] = [];
  private head = 0;
  private len = 0;
  private scratch = Buffer.alloc(16);
  private preInit: Buffer[] = [];
  private tracks: TrackInfo[] | null = null;
  private video: TrackInfo | null = null;
  private failed = false;
  private readonly timing: FragmentTiming = { trackId: 0, baseTime: 0, duration: 0, timescale: 90000 };
  /** Bytes seen so far (progress for the stall watchdog). */
  bytes = 0;

  constructor(private readonly on: FragmenterEvents) {}

  get hasInit(): boolean {
    return this.tracks !== null;
  }

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    this.bytes += chunk.length;
    this.chunks.push(chunk);
    this.len += chunk.length;
    try {
      for (;;) {
        const h = this.header(0);
        if (!h) return;
        let total = h.size;
        if (h.type === T_MOOF && this.tracks) {
          // a fragment is its moof and the mdat after it: take both as one buffer
          const m = this.header(h.size);
          if (!m) return;
          if (m.type === T_MDAT) total += m.size;
          if (total > MAX_BOX) throw new Error(`live stream fragment of ${total} bytes`);
        }
        if (this.len < total) return;
        const buf = this.take(total);
        this.onBox(h.type, h.size, buf);
      }
    } catch (err) {
      this.failed = true;
      this.chunks = [];
      this.len = 0;
      this.on.error(err as Error);
    }
  }

  /** The box header at `pos` bytes into the unconsumed input, or null when not all there yet. */
  private header(pos: number): { type: number; size: number } | null {
    if (this.len < pos + 8) return null;
    let b = this.chunks[0]!;
    let o = this.head + pos;
    if (o + 16 > b.length) {
      const n = Math.min(16, this.len - pos);
      this.copyOut(this.scratch, pos, n);
      b = this.scratch;
      o = 0;
    }
    let size = b.readUInt32BE(o);
    const type = b.readUInt32BE(o + 4);
    if (size === 1) {
      if (this.len < pos + 16) return null;
      const big = b.readBigUInt64BE(o + 8);
      size = big > BigInt(MAX_BOX) ? MAX_BOX + 1 : Number(big);
      if (size < 16) throw new Error(`live stream box with a bad size ${size}`);
    } else if (size < 8) {
      // 0 ("to the end of the file") can't be split out of a live stream either
      throw new Error(`live stream box ${typeName(type)} has a bad size ${size}`);
    }
    if (size > MAX_BOX) throw new Error(`live stream box ${typeName(type)} of ${size} bytes`);
    return { type, size };
  }

  /** Copy n bytes starting `pos` bytes into the unconsumed input into dst. */
  private copyOut(dst: Buffer, pos: number, n: number): void {
    let skip = this.head + pos;
    let w = 0;
    for (let i = 0; i < this.chunks.length && w < n; i++) {
      const c = this.chunks[i]!;
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      const k = Math.min(c.length - skip, n - w);
      c.copy(dst, w, skip, skip + k);
      w += k;
      skip = 0;
    }
  }

  /** Consume n bytes: a view when they sit in one chunk, else one copy. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (this.head + n <= first.length) {
      out = first.subarray(this.head, this.head + n);
      this.head += n;
    } else {
      out = Buffer.allocUnsafe(n);
      this.copyOut(out, 0, n);
      let left = this.head + n;
      while (left >= this.chunks[0]!.length) {
        left -= this.chunks[0]!.length;
        this.chunks.shift();
        if (!this.chunks.length) break;
      }
      this.head = left;
    }
    this.len -= n;
    if (this.chunks.length && this.head >= this.chunks[0]!.length) {
      this.chunks.shift();
      this.head = 0;
    }
    return out;
  }

  private onBox(type: number, boxSize: number, box: Buffer): void {
    if (!this.tracks) {
      // copy: the init segment is kept for as long as the stream runs
      this.preInit.push(Buffer.from(box));
      if (type === T_MOOV) {
        const h = readHeader(box, 0)!;
        this.tracks = parseMoov(box, h);
        this.video = this.tracks.find((t) => t.handler === 'vide') ?? null;
        const init = Buffer.concat(this.preInit);
        this.preInit = [];
        this.on.init(init, this.tracks);
      }
      return;
    }
    if (type === T_MOOF && box.length > boxSize) {
      const found = this.scanMoof(box, boxSize);
      this.on.fragment(box, found && this.keyframe, found ? this.timing : null);
    }
    // other top-level boxes (a lone mdat, mfra at the end, free) are ignored
  }

  private keyframe = false;

  /**
   * Read the video track's traf (else the first traf) of the moof at the
   * start of buf: key-frame flag of its first sample, decode time, duration.
   */
  private scanMoof(buf: Buffer, moofSize: number): boolean {
    const videoId = this.video?.id ?? -1;
    let chosen = false;
    for (let o = 8; o + 8 <= moofSize; ) {
      const size = buf.readUInt32BE(o);
      if (size < 8 || o + size > moofSize) break;
      if (buf.readUInt32BE(o + 4) === T_TRAF) {
        const id = this.scanTraf(buf, o + 8, o + size, chosen);
        if (id !== null && (!chosen || id === videoId)) {
          chosen = true;
          if (id === videoId) return true;
        }
      }
      o += size;
    }
    return chosen;
  }

  /** Scan one traf into this.timing/this.keyframe; with `onlyVideo`, a traf of another track is skipped (its id returned). */
  private scanTraf(buf: Buffer, start: number, end: number, onlyVideo: boolean): number | null {
    let trackId: number | null = null;
    let defDur = 0;
    let defFlags = 0;
    let base = 0;
    let dur = 0;
    let key = false;
    let firstTrun = true;
    let timescale = 90000;
    for (let o = start; o + 8 <= end; ) {
      const size = buf.readUInt32BE(o);
      if (size < 8 || o + size > end) break;
      const type = buf.readUInt32BE(o + 4);
      const d = o + 8;
      const dEnd = o + size;
      if (type === T_TFHD && dEnd - d >= 8) {
        const flags = buf.readUInt32BE(d) & 0xffffff;
        trackId = buf.readUInt32BE(d + 4);
        if (onlyVideo && trackId !== (this.video?.id ?? -1)) return trackId;
        const tr = this.trackOf(trackId);
        defDur = tr?.defaultDuration ?? 0;
        defFlags = tr?.defaultFlags ?? 0;
        timescale = tr?.timescale ?? 90000;
        let p = d + 8;
        if (flags & 0x01) p += 8; // base data offset
        if (flags & 0x02) p += 4; // sample description index
        if (flags & 0x08) {
          if (p + 4 <= dEnd) defDur = buf.readUInt32BE(p);
          p += 4;
        }
        if (flags & 0x10) p += 4; // default sample size
        if (flags & 0x20 && p + 4 <= dEnd) defFlags = buf.readUInt32BE(p);
      } else if (type === T_TFDT && dEnd - d >= 8) {
        base = buf[d] === 1 && dEnd - d >= 12 ? Number(buf.readBigUInt64BE(d + 4)) : buf.readUInt32BE(d + 4);
      } else if (type === T_TRUN && dEnd - d >= 8) {
        const flags = buf.readUInt32BE(d) & 0xffffff;
        const count = buf.readUInt32BE(d + 4);
        let p = d + 8;
        if (flags & 0x01) p += 4; // data offset
        let firstFlags = -1;
        if (flags & 0x04) {
          if (p + 4 <= dEnd) firstFlags = buf.readUInt32BE(p);
          p += 4;
        }
        const per = (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0) + (flags & 0x400 ? 4 : 0) + (flags & 0x800 ? 4 : 0);
        for (let i = 0; i < count; i++) {
          let q = p + i * per;
          if (q + per > dEnd) break;
          let sd = defDur;
          if (flags & 0x100) {
            sd = buf.readUInt32BE(q);
            q += 4;
          }
          if (flags & 0x200) q += 4;
          if (i === 0 && firstTrun) {
            let sf = firstFlags >= 0 ? firstFlags : defFlags;
            if (flags & 0x400 && firstFlags < 0) sf = buf.readUInt32BE(q);
            key = (sf & SAMPLE_NON_SYNC) === 0;
          }
          dur += sd;
        }
        firstTrun = false;
      }
      o += size;
    }
    if (trackId === null) return null;
    this.keyframe = key;
    this.timing.trackId = trackId;
    this.timing.baseTime = base;
    this.timing.duration = dur;
    this.timing.timescale = timescale;
    return trackId;
  }

  private trackOf(id: number): TrackInfo | undefined {
    if (this.video?.id === id) return this.video;
    return this.tracks?.find((t) => t.id === id);
  }
}

function typeName(t: number): string {
  return Buffer.from([t >>> 24, (t >>> 16) & 255, (t >>> 8) & 255, t & 255]).toString('latin1');
}
