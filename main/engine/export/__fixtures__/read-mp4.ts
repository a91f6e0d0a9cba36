/**
 * A test-side reader for progressive MP4 files (independent of the writer):
 * the top-level box order and, per track, the sample tables expanded to one
 * row per sample (duration, size, absolute offset, sync, composition offset).
 */
import fs from 'node:fs';

interface Box {
  type: string;
  start: number;
  size: number;
  header: number;
}

function boxes(buf: Buffer, start: number, end: number): Box[] {
  const out: Box[] = [];
  let off = start;
  while (off + 8 <= end) {
    let size = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(off + 8));
      header = 16;
    } else if (size === 0) size = end - off;
    out.push({ type, start: off, size, header });
    off += size;
  }
  return out;
}
const kids = (buf: Buffer, b: Box) => boxes(buf, b.start + b.header, b.start + b.size);
const find = (buf: Buffer, b: Box, ...path: string[]): Box | undefined => {
  let cur: Box | undefined = b;
  for (const p of path) cur = cur && kids(buf, cur).find((k) => k.type === p);
  return cur;
};
const body = (buf: Buffer, b: Box) => buf.subarray(b.start + b.header, b.start + b.size);

export interface ReadTrack {
  handler: string;
  timescale: number;
  duration: number;
  sampleEntry: string;
  count: number;
  dur: number[];
  size: number[];
  offset: number[];
  sync: boolean[];
  cto: number[];
  /** stss present. */
  hasStss: boolean;
  chunkBox: 'stco' | 'co64';
  elst: { duration: number; mediaTime: number }[] | null;
  width: number;
  height: number;
}

export interface ReadMp4 {
  top: { type: string; start: number; size: number; header: number }[];
  movieTimescale: number;
  movieDuration: number;
  tracks: ReadTrack[];
}

/** Only the leading `headBytes` are read for the boxes; mdat is not loaded unless `file` is small. */
export function readMp4(file: string): ReadMp4 {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    // top level: read headers one by one
    const top: Box[] = [];
    let off = 0;
    const hb = Buffer.alloc(16);
    while (off + 8 <= size) {
      fs.readSync(fd, hb, 0, 16, off);
      let s = hb.readUInt32BE(0);
      let header = 8;
      if (s === 1) {
        s = Number(hb.readBigUInt64BE(8));
        header = 16;
      } else if (s === 0) s = size - off;
      top.push({ type: hb.toString('latin1', 4, 8), start: off, size: s, header });
      off += s;
    }
    const moovBox = top.find((b) => b.type === 'moov');
    if (!moovBox) throw new Error('no moov');
    const buf = Buffer.alloc(moovBox.size);
    fs.readSync(fd, buf, 0, moovBox.size, moovBox.start);
    const moov: Box = { ...moovBox, start: 0 };
    const mvhd = body(buf, find(buf, moov, 'mvhd')!);
    const v1 = mvhd[0] === 1;
    const movieTimescale = v1 ? mvhd.readUInt32BE(20) : mvhd.readUInt32BE(12);
    const movieDuration = v1 ? Number(mvhd.readBigUInt64BE(24)) : mvhd.readUInt32BE(16);
    const tracks: ReadTrack[] = [];
    for (const trak of kids(buf, moov).filter((k) => k.type === 'trak')) {
      const mdhd = body(buf, find(buf, trak, 'mdia', 'mdhd')!);
      const mv1 = mdhd[0] === 1;
      const timescale = mv1 ? mdhd.readUInt32BE(20) : mdhd.readUInt32BE(12);
      const duration = mv1 ? Number(mdhd.readBigUInt64BE(24)) : mdhd.readUInt32BE(16);
      const handler = body(buf, find(buf, trak, 'mdia', 'hdlr')!).toString('latin1', 8, 12);
      const stbl = find(buf, trak, 'mdia', 'minf', 'stbl')!;
      const stsd = find(buf, stbl, 'stsd')!;
      const entry = boxes(buf, stsd.start + stsd.header + 8, stsd.start + stsd.size)[0]!;
      const tk = body(buf, find(buf, trak, 'tkhd')!);
      const tkOff = tk[0] === 1 ? 88 : 76;
      const dur: number[] = [];
      const stts = body(buf, find(buf, stbl, 'stts')!);
      for (let i = 0, n = stts.readUInt32BE(4); i < n; i++) for (let k = 0; k < stts.readUInt32BE(8 + i * 8); k++) dur.push(stts.readUInt32BE(12 + i * 8));
      const stsz = body(buf, find(buf, stbl, 'stsz')!);
      const count = stsz.readUInt32BE(8);
      const size0 = stsz.readUInt32BE(4);
      const sizes: number[] = [];
      for (let i = 0; i < count; i++) sizes.push(size0 || stsz.readUInt32BE(12 + i * 4));
      const stssB = find(buf, stbl, 'stss');
      const sync = new Array<boolean>(count).fill(!stssB);
      if (stssB) {
        const s = body(buf, stssB);
        for (let i = 0, n = s.readUInt32BE(4); i < n; i++) sync[s.readUInt32BE(8 + i * 4) - 1] = true;
      }
      const cto = new Array<number>(count).fill(0);
      const cttsB = find(buf, stbl, 'ctts');
      if (cttsB) {
        const c = body(buf, cttsB);
        let idx = 0;
        for (let i = 0, n = c.readUInt32BE(4); i < n; i++) {
          const v = c[0] === 1 ? c.readInt32BE(12 + i * 8) : c.readUInt32BE(12 + i * 8);
          for (let k = 0; k < c.readUInt32BE(8 + i * 8); k++) cto[idx++] = v;
        }
      }
      const co = find(buf, stbl, 'stco') ?? find(buf, stbl, 'co64')!;
      const cb = body(buf, co);
      const chunks: number[] = [];
      for (let i = 0, n = cb.readUInt32BE(4); i < n; i++) chunks.push(co.type === 'co64' ? Number(cb.readBigUInt64BE(8 + i * 8)) : cb.readUInt32BE(8 + i * 4));
      const stsc = body(buf, find(buf, stbl, 'stsc')!);
      const sc: { first: number; n: number }[] = [];
      for (let i = 0, n = stsc.readUInt32BE(4); i < n; i++) sc.push({ first: stsc.readUInt32BE(8 + i * 12), n: stsc.readUInt32BE(12 + i * 12) });
      const offset: number[] = [];
      let si = 0;
      for (let c = 0; c < chunks.length; c++) {
        const e = [...sc].reverse().find((x) => x.first <= c + 1)!;
        let pos = chunks[c]!;
        for (let k = 0; k < e.n; k++) {
          offset.push(pos);
          pos += sizes[si++]!;
        }
      }
      let elst: ReadTrack['elst'] = null;
      const el = find(buf, trak, 'edts', 'elst');
      if (el) {
        const e = body(buf, el);
        elst = [];
        for (let i = 0, n = e.readUInt32BE(4); i < n; i++) {
          if (e[0] === 1) elst.push({ duration: Number(e.readBigUInt64BE(8 + i * 20)), mediaTime: Number(e.readBigInt64BE(16 + i * 20)) });
          else elst.push({ duration: e.readUInt32BE(8 + i * 12), mediaTime: e.readInt32BE(12 + i * 12) });
        }
      }
      tracks.push({
        handler,
        timescale,
        duration,
        sampleEntry: entry.type,
        count,
        dur,
        size: sizes,
        offset,
        sync,
        cto,
        hasStss: !!stssB,
        chunkBox: co.type as 'stco' | 'co64',
        elst,
        width: tk.readUInt32BE(tkOff) / 65536,
        height: tk.readUInt32BE(tkOff + 4) / 65536,
      });
    }
    return { top: top.map((b) => ({ ...b })), movieTimescale, movieDuration, tracks };
  } finally {
    fs.closeSync(fd);
  }
}
