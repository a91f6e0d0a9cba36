import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyFileSecretBox } from '../config/secrets.js';
import { fingerprintOf, fingerprintOfPem, readSitePublicKeys, siteKeyFile, SiteKeyStore } from './site-key.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-keys-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('site export key', () => {
  it('is made on first use, sealed, and kept', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'a-'));
    const secrets = new KeyFileSecretBox(path.join(dir, 'secret.key'));
    const store = new SiteKeyStore(dir, secrets);
    expect(store.list()).toEqual([]);
    expect(readSitePublicKeys(dir)).toEqual([]);
    const k = store.current();
    expect(k.fingerprint).toMatch(/^SHA256:([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
    expect(new SiteKeyStore(dir, secrets).current().fingerprint).toBe(k.fingerprint);
    // fingerprint = SHA-256 of the SPKI DER
    const der = crypto.createPublicKey(k.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(k.fingerprint.replace('SHA256:', '').replace(/:/g, '')).toBe(crypto.createHash('sha256').update(der).digest('hex'));
    expect(fingerprintOfPem(k.publicKeyPem)).toBe(k.fingerprint);
    const file = siteKeyFile(dir);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/"privateKey": "enc:v1:/);
    expect(text).not.toMatch(/PRIVATE KEY/);
    // a raw 64-byte Ed25519 signature that the public key verifies
    const sig = store.signer().sign(Buffer.from('manifest bytes'));
    expect(sig.length).toBe(64);
    expect(crypto.verify(null, Buffer.from('manifest bytes'), k.publicKeyPem, sig)).toBe(true);
  });

  it('rotation makes a new key and keeps every old public key', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'b-'));
    const secrets = new KeyFileSecretBox(path.join(dir, 'secret.key'));
    let t = Date.UTC(2026, 0, 1);
    const store = new SiteKeyStore(dir, secrets, () => new Date((t += 86400_000)));
    const first = store.current();
    const oldSig = store.signer().sign(Buffer.from('old export'));
    const second = store.rotate();
    const third = store.rotate();
    expect(new Set([first.fingerprint, second.fingerprint, third.fingerprint]).size).toBe(3);
    const list = store.list();
    expect(list.map((k) => [k.fingerprint, k.current, !!k.retiredAt])).toEqual([
      [first.fingerprint, false, true],
      [second.fingerprint, false, true],
      [third.fingerprint, true, false],
    ]);
    expect(store.signer().fingerprint).toBe(third.fingerprint);
    // an export signed before the rotation still verifies, and its key is still this site's
    expect(crypto.verify(null, Buffer.from('old export'), first.publicKeyPem, oldSig)).toBe(true);
    expect(store.find(first.publicKeyPem)).toMatchObject({ fingerprint: first.fingerprint, current: false });
    expect(readSitePublicKeys(dir).map((k) => k.fingerprint)).toEqual(list.map((k) => k.fingerprint));
    // retired keys lose their private part
    const data = JSON.parse(fs.readFileSync(siteKeyFile(dir), 'utf8')) as { keys: { privateKey: string | null }[] };
    expect(data.keys.map((k) => k.privateKey !== null)).toEqual([false, false, true]);
    expect(store.find(crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString())).toBeNull();
  });

  it('says what to do when the sealed key cannot be opened, and refuses a broken key file', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'c-'));
    new SiteKeyStore(dir, new KeyFileSecretBox(path.join(dir, 'secret.key'))).current();
    const other = new KeyFileSecretBox(path.join(dir, 'other.key'));
    expect(() => new SiteKeyStore(dir, other).signer()).toThrow(/cannot be opened.*rotate/);
    fs.writeFileSync(siteKeyFile(dir), '{ broken');
    expect(() => readSitePublicKeys(dir)).toThrow(/not valid JSON/);
  });

  it('a second store on the same data dir uses the key the first one made', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'd-'));
    const secrets = new KeyFileSecretBox(path.join(dir, 'secret.key'));
    const a = new SiteKeyStore(dir, secrets).current();
    const b = new SiteKeyStore(dir, secrets).current();
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(fingerprintOf(Buffer.from('x'))).toMatch(/^SHA256:2d:71:16:42/);
  });
});
