/**
 * A small streaming ZIP reader (APPNOTE 6.3.x), the counterpart of zip.ts, for
 * checking an export's .zip in place without unzipping it to disk:
 *
 *  - finds the end of central directory record at the end of the file (after
 *    at most a 64 KiB comment) and, when there is one, the zip64 end of
 *    central directory locator and record; reads the central directory with
 *    its zip64 extra fields (0x0001) and Info-ZIP Unicode paths (0x7075);
 *  - streams an entry's data: stored (method 0) as a byte range of the file,
 *    deflated (method 8) through zlib's raw inflate stream, in chunks of at
 *    most 1 MiB, so memory stays bounded for entries of any size; the CRC-32
 *    and the size are checked against the central directory as the data is
 *    read;
 *  - anything it cannot read (another method, encryption, a split archive, a
 *    damaged record) is a ZipError with a plain message, never a crash.
 *
 * It knows nothing of bundles and never writes anything: names are returned
 * as they are (the caller decides which are safe) and are never used as paths.
 */
import fs from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import zlib from 'node:zlib';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_LOC64 = 0x07064b50;
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;
/** A central directory larger than this is refused (an export's has a few KiB). */
const MAX_CENTRAL = 64 * 1024 * 1024;
const CHUNK = 1024 * 1024;

export type ZipErrorKind =
  /** The archive itself: no end record, a broken central directory, a split archive. */
  | 'format'
  /** An entry this reader cannot read: another compression method, encryption. */
  | 'unsupported'
  /** An entry's data is damaged: bad local header, data outside the file, inflate error, wrong size. */
  | 'data'
  /** An entry's data was read in full but its CRC-32 is not the central directory's. */
  | 'crc';

export class ZipError extends Error {
  constructor(
    readonly kind: ZipErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipEntry {
  /** The name as decoded (UTF-8 when flagged or valid, else CP437); never a path on disk. */
  name: string;
  /** The name's bytes in the central directory. */
  rawName: Buffer;
  isDirectory: boolean;
  /** A Unix symbolic link (its data is the target's path). */
  isSymlink: boolean;
  method: number;
  flags: number;
  encrypted: boolean;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const METHODS: Record<number, string> = { 1: 'shrink', 6: 'implode', 9: 'deflate64', 12: 'bzip2', 14: 'LZMA', 93: 'zstd', 95: 'xz', 98: 'PPMd', 99: 'AES encryption' };

// CP437, bytes 0x80–0xff (the names of zips made without the UTF-8 flag on older systems).
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function decodeName(raw: Buffer, flags: number, unicodePath: string | null): string {
  if (flags & 0x0800) return raw.toString('utf8');
  if (unicodePath !== null) return unicodePath;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    let s = '';
    for (const b of raw) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
    return s;
  }
}

function u64(buf: Buffer, at: number, what: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('format', `the zip's ${what} is impossibly large (the zip is damaged)`);
  return Number(v);
}

/** Why this reader cannot read an entry's data, or null when it can. */
export function unreadableReason(e: ZipEntry): string | null {
  if (e.encrypted) return 'encrypted (a password-protected zip cannot be checked; zip the folder again without a password)';
  if (e.method !== 0 && e.method !== 8) {
    return `compressed with method ${e.method}${METHODS[e.method] ? ` (${METHODS[e.method]})` : ''}, which this check cannot read (only stored and deflate; zip the folder again with a standard zip tool)`;
  }
  return null;
}

export class ZipReader {
  private constructor(
    readonly file: string,
    private fh: fs.promises.FileHandle | null,
    readonly size: number,
    readonly entries: ZipEntry[],
    /** Where the central directory starts: every entry's data lies before it. */
    private readonly centralOffset: number,
    /** Whether zip64 end records were found. */
    readonly zip64: boolean,
  ) {}

  /** Open a zip and read its central directory. Throws ZipError when it is not a readable zip. */
  static async open(file: string): Promise<ZipReader> {
    const fh = await fs.promises.open(file, 'r');
    try {
      const size = (await fh.stat()).size;
      const { entries, centralOffset, zip64 } = await readDirectory(fh, size);
      return new ZipReader(file, fh, size, entries, centralOffset, zip64);
    } catch (err) {
      await fh.close().catch(() => {});
      throw err;
    }
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }

  private handle(): fs.promises.FileHandle {
    if (!this.fh) throw new Error('the zip reader is closed');
    return this.fh;
  }

  private async readAt(pos: number, len: number): Promise<Buffer> {
    const buf = Buffer.alloc(len);
    let done = 0;
    while (done < len) {
      const { bytesRead } = await this.handle().read(buf, done, len - done, pos + done);
      if (bytesRead === 0) throw new ZipError('data', 'the zip ends early (it is cut short)');
      done += bytesRead;
    }
    return buf;
  }

  /** Where an entry's data starts, after checking its local header against the central directory. */
  private async dataStart(e: ZipEntry): Promise<number> {
    const at = e.localHeaderOffset;
    const bad = (why: string) => new ZipError('data', `${why} (the zip is damaged)`);
    if (at + 30 > this.centralOffset) throw bad('its local header lies outside the entries');
    const lh = await this.readAt(at, 30);
    if (lh.readUInt32LE(0) !== SIG_LOCAL) throw bad('no local header where the central directory says');
    const nameLen = lh.readUInt16LE(26);
    const extraLen = lh.readUInt16LE(28);
    if (lh.readUInt16LE(8) !== e.method) throw bad('its local header names another compression method');
    const start = at + 30 + nameLen + extraLen;
    if (start + e.compressedSize > this.centralOffset) throw bad('its data runs past the end of the entries');
    const name = await this.readAt(at + 30, nameLen);
    if (!name.equals(e.rawName)) throw bad('its local header has another name than the central directory');
    return start;
  }

  /** The raw (compressed) bytes of a range, in chunks; `fresh` allocates each chunk (for consumers that keep them). */
  private async *range(start: number, length: number, fresh: boolean): AsyncGenerator<Buffer> {
    const shared = fresh ? null : Buffer.allocUnsafe(Math.min(CHUNK, Math.max(length, 1)));
    let off = 0;
    while (off < length) {
      const n = Math.min(CHUNK, length - off);
      const buf = shared ?? Buffer.allocUnsafe(n);
      const { bytesRead } = await this.handle().read(buf, 0, n, start + off);
      if (bytesRead === 0) throw new ZipError('data', 'the zip ends early (it is cut short)');
      off += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  }

  /**
   * An entry's data, in chunks of at most 1 MiB (a chunk is valid only until
   * the next one is asked for). Checks the size and CRC-32 against the central
   * directory as it goes: a mismatch throws ZipError after the last chunk
   * ('crc') or as soon as it is seen ('data'). Messages speak of the entry
   * without naming it (the caller names it).
   */
  async *stream(e: ZipEntry): AsyncGenerator<Buffer> {
    const why = unreadableReason(e);
    if (why) throw new ZipError('unsupported', why);
    if (e.method === 0 && e.compressedSize !== e.size) {
      throw new ZipError('data', `stored, but its two sizes differ (${e.compressedSize} and ${e.size}; the zip is damaged)`);
    }
    const start = await this.dataStart(e);
    let crc = 0;
    let n = 0;
    const count = (chunk: Buffer) => {
      n += chunk.length;
      if (n > e.size) throw new ZipError('data', `holds more than the ${e.size} bytes the zip's directory says (the zip is damaged)`);
      crc = zlib.crc32(chunk, crc);
    };
    if (e.method === 0) {
      for await (const chunk of this.range(start, e.compressedSize, false)) {
        count(chunk);
        yield chunk;
      }
    } else {
      const src = Readable.from(this.range(start, e.compressedSize, true), { highWaterMark: 2 });
      const inflate = zlib.createInflateRaw({ chunkSize: 256 * 1024 });
      const out = pipeline(src, inflate, () => {});
      try {
        for await (const chunk of out as AsyncIterable<Buffer>) {
          count(chunk);
          yield chunk;
        }
      } catch (err) {
        if (err instanceof ZipError) throw err;
        const z = err as NodeJS.ErrnoException;
        if (typeof z.code === 'string' && z.code.startsWith('Z_')) {
          throw new ZipError('data', `its compressed data is damaged (${z.message})`);
        }
        throw err;
      } finally {
        src.destroy();
        inflate.destroy();
      }
    }
    if (n !== e.size) throw new ZipError('data', `holds ${n} bytes, the zip's directory says ${e.size} (the zip is damaged)`);
    if (crc >>> 0 !== e.crc) throw new ZipError('crc', `its CRC-32 is not the one in the zip's directory (the entry was changed or damaged)`);
  }

  /** A small entry's whole data (the manifest, the signature, the key); refuses one larger than maxBytes. */
  async read(e: ZipEntry, maxBytes: number): Promise<Buffer> {
    if (e.size > maxBytes) throw new ZipError('data', `${e.size} bytes, more than the ${maxBytes} this file may have`);
    const parts: Buffer[] = [];
    for await (const chunk of this.stream(e)) parts.push(Buffer.from(chunk));
    return Buffer.concat(parts);
  }
}

async function readDirectory(fh: fs.promises.FileHandle, size: number): Promise<{ entries: ZipEntry[]; centralOffset: number; zip64: boolean }> {
  const readAt = async (pos: number, len: number) => {
    const buf = Buffer.alloc(len);
    let done = 0;
    while (done < len) {
      const { bytesRead } = await fh.read(buf, done, len - done, pos + done);
      if (bytesRead === 0) throw new ZipError('format', 'the zip ends early (it is cut short)');
      done += bytesRead;
    }
    return buf;
  };
  const damaged = (why: string) => new ZipError('format', `${why} (the zip is damaged or cut short; copy it again from the original)`);
  if (size < 22) throw new ZipError('format', `it has ${size} bytes, too few for a zip (the file is empty or cut short)`);

  // the end of central directory record: the last one whose comment ends exactly at the end of the file
  const tailLen = Math.min(size, 22 + MAX16);
  const tailPos = size - tailLen;
  const tail = await readAt(tailPos, tailLen);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_END && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    const head = size >= 4 ? (await readAt(0, 4)).readUInt32LE(0) : 0;
    if (head !== SIG_LOCAL && head !== SIG_END) throw new ZipError('format', 'it is not a zip file (no zip signature at its start or end)');
    throw damaged('no end of central directory record at its end');
  }
  const endPos = tailPos + end;
  const disk = tail.readUInt16LE(end + 4);
  const cdDisk = tail.readUInt16LE(end + 6);
  let count = tail.readUInt16LE(end + 10);
  const countHere = tail.readUInt16LE(end + 8);
  let cdSize = tail.readUInt32LE(end + 12);
  let cdOffset = tail.readUInt32LE(end + 16);
  let dirEnd = endPos; // where the central directory must end (the zip64 record, or the end record)
  let zip64 = false;

  if (endPos >= 20 && (await readAt(endPos - 20, 20)).readUInt32LE(0) === SIG_LOC64) {
    const loc = await readAt(endPos - 20, 20);
    const recPos = u64(loc, 8, 'zip64 end record offset');
    if (loc.readUInt32LE(4) !== 0 || loc.readUInt32LE(16) > 1) {
      throw new ZipError('format', 'it is split across several files (a spanned zip); join the parts into one zip first');
    }
    if (recPos + 56 > endPos - 20) throw damaged('its zip64 end record lies outside the file');
    const rec = await readAt(recPos, 56);
    if (rec.readUInt32LE(0) !== SIG_END64) throw damaged('no zip64 end record where its locator says');
    if (rec.readUInt32LE(16) !== 0 || rec.readUInt32LE(20) !== 0) {
      throw new ZipError('format', 'it is split across several files (a spanned zip); join the parts into one zip first');
    }
    const countHere64 = u64(rec, 24, 'entry count');
    count = u64(rec, 32, 'entry count');
    if (countHere64 !== count) throw new ZipError('format', 'it is split across several files (a spanned zip); join the parts into one zip first');
    cdSize = u64(rec, 40, 'central directory size');
    cdOffset = u64(rec, 48, 'central directory offset');
    dirEnd = recPos;
    zip64 = true;
  } else {
    if (disk !== 0 || cdDisk !== 0 || countHere !== count) {
      throw new ZipError('format', 'it is split across several files (a spanned zip); join the parts into one zip first');
    }
    if (count === MAX16 || cdSize === MAX32 || cdOffset === MAX32) throw damaged('its end record needs zip64 records that are not there');
  }
  if (cdOffset + cdSize > dirEnd) throw damaged('its central directory lies outside the file');
  if (cdSize > MAX_CENTRAL) throw new ZipError('format', `its central directory has ${cdSize} bytes, more than an export's zip can have`);

  const cd = await readAt(cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw damaged(`its central directory ends after ${i} of ${count} entries`);
    const madeBy = cd.readUInt16LE(p + 4);
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressed = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let diskStart = cd.readUInt16LE(p + 34);
    const external = cd.readUInt32LE(p + 38);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cd.length) throw damaged(`its central directory ends inside entry ${i + 1}`);
    const rawName = Buffer.from(cd.subarray(p + 46, p + 46 + nameLen));
    let unicodePath: string | null = null;
    // extra fields: zip64 sizes and offset (0x0001), Info-ZIP Unicode path (0x7075)
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      const body = x + 4;
      if (body + len > xEnd) throw damaged(`entry ${JSON.stringify(rawName.toString('utf8'))} has a broken extra field`);
      if (id === 0x0001) {
        let q = body;
        const take = (what: string) => {
          if (q + 8 > body + len) throw damaged(`entry ${JSON.stringify(rawName.toString('utf8'))} lacks its zip64 ${what}`);
          const v = u64(cd, q, what);
          q += 8;
          return v;
        };
        if (uncompressed === MAX32) uncompressed = take('size');
        if (compressedSize === MAX32) compressedSize = take('compressed size');
        if (localHeaderOffset === MAX32) localHeaderOffset = take('offset');
        if (diskStart === MAX16) {
          if (q + 4 > body + len) throw damaged(`entry ${JSON.stringify(rawName.toString('utf8'))} lacks its zip64 disk number`);
          diskStart = cd.readUInt32LE(q);
        }
      } else if (id === 0x7075 && len >= 5 && cd[body] === 1 && cd.readUInt32LE(body + 1) === zlib.crc32(rawName) >>> 0) {
        unicodePath = cd.toString('utf8', body + 5, body + len);
      }
      x = body + len;
    }
    if (uncompressed === MAX32 || compressedSize === MAX32 || localHeaderOffset === MAX32) {
      throw damaged(`entry ${JSON.stringify(rawName.toString('utf8'))} needs a zip64 extra field that is not there`);
    }
    if (diskStart !== 0) throw new ZipError('format', 'it is split across several files (a spanned zip); join the parts into one zip first');
    const name = decodeName(rawName, flags, unicodePath);
    const unixMode = madeBy >> 8 === 3 ? external >>> 16 : 0;
    entries.push({
      name,
      rawName,
      // what unzip tools go by: a name ending in '/' (an entry flagged as a folder without it is read as a file)
      isDirectory: name.endsWith('/'),
      isSymlink: (unixMode & 0o170000) === 0o120000,
      method,
      flags,
      encrypted: (flags & 0x0001) !== 0 || (flags & 0x0040) !== 0,
      crc,
      compressedSize,
      size: uncompressed,
      localHeaderOffset,
    });
    p = next;
  }
  return { entries, centralOffset: cdOffset, zip64 };
}
