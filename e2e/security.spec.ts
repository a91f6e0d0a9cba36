/**
 * Issue 18's security items in the real console (Chromium) against a real
 * `gatehouse serve`: the console is signed out, and says why, when its
 * session ends elsewhere (disabled, password reset, logout in another tab);
 * it follows a role change without a new login; a page on another port of
 * the same host (same-site, so the SameSite=Strict cookie goes along) can't
 * post to the API; a name that DNS points at the server (rebinding) is
 * refused; and the admin password is not left in serve's command line.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { expect, login, test } from './helpers/server.js';

test.describe('security', () => {
  test('the console is signed out, with the reason, when an admin disables the user or resets the password', async ({ page, server }) => {
    const admin = await server.token();
    expect((await server.rpc('users.add', { username: 'guard-sec', password: 'guard-sec-password', role: 'guard' }, admin)).status).toBe(200);
    await login(page, server, 'guard-sec', 'guard-sec-password');
    expect((await server.rpc('users.update', { username: 'guard-sec', disabled: true }, admin)).status).toBe(200);
    await expect(page.getByTestId('login-form')).toBeVisible();
    await expect(page.getByTestId('login-signed-out')).toHaveText('Signed out: your account was disabled by an administrator. Log in again.');
    await expect(page.getByTestId('nav-cameras')).toHaveCount(0);

    expect((await server.rpc('users.update', { username: 'guard-sec', disabled: false }, admin)).status).toBe(200);
    await page.getByTestId('login-username').fill('guard-sec');
    await page.getByTestId('login-password').fill('guard-sec-password');
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('current-user')).toHaveAttribute('data-role', 'guard');
    await expect(page.getByTestId('login-signed-out')).toHaveCount(0);

    expect((await server.rpc('users.resetPassword', { username: 'guard-sec', password: 'guard-sec-new-password' }, admin)).status).toBe(200);
    await expect(page.getByTestId('login-signed-out')).toContainText('your password was reset by an administrator');
  });

  test('logging out in one tab signs the other tab out', async ({ page, context, server }) => {
    await login(page, server);
    const other = await context.newPage();
    await other.goto(server.url + '/');
    await expect(other.getByTestId('current-user')).toBeVisible();
    await other.getByTestId('logout').click();
    await expect(other.getByTestId('login-form')).toBeVisible();
    await expect(page.getByTestId('login-signed-out')).toContainText('Signed out: you logged out');
    await other.close();
  });

  test('a role change reaches the open console without a new login', async ({ page, server }) => {
    const admin = await server.token();
    expect((await server.rpc('users.add', { username: 'guard-role', password: 'guard-role-password', role: 'guard' }, admin)).status).toBe(200);
    await login(page, server, 'guard-role', 'guard-role-password');
    await expect(page.getByTestId('current-user')).toHaveAttribute('data-role', 'guard');
    expect((await server.rpc('users.update', { username: 'guard-role', role: 'supervisor' }, admin)).status).toBe(200);
    await expect(page.getByTestId('current-user')).toHaveAttribute('data-role', 'supervisor');
    await expect(page.getByTestId('login-form')).toHaveCount(0);
  });

  test("a page on another port of this host can't use the admin's cookie to change anything", async ({ page, context, server }) => {
    await login(page, server);
    // The attacker's page: same host, another port (same-site: the SameSite=Strict cookie is sent).
    const target = `${server.url}/api/rpc/users.add`;
    const evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><body>
        <form id="f" method="POST" action="${target}" enctype="text/plain">
          <input name='{"username":"mallory","role":"admin","password":"mallory-pass' value='word"}'>
        </form></body>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    try {
      const tab = await context.newPage();
      await tab.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      // A script of that page: a no-cors fetch with the cookie (it can't read the answer, only cause effects) ...
      await tab.evaluate(async (t) => {
        await fetch(t, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ username: 'mallory2', password: 'mallory-password', role: 'admin' }),
        }).catch(() => undefined);
      }, target);
      // ... and a form posted as text/plain whose body is valid JSON.
      const [res] = await Promise.all([
        tab.waitForResponse((r) => r.url() === target && r.request().resourceType() === 'document'),
        tab.evaluate(() => (document.getElementById('f') as HTMLFormElement).submit()),
      ]);
      expect(res.status()).toBe(403);
      const users = await server.rpc('users.list', {}, await server.token());
      expect(users.body.map((u: { username: string }) => u.username)).not.toContain('mallory');
      expect(users.body.map((u: { username: string }) => u.username)).not.toContain('mallory2');
      // (the tab goes with the context: closing it by hand right after the refused POST can stall Chromium)
    } finally {
      evil.close();
    }
  });

  test("the admin password given on serve's command line is not in its process list entry", async ({ server }) => {
    test.skip(process.platform !== 'linux', '/proc/<pid>/cmdline is Linux');
    const fs = await import('node:fs');
    const cmdline = fs.readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').replace(/\0+/g, ' ');
    expect(cmdline).toMatch(/^gatehouse serve --data .* --admin-password \*\*\*/);
    expect(cmdline).not.toContain(server.adminPassword);
  });

  test('a host name that DNS points at the server (rebinding) is refused with 421', async ({ server }) => {
    const browser = await chromium.launch({
      executablePath: process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP rebind.attacker.test 127.0.0.1'],
    });
    try {
      const p = await browser.newPage();
      const res = await p.goto(`http://rebind.attacker.test:${server.port}/`);
      expect(res?.status()).toBe(421);
      await expect(p.locator('body')).toContainText('--allowed-hosts rebind.attacker.test');
    } finally {
      await browser.close();
    }
  });
});
