/**
 * Two-factor sign-in in the console (issue 16 item 6), against a real
 * server: a guard turns it on under Settings → Account (QR code made by the
 * engine, the first code, ten recovery codes), then signs in with the
 * password and a code; a code used once is refused; a recovery code works
 * once and the console says how many are left. An admin on a server that
 * requires it (security.adminTotp "always", as behind a reverse proxy; a
 * non-loopback --host does the same) enrols at sign-in.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { totpCode } from '../main/engine/auth/totp.js';
import { CURRENT_SCHEMA_VERSION } from '../main/engine/config/schema.js';
import { expect, startServer, test } from './helpers/server.js';

const GUARD = { username: 'tess', password: 'tess-guard-password' };

test.describe.configure({ mode: 'serial' });

async function password(page: Page, url: string, u: { username: string; password: string }) {
  await page.goto(url + '/');
  await page.getByTestId('login-username').fill(u.username);
  await page.getByTestId('login-password').fill(u.password);
  await page.getByTestId('login-submit').click();
}

async function code(page: Page, value: string) {
  await expect(page.getByTestId('login-totp-form')).toBeVisible();
  await page.getByTestId('login-code').fill(value);
  await page.getByTestId('login-code-submit').click();
}

test('a guard turns two-factor on, signs in with a code; a used code is refused; a recovery code works once', async ({ page, server }) => {
  const admin = await server.token();
  expect((await server.rpc('users.add', { ...GUARD, role: 'guard' }, admin)).status).toBe(200);

  await password(page, server.url, GUARD);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await page.goto(server.url + '/#/settings?tab=account');
  await expect(page.getByTestId('totp-card')).toHaveAttribute('data-enabled', 'false');
  await page.getByTestId('totp-start').click();
  await page.getByTestId('totp-password').fill(GUARD.password);
  await page.getByTestId('totp-confirm').click();
  await expect(page.getByTestId('totp-qr')).toBeVisible();
  // the QR code is an image made by the engine: an SVG data URL, nothing fetched from elsewhere
  expect(await page.getByTestId('totp-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
  const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByTestId('totp-code').fill('000000');
  await page.getByTestId('totp-confirm').click();
  await expect(page.getByTestId('totp-code-error')).toContainText('not right');
  await page.getByTestId('totp-code').fill(totpCode(secret, Date.now()));
  await page.getByTestId('totp-confirm').click();
  await expect(page.getByTestId('recovery-codes').locator('code')).toHaveCount(10);
  const codes = (await page.getByTestId('recovery-codes').locator('code').allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  await page.getByTestId('recovery-codes-done').click();
  await expect(page.getByTestId('totp-card')).toHaveAttribute('data-enabled', 'true');
  await expect(page.getByTestId('totp-recovery-left')).toHaveText('10');
  await page.getByTestId('logout').click();

  // the password alone is not enough any more; the next step's code (the enrolment used this one)
  await password(page, server.url, GUARD);
  await code(page, '000000');
  await expect(page.getByTestId('login-error')).toContainText('not right');
  const next = totpCode(secret, Date.now() + 30_000);
  await code(page, next);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await expect(page.getByTestId('current-user')).toContainText(GUARD.username);
  await page.getByTestId('logout').click();

  // the same code again, within its window: refused
  await password(page, server.url, GUARD);
  await code(page, next);
  await expect(page.getByTestId('login-error')).toContainText('used already');

  // a recovery code instead
  await code(page, codes[0]!);
  await expect(page.getByTestId('recovery-used-dialog')).toContainText('9 recovery codes left');
  await page.keyboard.press('Escape');
  await page.getByTestId('logout').click();
  await password(page, server.url, GUARD);
  await code(page, codes[0]!);
  await expect(page.getByTestId('login-error')).toContainText('not right');

  // the audit trail has each step, never a code
  const audit = await server.rpc('audit.list', { actor: GUARD.username, limit: 100 }, admin);
  const actions = audit.body.items.map((r: { action: string }) => r.action);
  expect(actions).toEqual(expect.arrayContaining(['auth.totp.enrol', 'auth.login.password', 'auth.login', 'auth.login.failed', 'auth.totp.recoveryUsed']));
  expect(JSON.stringify(audit.body.items)).not.toContain(next);
  expect(JSON.stringify(audit.body.items)).not.toContain(codes[0]!);
});

test('an admin where two-factor is required enrols at sign-in and gets the recovery codes', async ({ browser }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'totp-e2e-'));
  fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ schemaVersion: CURRENT_SCHEMA_VERSION, security: { adminTotp: 'always' } }));
  const server = await startServer({ dataDir, demo: false });
  try {
    const page = await browser.newPage();
    await password(page, server.url, { username: 'admin', password: server.adminPassword });
    await expect(page.getByTestId('totp-enrol')).toBeVisible();
    await expect(page.getByTestId('totp-qr')).toBeVisible();
    await page.getByText("Can't scan? Type the key").click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
    await page.getByTestId('login-code').fill(totpCode(secret, Date.now()));
    await page.getByTestId('login-code-submit').click();
    await expect(page.getByTestId('recovery-codes-dialog')).toBeVisible();
    await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
    await page.getByTestId('recovery-codes-done').click();
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
    await expect(page.getByTestId('current-user')).toHaveAttribute('data-role', 'admin');
    // Settings → Remote access says it is required; the Users tab shows who has it
    await page.goto(server.url + '/#/settings?tab=remote');
    await expect(page.getByTestId('remote-admin-totp')).toHaveAttribute('data-required', 'true');
    await page.goto(server.url + '/#/settings?tab=users');
    await expect(page.locator('[data-testid="users-row"][data-username="admin"] [data-testid="users-totp"]')).toHaveAttribute('data-on', 'true');
    await page.close();
  } finally {
    await server.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
