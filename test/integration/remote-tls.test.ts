/**
 * HTTPS with real `gatehouse serve` processes (issue 16 item 1): a generated
 * self-signed certificate and one made here with openssl; the API, the
 * WebSocket and live video (the DEMO camera through ffmpeg) over https/wss
 * trusting only that certificate; plain HTTP to the TLS port gets no data;
 * bad certificate/key combinations stop the start with their message and
 * nothing listens; non-loopback plain HTTP needs --insecure-http; admins
 * must enrol two-factor sign-in once the server listens beyond loopback,
 * and `gatehouse users totp-reset` unlocks one (audited). Every connection
 * goes to 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../main/engine/auth/totp.js';
import { makeSelfSigned } from '../../main/server/self-signed.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(ROOT, 'main', 'cli', 'gatehouse.ts');
const PASSWORD = 'tls-admin-password';
let tmp: string;
const children = new Set<ChildProcess>();

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-tls-it-'));
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

interface Serve {
  port: number;
  out: () => string;
  child: ChildProcess;
  stop: () => Promise<void>;
  exited: Promise<number | null>;
}

/** `gatehouse serve` from the sources; resolves once it says it is running, or exits. */
async function serve(dataDir: string, args: string[], o: { port?: number } = {}): Promise<Serve & { running: boolean }> {
  const port = o.port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--data', dataDir, '--port', String(port), '--admin-password', PASSWORD, ...args], {
    cwd: ROOT,
    env: { ...process.env, GATEHOUSE_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => (children.delete(child), r(code))));
  const running = await Promise.race([
    new Promise<boolean>((resolve) => {
      const t = setInterval(() => {
        if (/is running\./.test(text)) {
          clearInterval(t);
          resolve(true);
        }
      }, 100);
      void exited.then(() => (clearInterval(t), resolve(false)));
    }),
    new Promise<boolean>((_, reject) => setTimeout(() => reject(new Error(`serve did not start in 90 s:\n${text}`)), 90_000)),
  ]);
  return {
    port,
    out: () => text,
    child,
    running,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function httpsRequest(port: number, ca: string, p: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: p, method: init.method ?? 'GET', headers: init.headers, ca, servername: undefined }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

function plainRequest(port: number, p: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

function rpc(port: number, ca: string, method: string, params: unknown, token?: string): Promise<{ status: number; body: any; headers: http.IncomingHttpHeaders }> {
  return httpsRequest(port, ca, `/api/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(params),
  }).then((r) => ({ status: r.status, body: JSON.parse(r.body || 'null'), headers: r.headers }));
}

/** SHA-256 of a PEM certificate as "AB:CD:…". */
function fingerprintOf(pem: string): string {
  return new crypto.X509Certificate(pem).fingerprint256;
}

/** The plain HTTP side of a TLS port: nothing of the console, the API or a session in any answer. */
function expectNoData(r: Reply): void {
  expect(r.headers['set-cookie']).toBeUndefined();
  expect(r.body).not.toMatch(/"token"|"version"|"cameras"|"user"|<div id="root"|<script/);
  expect(r.body.length).toBeLessThan(400);
}

describe('serve --tls with a generated self-signed certificate', () => {
  let s: Serve;
  let ca: string;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = path.join(tmp, 'generated');
    s = await serve(dataDir, ['--tls', '--demo']);
    expect(s.out()).toMatch(/Console: +https:\/\/127\.0\.0\.1:\d+\//);
    ca = fs.readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8');
  }, 120_000);
  afterAll(() => s?.stop());

  it('prints the certificate\'s SHA-256 fingerprint and keeps the key 0600 in the data dir', () => {
    expect(s.out()).toContain(`SHA-256 fingerprint ${fingerprintOf(ca)}`);
    expect(fs.statSync(path.join(dataDir, 'tls', 'key.pem')).mode & 0o777).toBe(0o600);
  });

  it('serves the API over https to a client that trusts only this certificate; Secure cookie, HSTS', async () => {
    const login = await rpc(s.port, ca, 'auth.login', { username: 'admin', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.token).toBeTruthy();
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/gh_session=.*HttpOnly; SameSite=Strict;.*; Secure/);
    expect(login.headers['strict-transport-security']).toBe('max-age=31536000');
    const info = await rpc(s.port, ca, 'system.remoteAccess', {}, login.body.token);
    expect(info.body.listeners[0]).toMatchObject({ beyondLoopback: false, hsts: true, tls: { source: 'generated', fingerprint256: fingerprintOf(ca) } });
    expect(info.body.adminTotpRequired).toBe(false);
    // the console page: CSP with wss only
    const page = await httpsRequest(s.port, ca, '/');
    expect(page.headers['content-security-policy'] ?? '').toMatch(/connect-src 'self' wss:\/\/127\.0\.0\.1:\d+;/);
    // a client that does not trust it gets nothing
    await expect(httpsRequest(s.port, tls.rootCertificates.join('\n'), '/api/health')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('the WebSocket and live video work over wss', async () => {
    const token = (await rpc(s.port, ca, 'auth.login', { username: 'admin', password: PASSWORD })).body.token as string;
    const ws = new WebSocket(`wss://127.0.0.1:${s.port}/api/ws`, { ca, headers: { authorization: `Bearer ${token}` } });
    const hello = await new Promise<any>((resolve, reject) => {
      ws.once('message', (d) => resolve(JSON.parse(d.toString())));
      ws.once('error', reject);
    });
    expect(hello.hello.user).toEqual({ username: 'admin', role: 'admin' });
    ws.send(JSON.stringify({ id: 1, method: 'cameras.list', params: {} }));
    const cams = await new Promise<any>((resolve) => ws.on('message', (d) => JSON.parse(d.toString()).id === 1 && resolve(JSON.parse(d.toString()))));
    ws.close();
    const cam = cams.result[0];
    expect(cam).toBeTruthy();
    // live fMP4: the JSON init frame, then binary init segment and fragments
    const live = new WebSocket(`wss://127.0.0.1:${s.port}/api/live?camera=${cam.id}&stream=sub`, { ca, headers: { authorization: `Bearer ${token}` } });
    let init: any = null;
    let binary = 0;
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no live video over wss in 60 s (init ${JSON.stringify(init)}, ${binary} binary frames)`)), 60_000);
      live.on('message', (d, isBinary) => {
        if (!isBinary) init = init ?? JSON.parse(d.toString());
        else {
          binary++;
          bytes += (d as Buffer).length;
        }
        if (init && binary >= 3) {
          clearTimeout(t);
          resolve();
        }
      });
      live.on('error', reject);
    });
    live.close();
    expect(init.type).toBe('init');
    expect(bytes).toBeGreaterThan(1000);
  }, 90_000);

  it('plain HTTP to the TLS port gets no data: a redirect for pages, 400 for the API and sockets', async () => {
    const page = await plainRequest(s.port, '/');
    expect(page.status).toBe(308);
    expect(page.headers.location).toBe(`https://127.0.0.1:${s.port}/`);
    expectNoData(page);
    const health = await plainRequest(s.port, '/api/health');
    expect(health.status).toBe(400);
    expect(JSON.parse(health.body).error.message).toMatch(/HTTPS only/);
    expectNoData(health);
    // the right password over plain HTTP: no session, no answer of the engine
    const login = await plainRequest(s.port, '/api/rpc/auth.login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    expect(login.status).toBe(400);
    expectNoData(login);
    const media = await plainRequest(s.port, '/api/media/demo-1/stream.mp4?from=2026-01-01T00:00:00Z&to=2026-01-01T00:01:00Z');
    expect(media.status).toBe(400);
    expectNoData(media);
    // a WebSocket upgrade over plain HTTP
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api/ws`);
    const err = await new Promise<Error>((resolve) => ws.once('error', resolve));
    expect(err.message).toMatch(/400/);
    // a host this server does not answer to: refused before anything else
    const rebind = await plainRequest(s.port, '/', { headers: { host: 'evil.example:1' } });
    expect(rebind.status).toBe(421);
    expectNoData(rebind);
    // and raw bytes that are neither TLS nor HTTP: closed without an answer from the engine
    const answer = await new Promise<string>((resolve) => {
      const c = net.connect(s.port, '127.0.0.1', () => c.write('hello there\r\n\r\n'));
      let got = '';
      c.on('data', (d) => (got += d.toString()));
      c.on('close', () => resolve(got));
      c.on('error', () => resolve(got));
    });
    expect(answer).not.toMatch(/"token"|"version"/);
  });

  it('keeps the certificate across restarts (same names): the fingerprint does not change', async () => {
    const before = fingerprintOf(ca);
    await s.stop();
    s = await serve(dataDir, ['--tls'], { port: s.port });
    expect(s.out()).toContain(`SHA-256 fingerprint ${before}`);
    expect(s.out()).not.toMatch(/a new self-signed certificate was made/);
  }, 120_000);
});

describe('serve --tls --cert --key with a certificate made by openssl', () => {
  let s: Serve;
  let certFile: string;
  let keyFile: string;
  beforeAll(async () => {
    const dir = path.join(tmp, 'openssl');
    fs.mkdirSync(dir);
    certFile = path.join(dir, 'cert.pem');
    keyFile = path.join(dir, 'key.pem');
    const r = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '30', '-subj', '/CN=gatehouse-test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    fs.chmodSync(keyFile, 0o600);
    s = await serve(path.join(tmp, 'given'), ['--cert', certFile, '--key', keyFile]);
  }, 120_000);
  afterAll(() => s?.stop());

  it('serves with it and prints the fingerprint openssl gives', async () => {
    const o = spawnSync('openssl', ['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    const fp = /=([0-9A-F:]+)/.exec(o.stdout)![1]!;
    expect(s.out()).toContain(`SHA-256 fingerprint ${fp}`);
    const ca = fs.readFileSync(certFile, 'utf8');
    const login = await rpc(s.port, ca, 'auth.login', { username: 'admin', password: PASSWORD });
    expect(login.status).toBe(200);
    const info = await rpc(s.port, ca, 'system.remoteAccess', {}, login.body.token);
    expect(info.body.listeners[0].tls).toMatchObject({ source: 'given', certFile, fingerprint256: fp });
  });
});

describe('bad certificates and keys stop the start with their message; nothing is served', () => {
  let dir: string;
  let a: { cert: string; key: string };
  let b: { cert: string; key: string };
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text, { mode: 0o600 });
    return f;
  };
  beforeAll(async () => {
    dir = path.join(tmp, 'bad');
    fs.mkdirSync(dir);
    a = await makeSelfSigned(['localhost', '127.0.0.1']);
    b = await makeSelfSigned(['localhost', '127.0.0.1']);
  });

  const cases: Array<[string, () => string[], RegExp]> = [
    ['a key that does not match the certificate', () => ['--cert', write('a.crt', a.cert), '--key', write('b.key', b.key)], /does not match the private key/],
    ['cert and key swapped', () => ['--cert', write('a2.key', a.key), '--key', write('a2.crt', a.cert)], /swap --cert and --key/],
    ['a missing key file', () => ['--cert', write('a3.crt', a.cert), '--key', path.join(dir, 'nope.key')], /cannot read the TLS private key .*no such file/],
    ['a file that is not PEM', () => ['--cert', write('junk.crt', 'not a certificate'), '--key', write('a4.key', a.key)], /not a PEM file/],
    ['--cert without --key', () => ['--cert', write('a5.crt', a.cert)], /--cert needs --key/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const port = await freePort();
      const s = await serve(path.join(dir, 'data'), args(), { port });
      expect(s.running).toBe(false);
      expect(await s.exited).not.toBe(0);
      expect(s.out()).toMatch(message);
      // nothing listens on the port, in plain text or otherwise
      await expect(plainRequest(port, '/')).rejects.toThrow(/ECONNREFUSED/);
    }, 60_000);
  }

  it('an expired certificate', async () => {
    const old = await makeSelfSigned(['localhost', '127.0.0.1'], new Date(Date.now() - 900 * 86_400_000));
    const port = await freePort();
    const s = await serve(path.join(dir, 'data'), ['--cert', write('old.crt', old.cert), '--key', write('old.key', old.key)], { port });
    expect(s.running).toBe(false);
    expect(s.out()).toMatch(/expired on .*renew it.*Nothing was started/s);
    await expect(plainRequest(port, '/')).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);

  it('plain HTTP beyond loopback without --insecure-http is refused with what to do', async () => {
    const port = await freePort();
    const s = await serve(path.join(dir, 'data'), ['--host', '0.0.0.0'], { port });
    expect(s.running).toBe(false);
    expect(await s.exited).toBe(2);
    expect(s.out()).toMatch(/refusing to serve plain HTTP on 0\.0\.0\.0.*--tls.*--insecure-http/s);
    await expect(plainRequest(port, '/')).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);
});

describe('--insecure-http', () => {
  it('serves plain HTTP beyond loopback only when asked, with a warning', async () => {
    const s = await serve(path.join(tmp, 'insecure'), ['--host', '0.0.0.0', '--insecure-http']);
    try {
      expect(s.running).toBe(true);
      expect(s.out()).toMatch(/WARNING: plain HTTP on 0\.0\.0\.0 \(--insecure-http\)/);
      const r = await plainRequest(s.port, '/api/health');
      expect(r.status).toBe(200);
      expect(r.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await s.stop();
    }
  }, 120_000);
});

describe('beyond loopback: --host 0.0.0.0 --tls, admins enrol two-factor sign-in', () => {
  let s: Serve;
  let ca: string;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = path.join(tmp, 'remote');
    s = await serve(dataDir, ['--host', '0.0.0.0', '--tls']);
    ca = fs.readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8');
  }, 120_000);
  afterAll(() => s?.stop());

  it('an admin without two-factor must enrol; then signs in with a code; the CLI resets it (audited)', async () => {
    expect(s.out()).toMatch(/admins sign in with a two-factor code/);
    const first = await rpc(s.port, ca, 'auth.login', { username: 'admin', password: PASSWORD });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ next: 'enrol', username: 'admin' });
    expect(first.headers['set-cookie']).toBeUndefined();
    const e = await rpc(s.port, ca, 'auth.totpEnrolBegin', { ticket: first.body.ticket, username: 'admin' });
    expect(e.body.qrSvg).toMatch(/^<svg/);
    const done = await rpc(s.port, ca, 'auth.totpEnrolFinish', { ticket: first.body.ticket, username: 'admin', code: totpCode(e.body.secret, Date.now()) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.recoveryCodes).toHaveLength(10);
    expect(String(done.headers['set-cookie'])).toMatch(/gh_session=.*Secure/);
    const info = await rpc(s.port, ca, 'system.remoteAccess', {}, done.body.token);
    expect(info.body.adminTotpRequired).toBe(true);
    expect(info.body.listeners[0]).toMatchObject({ host: '0.0.0.0', beyondLoopback: true });

    // the next sign-in asks for a code; a wrong one is refused, a recovery code works once
    const second = await rpc(s.port, ca, 'auth.login', { username: 'admin', password: PASSWORD });
    expect(second.body.next).toBe('totp');
    const wrong = await rpc(s.port, ca, 'auth.totpVerify', { ticket: second.body.ticket, username: 'admin', code: '000000' });
    expect(wrong.status).toBe(401);
    const ok = await rpc(s.port, ca, 'auth.totpVerify', { ticket: second.body.ticket, username: 'admin', code: done.body.recoveryCodes[0] });
    expect(ok.body).toMatchObject({ secondFactor: 'recovery', recoveryLeft: 9 });

    // locked out: the CLI turns it off while the server runs; the next sign-in enrols again
    const reset = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'users', 'totp-reset', '--username', 'admin', '--data', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(reset.status, reset.stdout + reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/Two-factor sign-in of "admin" is off/);
    await new Promise((r) => setTimeout(r, 1500)); // the server reloads the config
    expect((await rpc(s.port, ca, 'auth.login', { username: 'admin', password: PASSWORD })).body.next).toBe('enrol');
    expect((await rpc(s.port, ca, 'auth.me', {}, ok.body.token)).status).toBe(401); // its sessions ended

    const audit = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'audit', 'list', '--data', dataDir, '--json', '--limit', '50'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const actions = (JSON.parse(audit.stdout) as Array<{ action: string; actor: string }>).map((r) => `${r.action}:${r.actor}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'auth.login.password:admin',
        'auth.totp.enrol:admin',
        'auth.login:admin',
        'auth.login.failed:admin',
        'auth.totp.recoveryUsed:admin',
        `users.totpReset:os:${os.userInfo().username}`,
      ]),
    );
  }, 120_000);
});
