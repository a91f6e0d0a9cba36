/**
 * The HTTP side of the stream relay, for cameras whose stream is an HTTP
 * URL (MJPEG, MPEG-TS, FLV over HTTP) and needs a password. ffmpeg opens
 * `http://127.0.0.1:<port>/<token>/<file name>`; the relay GETs the camera's
 * URL with the Authorization (Basic, or Digest MD5 incl. qop=auth) it
 * computes itself and streams the answer back. Other paths under the token
 * resolve relative to the camera's URL (playlists). HTTP clients may make
 * several requests (reconnects, ranges), so an HTTP token stays valid until
 * its lease is released (when that ffmpeg exits), unlike the single-use RTSP
 * tokens. Loopback only; GET and HEAD only.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { logger } from '../log.js';
import { authorizationFor, pickChallenge, type Challenge, type Credentials } from '../net/http-auth.js';
import { socketErrorText, type LeaseOptions, type RelayLease, type RelayTarget } from './common.js';

const log = logger('http-relay');

interface HttpLease {
  url: URL;
  creds: Credentials | null;
  timeoutMs: number;
  connections: number;
  lastError: string | null;
  challenge: Challenge | null;
  nc: number;
  /** The file name ffmpeg was given; that path maps to the camera URL itself (with its query). */
  name: string;
  live: Set<http.ClientRequest>;
}

/** Response headers that belong to one hop. */
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'www-authenticate']);

export class HttpRelay {
  private server: http.Server | null = null;
  private leases = new Map<string, HttpLease>();
  private listenPort = 0;

  async start(port = 0): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.listenPort = (server.address() as { port: number }).port;
  }

  get port(): number {
    return this.listenPort;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const l of this.leases.values()) for (const r of l.live) r.destroy();
    this.leases.clear();
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  lease(target: RelayTarget, opts: LeaseOptions = {}): RelayLease {
    if (!this.server) throw new Error('the HTTP relay is not running');
    const url = new URL(target.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not an http:// or https:// URL');
    let creds: Credentials | null = target.username ? { username: target.username, password: target.password ?? '' } : null;
    if (!creds && url.username) creds = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    url.username = '';
    url.password = '';
    const token = crypto.randomBytes(18).toString('base64url');
    const name = (url.pathname.split('/').pop() || 'stream').replace(/[^A-Za-z0-9._-]/g, '_');
    const st: HttpLease = { url, creds, timeoutMs: opts.connectTimeoutMs ?? 10_000, connections: 0, lastError: null, challenge: null, nc: 0, name, live: new Set() };
    this.leases.set(token, st);
    return {
      url: `http://127.0.0.1:${this.listenPort}/${token}/${name}`,
      get lastError() {
        return st.lastError;
      },
      get connections() {
        return st.connections;
      },
      release: () => {
        this.leases.delete(token);
        for (const r of st.live) r.destroy();
      },
    };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const m = /^\/([A-Za-z0-9_-]{16,})\/(.*)$/.exec(req.url ?? '');
    const st = m ? this.leases.get(m[1]!) : undefined;
    if (!st || (req.method !== 'GET' && req.method !== 'HEAD')) {
      log.warn(`refused an HTTP relay request from ${req.socket.remoteAddress}: unknown token or method`);
      res.writeHead(410, 'Gone').end();
      return;
    }
    st.connections++;
    const rest = m![2]!;
    const target = rest === st.name ? new URL(st.url) : new URL(rest, st.url);
    const fwd: http.OutgoingHttpHeaders = {};
    for (const h of ['range', 'user-agent', 'accept', 'icy-metadata', 'seekable']) if (req.headers[h]) fwd[h] = req.headers[h];
    this.forward(st, req.method!, target, fwd, res, 0);
  }

  private forward(st: HttpLease, method: string, target: URL, headers: http.OutgoingHttpHeaders, res: http.ServerResponse, tries: number): void {
    const uri = target.pathname + target.search;
    const h = { ...headers };
    if (st.challenge && st.creds) {
      const a = authorizationFor(st.challenge, st.creds, method, uri, ++st.nc);
      if (a) h.authorization = a;
    }
    const mod = target.protocol === 'https:' ? https : http;
    let timedOut = false;
    const up = mod.request(target, { method, headers: h, agent: false, rejectUnauthorized: false });
    st.live.add(up);
    const timer = setTimeout(() => {
      timedOut = true;
      up.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    }, st.timeoutMs);
    up.on('response', (ans) => {
      clearTimeout(timer);
      if (ans.statusCode === 401 && st.creds && tries < 2) {
        const raw = ans.headers['www-authenticate'];
        const ch = pickChallenge(Array.isArray(raw) ? raw : raw ? [raw] : []);
        const stale = ch?.scheme === 'digest' && /^true$/i.test(ch.params.stale ?? '');
        if (ch && (!h.authorization || stale || ch.params.nonce !== st.challenge?.params.nonce)) {
          ans.resume();
          st.live.delete(up);
          st.challenge = ch;
          st.nc = 0;
          this.forward(st, method, target, headers, res, tries + 1);
          return;
        }
      }
      st.lastError = null;
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(ans.headers)) if (!HOP.has(k) && v !== undefined) out[k] = v;
      res.writeHead(ans.statusCode ?? 502, ans.statusMessage, out);
      ans.pipe(res);
      res.on('close', () => {
        up.destroy();
        st.live.delete(up);
      });
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      st.live.delete(up);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const e = socketErrorText(err, timedOut);
      st.lastError = e.reason;
      res.writeHead(e.status, e.reason, { 'content-length': 0 }).end();
    });
    up.end();
  }
}
