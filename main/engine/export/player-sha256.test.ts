import crypto from 'node:crypto';
import fs from 'node:fs';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { assetPath } from '../paths.js';

interface Sha {
  create(): { update(b: Uint8Array): unknown; digest(): Uint8Array };
  hex(b: Uint8Array): string;
}
// the player's own file, loaded as the browser loads it (a plain script defining a global)
const ctx = vm.createContext({});
vm.runInContext(fs.readFileSync(assetPath('export-player', 'sha256.js'), 'utf8') + '\nthis.GatehouseSha256 = GatehouseSha256;', ctx);
const Sha256 = (ctx as { GatehouseSha256: Sha }).GatehouseSha256;

const node = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const js = (b: Uint8Array, pieces: number[] = []) => {
  const h = Sha256.create();
  let at = 0;
  for (const p of pieces) {
    h.update(b.subarray(at, at + p));
    at += p;
  }
  h.update(b.subarray(at));
  return Sha256.hex(h.digest());
};

describe("the offline player's incremental SHA-256", () => {
  it('matches Node on the padding edge lengths', () => {
    for (const len of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000]) {
      const b = crypto.randomBytes(len);
      expect(js(b), `length ${len}`).toBe(node(b));
    }
    expect(js(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches Node however the input is sliced, over several MiB', () => {
    const b = crypto.randomBytes(5 * 1024 * 1024 + 333);
    expect(js(b)).toBe(node(b));
    expect(js(b, [1, 63, 64, 65, 8 * 1024 * 1024 / 4, 7, 100_000])).toBe(node(b));
    const pieces: number[] = [];
    for (let i = 0; i < 200; i++) pieces.push((i * 7919) % 4099);
    expect(js(b, pieces)).toBe(node(b));
  });

  it('refuses to be fed after its digest', () => {
    const h = Sha256.create();
    h.digest();
    expect(() => h.update(new Uint8Array(1))).toThrow(/after digest/);
  });
});
