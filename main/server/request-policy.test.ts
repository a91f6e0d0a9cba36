import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printable, isPrintable } from '../engine/util/printable.js';
import { checkFetchSite, checkOrigin, HostPolicy, hostnameOf } from './request-policy.js';
import { consoleCsp, isInside } from './static.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as http.IncomingMessage;

describe('Host header policy', () => {
  it('parses host names out of Host headers', () => {
    expect(hostnameOf('127.0.0.1:8780')).toBe('127.0.0.1');
    expect(hostnameOf('[::1]:8780')).toBe('::1');
    expect(hostnameOf('NVR.Example.org.')).toBe('nvr.example.org');
    expect(hostnameOf('[::1')).toBeNull();
    expect(hostnameOf('a b')).toBeNull();
    expect(hostnameOf('evil.com:80:90')).toBeNull();
  });

  it('answers to loopback and the --host address only, by default', () => {
    const p = new HostPolicy({ bindHost: '127.0.0.1', allowedHosts: () => [] });
    for (const h of ['127.0.0.1:8780', 'localhost:8780', 'app.localhost', '[::1]:8780', '127.0.0.2']) expect(p.check(req({ host: h })), h).toBeNull();
    const r = p.check(req({ host: 'rebind.attacker.example:8780' }))!;
    expect(r.status).toBe(421);
    expect(r.message).toMatch(/--allowed-hosts rebind\.attacker\.example/);
    expect(p.check(req({}))).toMatchObject({ status: 400, message: expect.stringMatching(/no Host header/) });
    const lan = new HostPolicy({ bindHost: '192.168.7.20', allowedHosts: () => [] });
    expect(lan.check(req({ host: '192.168.7.20:8780' }))).toBeNull();
    expect(lan.check(req({ host: '192.168.7.21:8780' }))).toMatchObject({ status: 421 });
  });

  it('answers to the configured names, with *. for subdomains', () => {
    const p = new HostPolicy({ bindHost: '0.0.0.0', allowedHosts: () => ['nvr.example.org', '*.site.example', '[fd00::5]'] });
    expect(p.check(req({ host: 'NVR.example.org' }))).toBeNull();
    expect(p.check(req({ host: 'cam.site.example:8780' }))).toBeNull();
    expect(p.check(req({ host: '[fd00::5]:8780' }))).toBeNull();
    expect(p.check(req({ host: 'site.example' }))).toMatchObject({ status: 421 });
    expect(p.check(req({ host: 'evilsite.example' }))).toMatchObject({ status: 421 });
  });

  it("bound to every address, answers to this machine's own addresses", () => {
    const p = new HostPolicy({ bindHost: '0.0.0.0', allowedHosts: () => [] });
    const mine = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (mine) expect(p.check(req({ host: `${mine.address}:8780` }))).toBeNull();
    expect(p.check(req({ host: '203.0.113.9:8780' }))).toMatchObject({ status: 421 });
  });
});

describe('Origin policy', () => {
  it('lets programs without Origin through, and same-origin pages', () => {
    expect(checkOrigin(req({ host: '127.0.0.1:8780' }))).toBeNull();
    expect(checkOrigin(req({ host: '127.0.0.1:8780', origin: 'http://127.0.0.1:8780', 'sec-fetch-site': 'same-origin' }))).toBeNull();
    expect(checkOrigin(req({ host: 'nvr.example.org', origin: 'https://nvr.example.org' }))).toBeNull();
  });

  it('refuses other sites, other ports of this host, opaque origins', () => {
    const cases: Record<string, string>[] = [
      { host: '127.0.0.1:8780', origin: 'http://evil.example' },
      { host: '127.0.0.1:8780', origin: 'http://127.0.0.1:3000' },
      { host: '127.0.0.1:8780', origin: 'null' },
      { host: '127.0.0.1:8780', 'sec-fetch-site': 'cross-site' },
      { host: '127.0.0.1:8780', 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:8780' },
    ];
    for (const h of cases) {
      expect(checkOrigin(req(h)), JSON.stringify(h)).toMatchObject({ status: 403, code: 'forbidden' });
    }
    expect(checkOrigin(req({ host: '127.0.0.1:8780', origin: 'http://evil.example' }))!.message).toMatch(/from http:\/\/evil\.example was refused/);
    expect(checkFetchSite(req({ 'sec-fetch-site': 'same-site' }))).toMatchObject({ status: 403 });
    expect(checkFetchSite(req({ 'sec-fetch-site': 'same-origin' }))).toBeNull();
  });
});

describe('static files', () => {
  it('checks paths, not string prefixes', () => {
    const root = path.resolve('/srv/dist/renderer');
    expect(isInside(root, path.join(root, 'assets', 'app.js'))).toBe(true);
    expect(isInside(root, root)).toBe(true);
    expect(isInside(root, path.resolve('/srv/dist/renderer-x/secret.txt'))).toBe(false);
    expect(isInside(root, path.resolve('/srv/dist'))).toBe(false);
    expect(isInside(root, path.join(root, '..foo'))).toBe(true); // a file named "..foo" inside is inside
  });

  it('lets the console connect to its own origin only', () => {
    const csp = consoleCsp('127.0.0.1:8780');
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:8780 wss:\/\/127\.0\.0\.1:8780;/);
    expect(csp).not.toMatch(/ws: |wss: |ws:;|wss:;/);
    expect(csp).toMatch(/worker-src 'self'; manifest-src 'self'/);
  });

  it('over TLS, only wss:// to itself', () => {
    const csp = consoleCsp('nvr.example.org:8443', true);
    expect(csp).toMatch(/connect-src 'self' wss:\/\/nvr\.example\.org:8443;/);
    expect(csp).not.toMatch(/ws:\/\//);
  });
});

describe('printable', () => {
  it('escapes control characters and bidi overrides, and nothing else', () => {
    expect(printable('evil\r\nINFO forged')).toBe('evil\\r\\nINFO forged');
    expect(printable('a\u001b[2Jb\u0085c')).toBe('a\\x1b[2Jb\\x85c');
    expect(printable('admin\u202eevil\u2066')).toBe('admin\\u202eevil\\u2066');
    expect(printable('Zoë – gate 3 ✓')).toBe('Zoë – gate 3 ✓');
    expect(isPrintable('plain')).toBe(true);
    expect(isPrintable('x\u2028y')).toBe(false);
  });
});
