import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeZip } from './zip.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-zip-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Entry {
  name: string;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
  flags: number;
}

/** An independent reader: end record (or zip64 end record), central directory with zip64 extras, local headers. */
function readZip(file: string): { entries: Entry[]; data: (e: Entry) => Buffer; zip64End: boolean } {
  const buf = fs.readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd).toBeGreaterThan(-1);
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOff = buf.readUInt32LE(eocd + 16);
  let zip64End = false;
  if (cdOff === 0xffffffff || cdSize === 0xffffffff || count === 0xffff) {
    const loc = eocd - 20;
    expect(buf.readUInt32LE(loc)).toBe(0x07064b50);
    const z = Number(buf.readBigUInt64LE(loc + 8));
    expect(buf.readUInt32LE(z)).toBe(0x06064b50);
    count = Number(buf.readBigUInt64LE(z + 32));
    cdSize = Number(buf.readBigUInt64LE(z + 40));
    cdOff = Number(buf.readBigUInt64LE(z + 48));
    zip64End = true;
  }
  const entries: Entry[] = [];
  let p = cdOff;
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const e: Entry = {
      flags: buf.readUInt16LE(p + 8),
      method: buf.readUInt16LE(p + 10),
      crc: buf.readUInt32LE(p + 16),
      csize: buf.readUInt32LE(p + 20),
      usize: buf.readUInt32LE(p + 24),
      offset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
    };
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = buf.readUInt16LE(x);
      const len = buf.readUInt16LE(x + 2);
      if (id === 1) {
        let q = x + 4;
        if (e.usize === 0xffffffff) {
          e.usize = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (e.csize === 0xffffffff) {
          e.csize = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (e.offset === 0xffffffff) e.offset = Number(buf.readBigUInt64LE(q));
      }
      x += 4 + len;
    }
    entries.push(e);
    p = xEnd + buf.readUInt16LE(p + 32);
  }
  expect(p - cdOff).toBe(cdSize);
  const data = (e: Entry) => {
    expect(buf.readUInt32LE(e.offset)).toBe(0x04034b50);
    expect(buf.readUInt32LE(e.offset + 14)).toBe(e.crc);
    const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
    const raw = buf.subarray(start, start + e.csize);
    return e.method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw);
  };
  return { entries, data, zip64End };
}

function python(): string | null {
  for (const p of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(p, ['-c', 'import zipfile'], { stdio: 'ignore' });
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

describe('ZIP writer', () => {
  const files = {
    'video.mp4': crypto.randomBytes(3 * 1024 * 1024 + 17),
    'manifest.json': Buffer.from(JSON.stringify({ a: 'x'.repeat(5000) })),
    'données/ünïcode.csv': Buffer.from('a,b\r\n1,2\r\n'.repeat(100)),
    'empty.txt': Buffer.alloc(0),
  };
  for (const [n, b] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(tmp, 'src', n)), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'src', n), b);
  }
  const entries = Object.keys(files).map((n) => ({ name: `bundle/${n}`, file: path.join(tmp, 'src', n), compress: !n.endsWith('.mp4') }));

  for (const mode of ['plain', 'zip64'] as const) {
    it(`writes stored and deflated entries that read back byte for byte (${mode})`, async () => {
      const out = path.join(tmp, `${mode}.zip`);
      let last = 0;
      const size = await writeZip(out, entries, { readBytes: 64 * 1024, zip64Threshold: mode === 'zip64' ? 1000 : undefined, onProgress: (d) => (last = d) });
      expect(size).toBe(fs.statSync(out).size);
      expect(last).toBe(Object.values(files).reduce((a, b) => a + b.length, 0));
      const z = readZip(out);
      expect(z.zip64End).toBe(mode === 'zip64');
      expect(z.entries.map((e) => e.name)).toEqual(entries.map((e) => e.name));
      for (const e of z.entries) {
        const want = files[e.name.slice('bundle/'.length) as keyof typeof files];
        const got = z.data(e);
        expect(got.equals(want), e.name).toBe(true);
        expect(e.crc).toBe(zlib.crc32(want) >>> 0);
        expect(e.flags & 0x0800).toBe(0x0800);
        expect(e.method).toBe(e.name.endsWith('.mp4') ? 0 : e.name.endsWith('empty.txt') ? 0 : 8);
      }
      const py = python();
      if (py) {
        // an unrelated implementation agrees (CRCs, ZIP64 records)
        const r = execFileSync(py, ['-c', 'import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nprint(z.testzip());print(len(z.namelist()))', out], { encoding: 'utf8' });
        expect(r.trim().split('\n')).toEqual(['None', String(entries.length)]);
      }
    });
  }

  it('refuses unsafe names and an existing output, and leaves nothing when cancelled', async () => {
    await expect(writeZip(path.join(tmp, 'bad.zip'), [{ name: '../evil', file: entries[0]!.file }])).rejects.toThrow(/bad name/);
    expect(fs.existsSync(path.join(tmp, 'bad.zip'))).toBe(false);
    const ac = new AbortController();
    const dir = fs.mkdtempSync(path.join(tmp, 'cancel-'));
    await expect(
      writeZip(path.join(dir, 'x.zip'), entries, { signal: ac.signal, readBytes: 64 * 1024, onProgress: (d) => d > 100_000 && ac.abort() }),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(fs.readdirSync(dir)).toEqual([]);
    await expect(writeZip(path.join(tmp, 'plain.zip'), entries)).rejects.toMatchObject({ code: 'io', message: expect.stringMatching(/exists/) });
  });
});
