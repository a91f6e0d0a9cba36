/**
 * Where verify.ts reads a bundle from: a folder on disk, or an export's .zip
 * read in place (zip-read.ts; nothing is unzipped to disk). Both give the
 * same view: the bundle's entries by bundle path (relative, '/'), a small
 * file's bytes, and a file's SHA-256 and size, streamed.
 *
 * A zip holds the bundle either at its root or inside one top folder (ours:
 * `<name>/…`, zip.ts via bundle.ts; `zip -r name.zip name` too). Folder
 * entries are ignored. An entry with an unsafe name ("..", a leading "/", a
 * backslash, a drive letter, control characters) is never mapped to a bundle
 * path: it is shown as an extra entry under its name in the zip. A name stored
 * twice, an encrypted entry, another compression method, or a symbolic link
 * is an entry that cannot be checked ("other", with the reason).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkAbort } from './errors.js';
import { hashFile } from './hash.js';
import { BUNDLE, safeBundlePath } from './manifest.js';
import { unreadableReason, ZipError, ZipReader, type ZipEntry } from './zip-read.js';

export interface SourceEntry {
  /** The bundle path; for an entry outside the bundle (a zip's), its name in the zip. */
  path: string;
  /** 'other': not a regular file, or one that cannot be read (`detail` says why). */
  type: 'file' | 'other';
  /** False for a zip entry that is no bundle path (an unsafe name, outside the bundle's folder): always extra. */
  inBundle: boolean;
  detail?: string;
}

export interface HashResult {
  sha256: string;
  bytes: number;
  /** Read in full, but the container says the data is damaged (a zip entry's CRC-32). */
  damage?: string;
}

export interface BundleSource {
  /** How messages name it: "this folder", "this zip". */
  kind: 'folder' | 'zip';
  entries: SourceEntry[];
  /** The whole bytes of a small file (manifest.json, manifest.sig, public-key.pem). Throws with a plain message. */
  read(bundlePath: string): Promise<Buffer>;
  /** SHA-256 and size of a file, streamed. Throws with a plain message (ExportError 'aborted' when the signal fires). */
  hash(bundlePath: string, opts: { signal?: AbortSignal; onBytes?: (n: number) => void }): Promise<HashResult>;
  close(): Promise<void>;
}

/** The largest manifest.json, manifest.sig or public-key.pem read into memory from a zip. */
const MAX_SMALL = 256 * 1024 * 1024;

/** Every regular file (and anything else that is not a folder) under dir, as bundle paths. */
export function folderSource(dir: string): BundleSource {
  const entries: SourceEntry[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else entries.push({ path: r, type: e.isFile() ? 'file' : 'other', inBundle: true });
    }
  };
  walk(dir, '');
  return {
    kind: 'folder',
    entries,
    read: (p) => fs.promises.readFile(path.join(dir, p)),
    hash: (p, opts) => hashFile(path.join(dir, p), opts),
    close: async () => {},
  };
}

/** Why a name in a zip cannot be a bundle path, or null. */
function unsafeName(name: string): string | null {
  const candidate: unknown = name; // (the type guard would narrow `name` to never below)
  if (safeBundlePath(candidate)) return null;
  if (name.startsWith('/')) return 'it starts with "/"';
  if (name.includes('\\')) return 'it has a backslash';
  if (name.split('/').includes('..')) return 'it has ".."';
  if (/^[a-zA-Z]:/.test(name)) return 'it starts with a drive letter';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(name)) return 'it has control characters';
  return 'an empty or "." part, or too long';
}

/** Where the bundle lies in the zip: '' (its root) or 'top/'. */
function bundlePrefix(names: string[]): string {
  if (names.includes(BUNDLE.manifest)) return '';
  const tops = [...new Set(names.filter((n) => n.includes('/')).map((n) => n.slice(0, n.indexOf('/'))))];
  const withManifest = tops.filter((t) => names.includes(`${t}/${BUNDLE.manifest}`));
  if (withManifest.length === 1) return `${withManifest[0]}/`;
  if (withManifest.length > 1) return '';
  // no manifest anywhere: one top folder holding everything is still the bundle's folder (unless it is one of the bundle's own)
  if (tops.length === 1 && names.every((n) => n.includes('/')) && tops[0] !== BUNDLE.videoDir && tops[0] !== BUNDLE.dataDir) return `${tops[0]}/`;
  return '';
}

/** A .zip read in place. Throws ZipError (or a file system error) when it is not a readable zip. */
export async function zipSource(file: string): Promise<BundleSource> {
  const zip = await ZipReader.open(file);
  const entries: SourceEntry[] = [];
  const byPath = new Map<string, ZipEntry>();
  try {
    const unsafe: ZipEntry[] = [];
    const usable: ZipEntry[] = [];
    for (const e of zip.entries) {
      const name = e.isDirectory ? e.name.slice(0, -1) : e.name;
      if (unsafeName(name)) unsafe.push(e);
      else if (!e.isDirectory) usable.push(e);
    }
    const prefix = bundlePrefix(usable.map((e) => e.name));
    for (const e of unsafe) {
      const name = e.isDirectory ? e.name.slice(0, -1) : e.name;
      entries.push({ path: e.name, type: 'other', inBundle: false, detail: `an unsafe name in the zip: ${unsafeName(name)}; it is never used as a path` });
    }
    const seen = new Map<string, { entry: SourceEntry; times: number }>();
    for (const e of usable) {
      if (!e.name.startsWith(prefix)) {
        const top = e.name.split('/')[0];
        const detail = top === '__MACOSX' ? 'added by macOS when it made the zip; not part of the export' : `outside the bundle's folder ${prefix} in the zip`;
        entries.push({ path: e.name, type: 'other', inBundle: false, detail });
        continue;
      }
      const p = e.name.slice(prefix.length);
      const dup = seen.get(p);
      if (dup) {
        dup.times++;
        dup.entry.type = 'other';
        dup.entry.detail = `stored ${dup.times} times in the zip (an unzip tool keeps only one of them)`;
        continue;
      }
      const why = e.isSymlink ? 'a symbolic link' : unreadableReason(e);
      const entry: SourceEntry = why ? { path: p, type: 'other', inBundle: true, detail: why } : { path: p, type: 'file', inBundle: true };
      seen.set(p, { entry, times: 1 });
      entries.push(entry);
      byPath.set(p, e);
    }
  } catch (err) {
    await zip.close();
    throw err;
  }
  const entryOf = (p: string): ZipEntry => {
    const e = byPath.get(p);
    if (!e) throw new Error('not in the zip');
    return e;
  };
  return {
    kind: 'zip',
    entries,
    read: (p) => zip.read(entryOf(p), MAX_SMALL),
    async hash(p, opts) {
      const h = crypto.createHash('sha256');
      let bytes = 0;
      try {
        for await (const chunk of zip.stream(entryOf(p))) {
          checkAbort(opts.signal);
          h.update(chunk);
          bytes += chunk.length;
          opts.onBytes?.(chunk.length);
        }
      } catch (err) {
        // read in full, yet not what the zip's directory says: the hash still tells whether it is the signed file
        if (err instanceof ZipError && err.kind === 'crc') return { sha256: h.digest('hex'), bytes, damage: err.message };
        throw err;
      }
      return { sha256: h.digest('hex'), bytes };
    },
    close: () => zip.close(),
  };
}

/** Whether a file (not a folder) looks like a zip: by its name, or by its first bytes. */
export function looksLikeZip(file: string): boolean {
  if (/\.zip$/i.test(file)) return true;
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const b = Buffer.alloc(4);
    const n = fs.readSync(fd, b, 0, 4, 0);
    return n === 4 && (b.readUInt32LE(0) === 0x04034b50 || b.readUInt32LE(0) === 0x06054b50);
  } catch {
    return false;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
