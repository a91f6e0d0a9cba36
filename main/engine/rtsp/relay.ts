/**
 * The authenticating RTSP relay: how ffmpeg reaches a camera without the
 * camera's password on its command line (where any local user could read it
 * in /proc/<pid>/cmdline).
 *
 * The engine leases a random, single-use token per ffmpeg connection and
 * gives ffmpeg `rtsp://127.0.0.1:<port>/<token>` (no credentials). The relay
 * listens on loopback only. For each accepted connection it:
 *   - checks that the first request names a live token (anything else gets
 *     `410` and is closed), and spends it: one upstream connection per
 *     ffmpeg connection, one connection per token;
 *   - opens its own TCP (or TLS, for rtsps) connection to the camera;
 *   - rewrites request URIs that start with the relay URL to the camera's
 *     URL (prefix replacement, so relative control URLs resolve exactly as
 *     they would against the camera's own URL), numbers the requests it
 *     sends upstream itself and maps the CSeq of each answer back;
 *   - answers the camera's 401 challenge itself (Basic, or Digest MD5 /
 *     MD5-sess with or without qop=auth) and adds the Authorization to
 *     every later request; a second 401 (a wrong password) goes back to
 *     ffmpeg unchanged, so it fails with "401 Unauthorized" as before;
 *   - relays everything else byte for byte in both directions: `$`
 *     interleaved frames, bodies, the camera's own requests;
 *   - closes each side when the other closes, so ffmpeg's own timeouts and
 *     exit on a lost camera work as with a direct connection.
 * When the camera cannot be reached, the waiting request is answered with a
 * status whose reason phrase is the socket error as ffmpeg would print it
 * ("502 Connection refused", "504 Connection timed out"), so ffmpeg's
 * stderr still says why. See docs/recording.md, "Camera credentials".
 */
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { logger } from '../log.js';
import { authorizationFor, pickChallenge, type Challenge, type Credentials } from '../net/http-auth.js';
import { socketErrorText, type LeaseOptions, type RelayLease, type RelayTarget } from './common.js';
import {
  header,
  headers,
  isResponse,
  removeHeader,
  requestLine,
  RtspFramer,
  serialize,
  setHeader,
  statusOf,
  type Piece,
  type RtspMessage,
} from './message.js';

const log = logger('rtsp-relay');

/** A connection that has not named a valid token by then is dropped. */
const FIRST_REQUEST_TIMEOUT_MS = 10_000;

interface Upstream {
  secure: boolean;
  host: string;
  port: number;
  /** The camera URL without credentials: what relay URLs are rewritten to. */
  url: string;
  creds: Credentials | null;
}

interface LeaseState {
  token: string;
  upstream: Upstream;
  usesLeft: number;
  connectTimeoutMs: number;
  connections: number;
  lastError: string | null;
  conns: Set<RelayConnection>;
}

/** Parse a camera URL: where to connect, the URL without credentials, and the credentials it carried. */
export function parseCameraUrl(raw: string): { secure: boolean; host: string; port: number; url: string; creds: Credentials | null } {
  const m = /^(rtsps?):\/\/(?:([^@/]*)@)?([^/?#]+)(.*)$/i.exec(raw.trim());
  if (!m) throw new Error('not an rtsp:// or rtsps:// URL');
  const scheme = m[1]!.toLowerCase();
  const userinfo = m[2];
  const hostport = m[3]!;
  const rest = m[4] ?? '';
  let host = hostport;
  let port = scheme === 'rtsps' ? 322 : 554;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostport);
  if (v6) {
    host = v6[1]!;
    if (v6[2]) port = Number(v6[2]);
  } else {
    const hp = /^([^:]+)(?::(\d+))?$/.exec(hostport);
    if (!hp) throw new Error('the URL has no valid host');
    host = hp[1]!;
    if (hp[2]) port = Number(hp[2]);
  }
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error('the URL has no valid host or port');
  let creds: Credentials | null = null;
  if (userinfo !== undefined) {
    const c = userinfo.indexOf(':');
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    creds = c < 0 ? { username: dec(userinfo), password: '' } : { username: dec(userinfo.slice(0, c)), password: dec(userinfo.slice(c + 1)) };
  }
  return { secure: scheme === 'rtsps', host, port, url: `${scheme}://${hostport}${rest}`, creds };
}

export class RtspRelay {
  private server: net.Server | null = null;
  private leases = new Map<string, LeaseState>();
  private conns = new Set<RelayConnection>();
  private listenPort = 0;

  /** Listen on 127.0.0.1 (a free port unless one is given). */
  async start(port = 0): Promise<void> {
    if (this.server) return;
    const server = net.createServer({ noDelay: true }, (sock) => this.accept(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => log.error('relay server error', err));
    this.server = server;
    this.listenPort = (server.address() as net.AddressInfo).port;
  }

  get port(): number {
    return this.listenPort;
  }

  get running(): boolean {
    return !!this.server;
  }

  /** Close every connection and stop listening. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const c of [...this.conns]) c.close();
    this.leases.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A token for one ffmpeg input: the URL to give it, and diagnostics. */
  lease(target: RelayTarget, opts: LeaseOptions = {}): RelayLease {
    if (!this.server) throw new Error('the RTSP relay is not running');
    const parsed = parseCameraUrl(target.url);
    const creds: Credentials | null = target.username ? { username: target.username, password: target.password ?? '' } : parsed.creds;
    const token = crypto.randomBytes(18).toString('base64url');
    const st: LeaseState = {
      token,
      upstream: { secure: parsed.secure, host: parsed.host, port: parsed.port, url: parsed.url, creds },
      usesLeft: Math.max(1, opts.uses ?? 1),
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      connections: 0,
      lastError: null,
      conns: new Set(),
    };
    this.leases.set(token, st);
    const url = `rtsp://127.0.0.1:${this.listenPort}/${token}`;
    return {
      url,
      get lastError() {
        return st.lastError;
      },
      get connections() {
        return st.connections;
      },
      release: () => {
        this.leases.delete(token);
        for (const c of [...st.conns]) c.close();
      },
    };
  }

  private accept(sock: net.Socket): void {
    // loopback only: the server listens on 127.0.0.1, this is a second lock
    const addr = sock.remoteAddress ?? '';
    if (addr !== '127.0.0.1' && addr !== '::ffff:127.0.0.1') {
      sock.destroy();
      return;
    }
    const c = new RelayConnection(sock, this.listenPort, (token) => this.claim(token));
    this.conns.add(c);
    c.onClose = () => {
      this.conns.delete(c);
    };
  }

  /** Spend one use of a token. */
  private claim(token: string): LeaseState | null {
    const st = this.leases.get(token);
    if (!st || st.usesLeft <= 0) return null;
    st.usesLeft--;
    st.connections++;
    if (st.usesLeft <= 0) this.leases.delete(token);
    return st;
  }
}

interface Pending {
  clientCseq: string | undefined;
  /** The request as ffmpeg sent it, URI already rewritten, without our CSeq/Authorization. */
  msg: RtspMessage;
  method: string;
  uri: string;
  /** It went out with an Authorization header. */
  authed: boolean;
  retries: number;
}

class RelayConnection {
  onClose: (() => void) | null = null;
  private upstream: net.Socket | null = null;
  private connected = false;
  private lease: LeaseState | null = null;
  private prefix = '';
  private readonly fromClient = new RtspFramer();
  private readonly fromUpstream = new RtspFramer();
  /** Bytes for the camera while the connection to it is being made. */
  private queued: Buffer[] = [];
  private pending = new Map<number, Pending>();
  private cseq = 0;
  private challenge: Challenge | null = null;
  private nc = 0;
  private closed = false;
  /** The first request named no valid token: ignore the rest. */
  private refused = false;
  private firstTimer: NodeJS.Timeout | null;

  constructor(
    private readonly client: net.Socket,
    private readonly port: number,
    private readonly claim: (token: string) => LeaseState | null,
  ) {
    client.setNoDelay(true);
    client.on('data', (d: Buffer) => this.fromClientData(d));
    client.on('end', () => {
      if (this.upstream && this.connected) this.upstream.end();
      else this.close();
    });
    client.on('close', () => this.close());
    client.on('error', () => this.close());
    client.on('drain', () => this.upstream?.resume());
    this.firstTimer = setTimeout(() => {
      if (!this.lease) this.close();
    }, FIRST_REQUEST_TIMEOUT_MS);
    this.firstTimer.unref();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.firstTimer) clearTimeout(this.firstTimer);
    this.client.destroy();
    this.upstream?.destroy();
    this.lease?.conns.delete(this);
    this.onClose?.();
  }

  private fromClientData(d: Buffer): void {
    let pieces: Piece[];
    try {
      pieces = this.fromClient.feed(d);
    } catch (err) {
      log.warn(`closing a relay connection: the client sent ${(err as Error).message}`);
      this.close();
      return;
    }
    for (const p of pieces) {
      if (this.closed || this.refused) return;
      if (p.kind === 'bytes') {
        if (!this.lease) {
          this.close();
          return;
        }
        this.toUpstream(p.data);
      } else if (isResponse(p.msg)) {
        // ffmpeg answering a request of the camera's
        if (this.lease) this.toUpstream(serialize(p.msg));
      } else this.clientRequest(p.msg);
    }
  }

  private clientRequest(msg: RtspMessage): void {
    const [method, uri, version] = requestLine(msg);
    if (!this.lease) {
      const m = new RegExp(`^rtsp://[^/]+/([A-Za-z0-9_-]{16,})(?=$|[/?])`).exec(uri);
      const st = m ? this.claim(m[1]!) : null;
      if (!st) {
        log.warn(`refused a relay connection from ${this.client.remoteAddress}:${this.client.remotePort}: unknown or already used token`);
        this.refused = true;
        this.replyToClient(header(msg, 'cseq'), 410, 'Gone (unknown or used relay token)');
        this.client.end();
        const t = setTimeout(() => this.close(), 2000);
        t.unref();
        return;
      }
      if (this.firstTimer) clearTimeout(this.firstTimer);
      this.firstTimer = null;
      this.lease = st;
      st.conns.add(this);
      this.prefix = uri.slice(0, uri.indexOf(m![1]!) + m![1]!.length);
      this.connectUpstream();
    }
    const target = this.rewrite(uri);
    msg.startLine = `${method} ${target} ${version}`;
    removeHeader(msg, 'authorization');
    const p: Pending = { clientCseq: header(msg, 'cseq'), msg, method, uri: target, authed: false, retries: 0 };
    this.sendRequest(p);
  }

  /** Relay URL → camera URL; any other URI (the camera's own Content-Base, "*") goes on as it is. */
  private rewrite(uri: string): string {
    const st = this.lease!;
    if (uri === this.prefix || uri.startsWith(this.prefix + '/') || uri.startsWith(this.prefix + '?')) {
      return st.upstream.url + uri.slice(this.prefix.length);
    }
    // the same, named by another spelling of the loopback address
    const alt = new RegExp(`^rtsp://(?:127\\.0\\.0\\.1|localhost)(?::${this.port})?/${st.token}(?=$|[/?])`).exec(uri);
    if (alt) return st.upstream.url + uri.slice(alt[0].length);
    return uri;
  }

  private sendRequest(p: Pending): void {
    const n = ++this.cseq;
    const out: RtspMessage = { startLine: p.msg.startLine, headers: [...p.msg.headers], body: p.msg.body };
    setHeader(out, 'CSeq', String(n));
    const creds = this.lease!.upstream.creds;
    p.authed = false;
    if (this.challenge && creds) {
      const auth = authorizationFor(this.challenge, creds, p.method, p.uri, ++this.nc);
      if (auth) {
        setHeader(out, 'Authorization', auth);
        p.authed = true;
      }
    }
    this.pending.set(n, p);
    this.toUpstream(serialize(out));
  }

  private connectUpstream(): void {
    const st = this.lease!;
    const u = st.upstream;
    let timedOut = false;
    const sock = u.secure
      ? tls.connect({ host: u.host, port: u.port, servername: net.isIP(u.host) ? undefined : u.host, rejectUnauthorized: false })
      : net.connect({ host: u.host, port: u.port });
    this.upstream = sock;
    sock.setNoDelay(true);
    const timer = setTimeout(() => {
      timedOut = true;
      sock.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
    }, st.connectTimeoutMs);
    const onConnected = () => {
      clearTimeout(timer);
      this.connected = true;
      st.lastError = null;
      const q = this.queued;
      this.queued = [];
      for (const b of q) sock.write(b);
    };
    sock.once(u.secure ? 'secureConnect' : 'connect', onConnected);
    sock.on('data', (d: Buffer) => this.fromUpstreamData(d));
    sock.on('drain', () => this.client.resume());
    sock.on('end', () => {
      if (!this.closed) this.client.end();
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!this.connected) {
        const e = socketErrorText(err, timedOut);
        st.lastError = e.reason;
        log.debug(`camera ${u.host}:${u.port} not reachable: ${e.reason}`);
        // answer what ffmpeg is waiting for, in words its stderr will carry
        for (const p of this.pending.values()) this.replyToClient(p.clientCseq, e.status, e.reason);
        this.pending.clear();
        this.client.end();
        return;
      }
      log.debug(`camera connection ${u.host}:${u.port} failed: ${err.code ?? err.message}`);
      this.close();
    });
    sock.on('close', () => {
      clearTimeout(timer);
      if (!this.closed) {
        // flush what was written, then close ffmpeg's side too
        this.client.end();
        const t = setTimeout(() => this.close(), 2000);
        t.unref();
      }
    });
  }

  private fromUpstreamData(d: Buffer): void {
    let pieces: Piece[];
    try {
      pieces = this.fromUpstream.feed(d);
    } catch (err) {
      log.warn(`closing a relay connection: the camera sent ${(err as Error).message}`);
      this.close();
      return;
    }
    this.client.cork();
    try {
      for (const p of pieces) {
        if (this.closed) return;
        if (p.kind === 'bytes') this.toClient(p.data);
        else if (isResponse(p.msg)) this.upstreamResponse(p.msg);
        else this.toClient(serialize(p.msg)); // the camera's own request (e.g. a keep-alive): ffmpeg answers it
      }
    } finally {
      this.client.uncork();
    }
  }

  private upstreamResponse(msg: RtspMessage): void {
    const n = Number(header(msg, 'cseq'));
    const p = Number.isInteger(n) ? this.pending.get(n) : undefined;
    if (!p) {
      this.toClient(serialize(msg));
      return;
    }
    this.pending.delete(n);
    const creds = this.lease!.upstream.creds;
    if (statusOf(msg) === 401 && creds && p.retries < 2) {
      const ch = pickChallenge(headers(msg, 'www-authenticate'));
      const stale = ch?.scheme === 'digest' && /^true$/i.test(ch.params.stale ?? '');
      const changed = ch && (!this.challenge || this.challenge.scheme !== ch.scheme || this.challenge.params.nonce !== ch.params.nonce);
      // answer the challenge once; a 401 to a request that carried our answer means wrong credentials,
      // unless the nonce went stale (or changed under us)
      if (ch && (!p.authed || stale || changed)) {
        this.challenge = ch;
        this.nc = 0;
        p.retries++;
        this.sendRequest(p);
        return;
      }
    }
    if (p.clientCseq !== undefined) setHeader(msg, 'CSeq', p.clientCseq);
    else removeHeader(msg, 'cseq');
    this.toClient(serialize(msg));
  }

  private replyToClient(cseq: string | undefined, status: number, reason: string): void {
    const lines = [`RTSP/1.0 ${status} ${reason}`];
    if (cseq !== undefined) lines.push(`CSeq: ${cseq}`);
    lines.push('Server: Gatehouse relay', 'Content-Length: 0');
    if (!this.client.destroyed) this.client.write(lines.join('\r\n') + '\r\n\r\n');
  }

  private toUpstream(b: Buffer): void {
    const up = this.upstream;
    if (!up || !this.connected) {
      this.queued.push(b);
      return;
    }
    if (!up.write(b)) this.client.pause();
  }

  private toClient(b: Buffer): void {
    if (this.client.destroyed) return;
    if (!this.client.write(b)) this.upstream?.pause();
  }
}
