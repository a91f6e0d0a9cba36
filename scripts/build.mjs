#!/usr/bin/env node
// Build everything that runs from dist/:
//   1. main/ + native-workers/ (tsconfig.build.json: tsconfig.json minus tests) -> dist/
//   2. the Electron shell (main/desktop/tsconfig.json, ESM main + CommonJS preload) -> dist/main/desktop/
//      (skipped, with the reason, when the electron package and its types are not installed)
//   3. the renderer (vite build --config renderer/vite.config.ts) -> dist/renderer/
//      (skipped, with the reason, while that config does not exist)
// Then writes dist/.build-stamp, which scripts/start.mjs compares with the sources.
//
// Usage: node scripts/build.mjs [--only main,desktop,renderer] [--clean]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const onlyArg = args.includes('--only') ? args[args.indexOf('--only') + 1] ?? '' : '';
const only = onlyArg ? new Set(onlyArg.split(',')) : null;
const want = (part) => !only || only.has(part);

function bin(pkg, rel) {
  const p = path.join(root, 'node_modules', pkg, rel);
  if (!fs.existsSync(p)) {
    console.error(`build: ${pkg} is not installed (${p} is missing). Fix: run "npm install" in ${root}`);
    process.exit(1);
  }
  return p;
}

function run(label, file, argv) {
  const t0 = Date.now();
  process.stdout.write(`build: ${label}...\n`);
  const r = spawnSync(process.execPath, [file, ...argv], { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`build: ${label} failed (exit ${r.status ?? r.signal}); see the errors above`);
    process.exit(1);
  }
  process.stdout.write(`build: ${label} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

if (args.includes('--clean')) {
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
}

const tsc = bin('typescript', 'bin/tsc');
const skipped = [];

if (want('main')) run('main (tsc -p tsconfig.build.json)', tsc, ['-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo-main']);

if (want('desktop')) {
  if (fs.existsSync(path.join(root, 'node_modules', 'electron', 'electron.d.ts'))) {
    run('desktop shell (tsc -p main/desktop/tsconfig.json)', tsc, ['-p', 'main/desktop/tsconfig.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo-desktop']);
  } else {
    skipped.push('desktop shell: the optional "electron" package is not installed (no node_modules/electron/electron.d.ts); the console is served to the browser instead');
  }
}

if (want('renderer')) {
  const cfg = path.join(root, 'renderer', 'vite.config.ts');
  if (fs.existsSync(cfg)) {
    run('renderer (vite build)', bin('vite', 'bin/vite.js'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
  } else {
    skipped.push('renderer: renderer/vite.config.ts does not exist yet; the server answers 503 "not built" for the console');
  }
}

for (const s of skipped) console.log(`build: skipped ${s}`);
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
fs.writeFileSync(path.join(root, 'dist', '.build-stamp'), JSON.stringify({ builtAt: new Date().toISOString(), parts: only ? [...only] : 'all' }) + '\n');
