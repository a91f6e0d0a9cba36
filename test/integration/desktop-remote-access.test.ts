/**
 * The desktop app's remote-access setting (config "remoteAccess", Settings →
 * Remote access): the engine host keeps the windows' console on
 * http://127.0.0.1 and opens a second, HTTPS-only listener for other
 * machines; a bad certificate turns only that one off, with the reason.
 * The engine host runs under plain Node (tsx), as the shell starts it in a
 * clone; the remote listener binds 127.0.0.1 here (tests stay on loopback).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineProcess } from '../../main/desktop/engine-process.js';
import { CURRENT_SCHEMA_VERSION } from '../../main/engine/config/schema.js';
import type { HostMessage } from '../../main/desktop/host-protocol.js';
import { makeSelfSigned } from '../../main/server/self-signed.js';
import { repoRoot } from '../fixtures/media.js';
import { expectLogErrors } from '../support/log-guard.js';

const host = path.join(repoRoot, 'main', 'desktop', 'engine-host.ts');
let dir: string;
let proc: EngineProcess | null = null;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-host-remote-'));
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
});
afterEach(async () => {
  await proc?.stop(5000);
  proc = null;
  fs.rmSync(dir, { recursive: true, force: true });
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

function writeConfig(remoteAccess: Record<string, unknown>): void {
  fs.writeFileSync(path.join(dir, 'data', 'config.json'), JSON.stringify({ schemaVersion: CURRENT_SCHEMA_VERSION, remoteAccess }));
}

function start(remote: { host: string; certFile: string | null; keyFile: string | null } | null = null) {
  const messages: HostMessage[] = [];
  proc = new EngineProcess({
    command: process.execPath,
    args: ['--import', 'tsx', host],
    env: { ...process.env, GATEHOUSE_LOG: 'warn' },
    start: { dataDir: path.join(dir, 'data'), port: 0, adminPassword: 'admin-password', demoIfNew: false, key: null, remote },
    logFile: path.join(dir, 'host.log'),
    onMessage: (m) => messages.push(m),
    onExit: () => {},
  });
  proc.start();
  return messages;
}

function get(url: string, ca: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('desktop remote access', () => {
  it('opens an HTTPS listener beside the loopback console, with the self-signed certificate', async () => {
    const port = await freePort();
    writeConfig({ enabled: true, host: '127.0.0.1', port });
    const messages = start();
    await expect.poll(() => messages.find((m) => m.type === 'remote' || m.type === 'remoteFailed'), { timeout: 60_000 }).toBeTruthy();
    const remote = messages.find((m) => m.type === 'remote') as Extract<HostMessage, { type: 'remote' }>;
    expect(remote, JSON.stringify(messages)).toBeTruthy();
    expect(remote.url).toBe(`https://127.0.0.1:${port}`);
    const ca = fs.readFileSync(path.join(dir, 'data', 'tls', 'cert.pem'), 'utf8');
    expect(remote.fingerprint).toBe(new crypto.X509Certificate(ca).fingerprint256);
    // the windows' console: plain HTTP on loopback, as before
    expect(proc!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${proc!.url}/api/health`)).status).toBe(200);
    // the remote listener: HTTPS with HSTS, and it shows in system.remoteAccess
    const health = await get(`${remote.url}/api/health`, ca);
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toBe('max-age=31536000');
    const login = await fetch(`${proc!.url}/api/rpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-password' }) });
    const { token } = (await login.json()) as { token: string };
    const info = (await (await fetch(`${proc!.url}/api/rpc/system.remoteAccess`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as {
      listeners: Array<{ url: string; tls: unknown }>;
      desktop: { enabled: boolean; port: number };
    };
    expect(info.listeners.map((l) => [l.url, !!l.tls])).toEqual([
      [proc!.url, false],
      [remote.url, true],
    ]);
    expect(info.desktop).toMatchObject({ enabled: true, port });
  }, 90_000);

  it('a bad certificate turns remote access off with the reason; the local console works on', async () => {
    expectLogErrors(/remote access is off/);
    const a = await makeSelfSigned(['127.0.0.1']);
    const b = await makeSelfSigned(['127.0.0.1']);
    const certFile = path.join(dir, 'a.crt');
    const keyFile = path.join(dir, 'b.key');
    fs.writeFileSync(certFile, a.cert);
    fs.writeFileSync(keyFile, b.key, { mode: 0o600 });
    const port = await freePort();
    writeConfig({ enabled: false, host: '127.0.0.1', port });
    // `gatehouse start --tls --cert A --key B` passes them over the setting
    const messages = start({ host: '127.0.0.1', certFile, keyFile });
    await expect.poll(() => messages.find((m) => m.type === 'remote' || m.type === 'remoteFailed'), { timeout: 60_000 }).toBeTruthy();
    const failed = messages.find((m) => m.type === 'remoteFailed') as Extract<HostMessage, { type: 'remoteFailed' }>;
    expect(failed?.message).toMatch(/remote access is off: the certificate in .* does not match the private key/);
    expect((await fetch(`${proc!.url}/api/health`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  }, 90_000);
});
