/**
 * The foundation, end to end: a real `gatehouse serve --demo` and the built
 * console in Chromium. Logging in, the demo cameras with their status, a
 * wrong password, roles, malformed requests, and reconnecting after a
 * server restart.
 */
import net from 'node:net';
import { CAMERA_STATES } from '../main/api/types.js';
import { expect, login, startServer, test } from './helpers/server.js';

test.describe('foundation', () => {
  test('an admin logs in and sees the four demo cameras with their status', async ({ page, server }) => {
    await login(page, server);
    await page.getByTestId('nav-cameras').click();
    const rows = page.getByTestId('camera-row');
    await expect(rows).toHaveCount(4);
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-camera-id')));
    expect(new Set(ids).size).toBe(4);
    for (const state of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))) {
      expect(CAMERA_STATES).toContain(state);
    }
    // The API agrees with what the console shows.
    const api = await server.rpc('cameras.list', {}, await server.token());
    expect(api.body.map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());
    expect(api.body.every((c: { demo: boolean }) => c.demo)).toBe(true);
  });

  test('a wrong password is refused with a message, and the form stays', async ({ page, server }) => {
    await page.goto(server.url + '/');
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('login-error')).toBeVisible();
    await expect(page.getByTestId('login-error')).toContainText(/wrong username or password/i);
    await expect(page.getByTestId('login-form')).toBeVisible();
    await expect(page.getByTestId('nav-cameras')).toHaveCount(0);
  });

  test('a guard gets 403 for admin requests, from the console session too', async ({ page, server }) => {
    const admin = await server.token();
    const add = await server.rpc('users.add', { username: 'guard-e2e', password: 'guard-e2e-password', role: 'guard' }, admin);
    expect([200, 409]).toContain(add.status);
    await login(page, server, 'guard-e2e', 'guard-e2e-password');
    await expect(page.getByTestId('current-user')).toHaveAttribute('data-role', 'guard');
    // The page's cookie session: guard requests work, admin ones are refused with a reason.
    const ok = await page.request.post(`${server.url}/api/rpc/cameras.list`, { data: {} });
    expect(ok.status()).toBe(200);
    for (const [method, params] of [
      ['users.list', {}],
      ['cameras.add', { name: 'Sneaky', url: 'rtsp://127.0.0.1/x' }],
      ['cameras.removeDemo', {}],
      ['settings.update', { patch: { segmentSeconds: 5 } }],
    ] as const) {
      const r = await page.request.post(`${server.url}/api/rpc/${method}`, { data: params });
      expect(r.status(), method).toBe(403);
      expect((await r.json()).error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('admin role') });
    }
    // Without any session: 401.
    const anon = await fetch(`${server.url}/api/rpc/cameras.list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anon.status).toBe(401);
  });

  test('the server survives malformed requests and keeps serving the console', async ({ page, server }) => {
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(server.url + path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } }).then(
        async (r) => ({ status: r.status, body: await r.text() }),
        (e: Error) => ({ status: 0, body: e.message }),
      );
    const bad = await post('/api/rpc/auth.login', '{"username": ');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/not valid JSON/);
    expect((await post('/api/rpc/auth.login', JSON.stringify({ username: 'admin', password: 'x', extra: true }))).status).toBe(400);
    expect((await post('/api/rpc/no.such.method', '{}')).status).toBe(404);
    expect((await post('/api/rpc/auth.login', '[1,2,3]')).status).toBe(400);
    expect((await post('/api/rpc/auth.login', '"just a string"')).status).toBe(400);
    expect((await post('/api/rpc/auth.login', '{'.repeat(2 * 1024 * 1024))).status).toBe(400);
    expect((await post('/api/rpc/%E0%A4%A', '{}')).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(server.url + '/api/nothing')).status).toBe(404);
    expect((await fetch(server.url + '/%2e%2e/%2e%2e/etc/passwd')).status).not.toBe(500);
    // Bearer tokens that are not tokens.
    expect((await post('/api/rpc/cameras.list', '{}', { authorization: 'Bearer ' + 'x'.repeat(5000) })).status).toBe(401);
    // Garbage on a raw socket, and junk WebSocket frames.
    await new Promise<void>((resolve) => {
      const s = net.connect(server.port, '127.0.0.1', () => s.end('\x00\x01GARBAGE\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
      s.resume();
    });
    await page.goto(server.url + '/');
    const wsErrors = await page.evaluate(async (url) => {
      const ws = new WebSocket(url.replace('http', 'ws') + '/api/ws');
      const got: string[] = [];
      await new Promise((r) => (ws.onopen = r));
      ws.onmessage = (e) => got.push(String(e.data));
      ws.send('not json');
      ws.send(JSON.stringify({ id: 'x', method: 5 }));
      ws.send(JSON.stringify({ id: 1, method: 'cameras.list' }));
      await new Promise((r) => setTimeout(r, 500));
      ws.close();
      return got.map((g) => JSON.parse(g)).filter((f) => f.error).map((f) => f.error.code);
    }, server.url);
    expect(wsErrors).toEqual(['bad_request', 'bad_request', 'unauthorized']);
    // Still healthy, and the console still works.
    expect((await fetch(server.url + '/api/health')).status).toBe(200);
    await login(page, server);
    await page.getByTestId('nav-cameras').click();
    await expect(page.getByTestId('camera-row')).toHaveCount(4);
  });

  test('the console reconnects by itself after the server restarts, still logged in', async ({ page }) => {
    const server = await startServer({ tmpPrefix: 'platform-e2e-' });
    try {
      await login(page, server);
      await page.getByTestId('nav-cameras').click();
      await expect(page.getByTestId('camera-row')).toHaveCount(4);
      await server.stop();
      await expect(page.getByTestId('connection-status')).not.toHaveAttribute('data-state', 'online', { timeout: 30_000 });
      await server.restart();
      await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online', { timeout: 60_000 });
      // The session survived the restart (sessions live in the index): no login form.
      await expect(page.getByTestId('login-form')).toHaveCount(0);
      await expect(page.getByTestId('camera-row')).toHaveCount(4);
    } finally {
      await server.dispose();
    }
  });
});
