/**
 * The one API client of the console. Typed by the shared contract
 * (main/api/contract.ts); two transports behind one interface:
 *
 *  - WebSocket `/api/ws` (browser, `gatehouse serve`): RPC frames `{id, method, params}`,
 *    replies `{id, result}` / `{id, error}`, pushed `{event, data}` and a `{hello}` frame
 *    on every (re)connect telling the server version and the session user.
 *    Login goes over `POST /api/rpc/auth.login` so the HttpOnly cookie is set, then the
 *    socket is reopened (it authenticates by cookie at upgrade).
 *  - Electron IPC through `window.gatehouse` (main/api/bridge.ts).
 *
 * Reconnection: when the socket drops, calls in flight are rejected with a clear
 * error (they may or may not have been applied), new calls wait for the connection
 * for a while, and the socket is reopened with backoff (0.5 s doubling to 5 s).
 * Event listeners live on the client, not the socket, so they survive; after a
 * reconnect `onReconnect` listeners reload their data. Sessions are persisted by the
 * engine, so the cookie still works after a server restart.
 */
import {
  ApiError,
  type ClientFrame,
  type EventMap,
  type EventName,
  type Me,
  type Method,
  type ParamsOf,
  type ResultOf,
  type ServerFrame,
} from '../../../main/api/contract.js';
import type { DesktopBridge, RpcReply } from '../../../main/api/bridge.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline';
export interface Hello {
  version: string;
  user: Me | null;
}

export interface ClientSnapshot {
  state: ConnectionState;
  transport: 'ws' | 'ipc';
  /** Last hello from the server; null before the first one. */
  hello: Hello | null;
  /** The logged-in user, or null (show the login screen once `hello` is set). */
  user: Me | null;
  /** Reconnect attempts since the connection was lost. */
  attempt: number;
  /** When the next attempt starts (epoch ms), while not online. */
  retryAt: number | null;
  /** Why the connection is not online, in words. */
  lastError: string | null;
  /** When the current state began (epoch ms). */
  since: number;
}

/** What the client needs of a WebSocket (the browser's WebSocket satisfies it). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface ClientOptions {
  /** Use this bridge (Electron). Defaults to `window.gatehouse` when present. */
  bridge?: DesktopBridge | null;
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
  /** After this many failed attempts the state reads "offline" (still retrying). */
  offlineAfterAttempts?: number;
  /** Probe an idle connection this often (ms; 0 = never) to notice a dead peer. */
  keepaliveMs?: number;
  backoff?: BackoffOptions;
  now?: () => number;
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

export interface CallOptions {
  timeoutMs?: number;
}

export class ApiClient {
  private readonly bridge: DesktopBridge | null;
  private readonly opts: Required<Omit<ClientOptions, 'bridge' | 'wsUrl' | 'httpBase' | 'createSocket' | 'fetch' | 'backoff'>> & {
    backoff: BackoffOptions;
  };
  private readonly wsUrl: string;
  private readonly httpBase: string;
  private readonly createSocket: (url: string) => SocketLike;
  private readonly fetchFn: typeof fetch;

  private sock: SocketLike | null = null;
  private snap: ClientSnapshot;
  private started = false;
  private stopped = false;
  private everOnline = false;
  private lostSinceOnline = false;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private queue: Queued[] = [];
  private listeners = new Map<string, Set<(data: unknown) => void>>();
  private stateListeners = new Set<() => void>();
  private reconnectListeners = new Set<() => void>();
  private helloWaiters: Array<{ resolve: (h: Hello) => void; reject: (e: unknown) => void }> = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private helloTimer: ReturnType<typeof setTimeout> | null = null;
  private keepaliveTimer: ReturnType<typeof setInterval> | null = null;
  private lastTraffic = 0;
  private offBridge: Array<() => void> = [];

  constructor(o: ClientOptions = {}) {
    const w = typeof window !== 'undefined' ? (window as unknown as { gatehouse?: DesktopBridge }) : undefined;
    this.bridge = o.bridge !== undefined ? o.bridge : (w?.gatehouse ?? null);
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
    this.snap = {
      state: 'connecting',
      transport: this.bridge ? 'ipc' : 'ws',
      hello: null,
      user: null,
      attempt: 0,
      retryAt: null,
      lastError: null,
      since: this.opts.now(),
    };
  }

  // ---------------------------------------------------------------- observable state

  /** Current connection/session snapshot (a new object on every change). */
  snapshot = (): ClientSnapshot => this.snap;

  /** Be told when the snapshot changes (for useSyncExternalStore). */
  subscribe = (cb: () => void): (() => void) => {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  };

  /** Called after the connection came back following a loss: reload your data. */
  onReconnect(cb: () => void): () => void {
    this.reconnectListeners.add(cb);
    return () => this.reconnectListeners.delete(cb);
  }

  get hello(): Hello | null {
    return this.snap.hello;
  }
  get user(): Me | null {
    return this.snap.user;
  }

  private patch(p: Partial<ClientSnapshot>): void {
    const next = { ...this.snap, ...p };
    if (p.state && p.state !== this.snap.state) next.since = this.opts.now();
    this.snap = next;
    for (const cb of [...this.stateListeners]) {
      try {
        cb();
      } catch (err) {
        console.error('connection listener failed', err);
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    if (this.bridge) this.startIpc();
    else this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.started = false;
    this.clearTimers();
    for (const off of this.offBridge) off();
    this.offBridge = [];
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

  // ---------------------------------------------------------------- WebSocket transport

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
      if (s !== this.sock || this.snap.state === 'online') return;
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
    if (this.everOnline) this.lostSinceOnline = true;
    const attempt = this.snap.state === 'online' ? 0 : this.snap.attempt + 1;
    const offline = attempt >= this.opts.offlineAfterAttempts;
    const state: ConnectionState = offline ? 'offline' : this.everOnline ? 'reconnecting' : 'connecting';
    if (offline) this.failQueue(new ApiError('unavailable', `not connected to the server (${reason}); still retrying`));
    const delay = backoffDelay(attempt, this.opts.backoff);
    this.patch({ state, attempt, lastError: reason, retryAt: this.opts.now() + delay });
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
    if ('event' in f) return this.dispatch(f.event, f.data);
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
        this.noteError(p.method, err);
        p.reject(err);
      } else p.resolve(f.result);
    }
  }

  private onHello(h: Hello): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    const wasLost = this.lostSinceOnline;
    this.everOnline = true;
    this.lostSinceOnline = false;
    this.patch({ state: 'online', hello: h, user: h.user, attempt: 0, retryAt: null, lastError: null });
    this.startKeepalive();
    this.flushQueue();
    for (const w of this.helloWaiters.splice(0)) w.resolve(h);
    if (wasLost) for (const cb of [...this.reconnectListeners]) this.safe(cb);
  }

  private startKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
    const every = this.opts.keepaliveMs;
    if (!every || this.bridge) return;
    this.keepaliveTimer = setInterval(() => {
      if (this.snap.state !== 'online' || this.opts.now() - this.lastTraffic < every) return;
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

  /** A call failed because the session is gone (expired, revoked, user disabled): back to login. */
  private noteError(method: string, err: ApiError): void {
    if (err.code !== 'unauthorized' || method === 'auth.login' || !this.snap.user) return;
    this.patch({ user: null, hello: this.snap.hello ? { ...this.snap.hello, user: null } : null });
    if (!this.bridge) this.reopen();
  }

  // ---------------------------------------------------------------- IPC transport

  private startIpc(): void {
    const b = this.bridge!;
    this.offBridge.push(b.onEvent((event, data) => this.dispatch(event, data)));
    this.offBridge.push(b.onHello((h) => this.ipcOnline(h)));
    void this.probeIpc();
  }

  /** The engine is reachable (hello from the shell, or a probe answered). */
  private ipcOnline(h: Hello): void {
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const wasLost = this.lostSinceOnline;
    this.everOnline = true;
    this.lostSinceOnline = false;
    this.patch({ state: 'online', hello: h, user: h.user, attempt: 0, retryAt: null, lastError: null });
    for (const w of this.helloWaiters.splice(0)) w.resolve(h);
    if (wasLost) for (const cb of [...this.reconnectListeners]) this.safe(cb);
  }

  /**
   * Ask the engine who we are: at start (its hello may have gone out before we
   * listened) and, with backoff, while it is away (restarting).
   */
  private async probeIpc(): Promise<void> {
    if (this.stopped) return;
    this.retryTimer = null;
    try {
      const health = (await this.rawIpc('system.health', {})) as { version: string };
      let user: Me | null = null;
      try {
        user = (await this.rawIpc('auth.me', {})) as Me;
      } catch (err) {
        if (!(err instanceof ApiError && (err.code === 'unauthorized' || err.code === 'forbidden'))) throw err;
      }
      this.ipcOnline({ version: health.version, user });
    } catch (err) {
      if (this.stopped) return;
      const attempt = this.snap.attempt + 1;
      const delay = backoffDelay(attempt - 1, this.opts.backoff);
      const state: ConnectionState =
        attempt >= this.opts.offlineAfterAttempts ? 'offline' : this.everOnline ? 'reconnecting' : 'connecting';
      this.patch({ state, attempt, lastError: (err as Error).message, retryAt: this.opts.now() + delay });
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.probeIpc(), delay);
    }
  }

  /**
   * A call came back "unavailable": check whether the engine itself is away (then
   * show reconnecting and probe until it is back) or only that request failed.
   */
  private ipcCheck(reason: string): void {
    if (this.probing || this.stopped || this.snap.state !== 'online') return;
    this.probing = true;
    this.rawIpc('system.health', {}).then(
      () => {
        this.probing = false;
      },
      () => {
        this.probing = false;
        if (this.stopped || this.snap.state !== 'online') return;
        this.lostSinceOnline = true;
        const delay = backoffDelay(0, this.opts.backoff);
        this.patch({ state: 'reconnecting', attempt: 0, lastError: reason.replace(/^[a-zA-Z.]+: /, ''), retryAt: this.opts.now() + delay });
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => void this.probeIpc(), delay);
      },
    );
  }
  private probing = false;

  /** One bridge call, no side effects: the reply as a value or an ApiError. */
  private async rawIpc(method: string, params: unknown): Promise<unknown> {
    let reply: RpcReply;
    try {
      reply = await this.bridge!.rpc(method, params);
    } catch (err) {
      throw new ApiError('unavailable', `${method}: the engine did not answer (${(err as Error).message}); try again in a moment`);
    }
    if ('error' in reply) throw new ApiError(reply.error.code, reply.error.message, reply.error.field);
    return reply.result;
  }

  private async ipcCall(method: string, params: unknown): Promise<unknown> {
    try {
      return await this.rawIpc(method, params);
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.code === 'unavailable') this.ipcCheck(err.message);
        else this.noteError(method, err);
      }
      throw err;
    }
  }

  // ---------------------------------------------------------------- public API

  /** Call a request of the contract. Rejects with an ApiError carrying the server's message. */
  call<M extends Method>(method: M, params: ParamsOf<M>, opts: CallOptions = {}): Promise<ResultOf<M>> {
    if (this.bridge) return this.ipcCall(method, params) as Promise<ResultOf<M>>;
    const timeoutMs = opts.timeoutMs ?? this.opts.callTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      if (this.stopped || !this.started) {
        reject(new ApiError('unavailable', `${method}: the console is not connected`));
        return;
      }
      if (this.snap.state === 'online' && this.sock?.readyState === OPEN) {
        this.sendNow(method, params, timeoutMs, resolve, reject);
        return;
      }
      if (this.snap.state === 'offline') {
        reject(
          new ApiError('unavailable', `${method}: not connected to the server (${this.snap.lastError ?? 'unreachable'}); still retrying`),
        );
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
    }) as Promise<ResultOf<M>>;
  }

  /** Listen to a pushed event. Survives reconnects. Returns an unsubscribe function. */
  on<E extends EventName>(event: E, cb: (data: EventMap[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const fn = cb as (data: unknown) => void;
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  private dispatch(event: string, data: unknown): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const cb of [...set]) this.safe(() => cb(data));
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      console.error('event listener failed', err);
    }
  }

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

  private async postRpc(method: 'auth.login' | 'auth.logout', params: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.httpBase}/api/rpc/${method}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
      });
    } catch {
      throw new ApiError('unavailable', 'cannot reach the Gatehouse server; check that it is running and try again');
    }
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      const e = (body as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
      const code = (e?.code ??
        (res.status === 429 ? 'rate_limited' : res.status === 401 ? 'unauthorized' : 'internal')) as ApiError['code'];
      throw new ApiError(code, e?.message ?? `the server answered ${res.status}`, e?.field);
    }
    return body;
  }

  /** Log in; sets the session cookie (browser) or the IPC session (desktop). */
  async login(username: string, password: string): Promise<Me> {
    if (this.bridge) {
      const r = (await this.ipcCall('auth.login', { username, password })) as ResultOf<'auth.login'>;
      this.patch({ user: r.user, hello: this.snap.hello ? { ...this.snap.hello, user: r.user } : { version: '', user: r.user } });
      return r.user;
    }
    const r = (await this.postRpc('auth.login', { username, password })) as ResultOf<'auth.login'>;
    const waiting = this.nextHello(this.opts.helloTimeoutMs + 2000);
    this.reopen();
    const h = await waiting;
    if (!h.user) {
      throw new ApiError(
        'unauthorized',
        'the password was accepted, but the browser did not keep the session cookie; allow cookies for this address and try again',
      );
    }
    return h.user ?? r.user;
  }

  /** Log out and drop back to the login screen. */
  async logout(): Promise<void> {
    if (this.bridge) {
      try {
        await this.ipcCall('auth.logout', {});
      } finally {
        this.patch({ user: null, hello: this.snap.hello ? { ...this.snap.hello, user: null } : null });
      }
      return;
    }
    try {
      await this.postRpc('auth.logout', {});
    } finally {
      this.patch({ user: null, hello: this.snap.hello ? { ...this.snap.hello, user: null } : null });
      this.reopen();
    }
  }
}
