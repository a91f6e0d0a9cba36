import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalName, certificateNames, ensureSelfSigned, machineNames, makeSelfSigned, renewReason, selfSignedFiles } from './self-signed.js';
import { checkPair, loadTls, spkiHash, TlsError } from './tls.js';

let dir: string;
let good: { cert: string; key: string };
let other: { cert: string; key: string };
const DAY = 86_400_000;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-tls-'));
  good = await makeSelfSigned(['localhost', '127.0.0.1', '::1', 'nvr.example.org']);
  other = await makeSelfSigned(['localhost']);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function files(name: string, p: { cert: string; key: string }) {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  fs.writeFileSync(certFile, p.cert);
  fs.writeFileSync(keyFile, p.key, { mode: 0o600 });
  return { certFile, keyFile };
}
async function tlsError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TlsError);
    return (err as Error).message;
  }
  throw new Error('expected a TlsError');
}

describe('the self-signed certificate', () => {
  it('is ECDSA P-256, CA:false, server auth, for the names given, 825 days', () => {
    const c = new crypto.X509Certificate(good.cert);
    expect(c.publicKey.asymmetricKeyType).toBe('ec');
    expect(c.ca).toBe(false);
    expect(c.keyUsage ?? []).toContain('1.3.6.1.5.5.7.3.1');
    expect(certificateNames(c).map(canonicalName)).toEqual(['localhost', '127.0.0.1', '0:0:0:0:0:0:0:1', 'nvr.example.org']);
    const days = (Date.parse(c.validTo) - Date.parse(c.validFrom)) / DAY;
    expect(Math.round(days * 24)).toBe(825 * 24 + 1);
    expect(c.checkPrivateKey(crypto.createPrivateKey(good.key))).toBe(true);
    expect(c.verify(c.publicKey)).toBe(true);
  });

  it('names this machine: loopback, its host name and its addresses', () => {
    const n = machineNames(['nvr.example.org', '0.0.0.0']);
    expect(n).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '::1', os.hostname().toLowerCase(), 'nvr.example.org']));
    expect(n).not.toContain('0.0.0.0');
  });

  it('is made once, kept 0600 in the data dir, and made again only when needed', async () => {
    const data = path.join(dir, 'data');
    const names = ['localhost', '127.0.0.1', '::1'];
    const first = await ensureSelfSigned(data, names);
    expect(first.renewed).toMatch(/none was made yet/);
    const f = selfSignedFiles(data);
    expect(fs.statSync(f.key).mode & 0o777).toBe(0o600);
    expect(fs.statSync(f.dir).mode & 0o777).toBe(0o700);
    const pem = fs.readFileSync(f.cert, 'utf8');
    expect((await ensureSelfSigned(data, names)).renewed).toBeNull();
    expect(fs.readFileSync(f.cert, 'utf8')).toBe(pem);
    // a new address: a new certificate that keeps the old names
    const grown = await ensureSelfSigned(data, ['localhost', '192.0.2.77']);
    expect(grown.renewed).toMatch(/192\.0\.2\.77/);
    const names2 = certificateNames(new crypto.X509Certificate(fs.readFileSync(f.cert, 'utf8'))).map(canonicalName);
    expect(names2).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '0:0:0:0:0:0:0:1', '192.0.2.77']));
    // the address gone again: kept
    expect((await ensureSelfSigned(data, names)).renewed).toBeNull();
    // a broken file: made again
    fs.writeFileSync(f.key, 'garbage');
    expect((await ensureSelfSigned(data, names)).renewed).toMatch(/could not be read|does not match/);
  });

  it('is renewed 30 days before it expires', () => {
    const now = Date.now();
    expect(renewReason(good.cert, good.key, ['localhost'], now)).toBeNull();
    expect(renewReason(good.cert, good.key, ['localhost'], now + 800 * DAY)).toMatch(/expires on/);
    expect(renewReason(good.cert, other.key, ['localhost'], now)).toMatch(/does not match/);
  });
});

describe('the admin\'s certificate and key', () => {
  it('a good pair: fingerprints as browsers and Chromium\'s SPKI list show them', async () => {
    const m = await loadTls({ dataDir: dir, ...files('good', good) });
    const c = new crypto.X509Certificate(good.cert);
    expect(m.info.fingerprint256).toBe(c.fingerprint256);
    expect(m.info.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(m.info.spki256).toBe(spkiHash(c));
    expect(Buffer.from(m.info.spki256, 'base64')).toHaveLength(32);
    expect(m.info.source).toBe('given');
    expect(m.notes).toEqual([]);
  });

  it('a key that does not match the certificate', async () => {
    const f = files('mismatch', { cert: good.cert, key: other.key });
    expect(await tlsError(loadTls({ dataDir: dir, ...f }))).toMatch(/does not match the private key/);
  });

  it('an expired certificate, and one not valid yet', async () => {
    const old = await makeSelfSigned(['localhost'], new Date(Date.now() - 900 * DAY));
    expect(await tlsError(loadTls({ dataDir: dir, ...files('old', old) }))).toMatch(/expired on/);
    const future = await makeSelfSigned(['localhost'], new Date(Date.now() + 10 * DAY));
    expect(await tlsError(loadTls({ dataDir: dir, ...files('future', future) }))).toMatch(/not valid until .*clock/);
  });

  it('unreadable, missing, swapped, encrypted or garbage files', async () => {
    expect(await tlsError(loadTls({ dataDir: dir, certFile: path.join(dir, 'nope.crt'), keyFile: path.join(dir, 'nope.key') }))).toMatch(/cannot read the TLS certificate .*no such file/);
    expect(await tlsError(loadTls({ dataDir: dir, certFile: dir, keyFile: dir }))).toMatch(/folder/);
    const swapped = files('swapped', { cert: good.key, key: good.cert });
    expect(await tlsError(loadTls({ dataDir: dir, ...swapped }))).toMatch(/swap --cert and --key/);
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    expect(await tlsError(loadTls({ dataDir: dir, ...files('enc', { cert: good.cert, key: encrypted }) }))).toMatch(/encrypted with a passphrase/);
    expect(await tlsError(loadTls({ dataDir: dir, ...files('junk', { cert: 'hello', key: good.key }) }))).toMatch(/not a PEM file/);
    const broken = good.cert.replace(/[A-Za-z]{10}\n/, 'AAAAAAAAAA\n');
    expect(await tlsError(loadTls({ dataDir: dir, ...files('broken', { cert: broken, key: good.key }) }))).toMatch(/certificate Gatehouse can read|does not match/);
    await expect(loadTls({ dataDir: dir, certFile: swapped.certFile })).rejects.toThrow(/--cert needs --key/);
    if (process.getuid?.() !== 0) {
      const f = files('noread', good);
      fs.chmodSync(f.keyFile, 0o000);
      expect(await tlsError(loadTls({ dataDir: dir, ...f }))).toMatch(/permission denied/);
    }
  });

  it('says so when the key file can be read by every local user', async () => {
    const f = files('loose', good);
    fs.chmodSync(f.keyFile, 0o644);
    const m = await loadTls({ dataDir: dir, ...f });
    expect(m.notes.join(' ')).toMatch(/can be read by every local user .*chmod 600/);
  });

  it('checkPair warns of a certificate that expires within 14 days', () => {
    const m = checkPair(good.cert, good.key, { certFile: 'c', keyFile: 'k', source: 'given', now: Date.now() + 820 * DAY });
    expect(m.notes.join(' ')).toMatch(/renew it soon/);
  });
});
