/**
 * Synthetic recorded segments for the export unit tests (no ffmpeg): a
 * fragmented MP4 laid out as ffmpeg's segment muxer writes it (ftyp, moov with
 * trex, then one moof+mdat per GOP, tfhd default-base-is-moof, tfdt, trun
 * with per-sample duration/size/flags/composition offset), with a video
 * track and optionally an AAC-like audio track interleaved in each mdat.
 *
 * Every sample's payload is its own recognisable pattern (track, file tag,
 * index), so a test can check that each sample in an output lands exactly
 * where the output's chunk offsets say.
 */
export function box(type: string, ...parts: Buffer[]): Buffer {
  const len = 8 + parts.reduce((a, p) => a + p.length, 0);
  const h = Buffer.alloc(8);
  h.writeUInt32BE(len, 0);
  h.write(type, 4, 'latin1');
  return Buffer.concat([h, ...parts]);
}

export function u32s(...v: number[]): Buffer {
  const b = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => b.writeUInt32BE(x >>> 0, i * 4));
  return b;
}

export interface SynthVideo {
  timescale?: number;
  width?: number;
  height?: number;
  /** avcC profile/compat/level; change it to simulate new stream parameters. */
  avc?: [number, number, number];
}

function trak(id: number, handler: 'vide' | 'soun', timescale: number, entry: Buffer): Buffer {
  const tkhdBody = Buffer.alloc(84);
  tkhdBody.writeUInt32BE(3, 0);
  tkhdBody.writeUInt32BE(id, 12);
  const mdhdBody = Buffer.alloc(24);
  mdhdBody.writeUInt32BE(timescale, 12);
  const hdlr = box('hdlr', Buffer.alloc(8), Buffer.from(handler, 'latin1'), Buffer.alloc(12), Buffer.from('H\0', 'latin1'));
  const stbl = box('stbl', box('stsd', u32s(0, 1), entry), box('stts', u32s(0, 0)), box('stsc', u32s(0, 0)), box('stsz', u32s(0, 0, 0)), box('stco', u32s(0, 0)));
  const minf = box('minf', handler === 'vide' ? box('vmhd', u32s(1, 0, 0)) : box('smhd', u32s(0, 0)), box('dinf', box('dref', u32s(0, 0))), stbl);
  return box('trak', box('tkhd', tkhdBody), box('mdia', box('mdhd', mdhdBody), hdlr, minf));
}

export function initSegment(v: SynthVideo = {}, audio: { timescale: number } | null = null): Buffer {
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32s(512), Buffer.from('isomiso6mp41', 'latin1'));
  const entry = Buffer.alloc(78);
  entry.writeUInt16BE(1, 6);
  entry.writeUInt16BE(v.width ?? 640, 24);
  entry.writeUInt16BE(v.height ?? 360, 26);
  entry.writeUInt16BE(0x18, 74);
  entry.writeInt16BE(-1, 76);
  const [p, c, l] = v.avc ?? [0x4d, 0x40, 0x1e];
  const avc1 = box('avc1', entry, box('avcC', Buffer.from([1, p, c, l, 0xff, 0xe0, 0x00])));
  const traks = [trak(1, 'vide', v.timescale ?? 90000, avc1)];
  const trex = [box('trex', u32s(0, 1, 1, 0, 0, 0x00010000))];
  if (audio) {
    const ae = Buffer.alloc(28);
    ae.writeUInt16BE(1, 6);
    ae.writeUInt16BE(1, 16); // channels
    ae.writeUInt16BE(16, 18);
    ae.writeUInt32BE(audio.timescale * 65536, 24);
    // esds: ES_Descriptor → DecoderConfig (0x40 AAC) → DecSpecificInfo (AOT 2)
    const esds = box('esds', u32s(0), Buffer.from([0x03, 0x19, 0, 1, 0, 0x04, 0x11, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x02, 0x14, 0x08, 0x06, 0x01, 0x02]));
    traks.push(trak(2, 'soun', audio.timescale, box('mp4a', ae, esds)));
    trex.push(box('trex', u32s(0, 2, 1, 0, 0, 0)));
  }
  return Buffer.concat([ftyp, box('moov', box('mvhd', Buffer.alloc(100)), ...traks, box('mvex', ...trex))]);
}

export interface SynthSample {
  duration: number;
  size: number;
  key?: boolean;
  /** Composition offset (B-frames). */
  cto?: number;
}

/** The pattern every payload byte of a sample is filled with: easy to recognise in an output. */
export function samplePayload(tag: number, track: number, index: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (tag * 31 + track * 7 + index * 13 + i) & 0xff;
  return b;
}

/** One moof+mdat: video samples then audio samples in the mdat, as ffmpeg interleaves them. */
export function fragment(seq: number, tag: number, video: { base: number; first: number; samples: SynthSample[] }, audio: { base: number; first: number; samples: SynthSample[] } | null): Buffer {
  const vFlags = 0x000001 | 0x000004 | 0x000100 | 0x000200 | 0x000800;
  const build = (vOff: number, aOff: number) => {
    const vEntries = video.samples.flatMap((s) => [s.duration, s.size, s.cto ?? 0]);
    const first = video.samples[0]?.key ? 0x02000000 : 0x01010000;
    const trafs = [
      box('traf', box('tfhd', u32s(0x020000, 1)), box('tfdt', u32s(0x01000000, 0, video.base)), box('trun', u32s(vFlags, video.samples.length, vOff, first), u32s(...vEntries))),
    ];
    if (audio) {
      const aEntries = audio.samples.flatMap((s) => [s.duration, s.size]);
      trafs.push(box('traf', box('tfhd', u32s(0x020000, 2)), box('tfdt', u32s(0x01000000, 0, audio.base)), box('trun', u32s(0x000001 | 0x000100 | 0x000200, audio.samples.length, aOff), u32s(...aEntries))));
    }
    return box('moof', box('mfhd', u32s(0, seq)), ...trafs);
  };
  const probe = build(0, 0);
  const vBytes = video.samples.reduce((a, s) => a + s.size, 0);
  const moof = build(probe.length + 8, probe.length + 8 + vBytes);
  const payload = [
    ...video.samples.map((s, i) => samplePayload(tag, 1, video.first + i, s.size)),
    ...(audio ? audio.samples.map((s, i) => samplePayload(tag, 2, audio.first + i, s.size)) : []),
  ];
  return Buffer.concat([moof, box('mdat', ...payload)]);
}

export interface SynthSegmentOptions {
  /** File tag for the payload pattern. */
  tag: number;
  gops: number;
  framesPerGop?: number;
  /** Video frame duration in ticks (default 3600 at 90 kHz = 25 fps). */
  frameTicks?: number;
  video?: SynthVideo;
  /** Audio: AAC frames of 1024 ticks at this sample rate. */
  audioRate?: number;
  /** Composition offsets per frame within a GOP (B-frame pattern), e.g. [3600, 10800, 0, 3600...]. */
  cto?: (i: number) => number;
  sizeOf?: (gop: number, i: number) => number;
}

/** A whole segment: init + `gops` fragments of one GOP each (tfdt from 0, as the recorder's files). */
export function synthSegment(o: SynthSegmentOptions): Buffer {
  const fpg = o.framesPerGop ?? 10;
  const ft = o.frameTicks ?? 3600;
  const vts = o.video?.timescale ?? 90000;
  const parts = [initSegment(o.video, o.audioRate ? { timescale: o.audioRate } : null)];
  let aBase = 0;
  let aIndex = 0;
  for (let g = 0; g < o.gops; g++) {
    const samples = Array.from({ length: fpg }, (_, i) => ({ duration: ft, size: o.sizeOf ? o.sizeOf(g, i) : 200 + ((g * fpg + i) % 50), key: i === 0, cto: o.cto ? o.cto(i) : 0 }));
    let audio: { base: number; first: number; samples: SynthSample[] } | null = null;
    if (o.audioRate) {
      const gopEnd = ((g + 1) * fpg * ft * o.audioRate) / vts;
      const a: SynthSample[] = [];
      const start = aBase;
      while (aBase < gopEnd) {
        a.push({ duration: 1024, size: 40 });
        aBase += 1024;
      }
      audio = { base: start, first: aIndex, samples: a };
      aIndex += a.length;
    }
    parts.push(fragment(g + 1, o.tag, { base: g * fpg * ft, first: g * fpg, samples }, audio));
  }
  return Buffer.concat(parts);
}
