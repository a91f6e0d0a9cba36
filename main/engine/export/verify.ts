/**
 * Verifying an export bundle, offline, with nothing but the folder (and,
 * optionally, the site's public keys to say whether it was signed here):
 *
 *  1. manifest.sig must be the 64-byte Ed25519 signature of the exact bytes
 *     of manifest.json under public-key.pem, and public-key.pem must be the
 *     key whose fingerprint the manifest names;
 *  2. every file the manifest lists must exist with its size and SHA-256;
 *  3. no other file may be there (only manifest.json and manifest.sig are
 *     not listed in the manifest).
 *
 * The result names every changed, missing and extra file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hashFile } from './hash.js';
import { BUNDLE, MANIFEST_FORMAT, safeBundlePath, type Manifest } from './manifest.js';
import { fingerprintOf, type SiteKeyInfo } from '../keys/site-key.js';

export type FileStatus = 'ok' | 'changed' | 'missing' | 'extra';

export interface VerifyFile {
  path: string;
  status: FileStatus;
  expected?: { sha256: string; bytes: number };
  actual?: { sha256: string; bytes: number };
  detail?: string;
}

export type SignatureStatus =
  /** manifest.sig verifies over manifest.json with public-key.pem, which is the key the manifest names. */
  | 'valid'
  /** The signature does not match: manifest.json or manifest.sig was changed. */
  | 'invalid'
  | 'missing-signature'
  | 'missing-key'
  | 'malformed-signature'
  | 'malformed-key'
  /** public-key.pem is not the key the manifest names. */
  | 'key-mismatch'
  | 'missing-manifest'
  | 'malformed-manifest';

export interface VerifyResult {
  ok: boolean;
  dir: string;
  signature: SignatureStatus;
  /** Fingerprint of public-key.pem (SHA256:…), when it could be read. */
  fingerprint: string | null;
  /** SHA-256 of manifest.json as found (what the audit trail records). */
  manifestSha256: string | null;
  /** Whether the key is one of this site's (current or retired), when the site's keys were given. */
  siteKey: { status: 'this-site'; key: SiteKeyInfo } | { status: 'unknown' } | { status: 'not-checked' };
  manifest: Pick<Manifest, 'exportId' | 'createdAt' | 'case' | 'reason' | 'operator' | 'site' | 'range'> | null;
  /** Every file: those listed in the manifest (ok, changed, missing) and the extra ones. */
  files: VerifyFile[];
  /** One line per problem, in plain words. */
  problems: string[];
}

export interface VerifyOptions {
  /** The site's public keys (readSitePublicKeys); null or absent: not checked. */
  siteKeys?: SiteKeyInfo[] | null;
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/** Every regular file (and anything else that is not a folder) under dir, as bundle paths. */
function listAll(dir: string): { path: string; type: 'file' | 'other' }[] {
  const out: { path: string; type: 'file' | 'other' }[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push({ path: r, type: e.isFile() ? 'file' : 'other' });
    }
  };
  walk(dir, '');
  return out;
}

const HARMLESS = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

export async function verifyBundle(dir: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const abs = path.resolve(dir);
  const result: VerifyResult = {
    ok: false,
    dir: abs,
    signature: 'missing-manifest',
    fingerprint: null,
    manifestSha256: null,
    siteKey: { status: 'not-checked' },
    manifest: null,
    files: [],
    problems: [],
  };
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    result.problems.push(`${abs} does not exist`);
    return result;
  }
  if (!st.isDirectory()) {
    result.problems.push(`${abs} is not a folder${abs.endsWith('.zip') ? ' (unzip the export first, then verify the folder)' : ''}`);
    return result;
  }
  const present = listAll(abs);
  const byPath = new Map(present.map((p) => [p.path, p]));

  // 1. manifest and signature
  const read = (name: string): Buffer | null => {
    const p = byPath.get(name);
    if (!p || p.type !== 'file') return null;
    return fs.readFileSync(path.join(abs, name));
  };
  const manifestBytes = read(BUNDLE.manifest);
  if (!manifestBytes) {
    result.problems.push('manifest.json is missing: nothing in this folder can be checked');
    result.files = present.map((p) => ({ path: p.path, status: 'extra' as const, detail: 'not covered by any manifest' }));
    result.files.unshift({ path: BUNDLE.manifest, status: 'missing' });
    return result;
  }
  result.manifestSha256 = crypto.createHash('sha256').update(manifestBytes).digest('hex');
  let manifest: Manifest | null = null;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    if (manifest?.format !== MANIFEST_FORMAT || !Array.isArray(manifest.files)) throw new Error(`format is ${JSON.stringify(manifest?.format)}`);
  } catch (err) {
    manifest = null;
    result.signature = 'malformed-manifest';
    result.problems.push(`manifest.json is not a Gatehouse export manifest (${(err as Error).message})`);
  }
  const sig = read(BUNDLE.signature);
  const pem = read(BUNDLE.publicKey);
  let key: crypto.KeyObject | null = null;
  if (pem) {
    try {
      key = crypto.createPublicKey(pem);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
      result.fingerprint = fingerprintOf(key.export({ type: 'spki', format: 'der' }));
    } catch (err) {
      key = null;
      if (manifest) result.signature = 'malformed-key';
      result.problems.push(`public-key.pem is not an Ed25519 public key (${(err as Error).message})`);
    }
  }
  if (manifest) {
    if (!sig) {
      result.signature = 'missing-signature';
      result.problems.push('manifest.sig is missing: the manifest is not signed');
    } else if (sig.length !== 64) {
      result.signature = 'malformed-signature';
      result.problems.push(`manifest.sig has ${sig.length} bytes, an Ed25519 signature has 64: it was changed`);
    } else if (!pem) {
      result.signature = 'missing-key';
      result.problems.push('public-key.pem is missing: the signature cannot be checked');
    } else if (key) {
      if (!crypto.verify(null, manifestBytes, key, sig)) {
        result.signature = 'invalid';
        result.problems.push('manifest.json: the signature does not verify (manifest.json or manifest.sig was changed)');
      } else if (manifest.signature?.fingerprint !== result.fingerprint) {
        result.signature = 'key-mismatch';
        result.problems.push(`public-key.pem (${result.fingerprint}) is not the key the manifest names (${manifest.signature?.fingerprint})`);
      } else result.signature = 'valid';
    }
    result.manifest = {
      exportId: manifest.exportId,
      createdAt: manifest.createdAt,
      case: manifest.case,
      reason: manifest.reason,
      operator: manifest.operator,
      site: manifest.site,
      range: manifest.range,
    };
  }
  if (opts.siteKeys && result.fingerprint) {
    const k = opts.siteKeys.find((s) => s.fingerprint === result.fingerprint);
    result.siteKey = k ? { status: 'this-site', key: k } : { status: 'unknown' };
  }

  // 2. the listed files
  const listed = new Set<string>([BUNDLE.manifest, BUNDLE.signature]);
  if (manifest) {
    const total = manifest.files.reduce((a, f) => a + (Number.isFinite(f?.bytes) ? f.bytes : 0), 0);
    let done = 0;
    for (const f of manifest.files) {
      if (!safeBundlePath(f?.path) || !/^[0-9a-f]{64}$/.test(String(f?.sha256))) {
        result.problems.push(`manifest.json lists an unusable entry ${JSON.stringify(f?.path)}`);
        continue;
      }
      listed.add(f.path);
      const expected = { sha256: f.sha256, bytes: f.bytes };
      const p = byPath.get(f.path);
      if (!p) {
        result.files.push({ path: f.path, status: 'missing', expected });
        result.problems.push(`${f.path}: missing`);
        continue;
      }
      if (p.type !== 'file') {
        result.files.push({ path: f.path, status: 'changed', expected, detail: 'not a regular file' });
        result.problems.push(`${f.path}: changed (not a regular file)`);
        continue;
      }
      const actual = await hashFile(path.join(abs, f.path), {
        signal: opts.signal,
        onBytes: (n) => opts.onProgress?.((done += n), total),
      });
      if (actual.sha256 === f.sha256 && actual.bytes === f.bytes) result.files.push({ path: f.path, status: 'ok', expected, actual });
      else {
        const detail = actual.bytes !== f.bytes ? `${actual.bytes} bytes, the manifest says ${f.bytes}` : 'its SHA-256 differs from the manifest';
        result.files.push({ path: f.path, status: 'changed', expected, actual, detail });
        result.problems.push(`${f.path}: changed (${detail})`);
      }
    }
  }

  // 3. anything else
  for (const p of present) {
    if (listed.has(p.path)) continue;
    const base = p.path.split('/').pop()!;
    const detail = HARMLESS.has(base) ? 'added by a file browser; delete it and verify again' : 'not listed in the manifest';
    result.files.push({ path: p.path, status: 'extra', detail });
    result.problems.push(`${p.path}: extra file (${detail})`);
  }
  result.ok = result.signature === 'valid' && result.problems.length === 0;
  return result;
}
