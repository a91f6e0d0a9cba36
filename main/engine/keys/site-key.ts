/**
 * The site signing key: an Ed25519 key pair made on first use. It signs
 * export manifests (main/engine/export/) and audit checkpoints.
 *
 * File: `<data>/export-keys.json` (0600), one entry per key ever made:
 *
 *   { "version": 1,
 *     "keys": [ { "fingerprint": "SHA256:3f:a1:…", "algorithm": "Ed25519",
 *                 "publicKeyPem": "-----BEGIN PUBLIC KEY-----…",
 *                 "createdAt": "…Z", "retiredAt": null | "…Z",
 *                 "privateKey": "enc:v1:…" | null } ] }
 *
 * The private key (PKCS#8 DER, base64) is sealed with the data dir's
 * SecretBox, like camera passwords. The current key is the newest entry that
 * still has its private key. Rotating makes a new key, retires the old one
 * and drops its private key, but keeps its public key: exports signed before
 * the rotation still verify as "signed by this site". Reading the public keys
 * (verify) needs no secret.
 *
 * Fingerprint: SHA-256 of the public key's SPKI DER, as 32 colon-separated
 * hex pairs after "SHA256:" (what `openssl pkey -pubin -outform DER | sha256sum`
 * prints, grouped).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SecretBox } from '../config/secrets.js';
import { fsyncDir } from '../util/fsync.js';

export const SITE_KEY_FILE = 'export-keys.json';

export function siteKeyFile(dataDir: string): string {
  return path.join(dataDir, SITE_KEY_FILE);
}

export interface SiteKeyEntry {
  fingerprint: string;
  algorithm: 'Ed25519';
  publicKeyPem: string;
  createdAt: string;
  retiredAt: string | null;
  /** Sealed PKCS#8 (SecretBox format), null once the key is retired. */
  privateKey: string | null;
}

interface KeyFile {
  version: 1;
  keys: SiteKeyEntry[];
}

/** A public view of one key (no private part). */
export interface SiteKeyInfo {
  fingerprint: string;
  algorithm: 'Ed25519';
  publicKeyPem: string;
  createdAt: string;
  retiredAt: string | null;
  current: boolean;
}

/** What an export needs to sign its manifest. */
export interface ExportSigner {
  algorithm: 'Ed25519';
  fingerprint: string;
  publicKeyPem: string;
  /** The 64-byte raw Ed25519 signature of `data`. */
  sign(data: Buffer): Buffer;
}

/** "SHA256:ab:cd:…" of an SPKI DER public key. */
export function fingerprintOf(spkiDer: Buffer): string {
  const hex = crypto.createHash('sha256').update(spkiDer).digest('hex');
  return `SHA256:${hex.match(/../g)!.join(':')}`;
}

/** Fingerprint of a PEM (or DER) public key; throws when it is not an Ed25519 public key. */
export function fingerprintOfPem(pem: string | Buffer): string {
  const key = crypto.createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 public key (${key.asymmetricKeyType})`);
  return fingerprintOf(key.export({ type: 'spki', format: 'der' }));
}

function readKeyFile(file: string): KeyFile | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let data: KeyFile;
  try {
    data = JSON.parse(text) as KeyFile;
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); restore it from a backup (exports signed with its keys can still be checked by hand with their public-key.pem)`);
  }
  if (data?.version !== 1 || !Array.isArray(data.keys)) throw new Error(`${file} is not an export key file of this Gatehouse (version ${String(data?.version)})`);
  return data;
}

/** The public keys of a data dir (no SecretBox needed): for verify. Empty when the site never exported. */
export function readSitePublicKeys(dataDir: string): SiteKeyInfo[] {
  const data = readKeyFile(siteKeyFile(dataDir));
  if (!data) return [];
  const cur = currentOf(data);
  return data.keys.map((k) => publicInfo(k, k === cur));
}

function currentOf(data: KeyFile): SiteKeyEntry | null {
  for (let i = data.keys.length - 1; i >= 0; i--) if (data.keys[i]!.privateKey && !data.keys[i]!.retiredAt) return data.keys[i]!;
  return null;
}

function publicInfo(k: SiteKeyEntry, current: boolean): SiteKeyInfo {
  return { fingerprint: k.fingerprint, algorithm: k.algorithm, publicKeyPem: k.publicKeyPem, createdAt: k.createdAt, retiredAt: k.retiredAt, current };
}

function writeKeyFileAtomic(file: string, data: KeyFile, exclusive: boolean): boolean {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(data, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    if (exclusive) {
      // first key: whoever links first wins, a concurrent creator reads that one
      try {
        fs.linkSync(tmp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      }
    } else fs.renameSync(tmp, file);
    fsyncDir(path.dirname(file));
    return true;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function newEntry(secrets: SecretBox, now: Date): SiteKeyEntry {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return {
    fingerprint: fingerprintOf(spki),
    algorithm: 'Ed25519',
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    createdAt: now.toISOString(),
    retiredAt: null,
    privateKey: secrets.seal(privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64')),
  };
}

/** Hold `<file>.lock` while changing the key file (other processes: the CLI, a server). */
function withLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 30_000) fs.rmSync(lock, { force: true });
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > until) throw new Error(`${lock} is held by another process; try again, or remove it if no Gatehouse is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** The site's export keys in one data dir. */
export class SiteKeyStore {
  readonly file: string;
  constructor(
    dataDir: string,
    private readonly secrets: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = siteKeyFile(dataDir);
  }

  /** Every key, oldest first, without private parts. */
  list(): SiteKeyInfo[] {
    const data = readKeyFile(this.file);
    if (!data) return [];
    const cur = currentOf(data);
    return data.keys.map((k) => publicInfo(k, k === cur));
  }

  /** The current key; made (and stored) on first use. */
  current(): SiteKeyInfo {
    return publicInfo(this.currentEntry(), true);
  }

  /** A signer with the current key (made on first use). */
  signer(): ExportSigner {
    const e = this.currentEntry();
    let pkcs8: Buffer;
    try {
      pkcs8 = Buffer.from(this.secrets.open(e.privateKey!), 'base64');
    } catch (err) {
      throw new Error(
        `the export signing key in ${this.file} cannot be opened (${(err as Error).message}); rotate the key ("Rotate export key" in Settings) to make a new one (old exports keep verifying with their public keys)`,
      );
    }
    const key = crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    return { algorithm: 'Ed25519', fingerprint: e.fingerprint, publicKeyPem: e.publicKeyPem, sign: (data) => crypto.sign(null, data, key) };
  }

  /** Make a new key, retire the current one (its public key is kept). Returns the new key. */
  rotate(): SiteKeyInfo {
    return withLock(this.file, () => {
      const data = readKeyFile(this.file) ?? { version: 1 as const, keys: [] };
      const at = this.now();
      for (const k of data.keys) {
        if (!k.retiredAt) k.retiredAt = at.toISOString();
        k.privateKey = null;
      }
      const e = newEntry(this.secrets, at);
      data.keys.push(e);
      writeKeyFileAtomic(this.file, data, false);
      return publicInfo(e, true);
    });
  }

  /** Is this public key (PEM, or a fingerprint) one of this site's, current or retired? */
  find(pemOrFingerprint: string): SiteKeyInfo | null {
    const fp = pemOrFingerprint.startsWith('SHA256:') ? pemOrFingerprint : fingerprintOfPem(pemOrFingerprint);
    return this.list().find((k) => k.fingerprint === fp) ?? null;
  }

  private currentEntry(): SiteKeyEntry {
    for (let attempt = 0; attempt < 3; attempt++) {
      const data = readKeyFile(this.file);
      const cur = data && currentOf(data);
      if (cur) return cur;
      if (data) {
        // every key retired without a successor (an interrupted rotation): make one
        return withLock(this.file, () => {
          const again = readKeyFile(this.file)!;
          const c = currentOf(again);
          if (c) return c;
          const e = newEntry(this.secrets, this.now());
          again.keys.push(e);
          writeKeyFileAtomic(this.file, again, false);
          return e;
        });
      }
      const e = newEntry(this.secrets, this.now());
      if (writeKeyFileAtomic(this.file, { version: 1, keys: [e] }, true)) return e;
    }
    throw new Error(`could not create ${this.file}`);
  }
}
