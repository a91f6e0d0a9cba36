import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const outDir = path.join(root, 'bench', '.out');

/** A fresh temp dir /tmp/fixture-bench-<pid>-<name>, removed by `cleanupTemp()`. */
const made = new Set();
export function tempDir(name) {
  const dir = path.join('/tmp', `fixture-bench-${process.pid}-${name}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  made.add(dir);
  return dir;
}

export function cleanupTemp() {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  made.clear();
}

/** Every file below `dir` (recursively) with its size (null: removed meanwhile); an unreadable folder is skipped. */
export function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ path: p, bytes: fs.statSync(p, { throwIfNoEntry: false })?.size ?? null });
    }
  };
  walk(dir);
  return out;
}

export function dirBytes(dir) {
  return listFiles(dir).reduce((t, f) => t + (f.bytes ?? 0), 0);
}
