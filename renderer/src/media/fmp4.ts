/**
 * Just enough ISO-BMFF reading for playback of recorded fragmented MP4 in
 * the browser: the video track's timescale and codec string from the init
 * segment, and the decode time each media fragment starts at. With those
 * the player places every recorded segment at its wall-clock position in
 * one MSE timeline, whatever timestamps the file itself starts from.
 */

export interface Box {
  type: string;
  /** Offset of the box header in the buffer. */
  start: number;
  /** Offset of the payload. */
  body: number;
  /** Offset just past the box. */
  end: number;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'traf', 'mvex', 'edts', 'dinf']);

function fourcc(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);
}

/** Boxes directly inside [from, to). Stops at a truncated or malformed box. */
export function children(b: Uint8Array, from = 0, to = b.length): Box[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Box[] = [];
  let o = from;
  while (o + 8 <= to) {
    let size = dv.getUint32(o);
    let header = 8;
    if (size === 1) {
      if (o + 16 > to) break;
      size = Number(dv.getBigUint64(o + 8));
      header = 16;
    } else if (size === 0) size = to - o;
    if (size < header || o + size > to) break;
    out.push({ type: fourcc(b, o + 4), start: o, body: o + header, end: o + size });
    o += size;
  }
  return out;
}

/** Depth-first search for boxes of `type` through the usual containers. */
export function find(b: Uint8Array, type: string, from = 0, to = b.length): Box[] {
  const out: Box[] = [];
  for (const bx of children(b, from, to)) {
    if (bx.type === type) out.push(bx);
    if (CONTAINERS.has(bx.type)) out.push(...find(b, type, bx.body, bx.end));
    else if (bx.type === 'stsd') out.push(...find(b, type, bx.body + 8, bx.end));
  }
  return out;
}

export interface TrackMeta {
  trackId: number;
  handler: string;
  timescale: number;
  /** MSE codec string, e.g. "avc1.4d401e" or "hvc1.1.6.L93.B0". */
  codec: string | null;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Tracks described by a moov box (init segment or whole file). */
export function tracks(b: Uint8Array): TrackMeta[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: TrackMeta[] = [];
  for (const trak of find(b, 'trak')) {
    const tkhd = find(b, 'tkhd', trak.body, trak.end)[0];
    const mdhd = find(b, 'mdhd', trak.body, trak.end)[0];
    const hdlr = find(b, 'hdlr', trak.body, trak.end)[0];
    if (!tkhd || !mdhd || !hdlr) continue;
    const tv = b[tkhd.body]!;
    const trackId = dv.getUint32(tkhd.body + (tv === 1 ? 20 : 12));
    const mv = b[mdhd.body]!;
    const timescale = dv.getUint32(mdhd.body + (mv === 1 ? 20 : 12));
    const handler = fourcc(b, hdlr.body + 8);
    let codec: string | null = null;
    const stsd = find(b, 'stsd', trak.body, trak.end)[0];
    if (stsd) {
      const entry = children(b, stsd.body + 8, stsd.end)[0];
      if (entry) {
        // Visual sample entry: 8 bytes SampleEntry + 70 bytes VisualSampleEntry before child boxes.
        const inner = children(b, entry.body + 78, entry.end);
        const avcC = inner.find((x) => x.type === 'avcC');
        const hvcC = inner.find((x) => x.type === 'hvcC');
        if (avcC) codec = `${entry.type}.${hex2(b[avcC.body + 1]!)}${hex2(b[avcC.body + 2]!)}${hex2(b[avcC.body + 3]!)}`;
        else if (hvcC) codec = hevcCodec(entry.type, b, hvcC.body);
        else codec = entry.type;
      }
    }
    out.push({ trackId, handler, timescale, codec });
  }
  return out;
}

function hevcCodec(kind: string, b: Uint8Array, o: number): string {
  const profileByte = b[o + 1]!;
  const space = ['', 'A', 'B', 'C'][profileByte >> 6] ?? '';
  const tier = (profileByte >> 5) & 1 ? 'H' : 'L';
  const idc = profileByte & 0x1f;
  let compat = 0;
  for (let i = 0; i < 4; i++) compat = (compat << 8) | b[o + 2 + i]!;
  // The compatibility flags are written bit-reversed.
  let rev = 0;
  for (let i = 0; i < 32; i++) if (compat & (1 << i)) rev |= 1 << (31 - i);
  const level = b[o + 12]!;
  return `${kind}.${space}${idc}.${(rev >>> 0).toString(16)}.${tier}${level}.B0`;
}

/** Decode time (in track timescale units) of the first fragment for `trackId`, or null. */
export function firstDecodeTime(b: Uint8Array, trackId?: number): number | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (const traf of find(b, 'traf')) {
    const tfhd = find(b, 'tfhd', traf.body, traf.end)[0];
    const tfdt = find(b, 'tfdt', traf.body, traf.end)[0];
    if (!tfhd || !tfdt) continue;
    if (trackId !== undefined && dv.getUint32(tfhd.body + 4) !== trackId) continue;
    const v = b[tfdt.body]!;
    return v === 1 ? Number(dv.getBigUint64(tfdt.body + 4)) : dv.getUint32(tfdt.body + 4);
  }
  return null;
}

export interface SegmentMeta {
  /** The video track, if the buffer holds an init segment. */
  video: TrackMeta | null;
  /** Seconds at which the first media fragment starts, in the file's own timeline. */
  firstTime: number | null;
  /** The buffer holds an init segment (ftyp/moov). */
  hasInit: boolean;
  /** The buffer holds at least one media fragment. */
  hasMedia: boolean;
}

/**
 * Read a recorded segment (or an init segment plus fragments). `known`
 * supplies the track when the buffer holds media only.
 */
export function segmentMeta(b: Uint8Array, known: TrackMeta | null = null): SegmentMeta {
  const top = children(b);
  const hasInit = top.some((x) => x.type === 'moov');
  const video = hasInit ? (tracks(b).find((t) => t.handler === 'vide') ?? null) : known;
  const hasMedia = top.some((x) => x.type === 'moof');
  const ts = video?.timescale ?? null;
  const dt = hasMedia ? firstDecodeTime(b, video?.trackId) : null;
  return { video, firstTime: dt !== null && ts ? dt / ts : null, hasInit, hasMedia };
}
