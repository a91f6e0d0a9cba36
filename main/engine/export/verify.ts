/**
 * Verifying an export bundle, offline, with nothing but the folder or its
 * .zip (read in place, bundle-source.ts) and, optionally, the site's public
 * keys to say whether it was signed here:
 *
 *  1. manifest.sig must be the 64-byte Ed25519 signature of the exact bytes
 *     of manifest.json under public-key.pem, and public-key.pem must be the
 *     key whose fingerprint the manifest names;
 *  2. every file the manifest lists must exist with its size and SHA-256;
 *  3. no other file may be there (only manifest.json and manifest.sig are
 *     not listed in the manifest).
 *
 * The result names every changed, missing and extra file. A zip's own damage
 * (an entry whose CRC-32 is not its directory's, an unreadable or unsafe
 * entry, a cut-short archive) is a problem line too, never a throw.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { folderSource, looksLikeZip, zipSource, type BundleSource, type HashResult } from './bundle-source.js';
import { ExportError } from './errors.js';
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
  /** The folder or .zip that was checked (absolute). */
  dir: string;
  signature: SignatureStatus;
  /** Fingerprint of public-key.pem (SHA256:…), when it could be read. */
  fingerprint: string | null;
  /** SHA-256 of manifest.json as found (what the audit trail records). */
  manifestSha256: string | null;
  /** Whether the key is one of this site's (current or retired), when the site's keys were given. */
  siteKey: { status: 'this-site'; key: SiteKeyInfo } | { status: 'unknown' } | { status: 'not-checked' };
  manifest: Pick<Manifest, 'exportId' | 'createdAt' | 'case' | 'reason' | 'operator' | 'site' | 'range' | 'cameras'> | null;
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

const HARMLESS = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

/**
 * Verify a bundle: its folder, or its .zip read in place (nothing is unzipped
 * to disk). The same checks and the same result either way; the paths in
 * `files` are bundle paths (for a zip, relative to the bundle's folder in it).
 */
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
  let src: BundleSource;
  if (st.isDirectory()) src = folderSource(abs);
  else if (st.isFile() && looksLikeZip(abs)) {
    try {
      src = await zipSource(abs);
    } catch (err) {
      result.problems.push(`${abs} cannot be read as a zip: ${(err as Error).message}`);
      return result;
    }
  } else {
    result.problems.push(`${abs} is neither an export folder nor an export's .zip`);
    return result;
  }
  try {
    await check(src, result, opts);
  } finally {
    await src.close();
  }
  result.ok = result.signature === 'valid' && result.problems.length === 0;
  return result;
}

const isAbort = (err: unknown) => err instanceof ExportError && err.code === 'aborted';
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The three checks, on any source. */
async function check(src: BundleSource, result: VerifyResult, opts: VerifyOptions): Promise<void> {
  const present = src.entries;
  const byPath = new Map(present.filter((p) => p.inBundle).map((p) => [p.path, p]));
  const unreadable = new Map<string, string>();

  // 1. manifest and signature
  const read = async (name: string): Promise<Buffer | null> => {
    const p = byPath.get(name);
    if (!p) return null;
    if (p.type !== 'file') {
      unreadable.set(name, p.detail ?? 'not a regular file');
      return null;
    }
    try {
      return await src.read(name);
    } catch (err) {
      if (isAbort(err)) throw err;
      unreadable.set(name, messageOf(err));
      return null;
    }
  };
  const manifestBytes = await read(BUNDLE.manifest);
  if (!manifestBytes) {
    const why = unreadable.get(BUNDLE.manifest);
    result.problems.push(`manifest.json ${why ? `cannot be read (${why})` : 'is missing'}: nothing in this ${src.kind} can be checked`);
    result.files = present.map((p) => ({ path: p.path, status: 'extra' as const, detail: p.detail ?? 'not covered by any manifest' }));
    if (!why) result.files.unshift({ path: BUNDLE.manifest, status: 'missing' });
    return;
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
  const sig = await read(BUNDLE.signature);
  const pem = await read(BUNDLE.publicKey);
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
    const sigWhy = unreadable.get(BUNDLE.signature);
    const keyWhy = unreadable.get(BUNDLE.publicKey);
    if (!sig) {
      result.signature = 'missing-signature';
      result.problems.push(sigWhy ? `manifest.sig cannot be read (${sigWhy}): the manifest's signature cannot be checked` : 'manifest.sig is missing: the manifest is not signed');
    } else if (sig.length !== 64) {
      result.signature = 'malformed-signature';
      result.problems.push(`manifest.sig has ${sig.length} bytes, an Ed25519 signature has 64: it was changed`);
    } else if (!pem) {
      result.signature = 'missing-key';
      result.problems.push(keyWhy ? `public-key.pem cannot be read (${keyWhy}): the signature cannot be checked` : 'public-key.pem is missing: the signature cannot be checked');
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
      cameras: Array.isArray(manifest.cameras) ? manifest.cameras : [],
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
      const changed = (detail: string, actual?: { sha256: string; bytes: number }) => {
        result.files.push({ path: f.path, status: 'changed', expected, ...(actual ? { actual } : {}), detail });
        result.problems.push(`${f.path}: changed (${detail})`);
      };
      if (!p) {
        result.files.push({ path: f.path, status: 'missing', expected });
        result.problems.push(`${f.path}: missing`);
        continue;
      }
      if (p.type !== 'file') {
        changed(p.detail ?? 'not a regular file');
        continue;
      }
      let h: HashResult;
      try {
        h = await src.hash(f.path, { signal: opts.signal, onBytes: (n) => opts.onProgress?.((done += n), total) });
      } catch (err) {
        if (isAbort(err)) throw err;
        changed(`cannot be read: ${messageOf(err)}`);
        continue;
      }
      const actual = { sha256: h.sha256, bytes: h.bytes };
      if (h.sha256 === f.sha256 && h.bytes === f.bytes && !h.damage) result.files.push({ path: f.path, status: 'ok', expected, actual });
      else {
        const differs = h.bytes !== f.bytes ? `${h.bytes} bytes, the manifest says ${f.bytes}` : h.sha256 !== f.sha256 ? 'its SHA-256 differs from the manifest' : null;
        changed(h.damage ? (differs ? `${differs}; ${h.damage}` : h.damage) : differs!, actual);
      }
    }
  }

  // 3. anything else
  for (const p of present) {
    if (p.inBundle && listed.has(p.path)) continue;
    const base = p.path.split('/').pop()!;
    const detail = p.detail ?? (HARMLESS.has(base) ? 'added by a file browser; delete it and verify again' : 'not listed in the manifest');
    result.files.push({ path: p.path, status: 'extra', detail });
    result.problems.push(`${p.path}: extra file (${detail})`);
  }
}
