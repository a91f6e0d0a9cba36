/**
 * Issue 18, security items 3, 4 and 6 against a real engine and HTTP server:
 * forged Origin, Sec-Fetch-Site, Host and Content-Type on RPC, WebSocket
 * upgrades, the sensor webhook and media; malformed URLs; the static files;
 * the login limit and password changes. Requests go out with node:http so
 * every header (Host included) is exactly what an attacker would send.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { HttpServer } from '../../main/server/http.js';

let dir: string;
let engine: Engine;
let server: HttpServer;
let base: string;
let port: number;
let adminToken: string;
const ADMIN_PW = 'security-admin-pw';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): any;
}

/** One request with exactly these headers (Host included; none added). */
function send(method: string, p: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: { host: `127.0.0.1:${port}`, ...headers }, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const cookie = (t: string) => ({ cookie: `gh_session=${encodeURIComponent(t)}` });
const self = () => `http://127.0.0.1:${port}`;

/** An upgrade's HTTP status (101 when it opened). */
function upgrade(p: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${p}`, { headers: { host: `127.0.0.1:${port}`, ...headers } });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => resolve(-1));
  });
}

async function login(username: string, password: string): Promise<string> {
  const r = await send('POST', '/api/rpc/auth.login', json, JSON.stringify({ username, password }));
  expect(r.status, r.text).toBe(200);
  return r.json().token as string;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'security-http-'));
  const staticDir = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)\n//# sourceMappingURL=app.js.map');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js.map'), JSON.stringify({ version: 3, sourcesContent: ['const secretSource = 1;'] }));
  // A sibling whose name starts with the static folder's: a string-prefix check lets it through.
  fs.mkdirSync(path.join(dir, 'renderer-x'));
  fs.writeFileSync(path.join(dir, 'renderer-x', 'secret.txt'), 'not for the network');
  engine = new Engine({ dataDir: path.join(dir, 'data'), adminPassword: ADMIN_PW, headless: true });
  await engine.start();
  server = new HttpServer(engine, { port: 0, host: '127.0.0.1', staticDir, allowedHosts: ['nvr.example.test'] });
  base = await server.start();
  port = Number(new URL(base).port);
  adminToken = await login('admin', ADMIN_PW);
  for (const [username, role] of [
    ['guard1', 'guard'],
    ['guard2', 'guard'],
  ] as const) {
    const r = await send('POST', '/api/rpc/users.add', { ...json, ...bearer(adminToken) }, JSON.stringify({ username, password: `${username}-password`, role }));
    expect(r.status, r.text).toBe(200);
  }
});

afterAll(async () => {
  await server?.stop();
  await engine?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const usernames = async () => (await send('POST', '/api/rpc/users.list', { ...json, ...bearer(adminToken) }, '{}')).json().map((u: { username: string }) => u.username);

describe('CSRF (item 3)', () => {
  it("refuses a cross-site text/plain POST that carries the admin's cookie, and changes nothing", async () => {
    const body = JSON.stringify({ username: 'mallory', password: 'mallory-password', role: 'admin' });
    const r = await send('POST', '/api/rpc/users.add', { 'content-type': 'text/plain', origin: 'http://evil.example', ...cookie(adminToken) }, body);
    expect(r.status).toBe(403);
    expect(r.json().error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/from http:\/\/evil\.example was refused: only pages served by this Gatehouse/) });
    expect(await usernames()).not.toContain('mallory');
  });

  it('refuses cross-site and same-site requests by Sec-Fetch-Site, and another port of this host by Origin', async () => {
    const body = JSON.stringify({ username: 'mallory', password: 'mallory-password', role: 'admin' });
    const forged: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'http://127.0.0.1:3000' }, { origin: 'null' }];
    for (const h of forged) {
      const r = await send('POST', '/api/rpc/users.add', { ...json, ...h, ...cookie(adminToken) }, body);
      expect(r.status, JSON.stringify(h)).toBe(403);
    }
    expect(await usernames()).not.toContain('mallory');
  });

  it('takes RPC bodies as JSON only (415 otherwise), even same-origin', async () => {
    const body = JSON.stringify({ username: 'mallory', password: 'mallory-password', role: 'admin' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain; charset=utf-8']) {
      const r = await send('POST', '/api/rpc/users.add', { 'content-type': type, origin: self(), ...cookie(adminToken) }, body);
      expect(r.status, type).toBe(415);
      expect(r.json().error.message).toMatch(/Content-Type: application\/json/);
    }
    // A JSON body without any Content-Type is refused too; an empty one may leave it out (curl -X POST).
    expect((await send('POST', '/api/rpc/users.add', { ...cookie(adminToken) }, body)).status).toBe(415);
    expect((await send('POST', '/api/rpc/auth.me', { ...bearer(adminToken) })).status).toBe(200);
    expect(await usernames()).not.toContain('mallory');
  });

  it('lets the console (same origin, JSON) and programs (no Origin, bearer) through', async () => {
    const r = await send('POST', '/api/rpc/auth.me', { ...json, origin: self(), 'sec-fetch-site': 'same-origin', ...cookie(adminToken) }, '{}');
    expect(r.status, r.text).toBe(200);
    expect(r.json()).toEqual({ username: 'admin', role: 'admin' });
    expect((await send('POST', '/api/rpc/auth.me', { ...json, ...bearer(adminToken) }, '{}')).status).toBe(200);
  });

  it('refuses a cross-origin WebSocket upgrade, with the cookie or without', async () => {
    expect(await upgrade('/api/ws', { origin: 'http://evil.example', ...cookie(adminToken) })).toBe(403);
    expect(await upgrade('/api/ws', { origin: 'http://127.0.0.1:3000' })).toBe(403);
    expect(await upgrade('/api/ws', { 'sec-fetch-site': 'cross-site', ...cookie(adminToken) })).toBe(403);
    expect(await upgrade('/api/live?camera=x', { origin: 'http://evil.example', ...cookie(adminToken) })).toBe(403);
    expect(await upgrade('/api/ws', { origin: self(), ...cookie(adminToken) })).toBe(101);
  });

  it("keeps the sensor webhook for machines: a browser's cookie is no token, and a page may not call it", async () => {
    const hook = (await send('POST', '/api/rpc/integrations.addWebhook', { ...json, ...bearer(adminToken) }, JSON.stringify({ name: 'Doors' }))).json().token as string;
    const msg = JSON.stringify({ sensor: 'door-1', type: 'door', state: 'open' });
    const withCookie = await send('POST', '/api/webhook/sensors', { ...json, ...cookie(adminToken) }, msg);
    expect(withCookie.status).toBe(401);
    const fromPage = await send('POST', '/api/webhook/sensors', { 'content-type': 'text/plain', origin: 'http://evil.example', ...bearer(hook) }, msg);
    expect(fromPage.status).toBe(403);
    expect(fromPage.json().error.message).toMatch(/not from web pages/);
    expect((await send('POST', '/api/webhook/sensors', { ...json, ...bearer(hook) }, msg)).status).toBe(202);
  });

  it('serves media to the console only: a same-site page with the cookie is refused', async () => {
    const r = await send('GET', '/api/media/gate/snapshot.jpg', { 'sec-fetch-site': 'same-site', ...cookie(adminToken) });
    expect(r.status).toBe(403);
  });
});

describe('Host header and DNS rebinding (item 4)', () => {
  it('answers a foreign Host with 421 and what to configure, on every route', async () => {
    for (const [method, p, body] of [
      ['GET', '/', undefined],
      ['GET', '/api/health', undefined],
      ['POST', '/api/rpc/auth.login', JSON.stringify({ username: 'admin', password: ADMIN_PW })],
      ['GET', '/api/media/x/map.json', undefined],
    ] as const) {
      const r = await send(method, p, { ...json, host: `rebind.attacker.example:${port}` }, body);
      expect(r.status, `${method} ${p}`).toBe(421);
      expect(r.json().error.message).toMatch(/does not answer to the host name "rebind\.attacker\.example".*--allowed-hosts rebind\.attacker\.example.*security\.allowedHosts/);
    }
    expect(await upgrade('/api/ws', { host: `rebind.attacker.example:${port}` })).toBe(421);
  });

  it('answers to loopback names, the --allowed-hosts names, and names added to the config at once', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `nvr.example.test:${port}`, `[::1]:${port}`]) {
      expect((await send('GET', '/api/health', { host })).status, host).toBe(200);
    }
    expect((await send('GET', '/api/health', { host: 'cams.site.test' })).status).toBe(421);
    await engine.config.update((c) => {
      c.security = { allowedHosts: ['*.site.test'], auditCheckpointMinutes: 10, auditCheckpointFile: null };
    });
    expect((await send('GET', '/api/health', { host: 'cams.site.test' })).status).toBe(200);
  });

  it('refuses a WebSocket upgrade with no Host', async () => {
    const status = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () =>
        s.write('GET /api/ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://evil.example\r\n\r\n'),
      );
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
      s.on('error', () => resolve(got.split('\r\n')[0] ?? 'error'));
    });
    // Node answers an HTTP/1.1 request without Host itself (400), or the server refuses it: never 101.
    expect(status).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe('smaller ones (item 6)', () => {
  it('answers a malformed percent-encoding with 400, not 500', async () => {
    for (const p of ['/api/rpc/%E0%A4%A', '/api/rpc/%', '/%E0%A4%A']) {
      const r = await send('POST', p, json, '{}');
      expect(r.status, p).toBe(p === '/%E0%A4%A' ? 405 : 400);
    }
    expect((await send('GET', '/%E0%A4%A', {})).status).toBe(400);
  });

  it('keeps static files inside their folder by path, never serves source maps, and lets the page connect to its own origin only', async () => {
    for (const p of ['/..%2frenderer-x%2fsecret.txt', '/../renderer-x/secret.txt', '/%2e%2e/renderer-x/secret.txt']) {
      const r = await send('GET', p, {});
      expect(r.text, p).not.toContain('not for the network');
    }
    const map = await send('GET', '/assets/app.js.map', {});
    expect(map.status).toBe(404);
    expect(map.text).not.toContain('secretSource');
    expect((await send('GET', '/assets/app.js', {})).status).toBe(200);
    const csp = (await send('GET', '/', {})).headers['content-security-policy'] as string;
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${port} wss://127.0.0.1:${port};`);
    expect(csp).not.toMatch(/connect-src[^;]* (ws|wss):(;| )/);
  });

  it('refuses user names with control characters at login, and never logs them raw', async () => {
    for (const username of ['admin\r\n2026-01-01T00:00:00.000Z INFO  [engine] admin logged in', 'ad\u202emin', 'x\u001b[2J']) {
      const r = await send('POST', '/api/rpc/auth.login', json, JSON.stringify({ username, password: 'x' }));
      expect(r.status).toBe(400);
      expect(r.json().error.message).toMatch(/may not hold control characters/);
    }
    const r = await send('POST', '/api/rpc/users.add', { ...json, ...bearer(adminToken) }, JSON.stringify({ username: 'bad\nname', password: 'long-enough', role: 'guard' }));
    expect(r.status).toBe(400);
  });

  it('counts only wrong passwords against the login limit', async () => {
    // Before the fix every login counted: the eleventh good one in a minute was refused.
    for (let i = 0; i < 14; i++) await login('guard1', 'guard1-password');
    const wrong = await send('POST', '/api/rpc/auth.login', json, JSON.stringify({ username: 'guard1', password: 'not-it' }));
    expect(wrong.status).toBe(401);
    await login('guard1', 'guard1-password');
  });

  it('auth.changePassword keeps the session that changed it, ends the others, and is rate-limited', async () => {
    const a = await login('guard2', 'guard2-password');
    const b = await login('guard2', 'guard2-password');
    const change = (t: string, current: string, next: string) =>
      send('POST', '/api/rpc/auth.changePassword', { ...json, ...bearer(t) }, JSON.stringify({ current, next }));
    expect((await change(a, 'guard2-password', 'guard2-new-password')).status).toBe(200);
    expect((await send('POST', '/api/rpc/auth.me', { ...json, ...bearer(a) }, '{}')).status).toBe(200);
    expect((await send('POST', '/api/rpc/auth.me', { ...json, ...bearer(b) }, '{}')).status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await change(a, `wrong-${i}`, 'guard2-other-password')).status);
    expect(statuses.slice(0, 4)).toEqual([403, 403, 403, 403]);
    expect(statuses.at(-1)).toBe(429);
    const limited = await change(a, 'guard2-new-password', 'guard2-other-password');
    expect(limited.status).toBe(429);
    expect(limited.json().error.message).toMatch(/too many password changes; try again in \d+ s/);
  });
});
