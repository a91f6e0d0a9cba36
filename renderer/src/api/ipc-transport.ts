/**
 * The Electron IPC transport: calls go through `window.gatehouse`
 * (DesktopBridge, main/api/bridge.ts), which relays them over the window's
 * own link to the engine; pushed events and hellos come back through it.
 *
 * The shell may restart the engine behind the bridge: a call that comes
 * back "unavailable" makes the transport check whether the engine itself is
 * away, and if so the state reads "reconnecting" and the engine is probed
 * with backoff until it answers again.
 */
import { ApiError, type Me, type ParamsOf, type ResultOf, type SignInMethod } from '../../../main/api/contract.js';
import type { DesktopBridge, RpcReply } from '../../../main/api/bridge.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { ConnectionState, Hello } from './connection.js';
import type { RetryOptions, Transport, TransportHost } from './transport.js';

export type IpcTransportOptions = RetryOptions;

export class IpcTransport implements Transport {
  private readonly opts: { offlineAfterAttempts: number; backoff: BackoffOptions; now: () => number };
  private started = false;
  private stopped = false;
  private probing = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private offBridge: Array<() => void> = [];

  constructor(
    private readonly bridge: DesktopBridge,
    private readonly host: TransportHost,
    o: IpcTransportOptions = {},
  ) {
    this.opts = {
      offlineAfterAttempts: o.offlineAfterAttempts ?? 4,
      backoff: o.backoff ?? {},
      now: o.now ?? (() => Date.now()),
    };
  }

  private get conn() {
    return this.host.connection;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    this.offBridge.push(this.bridge.onEvent((event, data) => this.host.event(event, data)));
    this.offBridge.push(this.bridge.onHello((h) => this.online(h)));
    void this.probe();
  }

  stop(): void {
    this.stopped = true;
    this.started = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const off of this.offBridge) off();
    this.offBridge = [];
  }

  /** The engine is reachable (hello from the shell, or a probe answered). */
  private online(h: Hello): void {
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.conn.online(h)) this.host.reconnected();
  }

  /**
   * Ask the engine who we are: at start (its hello may have gone out before we
   * listened) and, with backoff, while it is away (restarting).
   */
  private async probe(): Promise<void> {
    if (this.stopped) return;
    this.retryTimer = null;
    try {
      const health = (await this.raw('system.health', {})) as { version: string };
      let user: Me | null = null;
      try {
        user = (await this.raw('auth.me', {})) as Me;
      } catch (err) {
        if (!(err instanceof ApiError && (err.code === 'unauthorized' || err.code === 'forbidden'))) throw err;
      }
      this.online({ version: health.version, user });
    } catch (err) {
      if (this.stopped) return;
      const snap = this.conn.snapshot();
      const attempt = snap.attempt + 1;
      const delay = backoffDelay(attempt - 1, this.opts.backoff);
      const state: ConnectionState =
        attempt >= this.opts.offlineAfterAttempts ? 'offline' : this.conn.everOnline ? 'reconnecting' : 'connecting';
      this.conn.patch({ state, attempt, lastError: (err as Error).message, retryAt: this.opts.now() + delay });
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.probe(), delay);
    }
  }

  /**
   * A call came back "unavailable": check whether the engine itself is away (then
   * show reconnecting and probe until it is back) or only that request failed.
   */
  private check(reason: string): void {
    if (this.probing || this.stopped || this.conn.snapshot().state !== 'online') return;
    this.probing = true;
    this.raw('system.health', {}).then(
      () => {
        this.probing = false;
      },
      () => {
        this.probing = false;
        if (this.stopped || this.conn.snapshot().state !== 'online') return;
        this.conn.markLost();
        const delay = backoffDelay(0, this.opts.backoff);
        this.conn.patch({
          state: 'reconnecting',
          attempt: 0,
          lastError: reason.replace(/^[a-zA-Z.]+: /, ''),
          retryAt: this.opts.now() + delay,
        });
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => void this.probe(), delay);
      },
    );
  }

  /** One bridge call, no side effects: the reply as a value or an ApiError. */
  private async raw(method: string, params: unknown): Promise<unknown> {
    let reply: RpcReply;
    try {
      reply = await this.bridge.rpc(method, params);
    } catch (err) {
      throw new ApiError('unavailable', `${method}: the engine did not answer (${(err as Error).message}); try again in a moment`);
    }
    if ('error' in reply) throw new ApiError(reply.error.code, reply.error.message, reply.error.field);
    return reply.result;
  }

  async call(method: string, params: unknown): Promise<unknown> {
    try {
      return await this.raw(method, params);
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.code === 'unavailable') this.check(err.message);
        else this.conn.sessionRejected(method, err);
      }
      throw err;
    }
  }

  /** Sign in through the bridge (the shell keeps the session for this window once it has one). */
  async signIn<M extends SignInMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const r = (await this.call(method, params)) as ResultOf<M> & { token?: string; user?: Me };
    if (r.token && r.user) this.conn.loggedIn(r.user);
    return r;
  }

  async logout(): Promise<void> {
    try {
      await this.call('auth.logout', {});
    } finally {
      this.conn.loggedOut();
    }
  }
}
