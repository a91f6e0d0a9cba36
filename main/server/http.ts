import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, EVENT_NAMES, type ClientFrame, type ServerFrame } from '../api/contract.js';
import type { Engine } from '../engine/engine.js';
import { logger } from '../engine/log.js';
import { packageRoot } from '../engine/paths.js';
import { readBody } from '../engine/util/http-body.js';
import { attachLive } from './live-ws.js';

const log = logger('http');
const COOKIE = 'gh_session';
const MAX_BODY = 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};

export interface ServerOptions {
  port: number;
  host: string;
  /** Folder with the built renderer (index.html). */
  staticDir?: string;
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

function peerOf(req: http.IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(data);
}

function sendError(res: http.ServerResponse, err: unknown): void {
  if (err instanceof ApiError) return sendJson(res, err.status, { error: err.toBody() });
  log.error('request failed', err);
  sendJson(res, 500, { error: { code: 'internal', message: 'internal error; see the engine log' } });
}

function securityHeaders(res: http.ServerResponse): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
}

/** The HTTP + WebSocket transport for `gatehouse serve`. */
export class HttpServer {
  private server: http.Server;
  private wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  private liveWss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private clients = new Set<WebSocket>();
  private offBus: (() => void) | null = null;
  private staticDir: string;
  url = '';

  constructor(
    private readonly engine: Engine,
    private readonly opts: ServerOptions,
  ) {
    this.staticDir = opts.staticDir ?? path.join(packageRoot(), 'dist', 'renderer');
    this.server = http.createServer((req, res) => {
      securityHeaders(res);
      this.route(req, res).catch((err) => sendError(res, err));
    });
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.server.on('clientError', (_err, socket) => socket.destroy());
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
      this.server.once('error', onErr);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onErr);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
    this.url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
    this.offBus = this.engine.bus.onAny((event, data) => {
      const frame = JSON.stringify({ event, data } satisfies ServerFrame);
      for (const ws of this.clients) {
        if (ws.bufferedAmount > 8 * 1024 * 1024) {
          ws.terminate();
          continue;
        }
        ws.send(frame);
      }
    });
    this.engine.setListening(this.url);
    return this.url;
  }

  async stop(): Promise<void> {
    this.offBus?.();
    for (const ws of this.clients) ws.terminate();
    for (const ws of this.liveWss.clients) ws.terminate();
    await new Promise<void>((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
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
    if (p.startsWith('/api/rpc/')) {
      if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'bad_request', message: 'use POST with a JSON body' } }, { allow: 'POST' });
      const method = decodeURIComponent(p.slice('/api/rpc/'.length));
      const text = await readBody(req, MAX_BODY);
      let params: unknown = {};
      if (text.trim()) {
        try {
          params = JSON.parse(text);
        } catch {
          throw new ApiError('bad_request', 'the request body is not valid JSON');
        }
      }
      const ctx = { token: tokenOf(req), peer: peerOf(req) };
      const result = await this.engine.handle(method, params, ctx);
      if (method === 'auth.login') {
        const { token } = result as { token: string };
        const secure = req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
        return sendJson(res, 200, result, {
          'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${14 * 86400}${secure}`,
        });
      }
      if (method === 'auth.logout') {
        return sendJson(res, 200, result, { 'set-cookie': `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` });
      }
      return sendJson(res, 200, result);
    }
    if (p === '/api/webhook/sensors') {
      if (!this.engine.integrations) throw new ApiError('unavailable', 'the integrations module is not running');
      return this.engine.integrations.handleWebhook(req, res);
    }
    if (p === '/api/webhook/arming') {
      if (!this.engine.arming) throw new ApiError('unavailable', 'the arming module is not running');
      return this.engine.arming.handleWebhook(req, res);
    }
    if (p.startsWith('/api/media/')) {
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
    return this.serveStatic(req, res, p);
  }

  private serveStatic(req: http.IncomingMessage, res: http.ServerResponse, p: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(p);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const root = this.staticDir;
    let file = path.normalize(path.join(root, rel));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    const isAsset = /\.[a-z0-9]+$/i.test(rel);
    if (!isAsset || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      if (isAsset && rel !== '/index.html') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      file = path.join(root, 'index.html');
    }
    if (!fs.existsSync(file)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The console has not been built. Run "npm run build" and reload.');
      return;
    }
    const ext = path.extname(file);
    res.writeHead(200, {
      'content-type': MIME[ext] ?? 'application/octet-stream',
      'cache-control': ext === '.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
      ...(ext === '.html'
        ? {
            'content-security-policy':
              "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; script-src 'self'",
          }
        : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file).pipe(res);
  }

  private upgrade(req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    let pathname = '';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      pathname = url.pathname;
    } catch {
      socket.destroy();
      return;
    }
    const origin = req.headers.origin;
    if (origin && req.headers.host && !origin.endsWith('//' + req.headers.host)) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    if (pathname === '/api/ws') {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onRpcSocket(ws, req));
    } else if (pathname === '/api/live') {
      const me = this.engine.whoami(tokenOf(req));
      if (!me) {
        socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
        socket.destroy();
        return;
      }
      this.liveWss.handleUpgrade(req, socket, head, (ws) => attachLive(this.engine, ws, url));
    } else {
      socket.write('HTTP/1.1 404 Not Found\r\n\r\n');
      socket.destroy();
    }
  }

  private onRpcSocket(ws: WebSocket, req: http.IncomingMessage): void {
    let token = tokenOf(req);
    const peer = peerOf(req);
    const send = (f: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(f));
    };
    const me = this.engine.whoami(token);
    send({ hello: { version: this.engine.version, user: me } });
    if (me) this.clients.add(ws);
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
        .handle(frame.method, frame.params, { token, peer })
        .then((result) => {
          if (frame.method === 'auth.login') {
            token = (result as { token: string }).token;
            this.clients.add(ws);
          } else if (frame.method === 'auth.logout') {
            token = null;
            this.clients.delete(ws);
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
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => this.clients.delete(ws));
  }
}

export { EVENT_NAMES };
