/**
 * Shared helpers for the recording integration tests: a real engine (in this
 * process, or as a `gatehouse serve` child), real ffmpeg/ffprobe, real
 * SQLite, the real RTSP fixture. Ports 18000-18099, temp dirs /tmp/rec-*.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CameraInput, Settings } from '../../main/api/contract.js';
import { Engine } from '../../main/engine/engine.js';
import { openConfig } from '../../main/cli/offline.js';
import { addCamera } from '../../main/engine/cameras/catalog.js';
import { HttpServer } from '../../main/server/http.js';
import { repoRoot } from '../fixtures/media.js';

export const run = promisify(execFile);

export function tempDir(name: string): string {
  const dir = fs.mkdtempSync(`/tmp/rec-${name}-`);
  return dir;
}

/** Write settings and cameras into a data dir before an engine starts on it. */
export async function prepareDataDir(dataDir: string, settings: Partial<Settings>, cameras: CameraInput[]): Promise<void> {
  const { store, secrets } = await openConfig(dataDir);
  await store.update((c) => {
    c.settings = { ...c.settings, ...settings };
  });
  for (const cam of cameras) await addCamera(store, secrets, cam);
}

export async function startEngine(dataDir: string, settings: Partial<Settings>, cameras: CameraInput[]): Promise<Engine> {
  await prepareDataDir(dataDir, settings, cameras);
  const engine = new Engine({ dataDir, adminPassword: 'adminadmin', headless: true });
  await engine.start();
  return engine;
}

/** Serve an engine over HTTP on `port` and log in as the test admin: what the HTTP-facing tests need. */
export async function serveAndLogin(engine: Engine, port: number): Promise<{ server: HttpServer; base: string; token: string }> {
  const server = new HttpServer(engine, { port, host: '127.0.0.1' });
  const base = await server.start();
  const r = await fetch(`${base}/api/rpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'adminadmin' }),
  });
  const token = ((await r.json()) as { token: string }).token;
  return { server, base, token };
}

export async function waitFor<T>(
  what: string,
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Probe {
  codec: string;
  width: number;
  height: number;
  duration: number;
  frames: number;
}

/** ffprobe a file: codec, size, duration and the number of video packets it can read. */
export async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-count_packets',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height,nb_read_packets:format=duration',
    '-of',
    'json',
    file,
  ]);
  const j = JSON.parse(stdout) as {
    streams: { codec_name: string; width: number; height: number; nb_read_packets: string }[];
    format: { duration: string };
  };
  const s = j.streams[0]!;
  return { codec: s.codec_name, width: s.width, height: s.height, duration: Number(j.format.duration), frames: Number(s.nb_read_packets) };
}

/** The CLI as a user runs it: the TypeScript sources through tsx (bin/gatehouse.js would prefer a possibly stale dist/). */
export function cliArgs(...args: string[]): string[] {
  return ['--import', 'tsx', path.join(repoRoot, 'main', 'cli', 'gatehouse.ts'), ...args];
}

export async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, cliArgs(...args), { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/**
 * Run the CLI on `dataDir` and wait for it (synchronously, so a test can run it while an engine in this
 * process holds the same data dir): its exit code, stdout, and stdout + stderr as `out`. Logs below WARN are off.
 */
export function cliSync(dataDir: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): { code: number | null; out: string; stdout: string } {
  const r = spawnSync(process.execPath, cliArgs(...args, '--data', dataDir), {
    cwd: repoRoot,
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, GATEHOUSE_LOG: 'warn' },
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { code: r.status, out: r.stdout + r.stderr, stdout: r.stdout };
}

/** A `gatehouse serve` child process; its log goes to a file in the data dir. */
export function serveChild(dataDir: string, port: number): { child: ChildProcess; logFile: string } {
  const logFile = path.join(dataDir, `serve-${Date.now()}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, cliArgs('serve', '--data', dataDir, '--port', String(port), '--admin-password', 'adminadmin'), {
    cwd: repoRoot,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  return { child, logFile };
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', () => r());
  });
}

/** Recordings of a camera through the CLI, as JSON. */
export async function listJson(
  dataDir: string,
  camera: string,
  from = '-1h',
  to = 'now',
): Promise<{
  segments: { start: string; end: string; path: string; bytes: number }[];
  gaps: { start: string; end: string; reason: string }[];
}> {
  const out = await cli('recordings', 'list', '--data', dataDir, '--camera', camera, `--from=${from}`, `--to=${to}`, '--json');
  return JSON.parse(out.slice(out.indexOf('\n{') + 1 || 0));
}

/** Processes whose command line mentions this data dir (ffmpeg children left behind). */
export function processesMentioning(dir: string): number[] {
  const pids: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes(dir) && Number(p) !== process.pid) pids.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return pids;
}
