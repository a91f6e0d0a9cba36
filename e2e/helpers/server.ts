/**
 * A real `gatehouse serve` for end-to-end specs: a temp data dir, a free port,
 * `--demo --admin-password`, waits for /api/health, and kills the whole
 * process group at the end (also if the test run dies).
 *
 *   import { test, expect } from './helpers/server.js';
 *   test('...', async ({ page, server }) => { await login(page, server); ... });
 *
 * `test` gives every spec file one shared server (worker-scoped fixture
 * `server`); call `startServer()` yourself for a private one.
 *
 * The server runs from dist/ (npm test builds it first); set
 * GATEHOUSE_E2E_SOURCE=1 to run the TypeScript sources instead, and
 * GATEHOUSE_E2E_KEEP=1 to keep the temp data dirs (with e2e-server.log).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ADMIN_PASSWORD = 'e2e-admin-password';

export interface ServerOptions {
  /** Add the four DEMO cameras (default true). */
  demo?: boolean;
  adminPassword?: string;
  /** Reuse a data dir (default: a new temp dir, deleted at stop). */
  dataDir?: string;
  /** Port to use (default: a free one from GATEHOUSE_E2E_PORTS, "18400-18499"). */
  port?: number;
  /** More `gatehouse serve` arguments. */
  args?: string[];
  env?: Record<string, string>;
  /** Temp dir name prefix (default "gatehouse-e2e-"). */
  tmpPrefix?: string;
  /** How long to wait for /api/health (default 60 s). */
  startTimeoutMs?: number;
  /**
   * The server speaks HTTPS (args hold --tls, or --cert/--key): the URL is
   * https://, and rpc()/token() trust that certificate only (`ca`).
   */
  tls?: boolean;
}

export interface ServerHandle {
  url: string;
  port: number;
  dataDir: string;
  adminPassword: string;
  logFile: string;
  readonly pid: number | null;
  /** Everything the server printed so far. */
  log(): string;
  /** Stop it (SIGTERM to the process group, SIGKILL after 15 s). The data dir stays until dispose(). */
  stop(): Promise<void>;
  /** Start it again on the same port and data dir. */
  restart(): Promise<void>;
  /** Stop it and delete a temp data dir. */
  dispose(): Promise<void>;
  /** A bearer token for API calls (logs in once per user). */
  token(username?: string, password?: string): Promise<string>;
  /** POST /api/rpc/<method>; returns status and JSON body. */
  rpc(method: string, params?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  /** With `tls`: the certificate it serves (PEM), which rpc() trusts. */
  ca: string | null;
}

/** A request over https trusting `ca` (null: any certificate, only to see whether it is up). */
function httpsFetch(url: string, ca: string | null, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? 'GET', headers: init.headers, ...(ca ? { ca } : { rejectUnauthorized: false }), timeout: 2000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The certificate a TLS server was started with: --cert FILE, else the self-signed one in the data dir. */
function certOf(args: string[], dataDir: string): string {
  const i = args.indexOf('--cert');
  return fs.readFileSync(i >= 0 ? args[i + 1]! : path.join(dataDir, 'tls', 'cert.pem'), 'utf8');
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) killGroup(c, 'SIGKILL');
});

function killGroup(c: ChildProcess, sig: NodeJS.Signals): void {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, sig);
  } catch {
    try {
      c.kill(sig);
    } catch {
      /* gone */
    }
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A free port from GATEHOUSE_E2E_PORTS ("18400-18499"), starting at a random offset. */
export async function freePort(): Promise<number> {
  const [lo, hi] = (process.env.GATEHOUSE_E2E_PORTS ?? '18400-18499').split('-').map(Number) as [number, number];
  const n = hi - lo + 1;
  const start = Math.floor(Math.random() * n);
  for (let i = 0; i < n; i++) {
    const p = lo + ((start + i) % n);
    if (await portFree(p)) return p;
  }
  throw new Error(`no free port in ${lo}-${hi}; set GATEHOUSE_E2E_PORTS to another range`);
}

export async function startServer(o: ServerOptions = {}): Promise<ServerHandle> {
  const ownDir = !o.dataDir;
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), o.tmpPrefix ?? 'gatehouse-e2e-'));
  const adminPassword = o.adminPassword ?? ADMIN_PASSWORD;
  const logFile = path.join(dataDir, 'e2e-server.log');
  let port = o.port ?? (await freePort());
  let child: ChildProcess | null = null;
  let output = '';
  const tokens = new Map<string, string>();

  const spawnOnce = async (): Promise<void> => {
    // dist/ by default (npm test builds it first); GATEHOUSE_E2E_SOURCE=1 runs the TypeScript directly.
    const entry = process.env.GATEHOUSE_E2E_SOURCE ? ['--import', 'tsx', path.join(ROOT, 'main', 'cli', 'gatehouse.ts')] : [path.join(ROOT, 'bin', 'gatehouse.js')];
    const args = [
      ...entry,
      'serve',
      '--data',
      dataDir,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--admin-password',
      adminPassword,
      ...(o.demo === false ? [] : ['--demo']),
      ...(o.args ?? []),
    ];
    const c = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, GATEHOUSE_LOG: process.env.GATEHOUSE_LOG ?? 'info', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child = c;
    live.add(c);
    const out = fs.createWriteStream(logFile, { flags: 'a' });
    const take = (d: Buffer) => {
      output += d.toString();
      if (output.length > 2_000_000) output = output.slice(-1_000_000);
      out.write(d);
    };
    c.stdout!.on('data', take);
    c.stderr!.on('data', take);
    c.on('exit', () => {
      live.delete(c);
      out.end();
    });
    const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
    const url = `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    for (;;) {
      if (c.exitCode !== null || c.signalCode !== null) {
        throw new Error(`gatehouse serve exited (${c.exitCode ?? c.signalCode}) before it was ready:\n${output.slice(-4000)}`);
      }
      try {
        if (o.tls) {
          const r = await httpsFetch(`${url}/api/health`, null);
          if (r.status === 200) {
            handle.ca = certOf(o.args ?? [], dataDir);
            return;
          }
        } else {
          const r = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
          if (r.ok) return;
        }
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) {
        killGroup(c, 'SIGKILL');
        throw new Error(`gatehouse serve did not answer /api/health within ${o.startTimeoutMs ?? 60_000} ms:\n${output.slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const start = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        await spawnOnce();
        return;
      } catch (err) {
        // Another process took the port between the probe and the bind: try another (not on restart).
        if (attempt < 4 && o.port === undefined && /already in use/.test((err as Error).message) && !handle.started) {
          port = await freePort();
          handle.port = port;
          handle.url = `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
          continue;
        }
        throw err;
      }
    }
  };

  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    killGroup(c, 'SIGTERM');
    const t = setTimeout(() => killGroup(c, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
    // ffmpeg children live in their own groups: the server stops them; make sure none is left.
    killGroup(c, 'SIGKILL');
  };

  const rpc = async (method: string, params: unknown = {}, token?: string | null) => {
    if (o.tls) {
      const r = await httpsFetch(`${handle.url}/api/rpc/${method}`, handle.ca, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(params),
      });
      let body: any = null;
      try {
        body = JSON.parse(r.text);
      } catch {
        /* not JSON */
      }
      return { status: r.status, body };
    }
    const r = await fetch(`${handle.url}/api/rpc/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(params),
    });
    return { status: r.status, body: (await r.json().catch(() => null)) as any };
  };

  const handle: ServerHandle & { started: boolean } = {
    url: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    ca: null,
    port,
    dataDir,
    adminPassword,
    logFile,
    started: false,
    get pid() {
      return child?.pid ?? null;
    },
    log: () => output,
    stop,
    restart: async () => {
      await stop();
      await spawnOnce();
    },
    dispose: async () => {
      await stop();
      if (ownDir && !process.env.GATEHOUSE_E2E_KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    rpc,
    token: async (username = 'admin', password = adminPassword) => {
      const key = `${username}\n${password}`;
      const known = tokens.get(key);
      if (known) return known;
      const r = await rpc('auth.login', { username, password });
      if (r.status !== 200) throw new Error(`login as ${username} failed: ${JSON.stringify(r.body)}`);
      tokens.set(key, r.body.token as string);
      return r.body.token as string;
    },
  };
  await start();
  handle.started = true;
  return handle;
}

/** Log in through the console's login form and wait for the shell. */
export async function login(page: Page, server: ServerHandle, username = 'admin', password = server.adminPassword): Promise<void> {
  await page.goto(server.url + '/');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-form')).toBeHidden();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
}

/** Playwright test with a worker-scoped `server` (one real server per spec file and worker). */
export const test = base.extend<object, { server: ServerHandle }>({
  server: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const s = await startServer();
      try {
        await use(s);
      } finally {
        await s.dispose();
      }
    },
    { scope: 'worker', timeout: 90_000 },
  ],
});

export { expect };
