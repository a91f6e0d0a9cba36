import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, type Me } from '../../api/contract.js';
import type { SecondStep } from '../../api/remote.js';
import { auditForCall } from '../audit/hook.js';
import type { Handlers } from '../concern.js';
import { sealWith, openWith, type SecretBox } from '../config/secrets.js';
import { ConfigStore } from '../config/store.js';
import { openIndex, type Db } from '../store/db.js';
import { authConcern } from './handlers.js';
import { Sessions } from './sessions.js';
import { TICKET_TTL_MS } from './sign-in-tickets.js';
import { totpCode } from './totp.js';
import { TwoFactor } from './two-factor.js';
import { Users } from './users.js';

const key = crypto.randomBytes(32);
const box: SecretBox = { kind: 'test', seal: (p) => sealWith(key, p), open: (s) => openWith([key], s) };

let dir: string;
let db: Db;
let config: ConfigStore;
let users: Users;
let sessions: Sessions;
let clock: number;
let remote: boolean;
let tf: TwoFactor;
let h: Partial<Handlers>;

const T0 = 1_800_000_000_000;
const PEER = '192.0.2.10';

async function call<M extends keyof Handlers>(m: M, p: Parameters<Handlers[M]>[0], me: Me | null = null, peer = PEER) {
  return (await h[m]!(p as never, { peer, token: null }, me)) as Awaited<ReturnType<Handlers[M]>>;
}
async function refused(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-2fa-'));
  config = new ConfigStore(path.join(dir, 'config.json'));
  await config.load();
  db = openIndex(path.join(dir, 'index.sqlite'));
  users = new Users(config);
  sessions = new Sessions(db);
  clock = T0;
  remote = false;
  tf = new TwoFactor({ config, secrets: box, adminRequired: () => remote, issuer: 'Gatehouse test', now: () => clock });
  h = authConcern({ users, sessions, twoFactor: tf, now: () => clock }).handlers;
  await users.add('alice', 'alice-password', 'guard');
  await users.add('root', 'root-password', 'admin');
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Enrol alice from Settings (signed in); returns her secret and recovery codes. */
async function enrolAlice(): Promise<{ secret: string; codes: string[] }> {
  const me: Me = { username: 'alice', role: 'guard' };
  const e = await call('auth.totpBegin', { password: 'alice-password' }, me);
  const { recoveryCodes } = await call('auth.totpEnable', { code: totpCode(e.secret, clock) }, me);
  return { secret: e.secret, codes: recoveryCodes };
}

describe('enrolment', () => {
  it('needs the password, shows a QR code, and turns on with the first code; the secret is sealed, recovery codes hashed', async () => {
    const me: Me = { username: 'alice', role: 'guard' };
    expect((await refused(call('auth.totpBegin', { password: 'wrong' }, me))).code).toBe('forbidden');
    const e = await call('auth.totpBegin', { password: 'alice-password' }, me);
    expect(e.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(e.uri).toContain(`secret=${e.secret}`);
    expect(e.qrSvg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
    expect((await refused(call('auth.totpEnable', { code: '000000' }, me))).code).toBe('forbidden');
    const { recoveryCodes } = await call('auth.totpEnable', { code: totpCode(e.secret, clock) }, me);
    expect(recoveryCodes).toHaveLength(10);
    const stored = config.data.users.find((u) => u.username === 'alice')!.totp!;
    expect(stored.secret).toMatch(/^enc:v1:/);
    expect(box.open(stored.secret)).toBe(e.secret);
    const text = fs.readFileSync(path.join(dir, 'config.json'), 'utf8');
    expect(text).not.toContain(e.secret);
    for (const c of recoveryCodes) expect(text).not.toContain(c);
    expect(stored.recovery).toHaveLength(10);
    expect(await call('auth.totpStatus', {}, me)).toMatchObject({ enabled: true, recoveryLeft: 10, required: false });
    expect(users.list().find((u) => u.username === 'alice')!.totp).toBe(true);
  });

  it('a secret not confirmed within 10 minutes is forgotten', async () => {
    const me: Me = { username: 'alice', role: 'guard' };
    const e = await call('auth.totpBegin', { password: 'alice-password' }, me);
    clock += 10 * 60_000 + 1;
    const err = await refused(call('auth.totpEnable', { code: totpCode(e.secret, clock) }, me));
    expect(err.message).toMatch(/expired/);
  });
});

describe('sign-in with a code (fake clock)', () => {
  it('a right password gives a ticket, not a session; the code finishes it', async () => {
    const { secret } = await enrolAlice();
    clock += 60_000;
    const r = (await call('auth.login', { username: 'alice', password: 'alice-password' })) as SecondStep;
    expect(r).toMatchObject({ next: 'totp', username: 'alice', expiresInS: 300 });
    expect('token' in r).toBe(false);
    const ok = await call('auth.totpVerify', { ticket: r.ticket, username: 'alice', code: totpCode(secret, clock) });
    expect(ok.user).toEqual({ username: 'alice', role: 'guard' });
    expect(sessions.lookup(ok.token)).toBe('alice');
    expect(ok.secondFactor).toBe('totp');
    // the ticket is spent
    expect((await refused(call('auth.totpVerify', { ticket: r.ticket, username: 'alice', code: totpCode(secret, clock + 30_000) }))).code).toBe('unauthorized');
  });

  it('accepts ±1 step of drift, not 2', async () => {
    const { secret } = await enrolAlice();
    clock += 10 * 60_000;
    const login = async () => ((await call('auth.login', { username: 'alice', password: 'alice-password' })) as SecondStep).ticket;
    expect((await call('auth.totpVerify', { ticket: await login(), username: 'alice', code: totpCode(secret, clock - 30_000) })).token).toBeTruthy();
    clock += 120_000;
    expect((await call('auth.totpVerify', { ticket: await login(), username: 'alice', code: totpCode(secret, clock + 30_000) })).token).toBeTruthy();
    clock += 120_000;
    const t = await login();
    expect((await refused(call('auth.totpVerify', { ticket: t, username: 'alice', code: totpCode(secret, clock - 60_000) }))).field).toBe('code');
    expect((await refused(call('auth.totpVerify', { ticket: t, username: 'alice', code: totpCode(secret, clock + 60_000) }))).field).toBe('code');
  });

  it('refuses a code used once, within its window, also for another sign-in', async () => {
    const { secret } = await enrolAlice();
    clock += 60_000;
    const code = totpCode(secret, clock);
    const t1 = ((await call('auth.login', { username: 'alice', password: 'alice-password' })) as SecondStep).ticket;
    const t2 = ((await call('auth.login', { username: 'alice', password: 'alice-password' }, null, '192.0.2.99')) as SecondStep).ticket;
    await call('auth.totpVerify', { ticket: t1, username: 'alice', code });
    clock += 20_000;
    const err = await refused(call('auth.totpVerify', { ticket: t2, username: 'alice', code }, null, '192.0.2.99'));
    expect(err.message).toMatch(/used already/);
    // a new process reading the stored step refuses it too
    const again = new TwoFactor({ config, secrets: box, adminRequired: () => false, issuer: 'x', now: () => clock });
    expect(await again.verify('alice', code)).toBeNull();
  });

  it('the same code sent twice at once passes once', async () => {
    const { secret } = await enrolAlice();
    clock += 60_000;
    const code = totpCode(secret, clock);
    const results = await Promise.all([tf.verify('alice', code), tf.verify('alice', code)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('a ticket is bound to its address and user, and dies after 5 minutes or 5 wrong codes', async () => {
    const { secret } = await enrolAlice();
    clock += 60_000;
    const t = ((await call('auth.login', { username: 'alice', password: 'alice-password' })) as SecondStep).ticket;
    expect((await refused(call('auth.totpVerify', { ticket: t, username: 'alice', code: totpCode(secret, clock) }, null, '198.51.100.1'))).message).toMatch(/expired/);
    expect((await refused(call('auth.totpVerify', { ticket: t, username: 'root', code: totpCode(secret, clock) }))).message).toMatch(/expired/);
    clock += TICKET_TTL_MS + 1;
    expect((await refused(call('auth.totpVerify', { ticket: t, username: 'alice', code: totpCode(secret, clock) }))).message).toMatch(/expired/);

    const t2 = ((await call('auth.login', { username: 'alice', password: 'alice-password' }, null, '198.51.100.2')) as SecondStep).ticket;
    for (let i = 0; i < 5; i++) await refused(call('auth.totpVerify', { ticket: t2, username: 'alice', code: '000000' }, null, '198.51.100.2'));
    expect((await refused(call('auth.totpVerify', { ticket: t2, username: 'alice', code: totpCode(secret, clock) }, null, '198.51.100.2'))).message).toMatch(/expired|too many/);
  });

  it('wrong codes count in the sign-in limit (10 a minute per user), and a right password does not reset the count', async () => {
    await enrolAlice();
    clock += 60_000;
    let limited: ApiError | null = null;
    for (let i = 0; i < 12 && !limited; i++) {
      // each round logs in again (a right password) and tries one wrong code, from a new address each time
      const peer = `203.0.113.${i + 1}`;
      try {
        const t = ((await call('auth.login', { username: 'alice', password: 'alice-password' }, null, peer)) as SecondStep).ticket;
        await refused(call('auth.totpVerify', { ticket: t, username: 'alice', code: '000000' }, null, peer));
      } catch (err) {
        limited = err as ApiError;
      }
    }
    expect(limited?.code).toBe('rate_limited');
  });
});

describe('recovery codes', () => {
  it('each works once instead of a code; the count goes down', async () => {
    const { codes } = await enrolAlice();
    clock += 60_000;
    const login = async () => ((await call('auth.login', { username: 'alice', password: 'alice-password' })) as SecondStep).ticket;
    const ok = await call('auth.totpVerify', { ticket: await login(), username: 'alice', code: codes[3]!.toUpperCase() });
    expect(ok).toMatchObject({ secondFactor: 'recovery', recoveryLeft: 9 });
    expect((await refused(call('auth.totpVerify', { ticket: await login(), username: 'alice', code: codes[3]! }))).code).toBe('unauthorized');
    expect(await call('auth.totpStatus', {}, { username: 'alice', role: 'guard' })).toMatchObject({ recoveryLeft: 9 });
  });

  it('new codes replace the old ones (a current code needed)', async () => {
    const { secret, codes } = await enrolAlice();
    const me: Me = { username: 'alice', role: 'guard' };
    clock += 60_000;
    expect((await refused(call('auth.totpRecoveryCodes', { code: '000000' }, me))).code).toBe('forbidden');
    const fresh = (await call('auth.totpRecoveryCodes', { code: totpCode(secret, clock) }, me)).recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(await tf.verify('alice', codes[0]!)).toBeNull();
    expect(await tf.verify('alice', fresh[0]!)).toMatchObject({ kind: 'recovery' });
  });
});

describe('admins when the server listens beyond loopback', () => {
  it('an admin without two-factor must enrol at sign-in; the session comes with the first code', async () => {
    expect(await call('auth.login', { username: 'root', password: 'root-password' })).toHaveProperty('token');
    remote = true;
    const r = (await call('auth.login', { username: 'root', password: 'root-password' })) as SecondStep;
    expect(r.next).toBe('enrol');
    // a guard is not asked
    expect(await call('auth.login', { username: 'alice', password: 'alice-password' })).toHaveProperty('token');
    const e = await call('auth.totpEnrolBegin', { ticket: r.ticket, username: 'root' });
    expect((await refused(call('auth.totpEnrolFinish', { ticket: r.ticket, username: 'root', code: '000000' }))).code).toBe('unauthorized');
    const done = await call('auth.totpEnrolFinish', { ticket: r.ticket, username: 'root', code: totpCode(e.secret, clock) });
    expect(done.user.role).toBe('admin');
    expect(done.recoveryCodes).toHaveLength(10);
    expect(sessions.lookup(done.token)).toBe('root');
    // next time: the code
    clock += 60_000;
    expect(((await call('auth.login', { username: 'root', password: 'root-password' })) as SecondStep).next).toBe('totp');
    // and it can't be turned off while required
    const me: Me = { username: 'root', role: 'admin' };
    expect((await refused(call('auth.totpDisable', { password: 'root-password', code: totpCode(e.secret, clock) }, me))).message).toMatch(/required for administrators/);
  });

  it('another admin resets it: the user is signed out and enrols again', async () => {
    const { secret } = await enrolAlice();
    clock += 60_000;
    const t = ((await call('auth.login', { username: 'alice', password: 'alice-password' })) as SecondStep).ticket;
    const s = await call('auth.totpVerify', { ticket: t, username: 'alice', code: totpCode(secret, clock) });
    await call('users.totpReset', { username: 'alice' }, { username: 'root', role: 'admin' });
    expect(sessions.lookup(s.token)).toBeNull();
    expect(config.data.users.find((u) => u.username === 'alice')!.totp).toBeUndefined();
    expect(await call('auth.login', { username: 'alice', password: 'alice-password' })).toHaveProperty('token');
    expect((await refused(call('users.totpReset', { username: 'alice' }, { username: 'root', role: 'admin' }))).code).toBe('conflict');
  });
});

describe('turning it off', () => {
  it('needs the password and a code', async () => {
    const { secret } = await enrolAlice();
    const me: Me = { username: 'alice', role: 'guard' };
    clock += 60_000;
    expect((await refused(call('auth.totpDisable', { password: 'nope', code: totpCode(secret, clock) }, me))).field).toBe('password');
    expect((await refused(call('auth.totpDisable', { password: 'alice-password', code: '000000' }, me))).field).toBe('code');
    await call('auth.totpDisable', { password: 'alice-password', code: totpCode(secret, clock) }, me);
    expect(await call('auth.login', { username: 'alice', password: 'alice-password' })).toHaveProperty('token');
  });
});

describe('audit records', () => {
  const peer = 'p';
  it('records each step without codes, tickets or secrets', () => {
    const user = { username: 'alice', role: 'guard' as const };
    expect(auditForCall({ method: 'auth.login', params: { username: 'alice', password: 'x' }, me: null, peer, result: { next: 'totp', ticket: 'T', username: 'alice', expiresInS: 300 } })).toMatchObject({
      action: 'auth.login.password',
      actor: 'alice',
      details: { next: 'totp' },
    });
    const recovery = auditForCall({ method: 'auth.totpVerify', params: { ticket: 'T', username: 'alice', code: 'c' }, me: null, peer, result: { user, token: 'tok', secondFactor: 'recovery', recoveryLeft: 4 } });
    expect(recovery).toMatchObject([{ action: 'auth.login', details: { secondFactor: 'recovery' } }, { action: 'auth.totp.recoveryUsed', details: { recoveryLeft: 4 } }]);
    expect(JSON.stringify(recovery)).not.toMatch(/"T"|tok/);
    expect(auditForCall({ method: 'auth.totpVerify', params: { ticket: 'T', username: 'alice', code: '123456' }, me: null, peer, error: new ApiError('unauthorized', 'wrong') })).toMatchObject({
      action: 'auth.login.failed',
      details: { step: 'code' },
    });
    expect(auditForCall({ method: 'auth.totpEnable', params: { code: '123456' }, me: user, peer, result: { recoveryCodes: ['a'] } })).toEqual({
      actor: 'alice',
      action: 'auth.totp.enrol',
      target: null,
      details: { peer, via: 'settings' },
    });
    expect(auditForCall({ method: 'auth.totpEnrolFinish', params: { ticket: 'T', username: 'root', code: '1' }, me: null, peer, result: { user: { username: 'root', role: 'admin' }, token: 't', recoveryCodes: [] } })).toMatchObject([
      { action: 'auth.totp.enrol', actor: 'root' },
      { action: 'auth.login', actor: 'root' },
    ]);
    expect(auditForCall({ method: 'auth.totpDisable', params: { password: 'x', code: '1' }, me: user, peer, result: { ok: true } })).toMatchObject({ action: 'auth.totp.disable' });
    expect(auditForCall({ method: 'users.totpReset', params: { username: 'alice' }, me: { username: 'root', role: 'admin' }, peer, result: { ok: true } })).toMatchObject({
      action: 'users.totpReset',
      actor: 'root',
      target: 'username:alice',
    });
    expect(auditForCall({ method: 'auth.totpStatus', params: {}, me: user, peer, result: {} })).toBeNull();
    expect(auditForCall({ method: 'auth.totpEnrolBegin', params: { ticket: 'T', username: 'root' }, me: null, peer, result: {} })).toBeNull();
  });
});
