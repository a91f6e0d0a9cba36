import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { avcCodecString, hevcCodecString, readHeader, walkBuffer, walkFile, children } from './boxes.js';
import { cleanInit, retimeMoof } from './fmp4.js';
import { Fragmenter } from './fragmenter.js';
import { box, fragment, initSegment, synthFile } from './__fixtures__/synthetic.js';
import { prepareFile } from '../recording/closer.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-boxes-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('box walker', () => {
  it('reads tracks, codec, size and exact duration of a fragmented file', () => {
    const buf = synthFile(3, 10, 9000);
    const info = walkBuffer(buf);
    expect(info.tracks).toHaveLength(1);
    expect(info.video).toMatchObject({
      id: 1,
      handler: 'vide',
      timescale: 90000,
      format: 'avc1',
      codec: 'avc1.4d401e',
      width: 640,
      height: 360,
    });
    expect(info.fragments).toHaveLength(3);
    expect(info.fragments.map((f) => f.trafs[0]!.keyframe)).toEqual([true, true, true]);
    expect(info.startTicks).toBe(0);
    expect(info.endTicks).toBe(3 * 10 * 9000);
    expect(info.durationMs).toBe(3000);
    expect(info.validEnd).toBe(buf.length);
    expect(info.truncated).toBe(false);
  });

  it('treats a trailing mfra (clean close) as complete', () => {
    const buf = Buffer.concat([synthFile(2), box('mfra', box('mfro', Buffer.alloc(8)))]);
    const info = walkBuffer(buf);
    expect(info.truncated).toBe(false);
    expect(info.fragments).toHaveLength(2);
  });

  it('finds the last complete moof+mdat when the tail is torn (inside mdat, inside moof, inside a header)', () => {
    const full = synthFile(3);
    const info = walkBuffer(full);
    const end2 = info.fragments[1]!.end;
    const moof3 = info.fragments[2]!.start;
    for (const cut of [full.length - 5, moof3 + 30, moof3 + 3, end2 + 1]) {
      const w = walkBuffer(full.subarray(0, cut));
      expect(w.truncated, `cut at ${cut}`).toBe(true);
      expect(w.validEnd).toBe(end2);
      expect(w.fragments).toHaveLength(2);
      expect(w.durationMs).toBe(2000);
    }
  });

  it('a file cut inside the moov has no init and no fragments', () => {
    const full = synthFile(1);
    const w = walkBuffer(full.subarray(0, 60));
    expect(w.initEnd).toBe(0);
    expect(w.fragments).toHaveLength(0);
    expect(w.truncated).toBe(true);
  });

  it('stops at garbage after the last fragment', () => {
    const buf = Buffer.concat([synthFile(2), Buffer.from('\x00\x00\x00\x10JUNKjunkjunkjunk', 'latin1')]);
    const w = walkBuffer(buf);
    expect(w.fragments).toHaveLength(2);
    expect(w.truncated).toBe(true);
  });

  it('detects non-key first samples', () => {
    const buf = Buffer.concat([
      initSegment(),
      fragment(1, 0, [{ duration: 3000, size: 10, key: true }]),
      fragment(2, 3000, [{ duration: 3000, size: 10, key: false }]),
    ]);
    expect(walkBuffer(buf).fragments.map((f) => f.trafs[0]!.keyframe)).toEqual([true, false]);
  });

  it('salvage (prepareFile) truncates a torn file in place to its last complete fragment', () => {
    const full = synthFile(4);
    const info = walkBuffer(full);
    const file = path.join(tmp, 'torn.mp4');
    fs.writeFileSync(file, full.subarray(0, info.fragments[3]!.start + 50));
    const p = prepareFile(file)!;
    expect(p.cutBytes).toBe(50);
    expect(fs.statSync(file).size).toBe(info.fragments[2]!.end);
    expect(p.info.durationMs).toBe(3000);
    expect(walkFile(file).truncated).toBe(false);
    expect(p.initHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('salvage gives up on a file without a complete fragment', () => {
    const file = path.join(tmp, 'empty.mp4');
    fs.writeFileSync(file, synthFile(1).subarray(0, 700));
    expect(prepareFile(file)).toBeNull();
    fs.writeFileSync(file, Buffer.alloc(0));
    expect(prepareFile(file)).toBeNull();
  });
});

describe('codec strings', () => {
  it('avc1.PPCCLL from avcC', () => {
    expect(avcCodecString('avc1', Buffer.from([1, 0x64, 0x00, 0x28]))).toBe('avc1.640028');
    expect(avcCodecString('avc1', Buffer.from([1, 0x42, 0xc0, 0x16]))).toBe('avc1.42c016');
  });
  it('hvc1 from hvcC (Main, level 3.1)', () => {
    const h = Buffer.alloc(23);
    h[0] = 1;
    h[1] = 0x01; // space 0, tier main, profile 1
    h.writeUInt32BE(0x60000000, 2); // compat flags 1 and 2
    h[6] = 0x90; // progressive + frame-only constraint bits
    h[12] = 93;
    expect(hevcCodecString('hvc1', h)).toBe('hvc1.1.6.L93.90');
  });
});

describe('fMP4 rewriting', () => {
  it('retimes tfdt (v1 in place) and keeps the payload offset valid', () => {
    const frag = fragment(1, 1000, [{ duration: 3000, size: 16, key: true }]);
    const moofLen = readHeader(frag, 0)!.size;
    const moof = frag.subarray(0, moofLen);
    const out = retimeMoof(moof, (_t, old) => old + 90_000);
    expect(out.length).toBe(moof.length);
    const w = walkBuffer(Buffer.concat([initSegment(), out, frag.subarray(moofLen)]));
    expect(w.fragments[0]!.trafs[0]!.baseTime).toBe(91_000);
  });

  it('upgrades a v0 tfdt to v1 and moves the trun data offset by the growth', () => {
    const frag = fragment(1, 5, [{ duration: 3000, size: 16, key: true }], { tfdtV0: true });
    const moofLen = readHeader(frag, 0)!.size;
    const moof = frag.subarray(0, moofLen);
    const out = retimeMoof(moof, () => 2 ** 40);
    expect(out.length).toBe(moof.length + 4);
    // data offset = new moof size + mdat header
    const trun = out.indexOf(Buffer.from('trun', 'latin1'));
    expect(out.readInt32BE(trun + 12)).toBe(out.length + 8);
    const w = walkBuffer(Buffer.concat([initSegment(), out, frag.subarray(moofLen)]));
    expect(w.fragments[0]!.trafs[0]!.baseTime).toBe(2 ** 40);
  });

  it('cleanInit drops edit lists', () => {
    const init = initSegment({ withEdts: true });
    expect(init.includes(Buffer.from('edts', 'latin1'))).toBe(true);
    const clean = cleanInit(init);
    expect(clean.includes(Buffer.from('edts', 'latin1'))).toBe(false);
    const top = children(clean, 0, clean.length).map((b) => b.type);
    expect(top).toEqual(['ftyp', 'moov']);
    expect(walkBuffer(clean).video?.codec).toBe('avc1.4d401e');
  });
});

describe('live fragmenter', () => {
  it('splits a byte stream in any chunking into init and fragments with key flags', () => {
    const stream = Buffer.concat([
      initSegment(),
      fragment(1, 0, [{ duration: 3000, size: 500, key: true }]),
      fragment(2, 3000, [{ duration: 3000, size: 300, key: false }]),
      fragment(3, 6000, [{ duration: 3000, size: 70_000, key: false }]),
      fragment(4, 9000, [{ duration: 3000, size: 900, key: true }]),
    ]);
    for (const chunk of [1, 7, 188, 4096, 65536]) {
      const inits: Buffer[] = [];
      const frags: { len: number; key: boolean; base: number }[] = [];
      const f = new Fragmenter({
        init: (b) => inits.push(b),
        fragment: (d, key, i) => frags.push({ len: d.length, key, base: i!.baseTime }),
        error: (e) => {
          throw e;
        },
      });
      for (let i = 0; i < stream.length; i += chunk) f.push(stream.subarray(i, i + chunk));
      expect(inits).toHaveLength(1);
      expect(inits[0]!.equals(initSegment())).toBe(true);
      expect(frags.map((x) => x.key)).toEqual([true, false, false, true]);
      expect(frags.map((x) => x.base)).toEqual([0, 3000, 6000, 9000]);
      expect(frags.reduce((a, x) => a + x.len, 0)).toBe(stream.length - initSegment().length);
    }
  });

  it('reports a corrupt stream once instead of throwing', () => {
    const errors: Error[] = [];
    const f = new Fragmenter({ init: () => {}, fragment: () => {}, error: (e) => errors.push(e) });
    const bad = Buffer.alloc(16);
    bad.writeUInt32BE(2, 0); // size smaller than a header
    bad.write('moof', 4, 'latin1');
    f.push(bad);
    f.push(bad);
    expect(errors).toHaveLength(1);
  });
});
