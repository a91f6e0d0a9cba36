#!/usr/bin/env node
// `npm start`: build when dist/ is missing or older than the sources, then run
// `gatehouse start` (the desktop app where Electron is installed, else the
// console served to the browser, with the DEMO cameras on a first run).
// Extra arguments go to `gatehouse start`: npm start -- --data /srv/gatehouse --port 8781
//
// Stopping: SIGTERM, SIGINT and SIGHUP are passed on to `gatehouse start`,
// which stops the server and its ffmpegs; this script waits for it and exits
// with its code. `npm start` runs this script under a shell, and a service
// manager's SIGTERM to npm reaches neither: when the parent goes away (this
// process is re-parented), that counts as SIGTERM too, so no server is left
// behind. GATEHOUSE_SKIP_BUILD=1 starts without the build check.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const SOURCES = ['main', 'native-workers', 'renderer', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** Newest modification time under the given paths (tests and node_modules excluded). */
function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return /\.test\.tsx?$/.test(p) ? 0 : st.mtimeMs;
  let m = 0;
  for (const e of fs.readdirSync(p)) {
    if (e === 'node_modules' || e === 'dist' || e.startsWith('.')) continue;
    m = Math.max(m, newest(path.join(p, e)));
  }
  return m;
}

function needsBuild() {
  if (!fs.existsSync(path.join(root, 'dist', 'main', 'cli', 'gatehouse.js'))) return 'dist/ is missing';
  let built = 0;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return 'dist/ was not built by scripts/build.mjs';
  }
  const src = Math.max(...SOURCES.map((s) => newest(path.join(root, s))));
  return src > built ? 'the sources changed since the last build' : null;
}

const why = process.env.GATEHOUSE_SKIP_BUILD === '1' ? null : needsBuild();
if (why) {
  console.log(`start: building (${why})...`);
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    if (fs.existsSync(path.join(root, 'dist', 'main', 'cli', 'gatehouse.js'))) {
      console.error('start: the build failed (see above); starting with what was built');
    } else {
      console.error('start: the build failed (see above). Fix: run "npm install", then "npm run build" to see the errors');
      process.exit(1);
    }
  }
}

const child = spawn(process.execPath, [path.join(root, 'bin', 'gatehouse.js'), 'start', ...process.argv.slice(2)], {
  cwd: process.cwd(),
  stdio: 'inherit',
  // The desktop shell runs its engine host on this same Node.
  env: { ...process.env, GATEHOUSE_NODE: process.execPath },
});

// a parent that went away may take our stdout/stderr with it: that must not kill us before the child is stopped
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

let stopping = null;
/** Pass a stop signal on (once per signal kind), and keep waiting for the child to exit. */
function stop(sig, why) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (stopping === sig) return;
  stopping = sig;
  if (why) console.error(`start: ${why}: stopping Gatehouse`);
  try {
    child.kill(sig);
  } catch {
    /* already gone */
  }
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stop(sig));

// npm (or whatever started us) went away without passing its signal on: stop too
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM', `the parent process (pid ${parent}) is gone`);
}, 500);
watch.unref();

child.on('exit', (code, signal) => {
  clearInterval(watch);
  process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 0));
});
