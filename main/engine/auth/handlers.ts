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
  const loginLimiter = new RateLimiter(10, 60_000);
  const logoutLimiter = new RateLimiter(30, 60_000);
  return {
    handlers: {
      'auth.login': async (p, ctx) => {
        const wait = Math.max(loginLimiter.take(`ip:${ctx.peer}`), loginLimiter.take(`user:${p.username.toLowerCase()}`));
        if (wait > 0) throw new ApiError('rate_limited', `too many login attempts; try again in ${wait} s`);
        const u = d.users.authenticate(p.username, p.password);
        if (!u) {
          log.warn(`failed login for "${p.username}" from ${ctx.peer}`);
          throw new ApiError('unauthorized', 'wrong username or password');
        }
        loginLimiter.reset(`user:${p.username.toLowerCase()}`);
        const token = d.sessions.create(u.username);
        await d.users.touchLogin(u.username);
        log.info(`${u.username} logged in from ${ctx.peer}`);
        return { user: { username: u.username, role: u.role }, token };
      },
      'auth.logout': (_p, ctx) => {
        const wait = logoutLimiter.take(`ip:${ctx.peer}`);
        if (wait > 0) throw new ApiError('rate_limited', `too many requests; try again in ${wait} s`);
        if (ctx.token) d.sessions.revoke(ctx.token);
        return { ok: true as const };
      },
      'auth.me': (_p, _ctx, me) => me!,
      'auth.changePassword': async (p, _ctx, me) => {
        if (!d.users.authenticate(me!.username, p.current)) throw new ApiError('forbidden', 'the current password is wrong', 'current');
        await d.users.setPassword(me!.username, p.next);
        return { ok: true as const };
      },
      'users.list': () => d.users.list(),
      'users.add': async (p) => d.users.add(p.username, p.password, p.role),
      'users.update': async (p) => {
        const u = await d.users.update(p.username, { role: p.role, disabled: p.disabled });
        if (p.disabled) d.sessions.revokeUser(u.username);
        return u;
      },
      'users.resetPassword': async (p) => {
        await d.users.setPassword(p.username, p.password);
        d.sessions.revokeUser(p.username);
        return { ok: true as const };
      },
    },
  };
}
