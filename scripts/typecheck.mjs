#!/usr/bin/env node
// Typecheck every TypeScript project of the repository:
//   main + native-workers (tsconfig.json), the renderer (renderer/tsconfig.json),
//   the Electron shell (main/desktop/tsconfig.json, only where the electron
//   package and its types are installed), and the test harness (e2e, configs).
// Prints which were skipped and why; exits non-zero if any check failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!fs.existsSync(tsc)) {
  console.error('typecheck: typescript is not installed. Fix: npm install');
  process.exit(1);
}

const projects = [
  { name: 'main', config: 'tsconfig.json' },
  { name: 'renderer', config: 'renderer/tsconfig.json', missing: 'renderer/tsconfig.json does not exist yet' },
  {
    name: 'desktop',
    config: 'main/desktop/tsconfig.json',
    needs: 'node_modules/electron/electron.d.ts',
    why: 'the optional "electron" package is not installed, so its types (node_modules/electron/electron.d.ts) are missing',
  },
  { name: 'tests', config: 'tsconfig.test.json', missing: 'tsconfig.test.json does not exist' },
];

let failed = 0;
for (const p of projects) {
  if (!fs.existsSync(path.join(root, p.config))) {
    console.log(`typecheck: skipped ${p.name}: ${p.missing ?? p.config + ' is missing'}`);
    continue;
  }
  if (p.needs && !fs.existsSync(path.join(root, p.needs))) {
    console.log(`typecheck: skipped ${p.name}: ${p.why}`);
    continue;
  }
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [tsc, '-p', p.config, '--noEmit'], { cwd: root, stdio: 'inherit' });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status === 0) console.log(`typecheck: ${p.name} ok (${secs} s)`);
  else {
    console.log(`typecheck: ${p.name} FAILED (${p.config})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
