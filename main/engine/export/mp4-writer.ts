/**
 * Writing one planned clip part as a progressive MP4:
 *
 *   ftyp | moov (every sample table) | mdat (the samples, copied)
 *
 * The moov is at the front, so players (VLC, QuickTime, Windows, browsers)
 * start at once and seek anywhere. The sample bytes are stream-copied from
 * the recorded segments with large sequential reads (up to 16 MiB, the next
 * read overlapping the current write) and one gathered write per read.
 * The file is written under a temporary name, fsynced and renamed into place;
 * a cancelled or failed write leaves nothing behind.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ClipPart, PlannedTrack } from './clip-plan.js';
import { checkAbort, ExportError, ioError } from './errors.js';
import { fsyncDir } from '../util/fsync.js';
import * as B from './mp4-boxes.js';

export interface WriteProgress {
  /** Bytes of the output written so far, and in all. */
  bytesDone: number;
  bytesTotal: number;
  /** Samples (video and audio) copied so far, and in all. */
  samplesDone: number;
  samplesTotal: number;
}

export interface WriteOptions {
  signal?: AbortSignal;
  onProgress?: (p: WriteProgress) => void;
  /** Compute the SHA-256 of the output while writing it (default true). */
  hash?: boolean;
  /** fsync the file and its folder (default true). */
  fsync?: boolean;
  /** Use co64 chunk offsets even when every offset fits 32 bits (tests). */
  force64?: boolean;
  /** Largest single read (default 16 MiB). */
  readBytes?: number;
}

export interface WrittenClip {
  path: string;
  bytes: number;
  /** Hex SHA-256 of the whole file, or null when hashing was off. */
  sha256: string | null;
  /** Video duration in seconds. */
  durationSeconds: number;
  videoSamples: number;
  audioSamples: number;
  /** Whether chunk offsets are 64-bit (co64). */
  co64: boolean;
}

export interface ClipLayout {
  header: Buffer[];
  headerBytes: number;
  totalBytes: number;
  co64: boolean;
  durationMs: number;
}

function trackDurationMs(t: PlannedTrack): number {
  return Math.round((t.ticks * 1000) / t.timescale);
}

function trak(t: PlannedTrack, id: number, base: number, force64: boolean, timeMs: number): Buffer {
  const n = t.samples.count;
  const audio = t.handler === 'soun';
  const mediaTicks = t.ticks - t.leadTicks;
  const durMs = trackDurationMs(t);
  const offsets = t.chunkOffsets.map((o) => o + base);
  const stblParts = [B.stsd(t.sampleEntry), B.stts(t.samples.dur, n)];
  const c = B.ctts(t.samples.cto, n);
  if (c) stblParts.push(c);
  if (!audio) {
    const ss = B.stss(t.samples.sync, n);
    if (ss) stblParts.push(ss);
  }
  stblParts.push(B.stsc(t.chunkSamples, t.chunkSamples.length), B.stsz(t.samples.size, n), B.chunkOffsets(offsets, offsets.length, force64));
  const minf = B.box('minf', audio ? B.smhd() : B.vmhd(), B.dinf(), B.box('stbl', ...stblParts));
  const mdia = B.box('mdia', B.mdhd(timeMs, t.timescale, mediaTicks), B.hdlr(t.handler, audio ? 'SoundHandler' : 'VideoHandler'), minf);
  const kids = [B.tkhd(id, timeMs, durMs, audio, t.width ?? 0, t.height ?? 0)];
  const firstCto = n > 0 ? t.samples.cto[0]! : 0;
  if (t.leadTicks > 0 || firstCto !== 0) {
    kids.push(B.edts(Math.round((mediaTicks * 1000) / t.timescale), Math.max(0, firstCto), Math.round((t.leadTicks * 1000) / t.timescale)));
  }
  return B.box('trak', ...kids, mdia);
}

function moov(part: ClipPart, base: number, force64: boolean): Buffer {
  const timeMs = part.firstFrameMs;
  const tracks: Buffer[] = [trak(part.video, 1, base, force64, timeMs)];
  if (part.audio && part.audio.samples.count > 0) tracks.push(trak(part.audio, 2, base, force64, timeMs));
  const durMs = Math.max(trackDurationMs(part.video), part.audio ? trackDurationMs(part.audio) : 0);
  return B.box('moov', B.mvhd(timeMs, durMs, tracks.length + 1), ...tracks);
}

function brands(part: ClipPart): string[] {
  const f = part.video.format;
  const out = ['isom', 'iso2'];
  if (f.startsWith('avc')) out.push('avc1');
  if (f === 'hvc1' || f === 'hev1') out.push('hvc1');
  out.push('mp41');
  return out;
}

/** The bytes before the sample data (ftyp, moov, mdat header) and the total size of the file. */
export function layoutClip(part: ClipPart, force64 = false): ClipLayout {
  const ft = B.ftyp(brands(part));
  const mh = B.mdatHeader(part.mdatBytes);
  let use64 = force64;
  let mv = moov(part, 0, use64);
  let base = ft.length + mv.length + mh.length;
  if (!use64 && base + part.mdatBytes > 0xffffffff) {
    use64 = true;
    mv = moov(part, 0, true);
    base = ft.length + mv.length + mh.length;
  }
  mv = moov(part, base, use64);
  const durationMs = Math.max(trackDurationMs(part.video), part.audio ? trackDurationMs(part.audio) : 0);
  return { header: [ft, mv, mh], headerBytes: base, totalBytes: base + part.mdatBytes, co64: use64, durationMs };
}

interface Batch {
  file: string;
  start: number;
  end: number;
  ops: { at: number; size: number }[];
  samples: number;
}

function batches(part: ClipPart, max: number): Batch[] {
  const out: Batch[] = [];
  for (const c of part.copies) {
    let cur: Batch | null = null;
    for (const op of c.ops) {
      // an op larger than a read is split into reads of its own
      for (let off = 0; off < op.size; off += max) {
        const size = Math.min(max, op.size - off);
        const src = op.srcOffset + off;
        if (!cur || src + size - cur.start > max || src < cur.end) {
          cur = { file: c.file, start: src, end: src, ops: [], samples: 0 };
          out.push(cur);
        }
        cur.ops.push({ at: src - cur.start, size });
        cur.end = src + size;
        if (off === 0) cur.samples += op.samples;
      }
    }
  }
  return out;
}

async function readFully(fh: fs.promises.FileHandle, buf: Buffer, len: number, pos: number, file: string): Promise<void> {
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) throw new ExportError('io', `${file} is shorter than its index says (it changed or was truncated during the export)`);
    got += bytesRead;
  }
}

async function writeAll(fh: fs.promises.FileHandle, views: Buffer[]): Promise<void> {
  let list = views;
  while (list.length) {
    const total = list.reduce((a, b) => a + b.length, 0);
    const { bytesWritten } = await fh.writev(list);
    if (bytesWritten >= total) return;
    // partial write: drop what went out, keep the rest
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const v of list) {
      if (skip >= v.length) {
        skip -= v.length;
        continue;
      }
      rest.push(skip ? v.subarray(skip) : v);
      skip = 0;
    }
    list = rest;
  }
}

/**
 * Write `part` to `outPath` (which must not exist): temp name, fsync, rename.
 * Resolves with its size and SHA-256. On cancel or failure nothing is left.
 */
export async function writeClip(part: ClipPart, outPath: string, opts: WriteOptions = {}): Promise<WrittenClip> {
  const max = opts.readBytes ?? 16 * 1024 * 1024;
  const layout = layoutClip(part, opts.force64);
  const samplesTotal = part.video.samples.count + (part.audio?.samples.count ?? 0);
  const hash = opts.hash === false ? null : crypto.createHash('sha256');
  const tmp = path.join(path.dirname(outPath), `.${path.basename(outPath)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.partial`);
  if (fs.existsSync(outPath)) throw new ExportError('exists', `${outPath} exists already`);
  checkAbort(opts.signal);
  let fh: fs.promises.FileHandle | null = null;
  let done = false;
  try {
    fh = await fs.promises.open(tmp, 'wx');
    for (const h of layout.header) hash?.update(h);
    await writeAll(fh, layout.header);
    let bytesDone = layout.headerBytes;
    let samplesDone = 0;
    opts.onProgress?.({ bytesDone, bytesTotal: layout.totalBytes, samplesDone, samplesTotal });
    const list = batches(part, max);
    const bufs = [Buffer.allocUnsafe(Math.min(max, maxBatch(list))), Buffer.allocUnsafe(Math.min(max, maxBatch(list)))];
    const read = async (i: number): Promise<Buffer[]> => {
      const b = list[i]!;
      const buf = bufs[i % 2]!;
      const src = await fs.promises.open(b.file, 'r');
      try {
        await readFully(src, buf, b.end - b.start, b.start, b.file);
      } finally {
        await src.close();
      }
      return b.ops.map((o) => buf.subarray(o.at, o.at + o.size));
    };
    let next: Promise<Buffer[]> | null = list.length ? read(0) : null;
    for (let i = 0; i < list.length; i++) {
      const views = await next!;
      checkAbort(opts.signal);
      next = i + 1 < list.length ? read(i + 1) : null;
      // the read of i+1 goes into the other buffer while these views are hashed and written
      next?.catch(() => {});
      if (hash) for (const v of views) hash.update(v);
      await writeAll(fh, views);
      for (const v of views) bytesDone += v.length;
      samplesDone += list[i]!.samples;
      opts.onProgress?.({ bytesDone, bytesTotal: layout.totalBytes, samplesDone, samplesTotal });
    }
    if (bytesDone !== layout.totalBytes) throw new ExportError('io', `wrote ${bytesDone} bytes of ${layout.totalBytes}; the plan and the copy disagree`);
    if (opts.fsync !== false) await fh.sync();
    await fh.close();
    fh = null;
    checkAbort(opts.signal);
    fs.renameSync(tmp, outPath);
    done = true;
    if (opts.fsync !== false) fsyncDir(path.dirname(outPath));
    return {
      path: outPath,
      bytes: layout.totalBytes,
      sha256: hash ? hash.digest('hex') : null,
      durationSeconds: part.video.ticks / part.video.timescale,
      videoSamples: part.video.samples.count,
      audioSamples: part.audio?.samples.count ?? 0,
      co64: layout.co64,
    };
  } catch (err) {
    throw ioError(err, `writing ${path.basename(outPath)}`);
  } finally {
    if (fh) await fh.close().catch(() => {});
    if (!done) fs.rmSync(tmp, { force: true });
  }
}

function maxBatch(list: Batch[]): number {
  let m = 1;
  for (const b of list) m = Math.max(m, b.end - b.start);
  return m;
}
