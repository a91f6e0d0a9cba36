#!/usr/bin/env node
// Entry point of the `gatehouse` command. Runs the compiled CLI when it has
// been built (an installed package always is). In a clone, where the
// TypeScript sources sit beside dist/, it runs the sources through tsx
// whenever any of them is newer than the build, so a stale dist/ never runs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist', 'main', 'cli', 'gatehouse.js');
const source = path.join(root, 'main', 'cli', 'gatehouse.ts');

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function stale() {
  if (!fs.existsSync(source)) return false; // installed package: no sources
  try {
    const builtAt = fs.statSync(built).mtimeMs;
    return ['main', 'native-workers'].some((d) => fs.existsSync(path.join(root, d)) && newestSource(path.join(root, d)) > builtAt);
  } catch {
    return true;
  }
}

if (fs.existsSync(built) && !stale()) {
  await import(pathToFileURL(built).href);
} else if (fs.existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  console.error('gatehouse: neither dist/ nor the TypeScript sources were found; reinstall the package');
  process.exit(1);
}
