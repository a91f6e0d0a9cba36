/**
 * Issue 18, security item 1: a WebSocket opened before its session ended
 * must stop receiving events. Real engine, real server, real sockets kept
 * open across logout, disabling the user, a password change and reset (by an
 * admin in the console, and by the CLI in another process), a role change;
 * the live-video socket; and the desktop shell's IPC link, which relays over
 * the same WebSocket.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WS_CLOSE, type Me } from '../../main/api/contract.js';
import { EngineLink } from '../../main/desktop/engine-link.js';
import { Engine } from '../../main/engine/engine.js';
import { HttpServer } from '../../main/server/http.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const ADMIN_PW = 'sessions-admin-pw';
let dir: string;
let engine: Engine;
let server: HttpServer;
let base: string;
let admin: string;

async function rpc(method: string, params: unknown, token?: string | null): Promise<{ status: number; body: any }> {
  const r = await fetch(`${base}/api/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(params),
  });
  return { status: r.status, body: await r.json() };
}
const login = async (u: string, p: string) => {
  const r = await rpc('auth.login', { username: u, password: p });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.token as string;
};
const addUser = async (username: string, role = 'guard') => {
  const r = await rpc('users.add', { username, password: `${username}-password`, role }, admin);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return login(username, `${username}-password`);
};

interface Conn {
  ws: WebSocket;
  hello: Promise<{ version: string; user: Me | null }>;
  events: string[];
  /** Every event name the socket got. */
  names: string[];
  closed: Promise<{ code: number; reason: string }>;
  isOpen(): boolean;
}

/** A socket as the browser console opens it: with its cookie, from its own origin. */
function open(token: string | null, p = '/api/ws'): Promise<Conn> {
  const ws = new WebSocket(base.replace('http', 'ws') + p, {
    headers: { origin: base, ...(token ? { cookie: `gh_session=${encodeURIComponent(token)}` } : {}) },
  });
  const events: string[] = [];
  const names: string[] = [];
  let helloResolve!: (h: { version: string; user: Me | null }) => void;
  const hello = new Promise<{ version: string; user: Me | null }>((r) => (helloResolve = r));
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const f = JSON.parse(data.toString());
    if (f.hello) helloResolve(f.hello);
    if (f.event) names.push(f.event);
    if (f.event === 'cameras.changed') events.push(f.data.reason);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, hello, events, names, closed, isOpen: () => ws.readyState === WebSocket.OPEN }));
    ws.once('error', reject);
  });
}

/** Push an event and give the sockets time to get it. */
async function push(tag: string): Promise<void> {
  engine.bus.emit('cameras.changed', { reason: tag });
  await new Promise((r) => setTimeout(r, 150));
}

const within = <T,>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms))]);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'security-sessions-'));
  engine = new Engine({ dataDir: dir, adminPassword: ADMIN_PW, headless: true });
  await engine.start();
  server = new HttpServer(engine, { port: 0, host: '127.0.0.1', staticDir: path.join(dir, 'no-console') });
  base = await server.start();
  admin = await login('admin', ADMIN_PW);
});

afterAll(async () => {
  await server?.stop();
  await engine?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a socket whose session ends stops getting events', () => {
  it('after auth.logout (over HTTP, as the console does), it is closed with 4401 and the reason', async () => {
    const t = await addUser('g-logout');
    const c = await open(t);
    expect((await c.hello).user).toEqual({ username: 'g-logout', role: 'guard' });
    await push('before');
    expect(c.events).toEqual(['before']);
    expect((await rpc('auth.logout', {}, t)).status).toBe(200);
    const closed = await within(c.closed, 2000, 'close after logout');
    expect(closed).toEqual({ code: WS_CLOSE.sessionEnded, reason: 'signed out: you logged out' });
    await push('after');
    expect(c.events).toEqual(['before']);
  });

  it('after the user is disabled', async () => {
    const t = await addUser('g-disabled');
    const c = await open(t);
    await c.hello;
    expect((await rpc('users.update', { username: 'g-disabled', disabled: true }, admin)).status).toBe(200);
    expect(await within(c.closed, 2000, 'close after disable')).toEqual({ code: 4401, reason: 'signed out: your account was disabled by an administrator' });
    // users.changed is pushed while the user is already disabled in the config but before the sessions are
    // revoked: the socket gets no event in between, and the close still says why.
    expect(c.names).toEqual([]);
    await push('after-disable');
    expect(c.events).toEqual([]);
    // and a new socket with the old cookie has no user
    const again = await open(t);
    expect((await again.hello).user).toBeNull();
    await push('to-nobody');
    expect(again.events).toEqual([]);
    again.ws.close();
  });

  it('after an admin resets the password', async () => {
    const t = await addUser('g-reset');
    const c = await open(t);
    await c.hello;
    expect((await rpc('users.resetPassword', { username: 'g-reset', password: 'a-new-password' }, admin)).status).toBe(200);
    expect((await within(c.closed, 2000, 'close after reset')).reason).toBe('signed out: your password was reset by an administrator');
  });

  it('after a password change in another session; the session that changed it keeps its socket', async () => {
    const here = await addUser('g-change');
    const there = await login('g-change', 'g-change-password');
    const mine = await open(here);
    const other = await open(there);
    await Promise.all([mine.hello, other.hello]);
    expect((await rpc('auth.changePassword', { current: 'g-change-password', next: 'g-change-new-password' }, here)).status).toBe(200);
    expect(await within(other.closed, 2000, 'close of the other session')).toEqual({ code: 4401, reason: 'signed out: your password was changed in another session' });
    await push('after-change');
    expect(mine.isOpen()).toBe(true);
    expect(mine.events).toEqual(['after-change']);
    expect(other.events).toEqual([]);
    mine.ws.close();
  });

  it('after a role change, it is closed with 4409 and the reconnect says hello with the new role', async () => {
    const t = await addUser('g-role');
    const c = await open(t);
    expect((await c.hello).user?.role).toBe('guard');
    expect((await rpc('users.update', { username: 'g-role', role: 'supervisor' }, admin)).status).toBe(200);
    expect(await within(c.closed, 2000, 'close after role change')).toEqual({ code: WS_CLOSE.sessionChanged, reason: 'your role changed to supervisor; reconnecting' });
    const again = await open(t);
    expect((await again.hello).user).toEqual({ username: 'g-role', role: 'supervisor' });
    await push('new-role');
    expect(again.events).toEqual(['new-role']);
    again.ws.close();
  });

  it('a socket logged in over itself follows that session, and one that logs itself out gets the reply and then no events', async () => {
    await addUser('g-frames');
    const c = await open(null);
    await c.hello;
    const reply = (id: number) =>
      new Promise<any>((resolve) =>
        c.ws.on('message', (d) => {
          const f = JSON.parse(d.toString());
          if (f.id === id) resolve(f);
        }),
      );
    const r1 = reply(1);
    c.ws.send(JSON.stringify({ id: 1, method: 'auth.login', params: { username: 'g-frames', password: 'g-frames-password' } }));
    await r1;
    await push('logged-in');
    const r2 = reply(2);
    c.ws.send(JSON.stringify({ id: 2, method: 'auth.logout', params: {} }));
    expect(await r2).toEqual({ id: 2, result: { ok: true } });
    await push('logged-out');
    expect(c.events).toEqual(['logged-in']);
    expect(c.isOpen()).toBe(true);
    c.ws.close();
  });

  it('re-checks on every push: a session deleted behind the engine (another process) gets no event, and the socket closes', async () => {
    const t = await addUser('g-outside');
    const c = await open(t);
    await c.hello;
    await push('before');
    const db = new Database(path.join(dir, 'index.sqlite'));
    db.prepare("DELETE FROM sessions WHERE username = 'g-outside'").run();
    db.close();
    await new Promise((r) => setTimeout(r, 300)); // older than the cached check
    await push('after');
    expect(c.events).toEqual(['before']);
    expect((await within(c.closed, 3000, 'close after outside revocation')).code).toBe(4401);
  });

  it('a password reset by the CLI (another process, the server running) closes the socket', async () => {
    const t = await addUser('g-cli');
    const c = await open(t);
    await c.hello;
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main/cli/gatehouse.ts'), 'users', 'reset-password', '--username', 'g-cli', '--password-stdin', '--data', dir], {
      cwd: ROOT,
      input: 'a-cli-password\n',
      encoding: 'utf8',
      env: { ...process.env, GATEHOUSE_LOG: 'warn' },
      timeout: 60_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect((await within(c.closed, 3000, 'close after CLI reset')).code).toBe(4401);
    await push('after-cli');
    expect(c.events).toEqual([]);
    expect((await rpc('auth.me', {}, t)).status).toBe(401);
    await login('g-cli', 'a-cli-password');
  });

  it('closes the live-video socket of a disabled user too', async () => {
    const cam = await rpc('cameras.add', { name: 'Nowhere', url: 'rtsp://127.0.0.1:9/none', enabled: false }, admin);
    expect(cam.status, JSON.stringify(cam.body)).toBe(200);
    const t = await addUser('g-live');
    const c = await open(t, `/api/live?camera=${cam.body.id}&stream=sub`);
    await new Promise((r) => setTimeout(r, 200));
    expect(c.isOpen()).toBe(true);
    expect((await rpc('users.update', { username: 'g-live', disabled: true }, admin)).status).toBe(200);
    expect((await within(c.closed, 2000, 'live socket close')).code).toBe(4401);
  });
});

describe("the desktop shell's IPC link (EngineLink, over the same WebSocket)", () => {
  it('stops relaying events when its session ends elsewhere, and tells the window it has no user', async () => {
    const t = await addUser('g-desktop');
    const got = { hellos: [] as Array<{ user: Me | null }>, events: [] as string[], tokens: [] as Array<string | null> };
    const link = new EngineLink(
      () => base,
      { hello: (h) => got.hellos.push(h), event: (n, d) => n === 'cameras.changed' && got.events.push((d as { reason: string }).reason), token: (x) => got.tokens.push(x) },
      t,
      5000,
    );
    try {
      link.connect();
      await expect.poll(() => got.hellos.at(-1)?.user?.username).toBe('g-desktop');
      await push('desktop-before');
      expect(got.events).toEqual(['desktop-before']);
      expect((await rpc('users.update', { username: 'g-desktop', disabled: true }, admin)).status).toBe(200);
      await expect.poll(() => got.tokens.at(-1), { timeout: 5000 }).toBeNull();
      expect(got.hellos.at(-1)?.user).toBeNull();
      await push('desktop-after');
      expect(got.events).toEqual(['desktop-before']);
    } finally {
      link.close();
    }
  });
});
