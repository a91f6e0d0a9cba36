import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigStore } from '../config/store.js';
import { openIndex, type Db } from '../store/db.js';
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

  it('peeks without counting, so callers can count failures only', () => {
    const rl = new RateLimiter(2, 60_000);
    for (let i = 0; i < 10; i++) expect(rl.peek('k', i)).toBe(0);
    rl.hit('k', 10);
    rl.hit('k', 11);
    expect(rl.peek('k', 12)).toBe(60);
    expect(rl.peek('k', 60_011)).toBe(0);
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

  it('ends the other sessions of a user but keeps the one given, and tells listeners why', () => {
    const s = new Sessions(db);
    const mine = s.create('erin');
    const other = s.create('erin');
    const heard: unknown[] = [];
    s.onEnded((e) => heard.push(e));
    const gen = s.generation;
    s.revokeUser('ERIN', 'your password was changed in another session', mine);
    expect([s.lookup(mine), s.lookup(other)]).toEqual(['erin', null]);
    expect(s.generation).toBe(gen + 1);
    expect(heard).toEqual([{ username: 'ERIN', tokenHashes: null, kept: expect.stringMatching(/^[0-9a-f]{64}$/), reason: 'your password was changed in another session' }]);
    s.revoke(mine);
    expect(heard[1]).toMatchObject({ username: 'erin', tokenHashes: [expect.stringMatching(/^[0-9a-f]{64}$/)], reason: 'you logged out' });
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
    expect(await u.ensureAdmin(undefined)).toEqual({ created: false, generated: null, reset: false });
    expect(await u.ensureAdmin('a-new-admin-password')).toEqual({ created: false, generated: null, reset: true });
    expect(await u.ensureAdmin('a-new-admin-password')).toMatchObject({ reset: false });
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

  it('refuses user names with control characters, bidi overrides or other symbols (the CLI comes through here)', async () => {
    const u = await users();
    for (const bad of ['evil\r\nINFO forged', 'a\u001b[2Jb', 'admin\u202eevil', 'tab\tname', 'x', 'os:root']) {
      await expect(u.add(bad, 'guard-password', 'guard')).rejects.toMatchObject({ code: 'bad_request', field: 'username' });
    }
    expect(u.list()).toEqual([]);
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
