/**
 * A small ISO-BMFF (MP4) box walker for fragmented MP4, written for three
 * jobs: salvage (find the end of the last complete moof+mdat), indexing
 * (timescale, codec, size and exact duration of a segment) and serving
 * (split init and fragments, rewrite tfdt). It reads box headers and the
 * small metadata boxes only; sample data (mdat) is never parsed.
 *
 * Layout reference: ISO/IEC 14496-12 (boxes) and 14496-15 (avcC/hvcC).
 */
import fs from 'node:fs';

export interface BoxHeader {
  type: string;
  /** Offset of the box's first byte. */
  start: number;
  /** Total size including the header. */
  size: number;
  headerSize: number;
}

/**
 * Read a box header at `off`. Returns null when fewer bytes than a full header
 * are available. `size` 0 (box runs to the end of the file) becomes `avail`.
 */
export function readHeader(buf: Buffer, off: number, limit = buf.length): BoxHeader | null {
  if (off + 8 > limit) return null;
  let size = buf.readUInt32BE(off);
  const type = buf.toString('latin1', off + 4, off + 8);
  let headerSize = 8;
  if (size === 1) {
    if (off + 16 > limit) return null;
    const big = buf.readBigUInt64BE(off + 8);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`box ${type} at ${off} is impossibly large`);
    size = Number(big);
    headerSize = 16;
  } else if (size === 0) {
    size = limit - off;
  }
  if (size < headerSize) throw new Error(`box ${JSON.stringify(type)} at ${off} has a bad size ${size}`);
  return { type, start: off, size, headerSize };
}

/** Every complete child box in [start, end). Stops at the first incomplete or bad header. */
export function children(buf: Buffer, start: number, end: number): BoxHeader[] {
  const out: BoxHeader[] = [];
  let off = start;
  while (off + 8 <= end) {
    let h: BoxHeader | null;
    try {
      h = readHeader(buf, off, end);
    } catch {
      break;
    }
    if (!h || off + h.size > end) break;
    out.push(h);
    off += h.size;
  }
  return out;
}

export function child(buf: Buffer, parent: BoxHeader, type: string): BoxHeader | undefined {
  return children(buf, parent.start + parent.headerSize, parent.start + parent.size).find((b) => b.type === type);
}

/** Follow a path of container boxes, e.g. ['mdia','minf','stbl','stsd']. */
export function path(buf: Buffer, parent: BoxHeader, types: string[]): BoxHeader | undefined {
  let cur: BoxHeader | undefined = parent;
  for (const t of types) {
    if (!cur) return undefined;
    cur = child(buf, cur, t);
  }
  return cur;
}

// ---------------------------------------------------------------- moov

export interface TrackInfo {
  id: number;
  /** 'vide', 'soun', ... */
  handler: string;
  timescale: number;
  /** Sample entry type: avc1, avc3, hvc1, hev1, mp4a, ... */
  format: string;
  /** RFC 6381 codec string for MSE, e.g. avc1.4d401e, when it can be derived. */
  codec: string | null;
  width: number | null;
  height: number | null;
  defaultDuration: number;
  defaultSize: number;
  defaultFlags: number;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** avc1.PPCCLL from an avcC box body. */
export function avcCodecString(format: string, avcC: Buffer): string {
  if (avcC.length < 4) return format;
  return `${format}.${hex2(avcC[1]!)}${hex2(avcC[2]!)}${hex2(avcC[3]!)}`;
}

/** hvc1.P.C.TL.B from an hvcC box body (ISO/IEC 14496-15 annex E). */
export function hevcCodecString(format: string, hvcC: Buffer): string {
  if (hvcC.length < 13) return format;
  const b1 = hvcC[1]!;
  const space = ['', 'A', 'B', 'C'][b1 >> 6]!;
  const tier = (b1 >> 5) & 1 ? 'H' : 'L';
  const profile = b1 & 0x1f;
  const compat = hvcC.readUInt32BE(2);
  // the compatibility flags are written in reverse bit order
  let rev = 0;
  for (let i = 0; i < 32; i++) if (compat & (1 << i)) rev |= 1 << (31 - i);
  const level = hvcC[12]!;
  const cons: string[] = [];
  for (let i = 6; i < 12; i++) cons.push(hvcC[i]!.toString(16).toUpperCase());
  while (cons.length > 1 && cons[cons.length - 1] === '0') cons.pop();
  return `${format}.${space}${profile}.${(rev >>> 0).toString(16).toUpperCase()}.${tier}${level}.${cons.join('.')}`;
}

/** mp4a.40.N from an esds box body. */
export function aacCodecString(esds: Buffer): string {
  // walk the descriptors: ES (3) -> DecoderConfig (4) -> DecSpecificInfo (5)
  let i = 4; // version+flags
  const readLen = () => {
    let len = 0;
    for (let k = 0; k < 4 && i < esds.length; k++) {
      const b = esds[i++]!;
      len = (len << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    return len;
  };
  let oti = 0x40;
  let aot = 2;
  while (i < esds.length) {
    const tag = esds[i++]!;
    const len = readLen();
    if (tag === 3) {
      const flags = esds[i + 2] ?? 0;
      i += 3;
      if (flags & 0x80) i += 2;
      if (flags & 0x40) i += 1 + (esds[i] ?? 0);
      if (flags & 0x20) i += 2;
      continue;
    }
    if (tag === 4) {
      oti = esds[i] ?? 0x40;
      i += 13;
      continue;
    }
    if (tag === 5) {
      aot = (esds[i] ?? 0x10) >> 3;
      if (aot === 31) aot = 32 + ((((esds[i] ?? 0) & 7) << 3) | ((esds[i + 1] ?? 0) >> 5));
      break;
    }
    i += len;
  }
  return oti === 0x40 ? `mp4a.40.${aot}` : `mp4a.${hex2(oti)}`;
}

function body(buf: Buffer, b: BoxHeader): Buffer {
  return buf.subarray(b.start + b.headerSize, b.start + b.size);
}

/** Parse the tracks of a moov box (plus their trex defaults). */
export function parseMoov(buf: Buffer, moov: BoxHeader): TrackInfo[] {
  const tracks: TrackInfo[] = [];
  const trex = new Map<number, { dur: number; size: number; flags: number }>();
  const mvex = child(buf, moov, 'mvex');
  if (mvex) {
    for (const t of children(buf, mvex.start + mvex.headerSize, mvex.start + mvex.size)) {
      if (t.type !== 'trex') continue;
      const b = body(buf, t);
      if (b.length < 24) continue;
      trex.set(b.readUInt32BE(4), { dur: b.readUInt32BE(12), size: b.readUInt32BE(16), flags: b.readUInt32BE(20) });
    }
  }
  for (const trak of children(buf, moov.start + moov.headerSize, moov.start + moov.size)) {
    if (trak.type !== 'trak') continue;
    const tkhd = child(buf, trak, 'tkhd');
    const mdhd = path(buf, trak, ['mdia', 'mdhd']);
    const hdlr = path(buf, trak, ['mdia', 'hdlr']);
    const stsd = path(buf, trak, ['mdia', 'minf', 'stbl', 'stsd']);
    if (!tkhd || !mdhd || !hdlr) continue;
    const tk = body(buf, tkhd);
    const id = tk[0] === 1 ? tk.readUInt32BE(20) : tk.readUInt32BE(12);
    const md = body(buf, mdhd);
    const timescale = md[0] === 1 ? md.readUInt32BE(20) : md.readUInt32BE(12);
    const handler = body(buf, hdlr).toString('latin1', 8, 12);
    let format = '';
    let codec: string | null = null;
    let width: number | null = null;
    let height: number | null = null;
    if (stsd) {
      const sb = body(buf, stsd);
      // version/flags(4) entry_count(4) then sample entries (boxes)
      const entryStart = stsd.start + stsd.headerSize + 8;
      const entry = children(buf, entryStart, stsd.start + stsd.size)[0];
      if (entry && sb.length >= 8) {
        format = entry.type;
        const eb = body(buf, entry);
        if (handler === 'vide' && eb.length >= 78) {
          width = eb.readUInt16BE(24);
          height = eb.readUInt16BE(26);
          const inner = children(buf, entry.start + entry.headerSize + 78, entry.start + entry.size);
          const avcC = inner.find((b) => b.type === 'avcC');
          const hvcC = inner.find((b) => b.type === 'hvcC');
          if (avcC) codec = avcCodecString(format, body(buf, avcC));
          else if (hvcC) codec = hevcCodecString(format, body(buf, hvcC));
          else codec = format;
        } else if (handler === 'soun' && eb.length >= 28) {
          const inner = children(buf, entry.start + entry.headerSize + 28, entry.start + entry.size);
          const esds = inner.find((b) => b.type === 'esds');
          codec = format === 'mp4a' && esds ? aacCodecString(body(buf, esds)) : format === 'Opus' ? 'opus' : format;
        } else {
          codec = format;
        }
      }
    }
    const d = trex.get(id) ?? { dur: 0, size: 0, flags: 0 };
    tracks.push({
      id,
      handler,
      timescale,
      format,
      codec,
      width,
      height,
      defaultDuration: d.dur,
      defaultSize: d.size,
      defaultFlags: d.flags,
    });
  }
  return tracks;
}

// ---------------------------------------------------------------- moof

export interface TrafInfo {
  trackId: number;
  /** baseMediaDecodeTime from tfdt (0 when absent). */
  baseTime: number;
  /** Sum of the sample durations of this traf (track timescale). */
  duration: number;
  samples: number;
  /** The first sample is a sync sample (key frame). */
  keyframe: boolean;
}

const SAMPLE_NON_SYNC = 0x00010000;

/** Parse a moof box: per-track decode time, duration, sample count and key-frame flag. */
export function parseMoof(buf: Buffer, moof: BoxHeader, tracks: TrackInfo[] | null): TrafInfo[] {
  const out: TrafInfo[] = [];
  for (const traf of children(buf, moof.start + moof.headerSize, moof.start + moof.size)) {
    if (traf.type !== 'traf') continue;
    let trackId = 0;
    let defDur = 0;
    let defFlags = 0;
    let baseTime = 0;
    let duration = 0;
    let samples = 0;
    let keyframe = false;
    let firstTrun = true;
    for (const b of children(buf, traf.start + traf.headerSize, traf.start + traf.size)) {
      const d = body(buf, b);
      if (b.type === 'tfhd' && d.length >= 8) {
        const flags = d.readUInt32BE(0) & 0xffffff;
        trackId = d.readUInt32BE(4);
        const tr = tracks?.find((t) => t.id === trackId);
        defDur = tr?.defaultDuration ?? 0;
        defFlags = tr?.defaultFlags ?? 0;
        let p = 8;
        if (flags & 0x01) p += 8; // base data offset
        if (flags & 0x02) p += 4; // sample description index
        if (flags & 0x08) {
          defDur = d.readUInt32BE(p);
          p += 4;
        }
        if (flags & 0x10) p += 4; // default sample size
        if (flags & 0x20) defFlags = d.readUInt32BE(p);
      } else if (b.type === 'tfdt' && d.length >= 8) {
        baseTime = d[0] === 1 ? Number(d.readBigUInt64BE(4)) : d.readUInt32BE(4);
      } else if (b.type === 'trun' && d.length >= 8) {
        const flags = d.readUInt32BE(0) & 0xffffff;
        const count = d.readUInt32BE(4);
        let p = 8;
        if (flags & 0x01) p += 4; // data offset
        let firstFlags: number | null = null;
        if (flags & 0x04) {
          firstFlags = d.readUInt32BE(p);
          p += 4;
        }
        const per = (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0) + (flags & 0x400 ? 4 : 0) + (flags & 0x800 ? 4 : 0);
        for (let i = 0; i < count; i++) {
          let q = p + i * per;
          if (q + per > d.length) break;
          let sd = defDur;
          if (flags & 0x100) {
            sd = d.readUInt32BE(q);
            q += 4;
          }
          if (flags & 0x200) q += 4;
          let sf = i === 0 && firstFlags !== null ? firstFlags : defFlags;
          if (flags & 0x400) {
            const f = d.readUInt32BE(q);
            if (!(i === 0 && firstFlags !== null)) sf = f;
          }
          if (i === 0 && firstTrun) keyframe = (sf & SAMPLE_NON_SYNC) === 0;
          duration += sd;
        }
        samples += count;
        firstTrun = false;
      }
    }
    out.push({ trackId, baseTime, duration, samples, keyframe });
  }
  return out;
}

// ---------------------------------------------------------------- files

export interface FragmentInfo {
  /** Offset of the moof. */
  start: number;
  /** Offset just past its mdat. */
  end: number;
  trafs: TrafInfo[];
}

export interface Mp4Info {
  fileSize: number;
  /** Offset just past ftyp+moov (the init segment), 0 when there is no moov. */
  initEnd: number;
  tracks: TrackInfo[];
  video: TrackInfo | null;
  fragments: FragmentInfo[];
  /** Offset just past the last complete moof+mdat pair (or initEnd when none). */
  validEnd: number;
  /** True when bytes follow validEnd that are not a trailing mfra (an interrupted write). */
  truncated: boolean;
  /** Video decode time of the first sample and just past the last, in the video timescale. */
  startTicks: number;
  endTicks: number;
  /** (endTicks - startTicks) in milliseconds, not rounded. */
  durationMs: number;
}

type Reader = (pos: number, len: number) => Buffer;

function fdReader(fd: number): Reader {
  return (pos, len) => {
    const b = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = fs.readSync(fd, b, got, len - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return got === len ? b : b.subarray(0, got);
  };
}

/**
 * Walk a fragmented MP4 file: read ftyp/moov and every moof, skip mdat
 * payloads. Tolerates a torn tail (the last box incomplete) and reports where
 * the valid data ends.
 */
export function walkFile(file: string): Mp4Info {
  const fd = fs.openSync(file, 'r');
  try {
    return walkFd(fd, fs.fstatSync(fd).size);
  } finally {
    fs.closeSync(fd);
  }
}

export function walkFd(fd: number, fileSize: number): Mp4Info {
  return walk(fdReader(fd), fileSize);
}

/** Same as walkFile for data already in memory. */
export function walkBuffer(buf: Buffer): Mp4Info {
  return walk((pos, len) => buf.subarray(pos, Math.min(pos + len, buf.length)), buf.length);
}

function walk(readAt: Reader, fileSize: number): Mp4Info {
  let off = 0;
  let tracks: TrackInfo[] = [];
  let initEnd = 0;
  const fragments: FragmentInfo[] = [];
  let validEnd = 0;
  let pendingMoof: { start: number; trafs: TrafInfo[] } | null = null;
  let stoppedEarly = false;
  while (off + 8 <= fileSize) {
    const hb = readAt(off, 16);
    let h: BoxHeader | null;
    try {
      h = readHeader(hb, 0, Math.min(16, fileSize - off));
    } catch {
      h = null;
    }
    if (!h) {
      stoppedEarly = true;
      break;
    }
    if (hb.readUInt32BE(0) === 0) h.size = fileSize - off;
    const complete = off + h.size <= fileSize;
    if (!complete) {
      stoppedEarly = true;
      break;
    }
    if (h.type === 'moov' || h.type === 'moof') {
      if (h.size > 64 * 1024 * 1024) throw new Error(`${h.type} box of ${h.size} bytes is implausible`);
      const b = readAt(off, h.size);
      const local = { ...h, start: 0 };
      if (h.type === 'moov') {
        tracks = parseMoov(b, local);
        initEnd = off + h.size;
        validEnd = initEnd;
      } else {
        pendingMoof = { start: off, trafs: parseMoof(b, local, tracks) };
      }
    } else if (h.type === 'mdat') {
      if (pendingMoof) {
        fragments.push({ start: pendingMoof.start, end: off + h.size, trafs: pendingMoof.trafs });
        validEnd = off + h.size;
        pendingMoof = null;
      }
    } else if (!KNOWN_TOP.has(h.type)) {
      stoppedEarly = true;
      break;
    }
    off += h.size;
  }
  if (off < fileSize) stoppedEarly = true;
  // Anything after validEnd other than complete mfra/free boxes means the write was cut.
  let truncated = false;
  if (validEnd < fileSize) {
    if (stoppedEarly) truncated = true;
    else {
      let p = validEnd;
      while (p + 8 <= fileSize) {
        const hh = readHeader(readAt(p, 16), 0, Math.min(16, fileSize - p));
        if (!hh || !TAIL_OK.has(hh.type) || p + hh.size > fileSize) break;
        p += hh.size;
      }
      truncated = p !== fileSize;
    }
  }
  const video = tracks.find((t) => t.handler === 'vide') ?? null;
  let startTicks = 0;
  let endTicks = 0;
  if (video) {
    let first = true;
    for (const f of fragments) {
      for (const t of f.trafs) {
        if (t.trackId !== video.id || t.samples === 0) continue;
        if (first) {
          startTicks = t.baseTime;
          first = false;
        }
        endTicks = Math.max(endTicks, t.baseTime + t.duration);
      }
    }
  }
  const durationMs = video && video.timescale > 0 ? ((endTicks - startTicks) * 1000) / video.timescale : 0;
  return { fileSize, initEnd, tracks, video, fragments, validEnd, truncated, startTicks, endTicks, durationMs };
}

const KNOWN_TOP = new Set(['ftyp', 'styp', 'free', 'skip', 'sidx', 'uuid', 'mfra', 'meta', 'emsg', 'prft']);
const TAIL_OK = new Set(['mfra', 'free', 'skip']);

/**
 * Salvage a torn fragmented MP4 in place: truncate after the last complete
 * moof+mdat and fsync. Returns the walk of the result, or null when not even
 * one complete fragment survived (the file is then left alone).
 */
export function salvageFile(file: string): { info: Mp4Info; cutBytes: number } | null {
  const fd = fs.openSync(file, 'r+');
  try {
    const size = fs.fstatSync(fd).size;
    const info = walkFd(fd, size);
    if (!info.initEnd || info.fragments.length === 0) return null;
    let cut = 0;
    if (info.truncated) {
      cut = size - info.validEnd;
      fs.ftruncateSync(fd, info.validEnd);
      fs.fsyncSync(fd);
      return { info: { ...info, fileSize: info.validEnd, truncated: false }, cutBytes: cut };
    }
    return { info, cutBytes: 0 };
  } finally {
    fs.closeSync(fd);
  }
}
