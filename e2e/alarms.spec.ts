/**
 * Alarms end to end: a real mosquitto started here, a real
 * `gatehouse serve --mqtt`, the built console in Chromium. A door opens, the
 * alarm appears with a banner and a sound, a guard acknowledges, comments and
 * closes it with the keyboard only, every console sees the same queue, the
 * history scrolls through 100,000 alarms, and the audit trail verifies.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import type { Page } from '@playwright/test';
import { mqttClient, publish, startBroker, type Broker } from '../test/integration/alarms-broker.js';
import { ROOT, expect, startServer, test, type ServerHandle } from './helpers/server.js';

let broker: Broker;
let server: ServerHandle;
let sensors: MqttClient;

const GUARD = { username: 'gina', password: 'gina-guard-password' };

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  broker = await startBroker();
  server = await startServer({ demo: false, args: ['--mqtt', broker.url], tmpPrefix: 'alarms-e2e-' });
  const admin = await server.token();
  for (const u of [GUARD, { username: 'gus', password: 'gus-guard-password' }]) {
    const r = await server.rpc('users.add', { ...u, role: 'guard' }, admin);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  sensors = await mqttClient(broker.url);
});

test.afterAll(async () => {
  sensors?.end(true);
  await server?.dispose();
  await broker?.close();
});

/** Log in with the keyboard only and go to the Alarms view with F3. */
async function loginByKeyboard(page: Page, u = GUARD) {
  await page.goto(server.url + '/');
  await page.getByTestId('login-username').focus();
  await page.keyboard.type(u.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(u.password);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('login-form')).toBeHidden();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
  await page.keyboard.press('F3');
  await expect(page.getByTestId('alarm-queue-view')).toBeVisible();
}

test('a door opens; a guard acknowledges, comments and closes the alarm with the keyboard only; the audit verifies', async ({ page }) => {
  await loginByKeyboard(page);
  await expect(page.getByTestId('alarm-queue-empty')).toBeVisible();

  await publish(sensors, 'gatehouse/sensors/door-east', { type: 'door', state: 'open', zone: 'warehouse' });
  const row = page.getByTestId('alarm-row').first();
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-state', 'new');
  await expect(row).toContainText('Door open: door-east (warehouse)');
  await expect(page.getByTestId('alarm-banner')).toContainText('Door open: door-east');
  await expect(page.getByTestId('alarm-detail')).toContainText('Procedure');
  // a priority-2 tone was synthesised for it
  const sounds = await page.evaluate(() => (window as unknown as { __gatehouseAlarmSounds: { priority: number }[] }).__gatehouseAlarmSounds);
  expect(sounds.some((s) => s.priority === 2)).toBe(true);
  const id = Number(await row.getAttribute('data-alarm'));

  // A: acknowledge
  await page.keyboard.press('a');
  await expect(row).toHaveAttribute('data-state', 'acknowledged');
  await expect(page.getByTestId('alarm-banner')).toHaveCount(0);

  // C: comment, typed and sent with Enter
  await page.keyboard.press('c');
  await expect(page.getByTestId('alarm-prompt-comment')).toBeVisible();
  await page.keyboard.type('Patrol sent to the east door');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('alarm-prompt-comment')).toHaveCount(0);
  await expect(page.getByTestId('alarm-history')).toContainText('Patrol sent to the east door');

  // X: close; the reason is required
  await page.keyboard.press('x');
  await expect(page.getByTestId('alarm-prompt-close')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('alarm-prompt-error')).toContainText('reason is needed');
  await page.keyboard.type('Delivery driver, door left open');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('alarm-row')).toHaveCount(0);
  await expect(page.getByTestId('alarm-queue-empty')).toBeVisible();

  // M: mute (audited)
  await page.keyboard.press('m');
  await expect(page.getByTestId('alarm-muted')).toBeVisible();

  // What the engine recorded: user, time and comment of every step.
  const admin = await server.token();
  const got = await server.rpc('alarms.get', { id }, admin);
  expect(got.body.alarm).toMatchObject({ state: 'closed', closeReason: 'Delivery driver, door left open', claimedBy: 'gina' });
  expect(got.body.entries.map((e: { kind: string; action: string | null; user: string }) => `${e.kind}:${e.action ?? ''}:${e.user}`)).toEqual([
    'raised::system',
    'transition:acknowledge:gina',
    'comment::gina',
    'transition:close:gina',
  ]);
  const audit = await server.rpc('audit.list', { actor: 'gina' }, admin);
  expect(audit.body.items.map((r: { action: string }) => r.action)).toEqual(
    expect.arrayContaining(['auth.login', 'alarm.acknowledge', 'alarm.comment', 'alarm.close', 'alarms.mute']),
  );
  const verify = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'gatehouse.js'), 'audit', 'verify', '--data', server.dataDir], { encoding: 'utf8', timeout: 60_000 });
  expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  expect(verify.stdout).toMatch(/Audit trail OK/);
});

test('every console sees the same queue in real time, and a claimed alarm is refused to the other guard', async ({ browser }) => {
  const a = await browser.newPage();
  const b = await browser.newPage();
  await loginByKeyboard(a);
  await loginByKeyboard(b, { username: 'gus', password: 'gus-guard-password' });
  await publish(sensors, 'gatehouse/sensors/window-2', { type: 'window', state: 'broken' });
  for (const p of [a, b]) await expect(p.getByTestId('alarm-row').first()).toContainText('Glass break: window-2');
  await a.keyboard.press('a');
  await expect(b.getByTestId('alarm-row').first()).toHaveAttribute('data-state', 'acknowledged');
  await expect(b.getByTestId('alarm-row').first()).toContainText('gina');
  await b.keyboard.press('h');
  await expect(b.getByTestId('alarm-prompt-hold')).toBeVisible();
  await b.keyboard.press('Enter');
  await expect(b.getByTestId('alarm-prompt-error')).toContainText('being handled by gina');
  await b.keyboard.press('Escape');
  await a.close();
  await b.close();
});

test('the history pages through 100,000 alarms with keyset cursors and renders only what is on screen', async ({ page }) => {
  const db = new Database(path.join(server.dataDir, 'index.sqlite'));
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const ins = db.prepare(
    `INSERT INTO alarms (type, title, priority, state, source, source_key, camera_ids, created_ms, updated_ms, last_ms, sop, details, closed_ms, close_reason)
     VALUES ('sensor.motion', ?, ?, 'closed', ?, ?, '[]', ?, ?, ?, '', '{}', ?, 'bulk')`,
  );
  db.transaction(() => {
    for (let i = 0; i < 100_000; i++) {
      const t = t0 + i * 60_000;
      ins.run(`Bulk motion ${i}`, 1 + (i % 5), `pir-${i % 50}`, `sensor.motion:pir-${i % 50}`, t, t, t, t);
    }
  })();
  db.close();
  await loginByKeyboard(page);
  await page.keyboard.press('2');
  await expect(page.getByTestId('alarm-history')).toBeVisible();
  await expect(page.getByTestId('ah-item').first()).toBeVisible();
  const rendered = await page.getByTestId('ah-item').count();
  expect(rendered).toBeLessThan(150);
  // scroll far down: more pages load as the list approaches its end
  for (let i = 0; i < 6; i++) {
    await page.getByTestId('ah-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForTimeout(400);
  }
  await expect(page.getByTestId('ah-count')).toContainText(/[1-9][,\d]* alarm\(s\)/);
  const loaded = Number((await page.getByTestId('ah-count').textContent())!.replace(/[^\d]/g, ''));
  expect(loaded).toBeGreaterThanOrEqual(800);
  expect(await page.getByTestId('ah-item').count()).toBeLessThan(150);
  // filter by text goes back to the server
  await page.getByTestId('ah-text').fill('Bulk motion 99999');
  await expect(page.getByTestId('ah-item')).toHaveCount(1);
});
