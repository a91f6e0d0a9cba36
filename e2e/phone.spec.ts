/**
 * The phone console (issue 16 item 2) in Chromium as a phone: 390 × 844,
 * touch, mobile. A guard logs in, a panic is raised at the desk (the API),
 * the guard opens it from the banner, acknowledges and closes it by tapping,
 * and switches the arming mode;
 * the engine recorded both steps with the guard's name (same state machine
 * and audit as the desk). On every phone screen nothing is wider than the
 * screen (document.scrollingElement.scrollWidth ≤ innerWidth, and no element
 * reaches past the right edge) and every control is at least 44 × 44 px.
 * A screenshot of each screen goes to the test's output folder; with
 * GATEHOUSE_SCREENSHOTS=1 the README's ones are retaken in docs/screenshots/.
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { ROOT, expect, startServer, test, type ServerHandle } from './helpers/server.js';

/** The screens the docs show (docs/screenshots/phone-<name>.png). */
const IN_DOCS = new Set(['alarms', 'alarm', 'close', 'live', 'more']);

const GUARD = { username: 'pat', password: 'pat-guard-password' };
let server: ServerHandle;

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });

test.beforeAll(async () => {
  server = await startServer({ tmpPrefix: 'phone-e2e-' });
  const admin = await server.token();
  const r = await server.rpc('users.add', { ...GUARD, role: 'guard' }, admin);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
});
test.afterAll(async () => {
  await server?.dispose();
});

/** What a phone screen must hold to: no horizontal scrolling, nothing past the edge, targets of 44 px. */
async function checkPhoneScreen(page: Page, name: string): Promise<void> {
  const r = await page.evaluate(() => {
    const w = window.innerWidth;
    const se = document.scrollingElement!;
    const wide: string[] = [];
    const small: string[] = [];
    const label = (el: Element) => `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const b = el.getBoundingClientRect();
      if (b.width === 0 || b.height === 0) continue;
      if (b.right > w + 0.5 || b.left < -0.5) wide.push(`${label(el)} ${Math.round(b.left)}–${Math.round(b.right)}`);
    }
    for (const el of Array.from(document.body.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button]'))) {
      const box = (el as HTMLElement).getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
      // a checkbox is tapped through its label
      const target = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio') ? (el.closest('label') ?? el) : el;
      const t = target.getBoundingClientRect();
      if (t.height < 44 || t.width < 44) small.push(`${label(el)} ${Math.round(t.width)}×${Math.round(t.height)}`);
    }
    return { scrollWidth: se.scrollWidth, innerWidth: w, wide, small };
  });
  expect(r.scrollWidth, `${name}: document scrollWidth`).toBeLessThanOrEqual(r.innerWidth);
  expect(r.wide, `${name}: elements past the screen's edge`).toEqual([]);
  expect(r.small, `${name}: touch targets under 44 px`).toEqual([]);
  const docs = process.env.GATEHOUSE_SCREENSHOTS && IN_DOCS.has(name);
  await page.screenshot({ path: docs ? path.join(ROOT, 'docs', 'screenshots', `phone-${name}.png`) : test.info().outputPath(`phone-${name}.png`) });
}

test('a guard works an alarm by touch on the phone: open, acknowledge, close; every screen fits and has big targets', async ({ page }) => {
  await page.goto(server.url + '/');
  await expect(page.getByTestId('login-form')).toBeVisible();
  await checkPhoneScreen(page, 'login');
  await page.getByTestId('login-username').tap();
  await page.keyboard.type(GUARD.username);
  await page.getByTestId('login-password').tap();
  await page.keyboard.type(GUARD.password);
  await page.getByTestId('login-submit').tap();
  await expect(page.getByTestId('phone-console')).toBeVisible();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await expect(page.getByTestId('alarm-queue-empty')).toBeVisible();
  await checkPhoneScreen(page, 'alarms-empty');

  // the desk raises a panic on a camera
  const admin = await server.token();
  const cams = (await server.rpc('cameras.list', {}, admin)).body as Array<{ id: string }>;
  const raised = await server.rpc('alarms.panic', { cameraId: cams[0]!.id, comment: 'Intruder at the gate' }, admin);
  expect(raised.status, JSON.stringify(raised.body)).toBe(200);
  const id = raised.body.id as number;

  const row = page.locator(`[data-testid="alarm-row"][data-alarm="${id}"]`);
  await expect(row).toHaveAttribute('data-state', 'new');
  await expect(page.getByTestId('phone-banner')).toHaveAttribute('data-alarm', String(id));
  await checkPhoneScreen(page, 'alarms');

  await page.getByTestId('phone-banner').tap();
  const detail = page.getByTestId('alarm-detail');
  await expect(detail).toHaveAttribute('data-alarm', String(id));
  await expect(detail).toHaveAttribute('data-state', 'new');
  await expect(page.getByTestId('alarm-sop')).not.toBeEmpty();
  // the camera live, then the replay before the alarm
  await expect(page.getByTestId('alarm-camera')).toHaveAttribute('data-mode', 'live');
  const live = page.locator('[data-testid="alarm-camera"] video[data-stream="live"]');
  await expect.poll(() => live.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 45_000 }).toBeGreaterThan(0.5);
  await checkPhoneScreen(page, 'alarm');
  await page.getByTestId('phone-media-replay').tap();
  await expect(page.getByTestId('alarm-camera')).toHaveAttribute('data-mode', 'replay');
  await expect(page.locator('[data-testid="alarm-camera"] .am-badge.replay')).toBeVisible();

  // acknowledge by touch
  await page.getByTestId('phone-ack').tap();
  await expect(detail).toHaveAttribute('data-state', 'acknowledged');
  await expect(page.getByTestId('phone-banner')).toHaveCount(0);

  // comment, then close with a quick reason, by touch
  await page.getByTestId('phone-comment').tap();
  await page.getByTestId('alarm-prompt-text').tap();
  await page.keyboard.type('Patrol on its way');
  await page.getByTestId('alarm-prompt-submit').tap();
  await expect(page.getByTestId('alarm-history')).toContainText('Patrol on its way');
  await page.getByTestId('phone-close').tap();
  await expect(page.getByTestId('alarm-prompt-close')).toBeVisible();
  await checkPhoneScreen(page, 'close');
  await page.getByTestId('alarm-reason-1').tap();
  await expect(detail).toHaveAttribute('data-state', 'closed');
  await expect(page.getByTestId('phone-closed')).toContainText('False alarm');
  await checkPhoneScreen(page, 'closed');
  await page.getByTestId('phone-back-queue').tap();
  await expect(page.getByTestId('alarm-queue-empty')).toBeVisible();

  // what the engine recorded: the guard's steps, through the same state machine, in the audit trail
  const got = await server.rpc('alarms.get', { id }, admin);
  expect(got.body.alarm).toMatchObject({ state: 'closed', closeReason: 'False alarm', claimedBy: GUARD.username });
  expect(got.body.entries.map((e: { kind: string; action: string | null; user: string }) => `${e.kind}:${e.action ?? ''}:${e.user}`)).toEqual([
    'raised::admin',
    'transition:acknowledge:pat',
    'comment::pat',
    'transition:close:pat',
  ]);
  const audit = await server.rpc('audit.list', { actor: GUARD.username }, admin);
  expect(audit.body.items.map((r: { action: string }) => r.action)).toEqual(expect.arrayContaining(['auth.login', 'alarm.acknowledge', 'alarm.comment', 'alarm.close']));
});

test('the other phone screens fit: one camera live, the account and the certificate', async ({ page }) => {
  await page.goto(server.url + '/');
  await page.getByTestId('login-username').fill(GUARD.username);
  await page.getByTestId('login-password').fill(GUARD.password);
  await page.getByTestId('login-submit').tap();
  await expect(page.getByTestId('phone-console')).toBeVisible();

  await page.getByTestId('nav-live').tap();
  const video = page.getByTestId('phone-live-video');
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 45_000 }).toBeGreaterThan(0.5);
  const first = await video.getAttribute('data-camera');
  await checkPhoneScreen(page, 'live');
  await page.getByTestId('phone-live-next').tap();
  await expect(video).not.toHaveAttribute('data-camera', first!);
  // one camera at a time
  await expect(page.locator('video')).toHaveCount(1);

  await page.getByTestId('nav-settings').tap();
  await expect(page.getByTestId('totp-card')).toBeVisible();
  await expect(page.getByTestId('settings-remote')).toBeVisible();
  // one two-factor section: the account's card (the desk's policy paragraph is not repeated below it)
  await expect(page.getByRole('heading', { name: 'Two-factor sign-in' })).toHaveCount(1);
  await checkPhoneScreen(page, 'more');
  await page.getByTestId('totp-start').tap();
  await page.getByTestId('totp-password').fill(GUARD.password);
  await page.getByTestId('totp-confirm').tap();
  await expect(page.getByTestId('totp-qr')).toBeVisible();
  await checkPhoneScreen(page, 'totp-enrol');

  // the arming mode in the top bar: a guard switches to Night by touch; Away is for supervisors
  await expect(page.getByTestId('phone-arming')).toHaveAttribute('data-mode', 'day');
  await page.getByTestId('phone-arming').tap();
  await expect(page.getByTestId('phone-arming-sheet')).toBeVisible();
  await expect(page.getByTestId('phone-arming-away')).toBeDisabled();
  await checkPhoneScreen(page, 'arming');
  await page.getByTestId('phone-arming-night').tap();
  await expect(page.getByTestId('phone-arming')).toHaveAttribute('data-mode', 'night');
  const admin = await server.token();
  expect((await server.rpc('arming.status', {}, admin)).body).toMatchObject({ mode: { id: 'night' }, by: GUARD.username });

  // a desk-only view says so, and still fits
  await page.goto(server.url + '/#/playback');
  await expect(page.getByTestId('phone-desk-only')).toBeVisible();
  await checkPhoneScreen(page, 'desk-only');

  await page.getByTestId('logout').tap();
  await expect(page.getByTestId('login-form')).toBeVisible();
});

test('the desk keeps its layout and keys above the phone width', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await page.getByTestId('login-username').fill(GUARD.username);
  await page.getByTestId('login-password').fill(GUARD.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await expect(page.getByTestId('phone-console')).toHaveCount(0);
  await expect(page.getByTestId('view-live')).toBeVisible();
  await page.keyboard.press('g');
  await page.keyboard.press('a');
  await expect(page.getByTestId('alarm-queue-view')).toBeVisible();
  await context.close();
});
