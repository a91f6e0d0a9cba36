// Roles and rate limits through Engine.handle, on a real engine (temp data dir,
// SQLite index, config file). The pure parts of auth (passwords, sessions,
// users, the rate limiter) are unit-tested in main/engine/auth/auth.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../main/api/contract.js';
import { Engine } from '../../main/engine/engine.js';

describe('Engine.handle: roles and rate limits', () => {
  let engine: Engine;
  let edir: string;
  beforeAll(async () => {
    edir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-engine-'));
    engine = new Engine({ dataDir: edir, adminPassword: 'admin-password', headless: true });
    await engine.start();
    const { token } = (await engine.handle('auth.login', { username: 'admin', password: 'admin-password' }, { peer: 'setup' })) as { token: string };
    await engine.handle('users.add', { username: 'guard1', password: 'guard-password', role: 'guard' }, { token, peer: 'setup' });
  });
  afterAll(async () => {
    await engine.stop();
    fs.rmSync(edir, { recursive: true, force: true });
  });

  const login = async (username: string, password: string, peer = 'test') =>
    ((await engine.handle('auth.login', { username, password }, { peer })) as { token: string }).token;
  const codeOf = (p: Promise<unknown>) => p.then(
    () => 'ok',
    (e: unknown) => (e instanceof ApiError ? `${e.code} ${e.status}` : String(e)),
  );

  it('answers 401 without a session and for an unknown token', async () => {
    expect(await codeOf(engine.handle('cameras.list', {}, { peer: 'test' }))).toBe('unauthorized 401');
    expect(await codeOf(engine.handle('cameras.list', {}, { token: 'forged', peer: 'test' }))).toBe('unauthorized 401');
    expect(await codeOf(engine.handle('system.health', {}, { peer: 'test' }))).toBe('ok');
  });

  it('answers 403 when a guard calls an admin request, and says which role it needs', async () => {
    const token = await login('guard1', 'guard-password');
    expect(await codeOf(engine.handle('cameras.list', {}, { token, peer: 'test' }))).toBe('ok');
    const err = await engine.handle('users.list', {}, { token, peer: 'test' }).catch((e: unknown) => e as ApiError);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(403);
    expect((err as ApiError).message).toMatch(/admin role; you are guard/);
    expect(await codeOf(engine.handle('cameras.add', { name: 'X', url: 'rtsp://127.0.0.1/x' }, { token, peer: 'test' }))).toBe('forbidden 403');
  });

  it('checks the role before validating the params (no schema leaks to guards)', async () => {
    const token = await login('guard1', 'guard-password');
    expect(await codeOf(engine.handle('users.add', { bogus: 1 }, { token, peer: 'test' }))).toBe('forbidden 403');
  });

  it('logs out: the token stops working', async () => {
    const token = await login('guard1', 'guard-password');
    await engine.handle('auth.logout', {}, { token, peer: 'test' });
    expect(await codeOf(engine.handle('auth.me', {}, { token, peer: 'test' }))).toBe('unauthorized 401');
  });

  it('revokes the sessions of a disabled user', async () => {
    const admin = await login('admin', 'admin-password', 'admin-peer');
    await engine.handle('users.add', { username: 'temp1', password: 'temp-password', role: 'guard' }, { token: admin, peer: 'admin-peer' });
    const t = await login('temp1', 'temp-password', 'temp-peer');
    await engine.handle('users.update', { username: 'temp1', disabled: true }, { token: admin, peer: 'admin-peer' });
    expect(await codeOf(engine.handle('auth.me', {}, { token: t, peer: 'temp-peer' }))).toBe('unauthorized 401');
  });

  it('rate-limits wrong passwords per client and per user name, with the wait in the message', async () => {
    const results: string[] = [];
    for (let i = 0; i < 11; i++) results.push(await codeOf(engine.handle('auth.login', { username: 'admin', password: 'nope' }, { peer: '10.0.0.9' })));
    expect(results.slice(0, 10).every((r) => r === 'unauthorized 401')).toBe(true);
    expect(results[10]).toBe('rate_limited 429');
    const err = (await engine.handle('auth.login', { username: 'someone', password: 'x' }, { peer: '10.0.0.9' }).catch((e: unknown) => e)) as ApiError;
    expect(err.message).toMatch(/try again in \d+ s/);
    // The user name is limited too, from any address: the right password is refused while it is.
    expect(await codeOf(engine.handle('auth.login', { username: 'admin', password: 'admin-password' }, { peer: '10.0.0.10' }))).toBe('rate_limited 429');
  });

  it('unknown methods are 404 and bad params 400 naming the field', async () => {
    const token = await login('guard1', 'guard-password', 'p2');
    expect(await codeOf(engine.handle('nope.nothing', {}, { token, peer: 'p2' }))).toBe('not_found 404');
    const err = (await engine.handle('recordings.list', { cameraId: 'x', from: 'yesterday', to: 'now' }, { token, peer: 'p2' }).catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(400);
    expect(err.field).toBe('from');
  });
});
