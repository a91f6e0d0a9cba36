#!/usr/bin/env node
// Entry point of the `gatehouse` command. Runs the compiled CLI when it has
// been built (an installed package always is); in a clone that has not been
// built yet it runs the TypeScript source through tsx.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist', 'main', 'cli', 'gatehouse.js');
const source = path.join(root, 'main', 'cli', 'gatehouse.ts');

function stale() {
  if (!fs.existsSync(source)) return false; // installed package: no sources
  try {
    return fs.statSync(source).mtimeMs > fs.statSync(built).mtimeMs;
  } catch {
    return true;
  }
}

if (fs.existsSync(built) && !(process.env.GATEHOUSE_DEV && stale())) {
  await import(pathToFileURL(built).href);
} else if (fs.existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  console.error('gatehouse: neither dist/ nor the TypeScript sources were found; reinstall the package');
  process.exit(1);
}
