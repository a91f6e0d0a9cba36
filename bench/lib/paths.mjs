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

export function dirBytes(dir) {
  let total = 0;
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
      else {
        try {
          total += fs.statSync(p).size;
        } catch {
          /* removed meanwhile */
        }
      }
    }
  };
  walk(dir);
  return total;
}
