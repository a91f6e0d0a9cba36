// Child processes of the bench. Every child runs in its own process group and
// is remembered, so the bench never leaves anything behind: on normal exit,
// on Ctrl+C and on an uncaught error, every group still alive is killed.

import { spawn } from 'node:child_process';

const groups = new Set();

export function spawnTracked(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  if (child.pid) groups.add(child.pid);
  child.on('exit', () => groups.delete(child.pid));
  child.on('error', () => groups.delete(child.pid));
  return child;
}

function killGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    /* gone */
  }
}

/** SIGTERM the child's group, SIGKILL it after `graceMs`; resolves when the leader exited. */
export async function stopTracked(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    if (child?.pid) killGroup(child.pid, 'SIGKILL'); // stragglers in the group
    return;
  }
  const gone = new Promise((r) => child.once('exit', r));
  killGroup(child.pid, 'SIGTERM');
  const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
  await gone;
  clearTimeout(t);
  killGroup(child.pid, 'SIGKILL');
  groups.delete(child.pid);
}

export function killAllSync() {
  for (const pid of groups) killGroup(pid, 'SIGKILL');
  groups.clear();
}

let installed = false;
export function installCleanup(extra = () => {}) {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    try {
      extra();
    } finally {
      killAllSync();
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      console.error(`\nbench: ${sig}, stopping everything it started`);
      process.exit(130);
    });
  }
}

/** Run a command to completion; resolve { code, stdout, stderr }. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(cmd, args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    const timer = opts.timeoutMs ? setTimeout(() => killGroup(child.pid, 'SIGKILL'), opts.timeoutMs) : null;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr });
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Run async `fn` over `items` with at most `n` at a time. */
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}
