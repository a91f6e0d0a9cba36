/**
 * The console over HTTPS in Chromium (issue 16 item 1). The browser trusts
 * the server's certificate by its public key only
 * (--ignore-certificate-errors-spki-list=<SHA-256 of the SPKI>, not
 * ignoreHTTPSErrors): a generated self-signed certificate, and one made here
 * with openssl. Login, the event socket (wss), live video (fMP4 over wss),
 * recorded media, the Secure cookie, HSTS, the fingerprint in Settings →
 * Remote access, and the service worker (a secure context). A browser that
 * does not trust the certificate gets no page.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { expect, startServer, test, type ServerHandle } from './helpers/server.js';

const CHROMIUM = process.env.GATEHOUSE_CHROMIUM ?? (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

test.describe.configure({ mode: 'serial' });

function spkiOf(pem: string): string {
  const c = new crypto.X509Certificate(pem);
  return crypto.createHash('sha256').update(c.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

function trusting(pem: string): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...ARGS, `--ignore-certificate-errors-spki-list=${spkiOf(pem)}`] });
}

async function login(page: Page, server: ServerHandle) {
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(server.adminPassword);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-form')).toBeHidden();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
}

test('a generated certificate: the console, wss events, live video, media, Secure cookie, HSTS and the fingerprint over https', async () => {
  const server = await startServer({ tls: true, args: ['--tls'], tmpPrefix: 'tls-e2e-' });
  const plain = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const browser = await trusting(server.ca!);
  try {
    // without trust: no page at all
    const stranger = await plain.newPage();
    await expect(stranger.goto(server.url + '/')).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID|ERR_CERT/);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const wss: string[] = [];
    page.on('websocket', (ws) => wss.push(ws.url()));
    const res = await page.goto(server.url + '/');
    expect(res!.status()).toBe(200);
    expect(res!.headers()['strict-transport-security']).toBe('max-age=31536000');
    expect(res!.headers()['content-security-policy']).toMatch(/connect-src 'self' wss:\/\/127\.0\.0\.1:\d+;/);
    await login(page, server);
    expect(wss.some((u) => u.startsWith(`wss://127.0.0.1:${server.port}/api/ws`))).toBe(true);
    const cookie = (await context.cookies()).find((c) => c.name === 'gh_session')!;
    expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });

    // live video over wss: the four DEMO tiles play
    await page.goto(server.url + '/#/live');
    const video = page.locator('[data-testid="tile-0"] video[data-stream="sub"]');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 45_000 }).toBeGreaterThan(1);
    expect(wss.some((u) => u.startsWith(`wss://127.0.0.1:${server.port}/api/live?camera=`))).toBe(true);

    // recorded media over https, with the cookie
    const token = await server.token();
    const cams = (await server.rpc('cameras.list', {}, token)).body as Array<{ id: string }>;
    await expect
      .poll(async () => (await server.rpc('recordings.list', { cameraId: cams[0]!.id, from: new Date(Date.now() - 600_000).toISOString(), to: new Date().toISOString() }, token)).body.segments.length, {
        timeout: 45_000,
      })
      .toBeGreaterThan(0);
    const media = await page.evaluate(async (id) => {
      const to = new Date().toISOString();
      const from = new Date(Date.now() - 60_000).toISOString();
      const r = await fetch(`/api/media/${id}/stream.mp4?from=${from}&to=${to}`);
      return { status: r.status, type: r.headers.get('content-type'), bytes: (await r.arrayBuffer()).byteLength };
    }, cams[0]!.id);
    expect(media.status).toBe(200);
    expect(media.bytes).toBeGreaterThan(1000);

    // the fingerprint the user compares, as the server printed it
    const fp = new crypto.X509Certificate(server.ca!).fingerprint256;
    expect(server.log()).toContain(`SHA-256 fingerprint ${fp}`);
    await page.goto(server.url + '/#/settings?tab=remote');
    await expect(page.getByTestId('remote-fingerprint')).toHaveText(fp);
    await expect(page.getByTestId('remote-listener')).toHaveAttribute('data-tls', 'true');

    // installable: the service worker runs in this secure context and keeps only the shell
    const sw = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      const keys = await caches.keys();
      const urls: string[] = [];
      for (const k of keys) for (const r of await (await caches.open(k)).keys()) urls.push(new URL(r.url).pathname);
      return { script: reg.active?.scriptURL ?? '', keys, urls };
    });
    expect(sw.script).toBe(`${server.url}/sw.js`);
    expect(sw.keys).toEqual([expect.stringMatching(/^gatehouse-shell-[0-9a-f]{16}$/)]);
    expect(sw.urls).toEqual(expect.arrayContaining(['/index.html', '/manifest.webmanifest', '/icons/icon-192.png']));
    expect(sw.urls.filter((u) => u.startsWith('/api/'))).toEqual([]);
    await context.close();
  } finally {
    await browser.close();
    await plain.close();
    await server.dispose();
  }
});

test('a certificate made with openssl: the phone console logs in and plays a camera live over wss', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-e2e-cert-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '30', '-subj', '/CN=gatehouse-e2e', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    { encoding: 'utf8' },
  );
  expect(made.status, made.stderr).toBe(0);
  fs.chmodSync(keyFile, 0o600);
  const server = await startServer({ tls: true, args: ['--cert', certFile, '--key', keyFile], tmpPrefix: 'tls-e2e-given-' });
  const browser = await trusting(fs.readFileSync(certFile, 'utf8'));
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await login(page, server);
    await expect(page.getByTestId('phone-console')).toBeVisible();
    await page.getByTestId('nav-live').tap();
    const video = page.getByTestId('phone-live-video');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 45_000 }).toBeGreaterThan(1);
    await page.goto(server.url + '/#/settings?tab=remote');
    await expect(page.getByTestId('remote-fingerprint')).toHaveText(new crypto.X509Certificate(fs.readFileSync(certFile, 'utf8')).fingerprint256);
    await context.close();
  } finally {
    await browser.close();
    await server.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

