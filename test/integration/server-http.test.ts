import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { HttpServer, parseCookies } from '../../main/server/http.js';

let dir: string;
let staticDir: string;
let engine: Engine;
let server: HttpServer;
let base: string;
let adminToken: string;
let guardToken: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-http-'));
  staticDir = path.join(dir, 'static');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  engine = new Engine({ dataDir: path.join(dir, 'data'), adminPassword: 'admin-password', headless: true });
  await engine.start();
  server = new HttpServer(engine, { port: 0, host: '127.0.0.1', staticDir });
  base = await server.start();
  adminToken = (await rpc('auth.login', { username: 'admin', password: 'admin-password' })).body.token;
  await rpc('users.add', { username: 'guard1', password: 'guard-password', role: 'guard' }, adminToken);
  guardToken = (await rpc('auth.login', { username: 'guard1', password: 'guard-password' })).body.token;
});

afterAll(async () => {
  await server?.stop();
  await engine?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function rpc(method: string, params: unknown, token?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${base}/api/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function raw(p: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(base + p, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('HTTP RPC', () => {
  it('serves health without a session', async () => {
    const r = await raw('/api/health');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ status: 'ok', cameras: { total: 0 } });
  });

  it('answers malformed JSON with 400 and a message', async () => {
    const r = await raw('/api/rpc/auth.login', { method: 'POST', body: '{"username": "admin", ', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toEqual({ code: 'bad_request', message: 'the request body is not valid JSON' });
  });

  it('answers an unknown field with 400 naming it', async () => {
    const r = await rpc('auth.login', { username: 'admin', password: 'x', remember: true });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('bad_request');
    expect(r.body.error.message).toMatch(/unknown field\(s\): remember/);
  });

  it('answers a wrong type with 400 naming the field', async () => {
    const r = await rpc('users.add', { username: 'g2', password: 12345678, role: 'guard' }, adminToken);
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('password');
  });

  it('answers unknown routes and methods with 404', async () => {
    expect((await raw('/api/nothing')).status).toBe(404);
    expect(JSON.parse((await raw('/api/nothing')).text).error.message).toMatch(/POST \/api\/rpc\/<method>/);
    const r = await rpc('nothing.here', {}, adminToken);
    expect(r.status).toBe(404);
    expect(r.body.error.message).toMatch(/unknown method "nothing.here"/);
  });

  it('answers GET on an RPC route with 405', async () => {
    const r = await raw('/api/rpc/cameras.list');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
  });

  it('answers 401 without a session and 403 for a guard calling an admin request', async () => {
    expect((await rpc('cameras.list', {})).status).toBe(401);
    expect((await rpc('cameras.list', {}, guardToken)).status).toBe(200);
    const r = await rpc('users.list', {}, guardToken);
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/needs the admin role/);
  });

  it('refuses an oversized body and keeps serving', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(2 * 1024 * 1024), password: 'y' });
    let message = '';
    const status = await new Promise<number | string>((resolve) => {
      const req = http.request(`${base}/api/rpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.on('data', (d: Buffer) => (message += d.toString()));
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
      req.end(big);
    });
    expect(status).toBe(400);
    expect(JSON.parse(message).error.message).toMatch(/larger than 1048576 bytes/);
    expect((await raw('/api/health')).status).toBe(200);
  });

  it('sets an HttpOnly session cookie on login that authenticates later requests, and clears it on logout', async () => {
    const r = await rpc('auth.login', { username: 'guard1', password: 'guard-password' });
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^gh_session=[^;]+; HttpOnly; SameSite=Strict; Path=\//);
    const value = cookie.split(';')[0]!;
    const me = await fetch(`${base}/api/rpc/auth.me`, { method: 'POST', headers: { cookie: value, 'content-type': 'application/json' }, body: '{}' });
    expect(await me.json()).toEqual({ username: 'guard1', role: 'guard' });
    const out = await fetch(`${base}/api/rpc/auth.logout`, { method: 'POST', headers: { cookie: value } });
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    const after = await fetch(`${base}/api/rpc/auth.me`, { method: 'POST', headers: { cookie: value } });
    expect(after.status).toBe(401);
  });

  it('guards media behind a session', async () => {
    expect((await raw('/api/media/anything')).status).toBe(401);
  });

  it('parses cookies leniently', () => {
    expect(parseCookies('a=1; gh_session=abc%3D; broken=%E0%A4%A')).toEqual({ a: '1', gh_session: 'abc=' });
    expect(parseCookies(undefined)).toEqual({});
  });

  it('survives garbage on the socket', async () => {
    const net = await import('node:net');
    const url = new URL(base);
    await new Promise<void>((resolve) => {
      const s = net.connect(Number(url.port), url.hostname, () => s.end('NOT HTTP AT ALL\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
      s.resume();
    });
    expect((await raw('/api/health')).status).toBe(200);
  });
});

describe('static files', () => {
  it('serves the console with a CSP and falls back to index.html for client routes', async () => {
    const r = await raw('/');
    expect(r.status).toBe(200);
    expect(r.text).toContain('<title>console</title>');
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect((await raw('/cameras/gate')).text).toContain('<title>console</title>');
    expect((await raw('/assets/app.js')).headers.get('content-type')).toMatch(/javascript/);
  });

  it('answers 404 for a missing asset and never leaves the static folder', async () => {
    expect((await raw('/assets/missing.js')).status).toBe(404);
    const r = await raw('/..%2f..%2fconfig.json');
    expect([403, 404]).toContain(r.status);
    expect(r.text).not.toContain('passwordHash');
  });
});

describe('WebSocket RPC', () => {
  interface Conn {
    ws: WebSocket;
    frames: any[];
    next(pred: (f: any) => boolean, ms?: number): Promise<any>;
  }

  function open(headers: Record<string, string> = {}): Promise<Conn> {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/ws`, { headers });
    const frames: any[] = [];
    const waiters: Array<{ pred: (f: any) => boolean; resolve: (f: any) => void }> = [];
    ws.on('message', (data, isBinary) => {
      const f = isBinary ? { binary: true } : JSON.parse(data.toString());
      frames.push(f);
      for (const w of [...waiters]) {
        if (!w.pred(f)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
    });
    const next = (pred: (f: any) => boolean, ms = 5000) =>
      new Promise<any>((resolve, reject) => {
        const hit = frames.find(pred);
        if (hit) {
          frames.splice(frames.indexOf(hit), 1);
          return resolve(hit);
        }
        const t = setTimeout(() => reject(new Error('no such frame within ' + ms + ' ms; got ' + JSON.stringify(frames))), ms);
        waiters.push({
          pred,
          resolve: (f) => {
            clearTimeout(t);
            frames.splice(frames.indexOf(f), 1);
            resolve(f);
          },
        });
      });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, frames, next }));
      ws.once('error', reject);
    });
  }

  it('says hello with the session user (none without a cookie)', async () => {
    const c = await open();
    expect((await c.next((f) => 'hello' in f)).hello).toMatchObject({ version: engine.version, user: null });
    c.ws.close();
    const d = await open({ authorization: `Bearer ${guardToken}` });
    expect((await d.next((f) => 'hello' in f)).hello.user).toEqual({ username: 'guard1', role: 'guard' });
    d.ws.close();
  });

  it('answers bad frames with an error and keeps the socket open', async () => {
    const c = await open();
    c.ws.send('not json');
    expect((await c.next((f) => 'error' in f)).error.message).toMatch(/not valid JSON/);
    c.ws.send(JSON.stringify({ method: 'auth.me' }));
    expect((await c.next((f) => 'error' in f)).error.message).toMatch(/frame must be/);
    c.ws.send(Buffer.from([1, 2, 3]));
    expect((await c.next((f) => 'error' in f)).error.message).toMatch(/binary frames/);
    c.ws.send(JSON.stringify({ id: 7, method: 'cameras.list', params: {} }));
    expect(await c.next((f) => f.id === 7)).toMatchObject({ id: 7, error: { code: 'unauthorized' } });
    c.ws.send(JSON.stringify({ id: 8, method: 'auth.login', params: { username: 'guard1', password: 'guard-password', extra: 1 } }));
    expect((await c.next((f) => f.id === 8)).error.message).toMatch(/unknown field/);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.ws.close();
  });

  it('logs in over the socket, then receives pushed events', async () => {
    const c = await open();
    await c.next((f) => 'hello' in f);
    engine.bus.emit('cameras.changed', { reason: 'before-login' });
    c.ws.send(JSON.stringify({ id: 1, method: 'auth.login', params: { username: 'guard1', password: 'guard-password' } }));
    expect((await c.next((f) => f.id === 1)).result.user).toEqual({ username: 'guard1', role: 'guard' });
    c.ws.send(JSON.stringify({ id: 2, method: 'cameras.list', params: {} }));
    expect((await c.next((f) => f.id === 2)).result).toEqual([]);
    engine.bus.emit('cameras.changed', { reason: 'after-login' });
    expect(await c.next((f) => f.event === 'cameras.changed')).toEqual({ event: 'cameras.changed', data: { reason: 'after-login' } });
    expect(c.frames.some((f) => f.data?.reason === 'before-login')).toBe(false);
    c.ws.close();
  });

  it('refuses a cross-origin upgrade and unknown socket paths', async () => {
    const refused = (url: string, headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => resolve(-1));
      });
    expect(await refused(`${base.replace('http', 'ws')}/api/ws`, { origin: 'http://evil.example' })).toBe(403);
    expect(await refused(`${base.replace('http', 'ws')}/api/nothing`, {})).toBe(404);
    expect(await refused(`${base.replace('http', 'ws')}/api/live?camera=x`, {})).toBe(401);
  });
});
