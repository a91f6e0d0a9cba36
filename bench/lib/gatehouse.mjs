// Driving a real Gatehouse through its CLI and HTTP API, as a user would.

import fs from 'node:fs';
import path from 'node:path';
import { procStat, treePids } from './cpu.mjs';
import { root } from './paths.mjs';
import { run, sleep, spawnTracked, stopTracked } from './procs.mjs';

function newestMtime(dir, ext) {
  let newest = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(ext) && !e.name.endsWith(`.test${ext}`)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return newest;
}

/**
 * How to run the CLI. bin/gatehouse.js prefers dist/ whenever it exists, so a
 * stale build would be measured instead of the code in the tree: use dist/ only
 * when it is newer than every source file under main/ (or when asked to).
 * mode: 'auto' | 'dist' | 'source'.
 */
export function gatehouseCommand(mode = 'auto') {
  const built = path.join(root, 'dist', 'main', 'cli', 'gatehouse.js');
  let use = mode;
  if (mode === 'auto') {
    const fresh = fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestMtime(path.join(root, 'main'), '.ts');
    use = fresh ? 'dist' : 'source';
  }
  if (use === 'dist') {
    if (!fs.existsSync(built)) throw new Error('--engine dist: dist/ is not built; run "npm run build" first');
    return { kind: 'dist (bin/gatehouse.js)', argv: [path.join(root, 'bin', 'gatehouse.js')] };
  }
  return { kind: 'source (tsx)', argv: ['--import', 'tsx', path.join(root, 'main', 'cli', 'gatehouse.ts')] };
}

export class Gatehouse {
  constructor({ dataDir, mode = 'auto', logFile }) {
    this.dataDir = dataDir;
    this.cmd = gatehouseCommand(mode);
    this.logFile = logFile ?? path.join(dataDir, '..', 'serve.log');
    this.child = null;
    this.port = null;
  }

  /** Run one CLI command against the data dir; throws with its output on failure. */
  async cli(args, { timeoutMs = 120_000 } = {}) {
    const r = await run(process.execPath, [...this.cmd.argv, ...args, '--data', this.dataDir], { cwd: root, timeoutMs });
    if (r.code !== 0) throw new Error(`gatehouse ${args.join(' ')} failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-2000)}`);
    return r.stdout;
  }

  async addCamera(name, url) {
    return this.cli(['cameras', 'add', '--name', name, '--url', url]);
  }

  async recordings(camera, from, to) {
    const out = await this.cli(['recordings', 'list', '--camera', camera, '--from', from, '--to', to, '--json']);
    return JSON.parse(out);
  }

  /** Start `gatehouse serve` and wait until /api/health answers. */
  async serve({ port, adminPassword, timeoutMs = 120_000, extraArgs = [], env }) {
    const log = fs.openSync(this.logFile, 'a');
    this.port = port;
    this.child = spawnTracked(
      process.execPath,
      [...this.cmd.argv, 'serve', '--data', this.dataDir, '--port', String(port), '--host', '127.0.0.1', '--admin-password', adminPassword, ...extraArgs],
      { cwd: root, stdio: ['ignore', log, log], ...(env ? { env: { ...process.env, ...env } } : {}) },
    );
    fs.closeSync(log);
    const exited = new Promise((r) => this.child.once('exit', (code, sig) => r({ code, sig })));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const gone = await Promise.race([exited, sleep(250).then(() => null)]);
      if (gone) throw new Error(`gatehouse serve exited (${gone.sig ?? gone.code}) while starting:\n${this.logTail()}`);
      const h = await this.health().catch(() => null);
      if (h) return h;
      if (Date.now() > deadline) throw new Error(`gatehouse serve did not answer /api/health within ${timeoutMs / 1000} s:\n${this.logTail()}`);
    }
  }

  async health() {
    const res = await fetch(`http://127.0.0.1:${this.port}/api/health`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`health ${res.status}`);
    const body = await res.json();
    // the RPC transport may wrap results: accept { result } or the bare object
    return body?.result ?? body;
  }

  get pid() {
    return this.child?.pid ?? null;
  }

  get running() {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Graceful stop (SIGTERM to the server process, as Ctrl+C would), then the group. */
  async stop(graceMs = 20_000) {
    if (!this.child) return;
    const child = this.child;
    this.child = null;
    // The engine runs its ffmpegs in their own process groups: remember the
    // whole tree now, so none survives if the engine fails to stop them.
    const tree = treePids(child.pid).filter((p) => p !== child.pid);
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      await Promise.race([gone, sleep(graceMs)]);
    }
    await stopTracked(child, 2000);
    const strays = tree.filter((p) => {
      const st = procStat(p);
      return st && st.state !== 'Z';
    });
    for (const p of strays) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.strays = strays.length;
  }

  logTail(n = 40) {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-n).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
