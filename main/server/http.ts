/**
 * The HTTP + WebSocket transport: RPC over `POST /api/rpc/<method>` and
 * `/api/ws`, pushed events, live video (`/api/live`), recorded media
 * (`/api/media/…`), the sensor webhook and the built console. Every request
 * first passes the host and origin checks of request-policy.ts
 * (docs/security.md); sockets that carry a session are kept in
 * session-sockets.ts, which closes them when the session ends.
 */
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, EVENT_NAMES, SIGN_IN_METHODS, type ClientFrame, type Me, type ServerFrame } from '../api/contract.js';
import type { ListenerInfo } from '../api/remote.js';
import { securityOf } from '../engine/config/schema.js';
import type { Engine } from '../engine/engine.js';
import { logger } from '../engine/log.js';
import { packageRoot } from '../engine/paths.js';
import { isLoopbackHost } from '../engine/system/exposure.js';
import { readBody } from '../engine/util/http-body.js';
import { frontDoor, type FrontDoor } from './front-door.js';
import { attachLive } from './live-ws.js';
import { checkFetchSite, checkOrigin, HostPolicy, JSON_ONLY, mediaTypeOf, type Refusal } from './request-policy.js';
import { SessionSockets } from './session-sockets.js';
import { serveStatic } from './static.js';
import type { TlsMaterial } from './tls.js';

const log = logger('http');
const COOKIE = 'gh_session';
const MAX_BODY = 1024 * 1024;
/** HSTS under TLS: a year, this host only (the console's name may be one of many under a domain that is not ours). */
const HSTS = 'max-age=31536000';
const SIGN_IN = new Set<string>(SIGN_IN_METHODS);

export interface ServerOptions {
  port: number;
  host: string;
  /** Folder with the built renderer (index.html). */
  staticDir?: string;
  /** Host names / addresses the console is reached by, besides loopback and `host` (serve --allowed-hosts). */
  allowedHosts?: string[];
  /** Serve HTTPS and WSS only (serve --tls); plain HTTP to the port gets no data (front-door.ts). */
  tls?: TlsMaterial;
  /** Record the URL in run/engine.json for the CLI (default true; the desktop app's second, remote listener says false). */
  primary?: boolean;
}

export function parseCookies(h: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const part of h.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      /* malformed cookie: ignore */
    }
  }
  return out;
}

export function tokenOf(req: http.IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return parseCookies(req.headers.cookie)[COOKIE] ?? null;
}

/** True when the session comes from the cookie (a browser), not a bearer token (a program). */
function byCookie(req: http.IncomingMessage): boolean {
  return !req.headers.authorization?.startsWith('Bearer ') && !!parseCookies(req.headers.cookie)[COOKIE];
}

function peerOf(req: http.IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(data);
}

function refuse(res: http.ServerResponse, r: Refusal, headers: Record<string, string> = {}): void {
  sendJson(res, r.status, { error: { code: r.code, message: r.message } }, headers);
}

function refuseUpgrade(socket: import('node:stream').Duplex, r: Refusal | { status: number; message: string }): void {
  const reason = http.STATUS_CODES[r.status] ?? 'Refused';
  const body = JSON.stringify({ error: { code: 'code' in r ? r.code : 'unauthorized', message: r.message } });
  socket.write(
    `HTTP/1.1 ${r.status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  socket.destroy();
}

function sendError(res: http.ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof ApiError) return sendJson(res, err.status, { error: err.toBody() });
  if (err instanceof URIError) return sendJson(res, 400, { error: { code: 'bad_request', message: 'malformed percent-encoding in the URL' } });
  log.error('request failed', err);
  sendJson(res, 500, { error: { code: 'internal', message: 'internal error; see the engine log' } });
}

function securityHeaders(res: http.ServerResponse, tls: boolean): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  if (tls) res.setHeader('strict-transport-security', HSTS);
}

/** The HTTP + WebSocket transport for `gatehouse serve`. */
export class HttpServer {
  private server: http.Server;
  /** Under TLS: the port's listener, which sorts TLS from plain HTTP. */
  private front: FrontDoor | null = null;
  private unlisted: (() => void) | null = null;
  private wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  private liveWss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private sockets: SessionSockets;
  private hosts: HostPolicy;
  private offBus: (() => void) | null = null;
  private staticDir: string;
  url = '';

  constructor(
    private readonly engine: Engine,
    private readonly opts: ServerOptions,
  ) {
    this.staticDir = opts.staticDir ?? path.join(packageRoot(), 'dist', 'renderer');
    this.sockets = new SessionSockets(engine);
    this.hosts = new HostPolicy({
      bindHost: opts.host,
      allowedHosts: () => [...(opts.allowedHosts ?? []), ...(engine.config ? securityOf(engine.config.data).allowedHosts : [])],
    });
    const tls = !!opts.tls;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      securityHeaders(res, tls);
      this.route(req, res).catch((err) => sendError(res, err));
    };
    if (opts.tls) {
      const secure = https.createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, handler);
      secure.on('tlsClientError', (_err, socket) => socket.destroy());
      this.server = secure;
      this.front = frontDoor(secure, this.hosts);
    } else {
      this.server = http.createServer(handler);
    }
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  /** The socket that listens: the front door under TLS, else the HTTP server. */
  private get listener(): NetServer {
    return this.front?.server ?? this.server;
  }

  /** Sockets that carry a session now. */
  get sessionSockets(): number {
    return this.sockets.size;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      const onErr = (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new Error(`port ${this.opts.port} on ${this.opts.host} is already in use; pick another with --port, or stop what is using it`)
            : err,
        );
      };
      this.listener.once('error', onErr);
      this.listener.listen(this.opts.port, this.opts.host, () => {
        this.listener.off('error', onErr);
        resolve();
      });
    });
    const addr = this.listener.address() as AddressInfo;
    const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
    this.url = `${this.opts.tls ? 'https' : 'http'}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
    this.sockets.start((fn) => this.engine.config.onChange(() => fn()));
    this.offBus = this.engine.bus.onAny((event, data) => this.sockets.push(JSON.stringify({ event, data } satisfies ServerFrame)));
    if (this.opts.primary !== false) this.engine.setListening(this.url);
    this.unlisted = this.engine.exposure.add(this.listenerInfo(addr.port));
    return this.url;
  }

  /** What Settings → Remote access shows of this listener. */
  listenerInfo(port: number): ListenerInfo {
    return {
      url: this.url,
      host: this.opts.host,
      port,
      beyondLoopback: !isLoopbackHost(this.opts.host),
      tls: this.opts.tls?.info ?? null,
      hsts: !!this.opts.tls,
    };
  }

  async stop(): Promise<void> {
    this.offBus?.();
    this.offBus = null;
    this.unlisted?.();
    this.unlisted = null;
    this.sockets.stop();
    for (const ws of this.wss.clients) ws.terminate();
    for (const ws of this.liveWss.clients) ws.terminate();
    await new Promise<void>((r) => {
      if (!this.listener.listening) return r();
      this.listener.close(() => r());
      this.server.closeAllConnections();
      this.front?.destroyAll();
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const hostRefused = this.hosts.check(req);
    if (hostRefused) {
      req.resume();
      return refuse(res, hostRefused);
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendJson(res, 400, { error: { code: 'bad_request', message: 'malformed URL' } });
    }
    const p = url.pathname;
    if (p === '/api/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: { code: 'bad_request', message: 'use GET' } });
      return sendJson(res, 200, await this.engine.handle('system.health', {}, { peer: peerOf(req) }));
    }
    if (p.startsWith('/api/rpc/')) return this.rpc(req, res, p);
    if (p === '/api/webhook/sensors') {
      // Machines call it with their bearer token; a browser page (with the guard's cookie) may not.
      const crossSite = checkOrigin(req);
      if (crossSite) {
        req.resume();
        return refuse(res, { ...crossSite, message: 'the sensor webhook takes calls from sensors and access-control systems, not from web pages' });
      }
      if (!this.engine.integrations) throw new ApiError('unavailable', 'the integrations module is not running');
      return this.engine.integrations.handleWebhook(req, res);
    }
    if (p === '/api/webhook/arming') {
      if (!this.engine.arming) throw new ApiError('unavailable', 'the arming module is not running');
      return this.engine.arming.handleWebhook(req, res);
    }
    if (p.startsWith('/api/media/')) {
      const siteRefused = byCookie(req) ? checkFetchSite(req) : null;
      if (siteRefused) return refuse(res, siteRefused);
      const me = this.engine.whoami(tokenOf(req));
      if (!me) throw new ApiError('unauthorized', 'not logged in');
      if (this.engine.recorder.handleMedia(req, res, url)) return;
      throw new ApiError('not_found', `no media route ${p}`);
    }
    if (p.startsWith('/api/exports/')) {
      const me = this.engine.whoami(tokenOf(req));
      if (!me) throw new ApiError('unauthorized', 'not logged in');
      if (this.engine.exports && (await this.engine.exports.download(req, res, url, me))) return;
      throw new ApiError('not_found', `no export route ${p}`);
    }
    if (p.startsWith('/api/')) throw new ApiError('not_found', `no API route ${req.method} ${p}; requests go to POST /api/rpc/<method>`);
    return serveStatic(req, res, p, this.staticDir);
  }

  /** `POST /api/rpc/<method>`: same-origin (or no browser at all), JSON only. */
  private async rpc(req: http.IncomingMessage, res: http.ServerResponse, p: string): Promise<void> {
    if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'bad_request', message: 'use POST with a JSON body' } }, { allow: 'POST' });
    const originRefused = checkOrigin(req);
    if (originRefused) {
      req.resume();
      return refuse(res, originRefused);
    }
    const type = mediaTypeOf(req);
    if (type && type !== 'application/json') {
      req.resume();
      return sendJson(res, 415, { error: { code: 'bad_request', message: JSON_ONLY } }, { accept: 'application/json' });
    }
    const method = decodeURIComponent(p.slice('/api/rpc/'.length));
    const text = await readBody(req, MAX_BODY);
    let params: unknown = {};
    if (text.trim()) {
      if (!type) return sendJson(res, 415, { error: { code: 'bad_request', message: JSON_ONLY } }, { accept: 'application/json' });
      try {
        params = JSON.parse(text);
      } catch {
        throw new ApiError('bad_request', 'the request body is not valid JSON');
      }
    }
    const ctx = { token: tokenOf(req), peer: peerOf(req) };
    const result = await this.engine.handle(method, params, ctx);
    const token = SIGN_IN.has(method) ? (result as { token?: string }).token : undefined;
    if (token) {
      // Secure under TLS, or behind a TLS proxy that says so
      const secure = this.opts.tls || req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
      return sendJson(res, 200, result, {
        'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${14 * 86400}${secure}`,
      });
    }
    if (method === 'auth.logout') {
      const secure = this.opts.tls || req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
      return sendJson(res, 200, result, { 'set-cookie': `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure}` });
    }
    return sendJson(res, 200, result);
  }

  private upgrade(req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const refused = this.hosts.check(req) ?? checkOrigin(req);
    if (refused) return refuseUpgrade(socket, refused);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return refuseUpgrade(socket, { status: 400, code: 'bad_request', message: 'malformed URL' });
    }
    if (url.pathname === '/api/ws') {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onRpcSocket(ws, req));
    } else if (url.pathname === '/api/live') {
      const token = tokenOf(req);
      const me = this.engine.whoami(token);
      if (!me) return refuseUpgrade(socket, { status: 401, message: 'not logged in' });
      this.liveWss.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.track(ws, 'live', token, me);
        attachLive(this.engine, ws, url);
      });
    } else {
      refuseUpgrade(socket, { status: 404, code: 'bad_request', message: `no WebSocket at ${url.pathname}` });
    }
  }

  private onRpcSocket(ws: WebSocket, req: http.IncomingMessage): void {
    const peer = peerOf(req);
    const send = (f: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(f));
    };
    const first = tokenOf(req);
    const me = this.engine.whoami(first);
    const tracked = this.sockets.track(ws, 'rpc', me ? first : null, me);
    send({ hello: { version: this.engine.version, user: me } });
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return send({ id: 0, error: { code: 'bad_request', message: 'binary frames are not accepted here' } });
      let frame: ClientFrame;
      try {
        frame = JSON.parse(raw.toString()) as ClientFrame;
      } catch {
        return send({ id: 0, error: { code: 'bad_request', message: 'frame is not valid JSON' } });
      }
      if (typeof frame !== 'object' || frame === null || typeof frame.id !== 'number' || typeof frame.method !== 'string') {
        return send({ id: 0, error: { code: 'bad_request', message: 'frame must be {"id": number, "method": string, "params": {...}}' } });
      }
      this.engine
        .handle(frame.method, frame.params, { token: tracked.token, peer })
        .then((result) => {
          const r = result as { token?: string; user?: Me };
          if (SIGN_IN.has(frame.method) && r.token && r.user) {
            this.sockets.setSession(tracked, r.token, r.user);
          } else if (frame.method === 'auth.logout') {
            this.sockets.setSession(tracked, null, null);
          }
          send({ id: frame.id, result });
        })
        .catch((err: unknown) => {
          if (err instanceof ApiError) send({ id: frame.id, error: err.toBody() });
          else {
            log.error(`ws ${frame.method} failed`, err);
            send({ id: frame.id, error: { code: 'internal', message: 'internal error; see the engine log' } });
          }
        });
    });
  }
}

export { EVENT_NAMES };
