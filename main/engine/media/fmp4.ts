/**
 * Rewriting fragmented MP4 for playback: clean init segments (no edit lists)
 * and media fragments retimed onto a caller-chosen timeline, so consecutive
 * recorded segments play as one continuous MSE/HLS stream.
 */
import { children, readHeader, type BoxHeader } from './boxes.js';

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Rebuild a container box from new children (keeps its type). */
function container(type: string, parts: Buffer[]): Buffer {
  const len = 8 + parts.reduce((a, p) => a + p.length, 0);
  return Buffer.concat([u32(len), Buffer.from(type, 'latin1'), ...parts]);
}

/**
 * Copy an init segment (ftyp + moov) without edit lists (edts): ffmpeg's edit
 * lists shift presentation time, which would put each recorded segment off
 * its place on the playback timeline.
 */
export function cleanInit(init: Buffer): Buffer {
  const out: Buffer[] = [];
  for (const b of children(init, 0, init.length)) {
    if (b.type === 'moov') out.push(stripBoxes(init, b, new Set(['edts', 'udta'])));
    else if (b.type === 'ftyp') out.push(init.subarray(b.start, b.start + b.size));
  }
  return Buffer.concat(out);
}

function stripBoxes(buf: Buffer, box: BoxHeader, drop: Set<string>): Buffer {
  const parts: Buffer[] = [];
  for (const c of children(buf, box.start + box.headerSize, box.start + box.size)) {
    if (drop.has(c.type)) continue;
    if (c.type === 'trak') parts.push(stripBoxes(buf, c, drop));
    else parts.push(buf.subarray(c.start, c.start + c.size));
  }
  return container(box.type, parts);
}

/**
 * Retime one moof: every traf's baseMediaDecodeTime becomes `newBase(trackId,
 * oldBase)`. tfdt boxes are written as version 1 (64-bit); when that grows
 * the moof, moof-relative trun data offsets are moved by the growth.
 * Returns the new moof (the following mdat is unchanged).
 */
export function retimeMoof(moof: Buffer, newBase: (trackId: number, oldBase: number) => number, seq?: number): Buffer {
  const top = readHeader(moof, 0);
  if (!top || top.type !== 'moof') throw new Error('not a moof box');
  const trafs: { parts: Buffer[] }[] = [];
  const others: Buffer[] = [];
  const order: ({ kind: 'traf'; i: number } | { kind: 'other'; i: number })[] = [];
  for (const c of children(moof, top.headerSize, top.size)) {
    if (c.type === 'traf') {
      let trackId = 0;
      const parts: Buffer[] = [];
      let hadTfdt = false;
      const kids = children(moof, c.start + c.headerSize, c.start + c.size);
      for (const k of kids) if (k.type === 'tfhd') trackId = moof.readUInt32BE(k.start + k.headerSize + 4);
      for (const k of kids) {
        if (k.type === 'tfdt') {
          const v = moof[k.start + k.headerSize]!;
          const old = v === 1 ? Number(moof.readBigUInt64BE(k.start + k.headerSize + 4)) : moof.readUInt32BE(k.start + k.headerSize + 4);
          parts.push(tfdt(Math.max(0, Math.round(newBase(trackId, old)))));
          hadTfdt = true;
        } else parts.push(Buffer.from(moof.subarray(k.start, k.start + k.size)));
        if (k.type === 'tfhd' && !hadTfdt) {
          // tfdt must follow tfhd: insert one when the fragment had none
          const next = kids[kids.indexOf(k) + 1];
          if (!next || next.type !== 'tfdt') {
            parts.push(tfdt(Math.max(0, Math.round(newBase(trackId, 0)))));
            hadTfdt = true;
          }
        }
      }
      order.push({ kind: 'traf', i: trafs.length });
      trafs.push({ parts });
    } else {
      const b = Buffer.from(moof.subarray(c.start, c.start + c.size));
      if (c.type === 'mfhd' && seq !== undefined && b.length >= 16) b.writeUInt32BE(seq >>> 0, 12);
      order.push({ kind: 'other', i: others.length });
      others.push(b);
    }
  }
  const build = () =>
    container(
      'moof',
      order.map((o) => (o.kind === 'traf' ? container('traf', trafs[o.i]!.parts) : others[o.i]!)),
    );
  let out = build();
  const growth = out.length - moof.length;
  if (growth !== 0) {
    // shift trun data offsets (relative to the moof start with default-base-is-moof)
    for (const t of trafs) {
      let moofRelative = true;
      for (const p of t.parts) {
        const type = p.toString('latin1', 4, 8);
        if (type === 'tfhd') {
          const flags = p.readUInt32BE(8) & 0xffffff;
          if (flags & 0x01) moofRelative = false;
        }
      }
      if (!moofRelative) continue;
      for (const p of t.parts) {
        if (p.toString('latin1', 4, 8) !== 'trun') continue;
        const flags = p.readUInt32BE(8) & 0xffffff;
        if (flags & 0x01) p.writeInt32BE(p.readInt32BE(16) + growth, 16);
      }
    }
    out = build();
  }
  return out;
}

function tfdt(value: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32BE(20, 0);
  b.write('tfdt', 4, 'latin1');
  b.writeUInt32BE(0x01000000, 8);
  b.writeBigUInt64BE(BigInt(value), 12);
  return b;
}
