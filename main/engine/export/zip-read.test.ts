import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeZip } from './zip.js';
import { ZipError, ZipReader, type ZipEntry } from './zip-read.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-zip-read-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Python 3 with zipfile (an independent writer), or null. */
function python(): string | null {
  try {
    execFileSync('python3', ['-c', 'import zipfile, zlib'], { stdio: 'ignore' });
    return 'python3';
  } catch {
    return null;
  }
}
const py = python();
const hasZipTool = (() => {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Write a zip with Python's zipfile: `entries` is [name, file-or-null (a folder), compression].
 * Compression: 'stored' or 'deflated'.
 */
function pyZip(out: string, entries: [string, string | null, 'stored' | 'deflated'][]): void {
  const script = `
import json, sys, zipfile
out, entries = sys.argv[1], json.loads(sys.argv[2])
with zipfile.ZipFile(out, 'w') as z:
    for name, src, comp in entries:
        c = zipfile.ZIP_DEFLATED if comp == 'deflated' else zipfile.ZIP_STORED
        if src is None:
            z.writestr(zipfile.ZipInfo(name), b'')
        else:
            z.write(src, name, compress_type=c)
`;
  execFileSync(py!, ['-c', script, out, JSON.stringify(entries)]);
}

async function readAll(z: ZipReader, e: ZipEntry, chunks?: number[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of z.stream(e)) {
    chunks?.push(c.length);
    parts.push(Buffer.from(c));
  }
  return Buffer.concat(parts);
}

async function errorOf(p: Promise<unknown>): Promise<ZipError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ZipError);
    return err as ZipError;
  }
  throw new Error('expected a ZipError');
}

const files: Record<string, Buffer> = {
  'video.mp4': crypto.randomBytes(3 * 1024 * 1024 + 17),
  'manifest.json': Buffer.from(JSON.stringify({ a: 'x'.repeat(5000) })),
  'données/ünïcode.csv': Buffer.from('a,b\r\n1,2\r\n'.repeat(100)),
  'empty.txt': Buffer.alloc(0),
};
for (const [n, b] of Object.entries(files)) {
  fs.mkdirSync(path.dirname(path.join(tmp, 'src', n)), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'src', n), b);
}
const srcOf = (n: string) => path.join(tmp, 'src', n);

describe('ZIP reader', () => {
  for (const mode of ['plain', 'zip64'] as const) {
    it(`reads our writer's stored and deflated entries byte for byte, in chunks of at most 1 MiB (${mode})`, async () => {
      const out = path.join(tmp, `ours-${mode}.zip`);
      await writeZip(
        out,
        Object.keys(files).map((n) => ({ name: `b/${n}`, file: srcOf(n), compress: !n.endsWith('.mp4') })),
        { zip64Threshold: mode === 'zip64' ? 1000 : undefined },
      );
      const z = await ZipReader.open(out);
      try {
        expect(z.zip64).toBe(mode === 'zip64');
        expect(z.entries.map((e) => e.name)).toEqual(Object.keys(files).map((n) => `b/${n}`));
        for (const e of z.entries) {
          const chunks: number[] = [];
          const got = await readAll(z, e, chunks);
          expect(got.equals(files[e.name.slice(2)]!), e.name).toBe(true);
          expect(Math.max(0, ...chunks)).toBeLessThanOrEqual(1024 * 1024);
          expect(e.method, e.name).toBe(e.name.endsWith('.csv') || e.name.endsWith('.json') ? 8 : 0);
        }
        expect(z.entries.find((e) => e.name.endsWith('.mp4'))!.size).toBe(files['video.mp4']!.length);
      } finally {
        await z.close();
      }
    });
  }

  it.skipIf(!py)("reads Python's zipfile (stored, deflated, folder entries, UTF-8 names) and streams a large deflated entry in bounded chunks", async () => {
    const big = path.join(tmp, 'big.bin');
    // compressible but not trivial: 24 MiB of 8 KiB random blocks, two in three a repeat (inside deflate's 32 KiB window)
    const block = crypto.randomBytes(8 * 1024);
    fs.writeFileSync(big, Buffer.concat(Array.from({ length: 3072 }, (_, i) => (i % 3 ? block : crypto.randomBytes(8 * 1024)))));
    const out = path.join(tmp, 'py.zip');
    pyZip(out, [
      ['top/', null, 'stored'],
      ['top/video.mp4', srcOf('video.mp4'), 'stored'],
      ['top/données/ünïcode.csv', srcOf('données/ünïcode.csv'), 'deflated'],
      ['top/big.bin', big, 'deflated'],
      ['top/empty.txt', srcOf('empty.txt'), 'deflated'],
    ]);
    const z = await ZipReader.open(out);
    try {
      expect(z.entries.map((e) => [e.name, e.isDirectory])).toEqual([
        ['top/', true],
        ['top/video.mp4', false],
        ['top/données/ünïcode.csv', false],
        ['top/big.bin', false],
        ['top/empty.txt', false],
      ]);
      const chunks: number[] = [];
      const data = await readAll(z, z.entries[3]!, chunks);
      expect(z.entries[3]!.method).toBe(8);
      expect(z.entries[3]!.compressedSize).toBeLessThan(fs.statSync(big).size);
      expect(crypto.createHash('sha256').update(data).digest('hex')).toBe(crypto.createHash('sha256').update(fs.readFileSync(big)).digest('hex'));
      expect(chunks.length).toBeGreaterThan(20);
      expect(Math.max(...chunks)).toBeLessThanOrEqual(1024 * 1024);
      expect((await readAll(z, z.entries[1]!)).equals(files['video.mp4']!)).toBe(true);
      expect((await readAll(z, z.entries[2]!)).equals(files['données/ünïcode.csv']!)).toBe(true);
      expect((await readAll(z, z.entries[4]!)).length).toBe(0);
    } finally {
      await z.close();
    }
  });

  it.skipIf(!hasZipTool)('reads a zip made by the zip tool (zip -r), folder entries included', async () => {
    const out = path.join(tmp, 'tool.zip');
    execFileSync('zip', ['-r', '-q', out, 'src'], { cwd: tmp });
    const z = await ZipReader.open(out);
    try {
      const names = z.entries.map((e) => e.name);
      expect(names).toEqual(expect.arrayContaining(['src/', 'src/données/', 'src/video.mp4', 'src/manifest.json', 'src/données/ünïcode.csv', 'src/empty.txt']));
      for (const e of z.entries.filter((x) => !x.isDirectory)) {
        expect((await readAll(z, e)).equals(files[e.name.slice(4)]!), e.name).toBe(true);
      }
      expect(z.entries.find((e) => e.name === 'src/manifest.json')!.method).toBe(8);
    } finally {
      await z.close();
    }
  });

  it('a cut-short, empty or foreign file is a ZipError that says so, not a crash', async () => {
    const good = path.join(tmp, 'ours-plain.zip');
    const buf = fs.readFileSync(good);
    for (const keep of [buf.length - 1, buf.length - 30, Math.floor(buf.length / 2), 100, 21, 0]) {
      const f = path.join(tmp, `cut-${keep}.zip`);
      fs.writeFileSync(f, buf.subarray(0, keep));
      const err = await errorOf(ZipReader.open(f));
      expect(err.kind).toBe('format');
      expect(err.message, String(keep)).toMatch(/cut short/);
    }
    const txt = path.join(tmp, 'not.zip');
    fs.writeFileSync(txt, 'hello, this is not a zip at all'.repeat(10));
    expect((await errorOf(ZipReader.open(txt))).message).toMatch(/not a zip file/);
    // a central directory that points outside the file
    const bad = Buffer.from(buf);
    const end = bad.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    bad.writeUInt32LE(bad.length, end + 16);
    fs.writeFileSync(path.join(tmp, 'badcd.zip'), bad);
    expect((await errorOf(ZipReader.open(path.join(tmp, 'badcd.zip')))).message).toMatch(/central directory lies outside the file/);
  });

  it("checks each entry's CRC-32 and size against the central directory while reading", async () => {
    const out = path.join(tmp, 'one.zip');
    await writeZip(out, [
      { name: 'a.mp4', file: srcOf('video.mp4') },
      { name: 'b.json', file: srcOf('manifest.json'), compress: true },
    ]);
    const buf = fs.readFileSync(out);
    // a changed byte in the stored data: read in full, then a 'crc' error
    const flipped = Buffer.from(buf);
    const at = 30 + 'a.mp4'.length + 1000;
    flipped[at] = flipped[at]! ^ 0xff;
    fs.writeFileSync(path.join(tmp, 'flip.zip'), flipped);
    let z = await ZipReader.open(path.join(tmp, 'flip.zip'));
    let n = 0;
    let err = await errorOf(
      (async () => {
        for await (const c of z.stream(z.entries[0]!)) n += c.length;
      })(),
    );
    expect(err.kind).toBe('crc');
    expect(n).toBe(files['video.mp4']!.length);
    expect(err.message).toMatch(/CRC-32/);
    await z.close();
    // a changed byte in deflated data: the inflater or the CRC catches it
    const second = buf.indexOf(Buffer.from('b.json'));
    const flipped2 = Buffer.from(buf);
    const at2 = second + 'b.json'.length + 8;
    flipped2[at2] = flipped2[at2]! ^ 0x55;
    fs.writeFileSync(path.join(tmp, 'flip2.zip'), flipped2);
    z = await ZipReader.open(path.join(tmp, 'flip2.zip'));
    err = await errorOf(z.read(z.entries[1]!, 1e6));
    expect(['crc', 'data']).toContain(err.kind);
    // the size the directory says is wrong
    const cd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const sized = Buffer.from(buf);
    sized.writeUInt32LE(files['manifest.json']!.length - 1, cd + 24);
    fs.writeFileSync(path.join(tmp, 'size.zip'), sized);
    await z.close();
    z = await ZipReader.open(path.join(tmp, 'size.zip'));
    expect((await errorOf(z.read(z.entries[1]!, 1e6))).message).toMatch(/more than the .* bytes the zip's directory says/);
    // a small read refuses a large entry
    expect((await errorOf(z.read(z.entries[0]!, 1000))).message).toMatch(/more than the 1000 this file may have/);
    await z.close();
  });

  it('another method, encryption, a moved local header and a non-UTF-8 name', async () => {
    const out = path.join(tmp, 'single.zip');
    await writeZip(out, [{ name: 'ab.txt', file: srcOf('manifest.json') }]);
    const buf = fs.readFileSync(out);
    const cd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const patch = async (name: string, f: (b: Buffer) => void) => {
      const b = Buffer.from(buf);
      f(b);
      fs.writeFileSync(path.join(tmp, name), b);
      return ZipReader.open(path.join(tmp, name));
    };
    let z = await patch('bzip2.zip', (b) => {
      b.writeUInt16LE(12, 8);
      b.writeUInt16LE(12, cd + 10);
    });
    let err = await errorOf(z.read(z.entries[0]!, 1e6));
    expect(err).toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/method 12 \(bzip2\)/) });
    await z.close();
    z = await patch('enc.zip', (b) => {
      b.writeUInt16LE(b.readUInt16LE(cd + 8) | 1, cd + 8);
    });
    expect(z.entries[0]!.encrypted).toBe(true);
    err = await errorOf(z.read(z.entries[0]!, 1e6));
    expect(err).toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/encrypted/) });
    await z.close();
    z = await patch('local.zip', (b) => b.writeUInt32LE(0, 0));
    expect((await errorOf(z.read(z.entries[0]!, 1e6))).message).toMatch(/no local header where the central directory says/);
    await z.close();
    // CP437 when the name is not flagged UTF-8 and is not valid UTF-8
    z = await patch('cp437.zip', (b) => {
      b[31] = 0x82;
      b[cd + 47] = 0x82;
      b.writeUInt16LE(b.readUInt16LE(cd + 8) & ~0x0800, cd + 8);
    });
    expect(z.entries[0]!.name).toBe('aé.txt');
    expect((await z.read(z.entries[0]!, 1e6)).equals(files['manifest.json']!)).toBe(true);
    await z.close();
  });
});
