/**
 * The relay against a scripted camera (a plain TCP server speaking RTSP):
 * Digest with qop=auth (verified independently here), Basic, a wrong
 * password, CSeq mapping, URI rewriting, interleaved frames, refused tokens,
 * an unreachable camera and closing. The real camera (GStreamer) and ffmpeg
 * are in test/integration/recording-credentials.test.ts.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { header, requestLine, RtspFramer, type RtspMessage } from './message.js';
import { parseCameraUrl, RtspRelay as StreamRelay } from './relay.js';
import { probeCamera } from './probe.js';

const md5 = (s: string) => crypto.createHash('md5').update(s).digest('hex');

interface Camera {
  port: number;
  seen: RtspMessage[];
  sockets: net.Socket[];
  close(): Promise<void>;
}

/** A camera that wants `auth`, answers OPTIONS/DESCRIBE/SETUP/PLAY, and streams two `$` frames after PLAY. */
async function camera(auth: { scheme: 'digest' | 'basic'; user: string; pass: string; qop?: boolean } | null): Promise<Camera> {
  const seen: RtspMessage[] = [];
  const sockets: net.Socket[] = [];
  const nonce = 'n' + crypto.randomBytes(6).toString('hex');
  let lastNc = 0;
  const server = net.createServer((s) => {
    sockets.push(s);
    const f = new RtspFramer();
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      for (const p of f.feed(d)) {
        if (p.kind !== 'message') continue;
        const m = p.msg;
        seen.push(m);
        const [method, uri] = requestLine(m);
        const cseq = header(m, 'cseq');
        const reply = (status: string, extra: string[] = [], body = '') =>
          s.write([`RTSP/1.0 ${status}`, `CSeq: ${cseq}`, ...extra, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
        if (auth && method !== 'OPTIONS') {
          const a = header(m, 'authorization');
          let ok = false;
          if (a && auth.scheme === 'basic') ok = a === 'Basic ' + Buffer.from(`${auth.user}:${auth.pass}`).toString('base64');
          if (a && auth.scheme === 'digest') {
            const p2: Record<string, string> = {};
            for (const x of a.replace(/^Digest\s+/, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p2[x[1]!] = x[2] ?? x[3] ?? '';
            const ha1 = md5(`${auth.user}:cam:${auth.pass}`);
            const ha2 = md5(`${method}:${p2.uri}`);
            const want = auth.qop ? md5(`${ha1}:${nonce}:${p2.nc}:${p2.cnonce}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
            ok = p2.response === want && p2.uri === uri && p2.username === auth.user;
            if (auth.qop) {
              const nc = parseInt(p2.nc ?? '0', 16);
              ok = ok && p2.qop === 'auth' && nc > lastNc;
              lastNc = nc;
            }
          }
          if (!ok) {
            const ch = auth.scheme === 'basic' ? 'Basic realm="cam"' : `Digest realm="cam", nonce="${nonce}"${auth.qop ? ', qop="auth"' : ''}, opaque="op"`;
            reply('401 Unauthorized', [`WWW-Authenticate: ${ch}`]);
            continue;
          }
        }
        if (method === 'OPTIONS') reply('200 OK', ['Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN']);
        else if (method === 'DESCRIBE') reply('200 OK', ['Content-Type: application/sdp', `Content-Base: ${uri}/`], 'v=0\r\nm=video 0 RTP/AVP 96\r\na=control:trackID=1\r\n');
        else if (method === 'SETUP') reply('200 OK', ['Session: 42;timeout=60', 'Transport: RTP/AVP/TCP;unicast;interleaved=0-1']);
        else if (method === 'PLAY') {
          // a frame glued to the response, then one split across writes
          const resp = Buffer.from(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nSession: 42\r\n\r\n`);
          const f1 = Buffer.concat([Buffer.from([0x24, 0, 0, 5]), Buffer.from('hello')]);
          const f2 = Buffer.concat([Buffer.from([0x24, 0, 0, 6]), Buffer.from('world!')]);
          s.write(Buffer.concat([resp, f1, f2.subarray(0, 3)]));
          setTimeout(() => s.write(f2.subarray(3)), 20);
        } else if (method === 'TEARDOWN') {
          reply('200 OK');
          s.end();
        } else reply('405 Method Not Allowed');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    seen,
    sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) return r();
        server.close(() => r());
      }),
  };
}

/** A minimal RTSP client: send requests on one connection, collect responses and `$` payloads. */
function client(url: string) {
  const u = new URL(url.replace(/^rtsp:/, 'http:'));
  const sock = net.connect(Number(u.port), u.hostname);
  const f = new RtspFramer();
  const responses: RtspMessage[] = [];
  const frames: Buffer[] = [];
  let closed = false;
  sock.on('data', (d: Buffer) => {
    for (const p of f.feed(d)) {
      if (p.kind === 'message') responses.push(p.msg);
      else frames.push(Buffer.from(p.data));
    }
  });
  sock.on('error', () => {});
  sock.on('close', () => (closed = true));
  let cseq = 0;
  const waitFor = async <T>(fn: () => T | undefined | false, what: string): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = fn();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  return {
    sock,
    responses,
    frames: () => Buffer.concat(frames),
    get closed() {
      return closed;
    },
    waitFor,
    async request(method: string, uri: string, extra: string[] = []): Promise<RtspMessage> {
      const n = String(100 + ++cseq);
      sock.write([`${method} ${uri} RTSP/1.0`, `CSeq: ${n}`, ...extra, '', ''].join('\r\n'));
      return waitFor(() => responses.find((r) => header(r, 'cseq') === n), `the answer to ${method}`);
    },
  };
}

describe('RTSP relay', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  async function setup(auth: Parameters<typeof camera>[0], creds?: { username: string; password: string }) {
    const cam = await camera(auth);
    const relay = new StreamRelay();
    await relay.start();
    cleanup.push(() => cam.close(), () => relay.stop());
    const camUrl = `rtsp://127.0.0.1:${cam.port}/Streaming/Channels/101?transportmode=unicast`;
    const lease = relay.lease({ url: camUrl, ...creds });
    return { cam, relay, lease, camUrl };
  }

  for (const auth of [
    { scheme: 'digest', user: 'admin', pass: 'S3cret:Cam!', qop: true },
    { scheme: 'digest', user: 'admin', pass: 'S3cret:Cam!', qop: false },
    { scheme: 'basic', user: 'admin', pass: 'S3cret:Cam!' },
  ] as const) {
    it(`answers ${auth.scheme}${'qop' in auth && auth.qop ? ' (qop=auth)' : ''} for ffmpeg, rewrites URIs and maps CSeq`, async () => {
      const { cam, lease, camUrl } = await setup(auth, { username: 'admin', password: 'S3cret:Cam!' });
      expect(lease.url).toMatch(/^rtsp:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24}$/);
      expect(lease.url).not.toContain('S3cret');
      const c = client(lease.url);
      cleanup.push(() => void c.sock.destroy());
      expect(header(await c.request('OPTIONS', lease.url), 'public')).toMatch(/DESCRIBE/);
      const d = await c.request('DESCRIBE', lease.url, ['Accept: application/sdp']);
      expect(d.startLine).toBe('RTSP/1.0 200 OK');
      expect(d.body.toString()).toContain('a=control:trackID=1');
      // the camera saw its own URL, never the relay's, and our CSeq numbering
      const describes = cam.seen.filter((m) => requestLine(m)[0] === 'DESCRIBE');
      expect(describes.length).toBe(2); // challenged once
      expect(describes.every((m) => requestLine(m)[1] === camUrl)).toBe(true);
      // a relative control URL resolves against the relay URL and is rewritten like the base
      expect((await c.request('SETUP', `${lease.url}/trackID=1`, ['Transport: RTP/AVP/TCP;unicast;interleaved=0-1'])).startLine).toBe('RTSP/1.0 200 OK');
      expect(requestLine(cam.seen[cam.seen.length - 1]!)[1]).toBe(`${camUrl}/trackID=1`);
      // an absolute camera URL (from Content-Base) passes unchanged
      await c.request('PLAY', `${camUrl}/`, ['Session: 42']);
      await c.waitFor(() => c.frames().length >= 19, 'two interleaved frames');
      expect(c.frames().equals(Buffer.concat([Buffer.from([0x24, 0, 0, 5]), Buffer.from('hello'), Buffer.from([0x24, 0, 0, 6]), Buffer.from('world!')]))).toBe(true);
      // every request after the challenge carries the answer
      const after = cam.seen.slice(cam.seen.findIndex((m) => header(m, 'authorization')));
      expect(after.every((m) => header(m, 'authorization'))).toBe(true);
      expect(lease.connections).toBe(1);
      // TEARDOWN: the camera closes, so does the relay's side towards ffmpeg
      await c.request('TEARDOWN', camUrl, ['Session: 42']);
      await c.waitFor(() => c.closed, 'the client connection to close');
    });
  }

  it('passes a second 401 (a wrong password) back with the client CSeq', async () => {
    const { lease } = await setup({ scheme: 'digest', user: 'admin', pass: 'right' }, { username: 'admin', password: 'wrong' });
    const c = client(lease.url);
    cleanup.push(() => void c.sock.destroy());
    const r = await c.request('DESCRIBE', lease.url);
    expect(r.startLine).toBe('RTSP/1.0 401 Unauthorized');
    expect(header(r, 'cseq')).toBe('101');
  });

  it('takes credentials from the camera URL when no username is given, and never forwards them', async () => {
    const cam = await camera({ scheme: 'basic', user: 'u', pass: 'p@ss' });
    const relay = new StreamRelay();
    await relay.start();
    cleanup.push(() => cam.close(), () => relay.stop());
    const lease = relay.lease({ url: `rtsp://u:p%40ss@127.0.0.1:${cam.port}/x` });
    const c = client(lease.url);
    cleanup.push(() => void c.sock.destroy());
    expect((await c.request('DESCRIBE', lease.url)).startLine).toBe('RTSP/1.0 200 OK');
    expect(cam.seen.every((m) => !requestLine(m)[1].includes('@'))).toBe(true);
  });

  it('refuses an unknown or spent token and other paths, with 410', async () => {
    const { cam, lease, relay } = await setup(null);
    const c1 = client(lease.url);
    cleanup.push(() => void c1.sock.destroy());
    expect((await c1.request('OPTIONS', lease.url)).startLine).toBe('RTSP/1.0 200 OK');
    // the token admitted one connection; a second one with it is refused
    const c2 = client(lease.url);
    cleanup.push(() => void c2.sock.destroy());
    expect((await c2.request('OPTIONS', lease.url)).startLine).toMatch(/^RTSP\/1\.0 410 /);
    await c2.waitFor(() => c2.closed, 'the refused connection to close');
    const c3 = client(`rtsp://127.0.0.1:${relay.port}/`);
    cleanup.push(() => void c3.sock.destroy());
    expect((await c3.request('DESCRIBE', `rtsp://127.0.0.1:${relay.port}/etc/passwd`)).startLine).toMatch(/^RTSP\/1\.0 410 /);
    expect(cam.sockets.length).toBe(1);
  });

  it('answers in ffmpeg-like words when the camera cannot be reached', async () => {
    const relay = new StreamRelay();
    await relay.start();
    cleanup.push(() => relay.stop());
    const dead = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => r(p));
      });
    });
    const lease = relay.lease({ url: `rtsp://127.0.0.1:${dead}/cam`, username: 'a', password: 'b' });
    const c = client(lease.url);
    cleanup.push(() => void c.sock.destroy());
    const r = await c.request('OPTIONS', lease.url);
    expect(r.startLine).toBe('RTSP/1.0 502 Connection refused');
    expect(lease.lastError).toBe('Connection refused');
    await c.waitFor(() => c.closed, 'the connection to close');
  });

  it('closes ffmpeg\'s side when the camera goes away, and the camera\'s when ffmpeg does', async () => {
    const { cam, lease } = await setup(null);
    const c = client(lease.url);
    cleanup.push(() => void c.sock.destroy());
    await c.request('OPTIONS', lease.url);
    cam.sockets[0]!.destroy();
    await c.waitFor(() => c.closed, 'the client side to close');

    const second = await setup(null);
    const c2 = client(second.lease.url);
    cleanup.push(() => void c2.sock.destroy());
    await c2.request('OPTIONS', second.lease.url);
    const camSide = second.cam.sockets[0]!;
    const gone = new Promise<void>((r) => camSide.once('close', () => r()));
    c2.sock.destroy();
    await gone;
  });

  it('parses camera URLs with ports, IPv6 and credentials', () => {
    expect(parseCameraUrl('rtsp://10.0.0.5/s')).toMatchObject({ host: '10.0.0.5', port: 554, url: 'rtsp://10.0.0.5/s', creds: null });
    expect(parseCameraUrl('rtsps://[fe80::1]:8322/a?b=c')).toMatchObject({ host: 'fe80::1', port: 8322, secure: true, url: 'rtsps://[fe80::1]:8322/a?b=c' });
    expect(parseCameraUrl('rtsp://ad%3Amin:p%3Aw@cam:8554/x')).toMatchObject({ host: 'cam', port: 8554, url: 'rtsp://cam:8554/x', creds: { username: 'ad:min', password: 'p:w' } });
    expect(() => parseCameraUrl('http://x/')).toThrow();
  });

  it('probes: up when OPTIONS is answered, down with the reason otherwise', async () => {
    const cam = await camera({ scheme: 'basic', user: 'u', pass: 'p' });
    cleanup.push(() => cam.close());
    expect(await probeCamera(`rtsp://127.0.0.1:${cam.port}/x`, 1000)).toEqual({ up: true, status: 200 });
    await cam.close();
    expect(await probeCamera(`rtsp://127.0.0.1:${cam.port}/x`, 1000)).toEqual({ up: false, reason: 'Connection refused' });
    // a port that accepts but never answers
    const mute = net.createServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => {
      mute.close();
    });
    const r = await probeCamera(`rtsp://127.0.0.1:${(mute.address() as net.AddressInfo).port}/x`, 300);
    expect(r).toEqual({ up: false, reason: 'Connection timed out' });
  });
});
