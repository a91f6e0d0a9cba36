/**
 * auth.* (log in and out, who am I, change my password) and users.* (the
 * admin's user list) request handlers.
 */
import { ApiError } from '../../api/contract.js';
import type { Concern } from '../concern.js';
import { logger } from '../log.js';
import { RateLimiter } from './ratelimit.js';
import type { Sessions } from './sessions.js';
import type { Users } from './users.js';

const log = logger('engine');

export interface AuthDeps {
  users: Users;
  sessions: Sessions;
}

export function authConcern(d: AuthDeps): Concern {
  // Wrong passwords only: a guard who logs in twenty times a shift is not an attacker.
  const loginFailures = new RateLimiter(10, 60_000);
  const logoutLimiter = new RateLimiter(30, 60_000);
  // Every attempt counts (each costs an scrypt, and a stolen session must not guess the current password fast).
  const changeLimiter = new RateLimiter(5, 60_000);
  return {
    handlers: {
      'auth.login': async (p, ctx) => {
        const ipKey = `ip:${ctx.peer}`;
        const userKey = `user:${p.username.toLowerCase()}`;
        const wait = Math.max(loginFailures.peek(ipKey), loginFailures.peek(userKey));
        if (wait > 0) throw new ApiError('rate_limited', `too many wrong passwords; try again in ${wait} s`);
        const u = d.users.authenticate(p.username, p.password);
        if (!u) {
          loginFailures.hit(ipKey);
          loginFailures.hit(userKey);
          log.warn(`failed login for "${p.username}" from ${ctx.peer}`);
          throw new ApiError('unauthorized', 'wrong username or password');
        }
        loginFailures.reset(userKey);
        const token = d.sessions.create(u.username);
        await d.users.touchLogin(u.username);
        log.info(`${u.username} logged in from ${ctx.peer}`);
        return { user: { username: u.username, role: u.role }, token };
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
