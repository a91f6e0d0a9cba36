/**
 * Builders for the boxes of a progressive (non-fragmented) MP4: ftyp, and a
 * moov whose sample tables (stts, ctts, stss, stsc, stsz, stco/co64) are
 * made from the typed columns of a planned clip. ISO/IEC 14496-12 §8.
 *
 * Every size is computed, nothing is patched afterwards, so the moov can be
 * built (and measured) before a single sample byte is written.
 */

export function box(type: string, ...parts: Buffer[]): Buffer {
  let len = 8;
  for (const p of parts) len += p.length;
  if (len > 0xffffffff) throw new Error(`box ${type} too large for a 32-bit size`);
  const h = Buffer.allocUnsafe(8);
  h.writeUInt32BE(len, 0);
  h.write(type, 4, 'latin1');
  return Buffer.concat([h, ...parts], len);
}

export function fullBox(type: string, version: number, flags: number, ...parts: Buffer[]): Buffer {
  const vf = Buffer.allocUnsafe(4);
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, vf, ...parts);
}

export function u32(...v: number[]): Buffer {
  const b = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) b.writeUInt32BE(v[i]! >>> 0, i * 4);
  return b;
}

/** Like u32 for a long list (no spread: a long argument list overflows the stack). */
export function u32a(v: ArrayLike<number>): Buffer {
  const b = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) b.writeUInt32BE(v[i]! >>> 0, i * 4);
  return b;
}

export function u64(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(BigInt(Math.round(n)), 0);
  return b;
}

/** Seconds between 1904-01-01 (MP4 epoch) and 1970-01-01. */
const MP4_EPOCH_OFFSET = 2082844800;
export function mp4Time(ms: number): number {
  return Math.max(0, Math.floor(ms / 1000) + MP4_EPOCH_OFFSET);
}

const MATRIX = u32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);
const big = (n: number) => n > 0xffffffff;

export function ftyp(brands: string[] = ['isom', 'iso2', 'avc1', 'mp41']): Buffer {
  return box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), Buffer.from(brands.join(''), 'latin1'));
}

/** The 8- or 16-byte header of an mdat holding `payload` bytes. */
export function mdatHeader(payload: number): Buffer {
  if (payload + 8 <= 0xffffffff) {
    const h = Buffer.allocUnsafe(8);
    h.writeUInt32BE(payload + 8, 0);
    h.write('mdat', 4, 'latin1');
    return h;
  }
  const h = Buffer.allocUnsafe(16);
  h.writeUInt32BE(1, 0);
  h.write('mdat', 4, 'latin1');
  h.writeBigUInt64BE(BigInt(payload + 16), 8);
  return h;
}

export function mvhd(timeMs: number, durationMs: number, nextTrackId: number): Buffer {
  const t = mp4Time(timeMs);
  const v1 = big(durationMs);
  const head = v1 ? Buffer.concat([u64(t), u64(t), u32(1000), u64(durationMs)]) : u32(t, t, 1000, durationMs);
  return fullBox('mvhd', v1 ? 1 : 0, 0, head, u32(0x00010000), Buffer.from([0x01, 0x00]), Buffer.alloc(10), MATRIX, Buffer.alloc(24), u32(nextTrackId));
}

export function tkhd(trackId: number, timeMs: number, durationMs: number, audio: boolean, width: number, height: number): Buffer {
  const t = mp4Time(timeMs);
  const v1 = big(durationMs);
  const head = v1 ? Buffer.concat([u64(t), u64(t), u32(trackId, 0), u64(durationMs)]) : u32(t, t, trackId, 0, durationMs);
  const rest = Buffer.alloc(8 + 2 + 2 + 2 + 2);
  // reserved(8) layer(2) alternate_group(2) volume(2) reserved(2)
  if (audio) rest.writeUInt16BE(0x0100, 12);
  return fullBox('tkhd', v1 ? 1 : 0, 0x3, head, rest, MATRIX, u32(audio ? 0 : width * 65536, audio ? 0 : height * 65536));
}

export function mdhd(timeMs: number, timescale: number, duration: number): Buffer {
  const t = mp4Time(timeMs);
  const v1 = big(duration);
  const head = v1 ? Buffer.concat([u64(t), u64(t), u32(timescale), u64(duration)]) : u32(t, t, timescale, duration);
  // language 'und' packed ISO-639-2/T, pre_defined 0
  return fullBox('mdhd', v1 ? 1 : 0, 0, head, Buffer.from([0x55, 0xc4, 0x00, 0x00]));
}

export function hdlr(handler: string, name: string): Buffer {
  return fullBox('hdlr', 0, 0, u32(0), Buffer.from(handler, 'latin1'), Buffer.alloc(12), Buffer.from(`${name}\0`, 'utf8'));
}

export function dinf(): Buffer {
  return box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
}

export function vmhd(): Buffer {
  return fullBox('vmhd', 0, 1, Buffer.alloc(8));
}

export function smhd(): Buffer {
  return fullBox('smhd', 0, 0, Buffer.alloc(4));
}

/**
 * An edit list. `emptyMs` > 0 first inserts an empty edit (the track starts
 * later than the movie); `mediaTime` is where in the media presentation
 * begins (e.g. the first composition offset with B-frames).
 */
export function edts(durationMs: number, mediaTime: number, emptyMs = 0): Buffer {
  const entries: [number, number][] = [];
  if (emptyMs > 0) entries.push([emptyMs, -1]);
  entries.push([durationMs, mediaTime]);
  const v1 = entries.some(([d, m]) => big(d) || m > 0x7fffffff);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [d, m] of entries) {
    if (v1) {
      const b = Buffer.allocUnsafe(16);
      b.writeBigUInt64BE(BigInt(d), 0);
      b.writeBigInt64BE(BigInt(m), 8);
      parts.push(b);
    } else {
      const b = Buffer.allocUnsafe(8);
      b.writeUInt32BE(d, 0);
      b.writeInt32BE(m, 4);
      parts.push(b);
    }
    parts.push(u32(0x00010000)); // media_rate 1.0
  }
  return box('edts', fullBox('elst', v1 ? 1 : 0, 0, ...parts));
}

/** stsd with one sample entry (copied byte for byte from the recorded init). */
export function stsd(entry: Buffer): Buffer {
  return fullBox('stsd', 0, 0, u32(1), entry);
}

/** Run-length (count, value) pairs of a column. */
function runs(col: ArrayLike<number>, n: number): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < n) {
    const v = col[i]!;
    let j = i + 1;
    while (j < n && col[j] === v) j++;
    out.push(j - i, v);
    i = j;
  }
  return out;
}

export function stts(dur: Uint32Array, n: number): Buffer {
  const r = runs(dur, n);
  return fullBox('stts', 0, 0, u32(r.length / 2), u32a(r));
}

/** ctts, or null when every composition offset is 0. Version 1 (signed) when any is negative. */
export function ctts(cto: Int32Array, n: number): Buffer | null {
  let any = false;
  let neg = false;
  for (let i = 0; i < n; i++) {
    if (cto[i] !== 0) any = true;
    if (cto[i]! < 0) neg = true;
  }
  if (!any) return null;
  const r = runs(cto, n);
  const b = Buffer.allocUnsafe(r.length * 4);
  for (let i = 0; i < r.length; i += 2) {
    b.writeUInt32BE(r[i]!, i * 4);
    if (neg) b.writeInt32BE(r[i + 1]!, i * 4 + 4);
    else b.writeUInt32BE(r[i + 1]!, i * 4 + 4);
  }
  return fullBox('ctts', neg ? 1 : 0, 0, u32(r.length / 2), b);
}

/** stss, or null when every sample is a sync sample. */
export function stss(sync: Uint8Array, n: number): Buffer | null {
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (sync[i]) idx.push(i + 1);
  if (idx.length === n) return null;
  return fullBox('stss', 0, 0, u32(idx.length), u32a(idx));
}

export function stsz(size: Uint32Array, n: number): Buffer {
  let same = n > 0;
  for (let i = 1; i < n && same; i++) if (size[i] !== size[0]) same = false;
  if (same) return fullBox('stsz', 0, 0, u32(size[0]!, n));
  const t = Buffer.allocUnsafe(n * 4);
  for (let i = 0; i < n; i++) t.writeUInt32BE(size[i]!, i * 4);
  return fullBox('stsz', 0, 0, u32(0, n), t);
}

/** stsc from the sample count of each chunk (all with sample description 1). */
export function stsc(chunkSamples: ArrayLike<number>, chunks: number): Buffer {
  const e: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const n = chunkSamples[c]!;
    if (e.length && e[e.length - 2] === n) continue;
    e.push(c + 1, n, 1);
  }
  return fullBox('stsc', 0, 0, u32(e.length / 3), u32a(e));
}

/** stco, or co64 when any offset is past 4 GiB (or `force64`). */
export function chunkOffsets(offsets: ArrayLike<number>, chunks: number, force64 = false): Buffer {
  let need64 = force64;
  for (let c = 0; c < chunks && !need64; c++) if (offsets[c]! > 0xffffffff) need64 = true;
  if (!need64) {
    const t = Buffer.allocUnsafe(chunks * 4);
    for (let c = 0; c < chunks; c++) t.writeUInt32BE(offsets[c]!, c * 4);
    return fullBox('stco', 0, 0, u32(chunks), t);
  }
  const t = Buffer.allocUnsafe(chunks * 8);
  for (let c = 0; c < chunks; c++) t.writeBigUInt64BE(BigInt(offsets[c]!), c * 8);
  return fullBox('co64', 0, 0, u32(chunks), t);
}
