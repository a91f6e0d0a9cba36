/**
 * The one entry point of every request from every transport: resolve the
 * caller, check the role the contract asks for, validate the params, run the
 * concern's handler, and tell the call hooks (the audit trail) how it went.
 */
import { ApiError, isMethod, parseParams, requests, roleRank, type Me, type Method, type Role } from '../api/contract.js';
import type { CallContext, CallInfo, Handler, Handlers } from './concern.js';
import { ConfigError } from './config/store.js';
import { logger } from './log.js';

const log = logger('engine');

export class Dispatcher {
  private handlers: Partial<Handlers> = {};
  private callHooks = new Set<(c: CallInfo) => void>();

  /** @param whoami resolves a session token to a user, or null. */
  constructor(private readonly whoami: (token: string | null | undefined) => Me | null) {}

  /** Register a concern's handlers; a method answered twice is a wiring mistake. */
  add(h: Partial<Handlers>): void {
    for (const m of Object.keys(h)) {
      if (Object.prototype.hasOwnProperty.call(this.handlers, m)) throw new Error(`two concerns answer ${m}`);
    }
    Object.assign(this.handlers, h);
  }

  async handle(method: string, params: unknown, ctx: CallContext): Promise<unknown> {
    if (!isMethod(method)) throw new ApiError('not_found', `unknown method "${method}"`);
    const spec = requests[method];
    const me = this.whoami(ctx.token);
    const need = spec.role as Role | null;
    if (need) {
      if (!me) throw new ApiError('unauthorized', 'not logged in, or the session has expired: log in again');
      if (roleRank[me.role] < roleRank[need]) throw new ApiError('forbidden', `${method} needs the ${need} role; you are ${me.role}`);
    }
    const p = parseParams(method, params);
    const h = this.handlers[method] as Handler<Method> | undefined;
    if (!h) throw new ApiError('unavailable', `${method} is not available: the engine is still starting, or this part is not enabled`);
    try {
      const result = await h(p as never, ctx, me);
      this.called({ method, params: p, me, peer: ctx.peer, result });
      return result;
    } catch (error) {
      // A hand edit left config.json broken: the engine runs on its last good settings, and says why a change can't be saved.
      const e =
        error instanceof ConfigError
          ? new ApiError('unavailable', `the change can't be saved: ${error.message} (the engine keeps running on its last good settings)`)
          : error;
      this.called({ method, params: p, me, peer: ctx.peer, error: e });
      throw e;
    }
  }

  /** Hear of every finished call (after success or failure). */
  onCall(fn: (c: CallInfo) => void): () => void {
    this.callHooks.add(fn);
    return () => this.callHooks.delete(fn);
  }

  private called(c: CallInfo): void {
    for (const fn of this.callHooks) {
      try {
        fn(c);
      } catch (err) {
        log.error(`call hook failed for ${c.method}`, err);
      }
    }
  }
}
