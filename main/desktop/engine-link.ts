/**
 * One console window's connection to the engine: a WebSocket to the engine
 * host's /api/ws carrying that window's session token. The IPC transport
 * (ipc.ts) relays the window's RPC calls over it and hands the pushed events
 * and hello frames back. No electron import: testable under Node.
 *
 * The token is the window's own (per-webContents) session: it starts from the
 * window's gh_session cookie if it has one, changes on auth.login and
 * auth.logout, and is sent as a bearer token when the link reconnects after
 * an engine restart (sessions survive restarts: they live in the index).
 */
import WebSocket from 'ws';
import type { RpcReply } from '../api/bridge.js';
import type { ApiErrorBody, Me, ServerFrame } from '../api/contract.js';
import { SIGN_IN_METHODS } from '../api/remote.js';

export interface LinkSink {
  hello(h: { version: string; user: Me | null }): void;
  event(name: string, data: unknown): void;
  /** The session token changed (login: the token; logout or expiry: null). */
  token(token: string | null): void;
}

interface Pending {
  resolve: (r: RpcReply) => void;
  timer: NodeJS.Timeout;
  method: string;
}

const unavailable = (message: string): RpcReply => ({ error: { code: 'unavailable', message } satisfies ApiErrorBody });

export class EngineLink {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private waiters: Array<() => void> = [];
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  lastHello: { version: string; user: Me | null } | null = null;

  constructor(
    private readonly url: () => string | null,
    private readonly sink: LinkSink,
    public token: string | null = null,
    private readonly callTimeoutMs = 30_000,
  ) {}

  /** Open (or reopen) the socket. Called again when the engine comes back. */
  connect(): void {
    if (this.closed) return;
    if (this.retry) {
      clearTimeout(this.retry);
      this.retry = null;
    }
    const base = this.url();
    if (!base) return this.scheduleRetry();
    if (this.ws && (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)) return;
    const ws = new WebSocket(base.replace(/^http/, 'ws') + '/api/ws', {
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
      handshakeTimeout: 5000,
    });
    this.ws = ws;
    ws.on('open', () => {
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return;
      let f: ServerFrame;
      try {
        f = JSON.parse(raw.toString()) as ServerFrame;
      } catch {
        return;
      }
      if ('hello' in f) {
        this.lastHello = f.hello;
        if (this.token && !f.hello.user) {
          // The session expired or was revoked while we were away.
          this.token = null;
          this.sink.token(null);
        }
        this.sink.hello(f.hello);
      } else if ('event' in f) this.sink.event(f.event, f.data);
      else if ('id' in f) {
        const p = this.pending.get(f.id);
        if (!p) return;
        this.pending.delete(f.id);
        clearTimeout(p.timer);
        p.resolve('error' in f ? { error: f.error } : { result: f.result });
      }
    });
    const lost = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.resolve(unavailable(`${p.method}: the connection to the engine was lost (it may or may not have been applied); try again`));
        this.pending.delete(id);
      }
      this.scheduleRetry();
    };
    ws.on('close', lost);
    ws.on('error', lost);
  }

  private scheduleRetry(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect();
    }, 500);
  }

  private whenOpen(ms: number): Promise<boolean> {
    if (this.ws?.readyState === WebSocket.OPEN) return Promise.resolve(true);
    this.connect();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  async rpc(method: string, params: unknown): Promise<RpcReply> {
    if (typeof method !== 'string' || method.length > 100) return { error: { code: 'bad_request', message: 'method must be a string' } };
    if (!(await this.whenOpen(10_000)) || !this.ws) return unavailable(`${method}: the engine is not running (it is starting or restarting); try again in a moment`);
    const id = this.nextId++;
    const ws = this.ws;
    const reply = await new Promise<RpcReply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(unavailable(`${method}: the engine did not answer within ${Math.round(this.callTimeoutMs / 1000)} s; try again`));
      }, this.callTimeoutMs);
      this.pending.set(id, { resolve, timer, method });
      ws.send(JSON.stringify({ id, method, params: params ?? {} }));
    });
    if ('result' in reply) {
      const token = (reply.result as { token?: unknown } | null)?.token;
      // a sign-in that finished (auth.login, or its two-factor step): not one that waits for a code
      if ((SIGN_IN_METHODS as readonly string[]).includes(method) && typeof token === 'string') {
        this.token = token;
        this.sink.token(this.token);
      } else if (method === 'auth.logout') {
        this.token = null;
        this.sink.token(null);
      }
    }
    return reply;
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(unavailable('the window closed'));
    }
    this.pending.clear();
    this.ws?.terminate();
    this.ws = null;
  }
}
