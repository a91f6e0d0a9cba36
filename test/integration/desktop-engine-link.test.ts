import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineLink } from '../../main/desktop/engine-link.js';
import { Engine } from '../../main/engine/engine.js';
import { HttpServer } from '../../main/server/http.js';

let dir: string;
let engine: Engine;
let server: HttpServer;
let url: string | null;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-link-'));
  engine = new Engine({ dataDir: dir, adminPassword: 'admin-password', headless: false });
  await engine.start();
  server = new HttpServer(engine, { port: 0, host: '127.0.0.1' });
  url = await server.start();
});
afterAll(async () => {
  await server?.stop();
  await engine?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function link(token: string | null = null) {
  const got = { hellos: [] as unknown[], events: [] as Array<[string, unknown]>, tokens: [] as Array<string | null> };
  const l = new EngineLink(
    () => url,
    { hello: (h) => got.hellos.push(h), event: (n, d) => got.events.push([n, d]), token: (t) => got.tokens.push(t) },
    token,
    5000,
  );
  return { l, got };
}

describe('EngineLink (the IPC relay of one window)', () => {
  it('relays calls, keeps the window its own session, and forwards events once logged in', async () => {
    const { l, got } = link();
    expect(await l.rpc('cameras.list', {})).toMatchObject({ error: { code: 'unauthorized' } });
    expect(got.hellos).toEqual([{ version: engine.version, user: null }]);
    const r = await l.rpc('auth.login', { username: 'admin', password: 'admin-password' });
    expect(r).toMatchObject({ result: { user: { username: 'admin' } } });
    expect(got.tokens).toEqual([l.token]);
    expect(await l.rpc('cameras.list', {})).toEqual({ result: [] });
    engine.bus.emit('cameras.changed', { reason: 'test' });
    await expect.poll(() => got.events).toContainEqual(['cameras.changed', { reason: 'test' }]);

    // Another window has no session of its own.
    const other = link();
    expect(await other.l.rpc('auth.me', {})).toMatchObject({ error: { code: 'unauthorized' } });
    other.l.close();

    await l.rpc('auth.logout', {});
    expect(got.tokens.at(-1)).toBeNull();
    l.close();
  });

  it('reconnects after the engine restarts and resumes the session with its token', async () => {
    const { l, got } = link();
    await l.rpc('auth.login', { username: 'admin', password: 'admin-password' });
    const port = Number(new URL(url!).port);
    await server.stop();
    url = null;
    // Once the link has noticed, a call waits for the engine instead of failing at once.
    await new Promise((r) => setTimeout(r, 300));
    const pending = l.rpc('auth.me', {});
    expect(await Promise.race([pending, new Promise((r) => setTimeout(() => r('waiting'), 300))])).toBe('waiting');
    server = new HttpServer(engine, { port, host: '127.0.0.1' });
    url = await server.start();
    await expect.poll(() => got.hellos.length, { timeout: 10_000 }).toBe(2);
    expect(got.hellos[1]).toEqual({ version: engine.version, user: { username: 'admin', role: 'admin' } });
    expect(await pending).toEqual({ result: { username: 'admin', role: 'admin' } });
    expect(await l.rpc('auth.me', {})).toEqual({ result: { username: 'admin', role: 'admin' } });
    l.close();
  });

  it('starts from a saved cookie token, and drops it when the engine no longer knows it', async () => {
    const { l, got } = link('revoked-or-forged');
    expect(await l.rpc('auth.me', {})).toMatchObject({ error: { code: 'unauthorized' } });
    expect(got.tokens).toEqual([null]);
    expect(l.token).toBeNull();
    l.close();
  });

  it('answers "unavailable" rather than hanging when the engine is down', async () => {
    const saved = url;
    url = null;
    const { l } = link();
    const t0 = Date.now();
    const r = await l.rpc('system.health', {});
    expect(r).toMatchObject({ error: { code: 'unavailable', message: expect.stringMatching(/engine is not running/) } });
    expect(Date.now() - t0).toBeLessThan(20_000);
    l.close();
    url = saved;
  }, 30_000);
});
