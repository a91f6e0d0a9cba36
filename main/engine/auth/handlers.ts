/**
 * auth.* (log in and out, who am I, change my password, two-factor sign-in)
 * and users.* (the admin's user list) request handlers.
 *
 * Sign-in with two-factor (docs/security.md, "Two-factor sign-in"): a right
 * password answers a ticket instead of a session when the user has TOTP on
 * (`next: 'totp'`) or is an admin who must enrol (`next: 'enrol'`); the
 * code step counts wrong codes in the same limiter as wrong passwords (10 a
 * minute per address and per user name), and a right password alone does
 * not reset the user's count, so logging in again does not buy more guesses.
 */
import { ApiError, type Me } from '../../api/contract.js';
import type { StoredUser } from '../config/schema.js';
import type { Concern } from '../concern.js';
import { logger } from '../log.js';
import { RateLimiter } from './ratelimit.js';
import type { Sessions } from './sessions.js';
import { SignInTickets } from './sign-in-tickets.js';
import type { TwoFactor } from './two-factor.js';
import type { Users } from './users.js';

const log = logger('engine');

export interface AuthDeps {
  users: Users;
  sessions: Sessions;
  twoFactor: TwoFactor;
  /** The clock of the tickets (tests). */
  now?: () => number;
}

const TICKET_GONE = 'this sign-in expired (5 minutes), was used, or had too many wrong codes; enter your username and password again';

export function authConcern(d: AuthDeps): Concern {
  // Wrong passwords (and wrong codes) only: a guard who logs in twenty times a shift is not an attacker.
  const loginFailures = new RateLimiter(10, 60_000);
  const tickets = new SignInTickets(d.now);
  const logoutLimiter = new RateLimiter(30, 60_000);
  // Every attempt counts (each costs an scrypt, and a stolen session must not guess the current password fast).
  const changeLimiter = new RateLimiter(5, 60_000);
  const keysOf = (peer: string, username: string) => ({ ipKey: `ip:${peer}`, userKey: `user:${username.toLowerCase()}` });
  const waitOf = (k: { ipKey: string; userKey: string }) => Math.max(loginFailures.peek(k.ipKey), loginFailures.peek(k.userKey));
  const failed = (k: { ipKey: string; userKey: string }) => {
    loginFailures.hit(k.ipKey);
    loginFailures.hit(k.userKey);
  };
  /** The sign-in is complete: a session. */
  const signIn = async (u: StoredUser, peer: string, how: string): Promise<{ user: Me; token: string }> => {
    loginFailures.reset(keysOf(peer, u.username).userKey);
    const token = d.sessions.create(u.username);
    // The last-login time is a convenience: a config.json that can't be written (a broken hand edit) does not lock users out.
    await d.users.touchLogin(u.username).catch((err: Error) => log.warn(`could not note ${u.username}'s login time: ${err.message}`));
    log.info(`${u.username} logged in from ${peer}${how}`);
    return { user: { username: u.username, role: u.role }, token };
  };
  /** The live user behind a ticket, or unauthorized. */
  const ticketUser = (ticket: string, username: string, peer: string, kind: 'totp' | 'enrol'): StoredUser => {
    const t = tickets.get(ticket, username, peer, kind);
    const u = t ? d.users.find(t.username) : undefined;
    if (!t || !u || u.disabled) {
      if (t) tickets.spend(ticket);
      throw new ApiError('unauthorized', TICKET_GONE);
    }
    return u;
  };
  /** Signed-in re-checks (enrol, turn off, new codes): 5 attempts a minute per user and per address, every attempt counts. */
  const takeChange = (me: Me, peer: string, what: string) => {
    const wait = Math.max(changeLimiter.take(`user:${me.username.toLowerCase()}`), changeLimiter.take(`ip:${peer}`));
    if (wait > 0) throw new ApiError('rate_limited', `too many ${what}; try again in ${wait} s`);
  };
  const checkPassword = (me: Me, password: string) => {
    if (!d.users.authenticate(me.username, password)) throw new ApiError('forbidden', 'the password is wrong', 'password');
  };
  const checkCode = async (me: Me, code: string) => {
    if (!(await d.twoFactor.verify(me.username, code))) {
      throw new ApiError('forbidden', 'that code is not right (or was used already): enter the code your app shows now, or a recovery code', 'code');
    }
  };
  return {
    handlers: {
      'auth.login': async (p, ctx) => {
        const k = keysOf(ctx.peer, p.username);
        const wait = waitOf(k);
        if (wait > 0) throw new ApiError('rate_limited', `too many wrong passwords or codes; try again in ${wait} s`);
        const u = d.users.authenticate(p.username, p.password);
        if (!u) {
          failed(k);
          log.warn(`failed login for "${p.username}" from ${ctx.peer}`);
          throw new ApiError('unauthorized', 'wrong username or password');
        }
        const next = u.totp ? 'totp' : d.twoFactor.isRequired(u) ? 'enrol' : null;
        if (next) {
          // The user's failure count is not reset by a right password: the code step counts on from here.
          const t = tickets.issue(u.username, ctx.peer, next);
          log.info(`password of ${u.username} accepted from ${ctx.peer}; waiting for ${next === 'totp' ? 'the two-factor code' : 'two-factor enrolment'}`);
          return { next, ticket: t.ticket, username: u.username, expiresInS: t.expiresInS };
        }
        return signIn(u, ctx.peer, '');
      },
      'auth.totpVerify': async (p, ctx) => {
        const k = keysOf(ctx.peer, p.username);
        const wait = waitOf(k);
        if (wait > 0) throw new ApiError('rate_limited', `too many wrong passwords or codes; try again in ${wait} s`);
        const u = ticketUser(p.ticket, p.username, ctx.peer, 'totp');
        const r = await d.twoFactor.verify(u.username, p.code);
        if (!r) {
          failed(k);
          tickets.fail(p.ticket);
          log.warn(`wrong two-factor code for "${u.username}" from ${ctx.peer}`);
          throw new ApiError('unauthorized', 'that code is not right (or was used already): enter the code your app shows now, or a recovery code', 'code');
        }
        tickets.spend(p.ticket);
        const s = await signIn(u, ctx.peer, r.kind === 'recovery' ? ` with a recovery code (${r.recoveryLeft} left)` : ' with a two-factor code');
        return { ...s, secondFactor: r.kind, recoveryLeft: r.recoveryLeft };
      },
      'auth.totpEnrolBegin': (p, ctx) => {
        const u = ticketUser(p.ticket, p.username, ctx.peer, 'enrol');
        return d.twoFactor.begin(u.username);
      },
      'auth.totpEnrolFinish': async (p, ctx) => {
        const k = keysOf(ctx.peer, p.username);
        const wait = waitOf(k);
        if (wait > 0) throw new ApiError('rate_limited', `too many wrong passwords or codes; try again in ${wait} s`);
        const u = ticketUser(p.ticket, p.username, ctx.peer, 'enrol');
        let recoveryCodes: string[];
        try {
          recoveryCodes = await d.twoFactor.enable(u.username, p.code);
        } catch (err) {
          if (err instanceof ApiError && err.code === 'forbidden' && err.field === 'code') {
            failed(k);
            tickets.fail(p.ticket);
            throw new ApiError('unauthorized', err.message, 'code');
          }
          throw err;
        }
        tickets.spend(p.ticket);
        const s = await signIn(u, ctx.peer, ' after enrolling two-factor sign-in');
        return { ...s, recoveryCodes };
      },
      'auth.totpStatus': (_p, _ctx, me) => d.twoFactor.status(me!.username),
      'auth.totpBegin': (p, ctx, me) => {
        takeChange(me!, ctx.peer, 'attempts');
        checkPassword(me!, p.password);
        return d.twoFactor.begin(me!.username);
      },
      'auth.totpEnable': async (p, ctx, me) => {
        takeChange(me!, ctx.peer, 'attempts');
        return { recoveryCodes: await d.twoFactor.enable(me!.username, p.code) };
      },
      'auth.totpDisable': async (p, ctx, me) => {
        takeChange(me!, ctx.peer, 'attempts');
        checkPassword(me!, p.password);
        if (d.twoFactor.isRequired(d.users.find(me!.username)!)) {
          throw new ApiError('forbidden', 'two-factor sign-in is required for administrators on this server (it is reachable from the network); another admin can reset it, it can not be turned off');
        }
        await checkCode(me!, p.code);
        await d.twoFactor.disable(me!.username);
        return { ok: true as const };
      },
      'auth.totpRecoveryCodes': async (p, ctx, me) => {
        takeChange(me!, ctx.peer, 'attempts');
        await checkCode(me!, p.code);
        return { recoveryCodes: await d.twoFactor.newRecoveryCodes(me!.username) };
      },
      'users.totpReset': async (p) => {
        const u = d.users.find(p.username);
        if (!u) throw new ApiError('not_found', `no user named "${p.username}"`, 'username');
        if (!(await d.twoFactor.reset(u.username))) throw new ApiError('conflict', `two-factor sign-in is not on for "${u.username}"`, 'username');
        // a lost phone may still hold a session
        d.sessions.revokeUser(u.username, 'your two-factor sign-in was reset by an administrator');
        return { ok: true as const };
      },
      'auth.logout': (_p, ctx) => {
        const wait = logoutLimiter.take(`ip:${ctx.peer}`);
        if (wait > 0) throw new ApiError('rate_limited', `too many requests; try again in ${wait} s`);
        if (ctx.token) d.sessions.revoke(ctx.token, 'you logged out');
        return { ok: true as const };
      },
      'auth.me': (_p, _ctx, me) => me!,
      'auth.changePassword': async (p, ctx, me) => {
        const wait = Math.max(changeLimiter.take(`user:${me!.username.toLowerCase()}`), changeLimiter.take(`ip:${ctx.peer}`));
        if (wait > 0) throw new ApiError('rate_limited', `too many password changes; try again in ${wait} s`);
        if (!d.users.authenticate(me!.username, p.current)) throw new ApiError('forbidden', 'the current password is wrong', 'current');
        await d.users.setPassword(me!.username, p.next);
        // Every other session of this user ends (a stolen one included); the one that changed it stays.
        d.sessions.revokeUser(me!.username, 'your password was changed in another session', ctx.token ?? null);
        return { ok: true as const };
      },
      'users.list': () => d.users.list(),
      'users.add': async (p) => d.users.add(p.username, p.password, p.role),
      'users.update': async (p) => {
        const u = await d.users.update(p.username, { role: p.role, disabled: p.disabled });
        if (p.disabled) d.sessions.revokeUser(u.username, 'your account was disabled by an administrator');
        // A role change keeps the sessions: the transports see the new role at the next check and reconnect.
        return u;
      },
      'users.resetPassword': async (p) => {
        await d.users.setPassword(p.username, p.password);
        d.sessions.revokeUser(p.username, 'your password was reset by an administrator');
        return { ok: true as const };
      },
    },
  };
}
