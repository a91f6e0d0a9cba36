/**
 * Reading a recorded fragmented-MP4 segment down to its samples: for every
 * track, the sample entry (from the init's stsd) and a table of every
 * sample's decode time, duration, size, file offset, composition offset and
 * key-frame flag (from the moof/traf/trun boxes). Sample data (mdat) is
 * never read here: the writer copies it later in large sequential reads.
 *
 * Tolerant like the recorder's box walker (media/boxes.ts): a torn tail (a
 * salvaged or interrupted last fragment) ends the table at the last complete
 * moof+mdat; a fragment whose samples point outside its mdat ends it too.
 *
 * Layout reference: ISO/IEC 14496-12 §8.8 (movie fragments).
 */
import fs from 'node:fs';
import { children, parseMoov, path as boxPath, readHeader, type BoxHeader, type TrackInfo } from '../media/boxes.js';

/** Growable typed columns of one track's samples. */
export class SampleTable {
  count = 0;
  /** Decode time in the track timescale. */
  dts = new Float64Array(256);
  dur = new Uint32Array(256);
  size = new Uint32Array(256);
  /** Absolute offset of the sample's first byte in its file. */
  offset = new Float64Array(256);
  /** Composition offset (pts - dts) in the track timescale. */
  cto = new Int32Array(256);
  sync = new Uint8Array(256);

  push(dts: number, dur: number, size: number, offset: number, cto: number, sync: boolean): void {
    if (this.count === this.dts.length) this.grow();
    const i = this.count++;
    this.dts[i] = dts;
    this.dur[i] = dur;
    this.size[i] = size;
    this.offset[i] = offset;
    this.cto[i] = cto;
    this.sync[i] = sync ? 1 : 0;
  }

  private grow(): void {
    const n = this.dts.length * 2;
    const g = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(n);
      b.set(a);
      return b;
    };
    this.dts = g(this.dts, Float64Array);
    this.dur = g(this.dur, Uint32Array);
    this.size = g(this.size, Uint32Array);
    this.offset = g(this.offset, Float64Array);
    this.cto = g(this.cto, Int32Array);
    this.sync = g(this.sync, Uint8Array);
  }
}

export interface TrackMedia {
  info: TrackInfo;
  /** The whole first sample entry box of the track's stsd (e.g. the `avc1` box with its avcC). */
  sampleEntry: Buffer;
  samples: SampleTable;
}

export interface SegmentMedia {
  file: string;
  fileSize: number;
  /** Offset just past the last complete moof+mdat that was used. */
  validEnd: number;
  /** Bytes after validEnd that are not a clean tail (an interrupted write): they are ignored. */
  truncated: boolean;
  tracks: TrackMedia[];
  video: TrackMedia | null;
  /** The first AAC (or other `soun`) track, if any. */
  audio: TrackMedia | null;
}

const SAMPLE_NON_SYNC = 0x00010000;
const MAX_META_BOX = 64 * 1024 * 1024;
const KNOWN_TOP = new Set(['ftyp', 'styp', 'free', 'skip', 'sidx', 'uuid', 'mfra', 'meta', 'emsg', 'prft']);

function readAt(fd: number, pos: number, len: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, b, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got === len ? b : b.subarray(0, got);
}

function sampleEntryOf(moov: Buffer, moovBox: BoxHeader, trackId: number): Buffer | null {
  for (const trak of children(moov, moovBox.headerSize, moovBox.size)) {
    if (trak.type !== 'trak') continue;
    const tkhd = children(moov, trak.start + trak.headerSize, trak.start + trak.size).find((b) => b.type === 'tkhd');
    if (!tkhd) continue;
    const v = moov[tkhd.start + tkhd.headerSize]!;
    const id = moov.readUInt32BE(tkhd.start + tkhd.headerSize + (v === 1 ? 20 : 12));
    if (id !== trackId) continue;
    const stsd = boxPath(moov, trak, ['mdia', 'minf', 'stbl', 'stsd']);
    if (!stsd) return null;
    const entry = children(moov, stsd.start + stsd.headerSize + 8, stsd.start + stsd.size)[0];
    return entry ? Buffer.from(moov.subarray(entry.start, entry.start + entry.size)) : null;
  }
  return null;
}

interface TrafDefaults {
  dur: number;
  size: number;
  flags: number;
}

/**
 * Parse one moof (already in memory, `moofStart` its file offset) and push its
 * samples. Returns false (and pushes nothing) if a sample lies outside
 * [dataStart, dataEnd), the payload of the mdat that follows it.
 */
function parseFragment(
  moof: Buffer,
  moofStart: number,
  dataStart: number,
  dataEnd: number,
  tracks: Map<number, TrackMedia>,
  nextDts: Map<number, number>,
): boolean {
  const pending: { t: TrackMedia; rows: [number, number, number, number, number, boolean][]; end: number }[] = [];
  const top = readHeader(moof, 0)!;
  for (const traf of children(moof, top.headerSize, top.size)) {
    if (traf.type !== 'traf') continue;
    const kids = children(moof, traf.start + traf.headerSize, traf.start + traf.size);
    const tfhd = kids.find((k) => k.type === 'tfhd');
    if (!tfhd) continue;
    const h = tfhd.start + tfhd.headerSize;
    const tfFlags = moof.readUInt32BE(h) & 0xffffff;
    const trackId = moof.readUInt32BE(h + 4);
    const t = tracks.get(trackId);
    if (!t) continue;
    const def: TrafDefaults = { dur: t.info.defaultDuration, size: t.info.defaultSize, flags: t.info.defaultFlags };
    let p = h + 8;
    let base = moofStart; // default-base-is-moof, and the first traf's implicit base
    if (tfFlags & 0x01) {
      base = Number(moof.readBigUInt64BE(p));
      p += 8;
    }
    if (tfFlags & 0x02) p += 4;
    if (tfFlags & 0x08) {
      def.dur = moof.readUInt32BE(p);
      p += 4;
    }
    if (tfFlags & 0x10) {
      def.size = moof.readUInt32BE(p);
      p += 4;
    }
    if (tfFlags & 0x20) def.flags = moof.readUInt32BE(p);
    let dts = nextDts.get(trackId) ?? 0;
    const tfdt = kids.find((k) => k.type === 'tfdt');
    if (tfdt) {
      const q = tfdt.start + tfdt.headerSize;
      dts = moof[q] === 1 ? Number(moof.readBigUInt64BE(q + 4)) : moof.readUInt32BE(q + 4);
    }
    const rows: [number, number, number, number, number, boolean][] = [];
    let dataPos = base;
    for (const trun of kids) {
      if (trun.type !== 'trun') continue;
      const q0 = trun.start + trun.headerSize;
      const version = moof[q0]!;
      const flags = moof.readUInt32BE(q0) & 0xffffff;
      const count = moof.readUInt32BE(q0 + 4);
      let q = q0 + 8;
      if (flags & 0x01) {
        dataPos = base + moof.readInt32BE(q);
        q += 4;
      }
      let firstFlags: number | null = null;
      if (flags & 0x04) {
        firstFlags = moof.readUInt32BE(q);
        q += 4;
      }
      const end = trun.start + trun.size;
      for (let i = 0; i < count; i++) {
        let dur = def.dur;
        let size = def.size;
        let sf = i === 0 && firstFlags !== null ? firstFlags : def.flags;
        let cto = 0;
        if (flags & 0x100) {
          if (q + 4 > end) return false;
          dur = moof.readUInt32BE(q);
          q += 4;
        }
        if (flags & 0x200) {
          if (q + 4 > end) return false;
          size = moof.readUInt32BE(q);
          q += 4;
        }
        if (flags & 0x400) {
          if (q + 4 > end) return false;
          const f = moof.readUInt32BE(q);
          q += 4;
          if (!(i === 0 && firstFlags !== null)) sf = f;
        }
        if (flags & 0x800) {
          if (q + 4 > end) return false;
          cto = version === 0 ? moof.readUInt32BE(q) : moof.readInt32BE(q);
          q += 4;
        }
        if (dataPos < dataStart || dataPos + size > dataEnd) return false;
        const sync = t.info.handler !== 'vide' || (sf & SAMPLE_NON_SYNC) === 0;
        rows.push([dts, dur, size, dataPos, cto, sync]);
        dts += dur;
        dataPos += size;
      }
    }
    pending.push({ t, rows, end: dts });
  }
  for (const { t, rows, end } of pending) {
    for (const r of rows) t.samples.push(r[0], r[1], r[2], r[3], r[4], r[5]);
    nextDts.set(t.info.id, end);
  }
  return true;
}

/** Read the init and every complete fragment of a segment file. Throws when the file has no usable init. */
export function readSegmentMedia(file: string): SegmentMedia {
  const fd = fs.openSync(file, 'r');
  try {
    return readSegmentFd(fd, fs.fstatSync(fd).size, file);
  } finally {
    fs.closeSync(fd);
  }
}

export function readSegmentFd(fd: number, fileSize: number, file = '(fd)'): SegmentMedia {
  let off = 0;
  const tracks = new Map<number, TrackMedia>();
  const nextDts = new Map<number, number>();
  let haveInit = false;
  let validEnd = 0;
  let pendingMoof: { start: number; buf: Buffer } | null = null;
  let stoppedEarly = false;
  while (off + 8 <= fileSize) {
    const hb = readAt(fd, off, Math.min(16, fileSize - off));
    let h: BoxHeader | null;
    try {
      h = readHeader(hb, 0, hb.length);
    } catch {
      h = null;
    }
    if (!h || (hb.readUInt32BE(0) === 0 && h.type !== 'mdat')) {
      stoppedEarly = true;
      break;
    }
    if (hb.readUInt32BE(0) === 0) h.size = fileSize - off;
    if (off + h.size > fileSize) {
      stoppedEarly = true;
      break;
    }
    if (h.type === 'moov' || h.type === 'moof') {
      if (h.size > MAX_META_BOX) throw new Error(`${file}: ${h.type} box of ${h.size} bytes is implausible`);
      const b = readAt(fd, off, h.size);
      if (h.type === 'moov') {
        const local = { ...h, start: 0 };
        for (const info of parseMoov(b, local)) {
          const entry = sampleEntryOf(b, local, info.id);
          if (!entry || info.timescale <= 0) continue;
          tracks.set(info.id, { info, sampleEntry: entry, samples: new SampleTable() });
        }
        haveInit = true;
        validEnd = off + h.size;
      } else {
        pendingMoof = { start: off, buf: b };
      }
    } else if (h.type === 'mdat') {
      if (pendingMoof) {
        const ok = parseFragment(pendingMoof.buf, pendingMoof.start, off + h.headerSize, off + h.size, tracks, nextDts);
        pendingMoof = null;
        if (!ok) {
          stoppedEarly = true;
          break;
        }
        validEnd = off + h.size;
      }
    } else if (!KNOWN_TOP.has(h.type)) {
      stoppedEarly = true;
      break;
    }
    off += h.size;
  }
  if (!haveInit) throw new Error(`${file}: no init segment (ftyp+moov) found; not a recorded segment`);
  const list = [...tracks.values()];
  const video = list.find((t) => t.info.handler === 'vide' && t.samples.count > 0) ?? null;
  const audio = list.find((t) => t.info.handler === 'soun' && t.samples.count > 0) ?? null;
  const truncated = stoppedEarly || pendingMoof !== null;
  return { file, fileSize, validEnd, truncated, tracks: list, video, audio };
}
