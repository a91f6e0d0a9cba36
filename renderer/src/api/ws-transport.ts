/**
 * The WebSocket transport (browser, `gatehouse serve`): `/api/ws` carries
 * RPC frames `{id, method, params}`, replies `{id, result}` / `{id, error}`,
 * pushed `{event, data}` and a `{hello}` frame on every (re)connect telling
 * the server version and the session user. Login goes over
 * `POST /api/rpc/auth.login` (http-rpc.ts) so the HttpOnly cookie is set,
 * then the socket is reopened (it authenticates by cookie at upgrade).
 *
 * The server closes the socket with WS_CLOSE.sessionEnded when the session
 * ends (the console shows the login with the reason) and sessionChanged when
 * the user's role changed; both reconnect at once.
 *
 * Reconnection: when the socket drops, calls in flight are rejected with a
 * clear error (they may or may not have been applied), new calls wait in a
 * queue for the connection for a while, and the socket is reopened with
 * backoff (0.5 s doubling to 5 s). An idle connection is probed now and
 * then so that a dead peer the OS has not noticed is dropped too.
 */
import { ApiError, WS_CLOSE, type ClientFrame, type Me, type ParamsOf, type ResultOf, type ServerFrame, type SignInMethod } from '../../../main/api/contract.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { ConnectionState, Hello } from './connection.js';
import { postRpc } from './http-rpc.js';
import type { CallOptions, RetryOptions, Transport, TransportHost } from './transport.js';

/** What the transport needs of a WebSocket (the browser's WebSocket satisfies it). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface WsTransportOptions extends RetryOptions {
  /** WebSocket URL; defaults to ws(s)://<this host>/api/ws. */
  wsUrl?: string;
  /** Base URL for `POST /api/rpc/...` (login/logout); defaults to the page origin. */
  httpBase?: string;
  createSocket?: (url: string) => SocketLike;
  fetch?: typeof fetch;
  /** How long a call may wait for a reply (and for the connection), ms. */
  callTimeoutMs?: number;
  /** How long to wait for the hello frame after opening a socket, ms. */
  helloTimeoutMs?: number;
  /** Probe an idle connection this often (ms; 0 = never) to notice a dead peer. */
  keepaliveMs?: number;
}

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout> | null;
}
interface Queued {
  method: string;
  params: unknown;
  timeoutMs: number;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;

export class WsTransport implements Transport {
  private readonly opts: {
    callTimeoutMs: number;
    helloTimeoutMs: number;
    offlineAfterAttempts: number;
    keepaliveMs: number;
    backoff: BackoffOptions;
    now: () => number;
  };
  private readonly wsUrl: string;
  private readonly httpBase: string;
  private readonly createSocket: (url: string) => SocketLike;
  private readonly fetchFn: typeof fetch;

  private sock: SocketLike | null = null;
  private started = false;
  private stopped = false;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private queue: Queued[] = [];
  private helloWaiters: Array<{ resolve: (h: Hello) => void; reject: (e: unknown) => void }> = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private helloTimer: ReturnType<typeof setTimeout> | null = null;
  private keepaliveTimer: ReturnType<typeof setInterval> | null = null;
  private lastTraffic = 0;

  constructor(
    private readonly host: TransportHost,
    o: WsTransportOptions = {},
  ) {
    const loc = typeof location !== 'undefined' ? location : undefined;
    this.wsUrl = o.wsUrl ?? (loc ? `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/ws` : 'ws://127.0.0.1:8780/api/ws');
    this.httpBase = o.httpBase ?? (loc ? loc.origin : 'http://127.0.0.1:8780');
    this.createSocket = o.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.fetchFn = o.fetch ?? ((...a) => fetch(...a));
    this.opts = {
      callTimeoutMs: o.callTimeoutMs ?? 30_000,
      helloTimeoutMs: o.helloTimeoutMs ?? 8_000,
      offlineAfterAttempts: o.offlineAfterAttempts ?? 4,
      keepaliveMs: o.keepaliveMs ?? 20_000,
      backoff: o.backoff ?? {},
      now: o.now ?? (() => Date.now()),
    };
  }

  private get conn() {
    return this.host.connection;
  }

  // ---------------------------------------------------------------- lifecycle

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.started = false;
    this.clearTimers();
    const s = this.sock;
    this.sock = null;
    if (s) this.detach(s);
    this.failPending(new ApiError('unavailable', 'the console closed its connection'));
    this.failQueue(new ApiError('unavailable', 'the console closed its connection'));
    for (const w of this.helloWaiters.splice(0)) w.reject(new ApiError('unavailable', 'the console closed its connection'));
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.helloTimer) clearTimeout(this.helloTimer);
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.retryTimer = this.helloTimer = this.keepaliveTimer = null;
  }

  // ---------------------------------------------------------------- the socket

  private connect(): void {
    if (this.stopped) return;
    this.retryTimer = null;
    let s: SocketLike;
    try {
      s = this.createSocket(this.wsUrl);
    } catch (err) {
      this.onLost(`cannot open the connection: ${(err as Error).message}`);
      return;
    }
    this.sock = s;
    s.onmessage = (ev) => {
      if (s !== this.sock) return;
      this.lastTraffic = this.opts.now();
      this.onFrame(ev.data);
    };
    s.onclose = (ev) => {
      if (s !== this.sock) return;
      this.sock = null;
      if (ev.code === WS_CLOSE.sessionEnded || ev.code === WS_CLOSE.sessionChanged) {
        // The server ended this session (logout elsewhere, account disabled, password changed) or changed
        // its role: say so and reconnect at once; the next hello has no user, or the new role.
        this.failPending(new ApiError('unauthorized', ev.reason || 'the session ended; log in again'));
        if (ev.code === WS_CLOSE.sessionEnded) this.conn.signedOutByServer(ev.reason ?? '');
        this.connect();
        return;
      }
      this.onLost(
        ev.code === 1006 || ev.code === undefined
          ? 'the server is not reachable'
          : `the server closed the connection (${ev.code}${ev.reason ? ': ' + ev.reason : ''})`,
      );
    };
    s.onerror = () => {
      /* onclose follows and does the work */
    };
    s.onopen = () => {
      this.lastTraffic = this.opts.now();
    };
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = setTimeout(() => {
      this.helloTimer = null;
      if (s !== this.sock || this.conn.snapshot().state === 'online') return;
      this.sock = null;
      this.detach(s);
      this.onLost('the server did not answer in time');
    }, this.opts.helloTimeoutMs);
  }

  private detach(s: SocketLike): void {
    s.onopen = s.onmessage = s.onclose = s.onerror = null;
    try {
      s.close(1000, 'client closing');
    } catch {
      /* already closed */
    }
  }

  /** Drop the current socket and open a new one now (login/logout, lost session). */
  private reopen(): void {
    if (this.stopped) return;
    const s = this.sock;
    this.sock = null;
    if (s) this.detach(s);
    if (this.helloTimer) clearTimeout(this.helloTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.helloTimer = this.retryTimer = null;
    this.failPending(new ApiError('unavailable', 'the connection was reopened (login or logout) before the server answered; try again'));
    this.connect();
  }

  private onLost(reason: string): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.helloTimer = this.keepaliveTimer = null;
    this.failPending(
      new ApiError(
        'unavailable',
        'lost the connection to the server before it answered; the request may or may not have been applied, check and try again',
      ),
    );
    if (this.stopped) return;
    this.conn.markLost();
    const snap = this.conn.snapshot();
    const attempt = snap.state === 'online' ? 0 : snap.attempt + 1;
    const offline = attempt >= this.opts.offlineAfterAttempts;
    const state: ConnectionState = offline ? 'offline' : this.conn.everOnline ? 'reconnecting' : 'connecting';
    if (offline) this.failQueue(new ApiError('unavailable', `not connected to the server (${reason}); still retrying`));
    const delay = backoffDelay(attempt, this.opts.backoff);
    this.conn.patch({ state, attempt, lastError: reason, retryAt: this.opts.now() + delay });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private onFrame(raw: unknown): void {
    let f: ServerFrame;
    try {
      f = JSON.parse(typeof raw === 'string' ? raw : String(raw)) as ServerFrame;
    } catch {
      console.warn('ignoring a frame that is not JSON');
      return;
    }
    if (!f || typeof f !== 'object') return;
    if ('hello' in f) return this.onHello(f.hello);
    if ('event' in f) return this.host.event(f.event, f.data);
    if ('id' in f) {
      const p = this.pending.get(f.id);
      if (!p) {
        if ('error' in f) console.warn(`server error for frame ${f.id}: ${f.error.message}`);
        return;
      }
      this.pending.delete(f.id);
      if (p.timer) clearTimeout(p.timer);
      if ('error' in f) {
        const err = new ApiError(f.error.code, f.error.message, f.error.field);
        if (this.conn.sessionRejected(p.method, err)) this.reopen();
        p.reject(err);
      } else p.resolve(f.result);
    }
  }

  private onHello(h: Hello): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    const wasLost = this.conn.online(h);
    this.startKeepalive();
    this.flushQueue();
    for (const w of this.helloWaiters.splice(0)) w.resolve(h);
    if (wasLost) this.host.reconnected();
  }

  private startKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
    const every = this.opts.keepaliveMs;
    if (!every) return;
    this.keepaliveTimer = setInterval(() => {
      if (this.conn.snapshot().state !== 'online' || this.opts.now() - this.lastTraffic < every) return;
      const s = this.sock;
      this.call('system.health', {}, { timeoutMs: Math.min(10_000, every) }).catch((err: unknown) => {
        // A probe that times out means a dead peer the OS has not noticed: start over.
        if (s && s === this.sock && err instanceof ApiError && err.code === 'unavailable' && /did not answer/.test(err.message)) {
          this.sock = null;
          this.detach(s);
          this.onLost('the server stopped answering');
        }
      });
    }, every);
  }

  // ---------------------------------------------------------------- calls

  private sendNow(method: string, params: unknown, timeoutMs: number, resolve: (v: unknown) => void, reject: (e: unknown) => void): void {
    const s = this.sock;
    if (!s || s.readyState !== OPEN) {
      reject(new ApiError('unavailable', 'not connected to the server; try again in a moment'));
      return;
    }
    const id = this.nextId++;
    const p: Pending = { method, resolve, reject, timer: null };
    p.timer = setTimeout(() => {
      if (!this.pending.delete(id)) return;
      reject(
        new ApiError(
          'unavailable',
          `the server did not answer ${method} within ${Math.round(timeoutMs / 1000)} s; check the connection and try again`,
        ),
      );
    }, timeoutMs);
    this.pending.set(id, p);
    try {
      s.send(JSON.stringify({ id, method, params } satisfies ClientFrame));
    } catch (err) {
      this.pending.delete(id);
      if (p.timer) clearTimeout(p.timer);
      reject(new ApiError('unavailable', `could not send ${method}: ${(err as Error).message}`));
    }
  }

  private flushQueue(): void {
    for (const q of this.queue.splice(0)) {
      clearTimeout(q.timer);
      this.sendNow(q.method, q.params, q.timeoutMs, q.resolve, q.reject);
    }
  }

  private failPending(err: ApiError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new ApiError(err.code, `${p.method}: ${err.message}`));
    }
  }

  private failQueue(err: ApiError): void {
    for (const q of this.queue.splice(0)) {
      clearTimeout(q.timer);
      q.reject(new ApiError(err.code, `${q.method}: ${err.message}`));
    }
  }

  call(method: string, params: unknown, opts: CallOptions = {}): Promise<unknown> {
    const timeoutMs = opts.timeoutMs ?? this.opts.callTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      if (this.stopped || !this.started) {
        reject(new ApiError('unavailable', `${method}: the console is not connected`));
        return;
      }
      const snap = this.conn.snapshot();
      if (snap.state === 'online' && this.sock?.readyState === OPEN) {
        this.sendNow(method, params, timeoutMs, resolve, reject);
        return;
      }
      if (snap.state === 'offline') {
        reject(new ApiError('unavailable', `${method}: not connected to the server (${snap.lastError ?? 'unreachable'}); still retrying`));
        return;
      }
      const q: Queued = {
        method,
        params,
        timeoutMs,
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.queue.indexOf(q);
          if (i >= 0) this.queue.splice(i, 1);
          reject(
            new ApiError(
              'unavailable',
              `${method}: the server did not answer within ${Math.round(timeoutMs / 1000)} s (not connected); try again`,
            ),
          );
        }, timeoutMs),
      };
      this.queue.push(q);
    });
  }

  // ---------------------------------------------------------------- session

  /** Resolve at the next hello (after a reopen), or reject after `ms`. */
  private nextHello(ms: number): Promise<Hello> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        const i = this.helloWaiters.indexOf(w);
        if (i >= 0) this.helloWaiters.splice(i, 1);
        reject(new ApiError('unavailable', 'logged in, but the connection to the server did not come up; reload the page'));
      }, ms);
      const w = {
        resolve: (h: Hello) => {
          clearTimeout(t);
          resolve(h);
        },
        reject: (e: unknown) => {
          clearTimeout(t);
          reject(e);
        },
      };
      this.helloWaiters.push(w);
    });
  }

  /** Sign in over HTTP (sets the session cookie); with a session, reopen the socket and read the user from its hello. */
  async signIn<M extends SignInMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const r = (await postRpc(this.fetchFn, this.httpBase, method, params)) as ResultOf<M> & { token?: string; user?: Me };
    if (!r.token) return r; // the second step (two-factor) comes next
    const waiting = this.nextHello(this.opts.helloTimeoutMs + 2000);
    this.reopen();
    const h = await waiting;
    if (!h.user) {
      throw new ApiError(
        'unauthorized',
        'the password was accepted, but the browser did not keep the session cookie; allow cookies for this address and try again',
      );
    }
    return { ...r, user: h.user };
  }

  /** Log out over HTTP (clears the cookie) and reopen the socket as nobody. */
  async logout(): Promise<void> {
    try {
      await postRpc(this.fetchFn, this.httpBase, 'auth.logout', {});
    } finally {
      this.conn.loggedOut();
      this.reopen();
    }
  }
}
