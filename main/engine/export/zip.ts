/**
 * A small streaming ZIP writer (APPNOTE 6.3.x) for export bundles:
 *
 *  - files are streamed from disk in large reads; each entry's CRC-32 is
 *    computed while copying and patched into its local header afterwards
 *    (the output is a seekable file, so no data descriptors are needed);
 *  - "stored" (no compression) for video, which does not compress; small
 *    text files (< 64 MiB) may be deflated in memory;
 *  - ZIP64 records (extra field 0x0001, the zip64 end of central directory
 *    record and its locator) whenever a size or offset reaches 4 GiB, or the
 *    entry count 65535;
 *  - UTF-8 names (flag bit 11), forward slashes, DOS time of the source file.
 *
 * Written under a temporary name, fsynced and renamed into place.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { checkAbort, ioError } from './errors.js';
import { fsyncDir } from '../util/fsync.js';

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const DEFLATE_LIMIT = 64 * 1024 * 1024;

export interface ZipEntryInput {
  /** Name inside the archive (forward slashes, no leading slash, no ".."). */
  name: string;
  /** The file to add. */
  file: string;
  /** Deflate it (only honoured for files under 64 MiB). */
  compress?: boolean;
}

export interface ZipOptions {
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Write ZIP64 records from this size/offset on (default 4 GiB − 1; lower in tests). */
  zip64Threshold?: number;
  readBytes?: number;
}

interface CentralRecord {
  name: Buffer;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
  method: number;
  dosTime: number;
  dosDate: number;
  zip64: boolean;
}

function dos(d: Date): { time: number; date: number } {
  const y = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((y - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

function checkName(name: string): Buffer {
  if (!name || name.startsWith('/') || name.includes('\\') || name.split('/').some((p) => p === '..' || p === '')) {
    throw new Error(`bad name for a zip entry: ${JSON.stringify(name)}`);
  }
  return Buffer.from(name, 'utf8');
}

async function writeAt(fh: fs.promises.FileHandle, buf: Buffer, pos: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, pos + done);
    done += bytesWritten;
  }
}

/** Write `entries` into a new ZIP file at `outPath` (must not exist). Returns its size. */
export async function writeZip(outPath: string, entries: ZipEntryInput[], opts: ZipOptions = {}): Promise<number> {
  const limit = opts.zip64Threshold ?? MAX32;
  const readBytes = opts.readBytes ?? 8 * 1024 * 1024;
  const tmp = path.join(path.dirname(outPath), `.${path.basename(outPath)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.partial`);
  const sizes = entries.map((e) => fs.statSync(e.file).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  let fh: fs.promises.FileHandle | null = null;
  let done = false;
  try {
    fh = await fs.promises.open(tmp, 'wx');
    let pos = 0;
    let progress = 0;
    const central: CentralRecord[] = [];
    const buf = Buffer.allocUnsafe(readBytes);
    for (let i = 0; i < entries.length; i++) {
      checkAbort(opts.signal);
      const e = entries[i]!;
      const name = checkName(e.name);
      const usize = sizes[i]!;
      const st = fs.statSync(e.file);
      const { time, date } = dos(st.mtime);
      let method = 0;
      let data: Buffer | null = null;
      let crc = 0;
      if (e.compress && usize < DEFLATE_LIMIT) {
        const raw = fs.readFileSync(e.file);
        crc = zlib.crc32(raw);
        const def = zlib.deflateRawSync(raw, { level: 9 });
        if (def.length < raw.length) {
          method = 8;
          data = def;
        } else data = raw;
      }
      const csize = data ? data.length : usize;
      const offset = pos;
      const zip64 = usize >= limit || csize >= limit || offset >= limit;
      // local header (sizes and CRC final except the CRC of streamed entries, patched below)
      const extra = zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
      if (zip64) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(16, 2);
        extra.writeBigUInt64LE(BigInt(usize), 4);
        extra.writeBigUInt64LE(BigInt(csize), 12);
      }
      const lh = Buffer.alloc(30);
      lh.writeUInt32LE(0x04034b50, 0);
      lh.writeUInt16LE(zip64 ? 45 : 20, 4);
      lh.writeUInt16LE(0x0800, 6);
      lh.writeUInt16LE(method, 8);
      lh.writeUInt16LE(time, 10);
      lh.writeUInt16LE(date, 12);
      lh.writeUInt32LE(crc >>> 0, 14);
      lh.writeUInt32LE(zip64 ? MAX32 : csize, 18);
      lh.writeUInt32LE(zip64 ? MAX32 : usize, 22);
      lh.writeUInt16LE(name.length, 26);
      lh.writeUInt16LE(extra.length, 28);
      const header = Buffer.concat([lh, name, extra]);
      await writeAt(fh, header, pos);
      pos += header.length;
      if (data) {
        await writeAt(fh, data, pos);
        pos += data.length;
        progress += usize;
      } else {
        const src = await fs.promises.open(e.file, 'r');
        try {
          let off = 0;
          while (off < usize) {
            checkAbort(opts.signal);
            const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, usize - off), off);
            if (bytesRead === 0) throw new Error(`${e.file} shrank while being zipped`);
            const chunk = buf.subarray(0, bytesRead);
            crc = zlib.crc32(chunk, crc);
            await writeAt(fh, chunk, pos);
            pos += bytesRead;
            off += bytesRead;
            progress += bytesRead;
            opts.onProgress?.(progress, total);
          }
        } finally {
          await src.close();
        }
        const c = Buffer.alloc(4);
        c.writeUInt32LE(crc >>> 0, 0);
        await writeAt(fh, c, offset + 14);
      }
      opts.onProgress?.(progress, total);
      central.push({ name, crc: crc >>> 0, csize, usize, offset, method, dosTime: time, dosDate: date, zip64 });
    }
    // central directory
    const cdStart = pos;
    for (const r of central) {
      const needU = r.usize >= limit;
      const needC = r.csize >= limit;
      const needO = r.offset >= limit;
      const fields: bigint[] = [];
      if (needU) fields.push(BigInt(r.usize));
      if (needC) fields.push(BigInt(r.csize));
      if (needO) fields.push(BigInt(r.offset));
      const extra = Buffer.alloc(fields.length ? 4 + fields.length * 8 : 0);
      if (fields.length) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(fields.length * 8, 2);
        fields.forEach((f, k) => extra.writeBigUInt64LE(f, 4 + k * 8));
      }
      const ch = Buffer.alloc(46);
      ch.writeUInt32LE(0x02014b50, 0);
      ch.writeUInt16LE((3 << 8) | (fields.length || r.zip64 ? 45 : 20), 4); // made by: UNIX
      ch.writeUInt16LE(fields.length || r.zip64 ? 45 : 20, 6);
      ch.writeUInt16LE(0x0800, 8);
      ch.writeUInt16LE(r.method, 10);
      ch.writeUInt16LE(r.dosTime, 12);
      ch.writeUInt16LE(r.dosDate, 14);
      ch.writeUInt32LE(r.crc, 16);
      ch.writeUInt32LE(needC ? MAX32 : r.csize, 20);
      ch.writeUInt32LE(needU ? MAX32 : r.usize, 24);
      ch.writeUInt16LE(r.name.length, 28);
      ch.writeUInt16LE(extra.length, 30);
      ch.writeUInt16LE(0, 32); // comment
      ch.writeUInt16LE(0, 34); // disk
      ch.writeUInt16LE(0, 36); // internal attributes
      ch.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external: regular file, rw-r--r--
      ch.writeUInt32LE(needO ? MAX32 : r.offset, 42);
      const rec = Buffer.concat([ch, r.name, extra]);
      await writeAt(fh, rec, pos);
      pos += rec.length;
    }
    const cdSize = pos - cdStart;
    const needZip64End = central.length >= MAX16 || cdStart >= limit || cdSize >= limit || central.some((r) => r.zip64);
    if (needZip64End) {
      const z = Buffer.alloc(56);
      z.writeUInt32LE(0x06064b50, 0);
      z.writeBigUInt64LE(44n, 4);
      z.writeUInt16LE((3 << 8) | 45, 12);
      z.writeUInt16LE(45, 14);
      z.writeUInt32LE(0, 16);
      z.writeUInt32LE(0, 20);
      z.writeBigUInt64LE(BigInt(central.length), 24);
      z.writeBigUInt64LE(BigInt(central.length), 32);
      z.writeBigUInt64LE(BigInt(cdSize), 40);
      z.writeBigUInt64LE(BigInt(cdStart), 48);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(0x07064b50, 0);
      loc.writeUInt32LE(0, 4);
      loc.writeBigUInt64LE(BigInt(pos), 8);
      loc.writeUInt32LE(1, 16);
      await writeAt(fh, Buffer.concat([z, loc]), pos);
      pos += 76;
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(0, 4);
    end.writeUInt16LE(0, 6);
    end.writeUInt16LE(Math.min(central.length, MAX16), 8);
    end.writeUInt16LE(Math.min(central.length, MAX16), 10);
    end.writeUInt32LE(needZip64End ? MAX32 : cdSize, 12);
    end.writeUInt32LE(needZip64End ? MAX32 : cdStart, 16);
    end.writeUInt16LE(0, 20);
    await writeAt(fh, end, pos);
    pos += 22;
    await fh.sync();
    await fh.close();
    fh = null;
    checkAbort(opts.signal);
    if (fs.existsSync(outPath)) throw Object.assign(new Error(`${outPath} exists already`), { code: 'EEXIST' });
    fs.renameSync(tmp, outPath);
    done = true;
    fsyncDir(path.dirname(outPath));
    return pos;
  } catch (err) {
    throw ioError(err, `writing ${path.basename(outPath)}`);
  } finally {
    if (fh) await fh.close().catch(() => {});
    if (!done) fs.rmSync(tmp, { force: true });
  }
}
