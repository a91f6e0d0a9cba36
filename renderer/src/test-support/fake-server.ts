/**
 * An in-memory stand-in for the engine's WebSocket, for renderer tests:
 * answers RPC frames from a handler table, pushes events, and can drop and
 * come back like a restarting server. For tests only: lint forbids
 * importing test-support/ from the app.
 */
import { ApiError, SIGN_IN_METHODS, type EventMap, type EventName, type Me, type Method, type ResultOf } from '../../../main/api/contract.js';
import { ApiClient, type ClientOptions } from '../api/client.js';
import type { SocketLike } from '../api/ws-transport.js';

export type FakeHandlers = { [M in Method]?: (params: unknown, user: Me | null) => ResultOf<M> | Promise<ResultOf<M>> };

class FakeServerSocket implements SocketLike {
  readyState = 0;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(private readonly server: FakeServer) {}
  send(data: string) {
    if (this.readyState !== 1) throw new Error('socket not open');
    void this.server.receive(this, JSON.parse(data) as { id: number; method: string; params: unknown });
  }
  close() {
    this.readyState = 3;
    this.server.sockets.delete(this);
  }
  deliver(frame: unknown) {
    if (this.readyState === 1) this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

export class FakeServer {
  readonly sockets = new Set<FakeServerSocket>();
  readonly calls: Array<{ method: string; params: unknown }> = [];
  up = true;
  user: Me | null;
  version = '0.0.0-test';
  constructor(
    public handlers: FakeHandlers,
    user: Me | null = { username: 'admin', role: 'admin' },
  ) {
    this.user = user;
  }

  /** A client wired to this server (not started). */
  client(o: Partial<ClientOptions> = {}): ApiClient {
    return new ApiClient({
      bridge: null,
      wsUrl: 'ws://fake/api/ws',
      httpBase: 'http://fake',
      keepaliveMs: 0,
      backoff: { jitter: 0, baseMs: 20, maxMs: 50 },
      createSocket: () => this.connect(),
      fetch: (async (url: string, init?: RequestInit) => this.http(String(url), init)) as unknown as typeof fetch,
      ...o,
    });
  }

  connect(): SocketLike {
    const s = new FakeServerSocket(this);
    queueMicrotask(() => {
      if (!this.up) {
        s.readyState = 3;
        s.onclose?.({ code: 1006 });
        return;
      }
      this.sockets.add(s);
      s.readyState = 1;
      s.onopen?.({});
      s.deliver({ hello: { version: this.version, user: this.user } });
    });
    return s;
  }

  async receive(s: FakeServerSocket, f: { id: number; method: string; params: unknown }) {
    this.calls.push({ method: f.method, params: f.params });
    const h = this.handlers[f.method as Method] as ((p: unknown, u: Me | null) => unknown) | undefined;
    try {
      if (!h) throw new ApiError('not_found', `unknown method "${f.method}"`);
      const result = await h(f.params, this.user);
      s.deliver({ id: f.id, result });
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('internal', (err as Error).message);
      s.deliver({ id: f.id, error: e.toBody() });
    }
  }

  async http(url: string, init?: RequestInit): Promise<Response> {
    if (!this.up) throw new TypeError('Failed to fetch');
    const method = url.split('/api/rpc/')[1] ?? '';
    const params = init?.body ? JSON.parse(String(init.body)) : {};
    this.calls.push({ method, params });
    const h = this.handlers[method as Method] as ((p: unknown, u: Me | null) => unknown) | undefined;
    try {
      if (method === 'auth.logout') {
        this.user = null;
        return new Response(JSON.stringify({ ok: true }), { status: 200 });
      }
      if (!h) throw new ApiError('not_found', `unknown method "${method}"`);
      const result = (await h(params, this.user)) as { user?: Me; token?: string };
      // a finished sign-in (the password, or its two-factor step) starts the session, as the engine's cookie does
      if ((SIGN_IN_METHODS as readonly string[]).includes(method) && result.user && result.token) this.user = result.user;
      return new Response(JSON.stringify(result), { status: 200 });
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('internal', (err as Error).message);
      return new Response(JSON.stringify({ error: e.toBody() }), { status: e.status });
    }
  }

  emit<E extends EventName>(event: E, data: EventMap[E]) {
    for (const s of this.sockets) s.deliver({ event, data });
  }

  /** Stop answering and drop every connection (a server restart begins). */
  down() {
    this.up = false;
    for (const s of [...this.sockets]) {
      s.readyState = 3;
      this.sockets.delete(s);
      s.onclose?.({ code: 1006 });
    }
  }
  upAgain() {
    this.up = true;
  }
}
