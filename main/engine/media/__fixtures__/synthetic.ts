/**
 * Builds small synthetic fragmented MP4 files for unit tests (no ffmpeg
 * needed): ftyp, a moov with one H.264 video track (avcC, trex), then
 * moof+mdat pairs whose samples have the given durations and key flags.
 */
export function box(type: string, ...parts: Buffer[]): Buffer {
  const len = 8 + parts.reduce((a, p) => a + p.length, 0);
  const h = Buffer.alloc(8);
  h.writeUInt32BE(len, 0);
  h.write(type, 4, 'latin1');
  return Buffer.concat([h, ...parts]);
}

function u32s(...v: number[]): Buffer {
  const b = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => b.writeUInt32BE(x >>> 0, i * 4));
  return b;
}

export interface SynthOptions {
  timescale?: number;
  width?: number;
  height?: number;
  /** avcC profile, compatibility, level. */
  avc?: [number, number, number];
  withEdts?: boolean;
}

export function initSegment(o: SynthOptions = {}): Buffer {
  const ts = o.timescale ?? 90000;
  const [p, c, l] = o.avc ?? [0x4d, 0x40, 0x1e];
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32s(512), Buffer.from('isomiso6mp41', 'latin1'));
  const mvhd = box('mvhd', Buffer.alloc(100));
  const tkhdBody = Buffer.alloc(84);
  tkhdBody.writeUInt32BE(3, 0); // flags enabled|in movie
  tkhdBody.writeUInt32BE(1, 12); // track id
  const tkhd = box('tkhd', tkhdBody);
  const mdhdBody = Buffer.alloc(24);
  mdhdBody.writeUInt32BE(ts, 12);
  const mdhd = box('mdhd', mdhdBody);
  const hdlrBody = Buffer.concat([
    Buffer.alloc(8),
    Buffer.from('vide', 'latin1'),
    Buffer.alloc(12),
    Buffer.from('VideoHandler\0', 'latin1'),
  ]);
  const hdlr = box('hdlr', hdlrBody);
  const entry = Buffer.alloc(78);
  entry.writeUInt16BE(1, 6); // data reference index
  entry.writeUInt16BE(o.width ?? 640, 24);
  entry.writeUInt16BE(o.height ?? 360, 26);
  entry.writeUInt16BE(0x18, 74); // depth
  entry.writeInt16BE(-1, 76);
  const avcC = box('avcC', Buffer.from([1, p, c, l, 0xff, 0xe0, 0x00]));
  const stsd = box('stsd', u32s(0, 1), box('avc1', entry, avcC));
  const stbl = box('stbl', stsd, box('stts', u32s(0, 0)), box('stsc', u32s(0, 0)), box('stsz', u32s(0, 0, 0)), box('stco', u32s(0, 0)));
  const minf = box('minf', box('vmhd', u32s(1, 0, 0)), box('dinf', box('dref', u32s(0, 0))), stbl);
  const mdia = box('mdia', mdhd, hdlr, minf);
  const edts = o.withEdts ? [box('edts', box('elst', u32s(0, 1, 0, 1024, 0x00010000)))] : [];
  const trak = box('trak', tkhd, ...edts, mdia);
  const trex = box('trex', u32s(0, 1, 1, 0, 0, 0x00010000));
  const moov = box('moov', mvhd, trak, box('mvex', trex));
  return Buffer.concat([ftyp, moov]);
}

export interface SynthSample {
  duration: number;
  size: number;
  key: boolean;
}

/** One moof+mdat: per-sample duration and size, first-sample flags, moof-relative data offset. */
export function fragment(seq: number, baseTime: number, samples: SynthSample[], opts: { tfdtV0?: boolean } = {}): Buffer {
  const flags = 0x000001 | 0x000004 | 0x000100 | 0x000200; // data offset, first flags, durations, sizes
  const entries = samples.flatMap((s) => [s.duration, s.size]);
  const first = samples[0]?.key ? 0x02000000 : 0x01010000;
  const build = (dataOffset: number) => {
    const tfhd = box('tfhd', u32s(0x020000, 1));
    const tfdt = opts.tfdtV0 ? box('tfdt', u32s(0, baseTime)) : box('tfdt', u32s(0x01000000), bigU64(baseTime));
    const trun = box('trun', u32s(flags, samples.length, dataOffset, first, ...entries));
    return box('moof', box('mfhd', u32s(0, seq)), box('traf', tfhd, tfdt, trun));
  };
  const probe = build(0);
  const moof = build(probe.length + 8);
  const payload = Buffer.alloc(
    samples.reduce((a, s) => a + s.size, 0),
    0xab,
  );
  return Buffer.concat([moof, box('mdat', payload)]);
}

function bigU64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** A whole synthetic file: init + fragments of `perFragment` frames of `dur` ticks, GOP = one fragment. */
export function synthFile(fragments: number, perFragment = 10, dur = 9000, o: SynthOptions = {}): Buffer {
  const parts = [initSegment(o)];
  for (let i = 0; i < fragments; i++) {
    const samples = Array.from({ length: perFragment }, (_, k) => ({ duration: dur, size: 100 + k, key: k === 0 }));
    parts.push(fragment(i + 1, i * perFragment * dur, samples));
  }
  return Buffer.concat(parts);
}
