import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/contract.js';
import { ConfigStore } from '../config/store.js';
import { openIndex, type Db } from '../store/db.js';
import { Engine } from '../engine.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { RateLimiter } from './ratelimit.js';
import { Sessions } from './sessions.js';
import { Users } from './users.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-auth-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('passwords (scrypt)', () => {
  it('hashes with a random salt in a self-describing format and verifies', () => {
    const a = hashPassword('correct horse');
    const b = hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(verifyPassword('correct horse', a)).toBe(true);
    expect(verifyPassword('correct horse ', a)).toBe(false);
    expect(verifyPassword('', a)).toBe(false);
  });

  it('rejects malformed stored hashes instead of throwing', () => {
    expect(verifyPassword('x', '')).toBe(false);
    expect(verifyPassword('x', 'md5$abc')).toBe(false);
    expect(verifyPassword('x', 'bcrypt$1$2$3$4$5')).toBe(false);
  });

  it('verifies hashes made with other cost parameters (they are read from the hash)', () => {
    const stored = hashPassword('pw-12345678').replace('scrypt$16384$', 'scrypt$16384$');
    expect(verifyPassword('pw-12345678', stored)).toBe(true);
  });

  it('generates readable passwords of 4 groups', () => {
    const p = generatePassword();
    expect(p).toMatch(/^[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}$/);
    expect(p).not.toMatch(/[01lIoO]/);
    expect(generatePassword()).not.toBe(p);
  });
});

describe('RateLimiter', () => {
  it('allows max hits per window, then says how long to wait', () => {
    const rl = new RateLimiter(3, 60_000);
    const t0 = 1_000_000;
    expect([rl.take('k', t0), rl.take('k', t0 + 1), rl.take('k', t0 + 2)]).toEqual([0, 0, 0]);
    expect(rl.take('k', t0 + 3)).toBe(60);
    expect(rl.take('k', t0 + 30_000)).toBe(30);
    expect(rl.take('other', t0 + 3)).toBe(0);
    expect(rl.take('k', t0 + 60_001)).toBe(0);
  });

  it('reset clears a key', () => {
    const rl = new RateLimiter(1, 60_000);
    rl.take('k', 0);
    expect(rl.take('k', 1)).toBeGreaterThan(0);
    rl.reset('k');
    expect(rl.take('k', 2)).toBe(0);
  });
});

describe('Sessions', () => {
  let db: Db;
  beforeEach(() => {
    db = openIndex(path.join(dir, 'index.sqlite'));
  });
  afterEach(() => db.close());

  it('creates opaque tokens, stores only their hash, and revokes them', () => {
    const s = new Sessions(db);
    const t = s.create('alice');
    expect(t.length).toBeGreaterThanOrEqual(40);
    expect(s.lookup(t)).toBe('alice');
    const rows = db.prepare('SELECT token_hash FROM sessions').all() as { token_hash: string }[];
    expect(rows.map((r) => r.token_hash)).not.toContain(t);
    s.revoke(t);
    expect(s.lookup(t)).toBeNull();
  });

  it('revokes every session of a user and drops expired ones', () => {
    const s = new Sessions(db);
    const a = s.create('bob');
    const b = s.create('bob');
    const c = s.create('carol');
    s.revokeUser('bob');
    expect([s.lookup(a), s.lookup(b), s.lookup(c)]).toEqual([null, null, 'carol']);
    db.prepare('UPDATE sessions SET expires_ms = 1').run();
    expect(s.lookup(c)).toBeNull();
  });

  it('survives a reopen of the index (a server restart does not log guards out)', () => {
    const t = new Sessions(db).create('dave');
    db.close();
    db = openIndex(path.join(dir, 'index.sqlite'));
    expect(new Sessions(db).lookup(t)).toBe('dave');
  });
});

describe('Users', () => {
  async function users(): Promise<Users> {
    const store = new ConfigStore(path.join(dir, 'config.json'));
    await store.load();
    return new Users(store);
  }

  it('creates the first admin with a generated password shown once', async () => {
    const u = await users();
    const r = await u.ensureAdmin(undefined);
    expect(r.created).toBe(true);
    expect(r.generated).toBeTruthy();
    expect(u.authenticate('admin', r.generated!)?.role).toBe('admin');
    expect(await u.ensureAdmin(undefined)).toEqual({ created: false, generated: null });
  });

  it('never stores the password and matches usernames case-insensitively', async () => {
    const u = await users();
    await u.add('Guard1', 'guard-password', 'guard');
    expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).not.toContain('guard-password');
    expect(u.authenticate('guard1', 'guard-password')?.username).toBe('Guard1');
    expect(u.authenticate('guard1', 'wrong-password')).toBeNull();
    expect(u.authenticate('nobody', 'guard-password')).toBeNull();
  });

  it('refuses disabled users and duplicate names', async () => {
    const u = await users();
    await u.ensureAdmin('admin-password');
    await u.add('g1', 'guard-password', 'guard');
    await expect(u.add('G1', 'other-password', 'guard')).rejects.toMatchObject({ code: 'conflict' });
    await u.update('g1', { disabled: true });
    expect(u.authenticate('g1', 'guard-password')).toBeNull();
  });

  it('never leaves the system without an active admin', async () => {
    const u = await users();
    await u.ensureAdmin('admin-password');
    await expect(u.update('admin', { role: 'guard' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(u.update('admin', { disabled: true })).rejects.toMatchObject({ code: 'conflict' });
    await u.add('boss', 'boss-password', 'admin');
    await expect(u.update('admin', { role: 'guard' })).resolves.toMatchObject({ role: 'guard' });
  });
});

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
