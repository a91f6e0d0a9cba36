/**
 * The README's screenshots (docs/screenshots/*.png), taken from a real
 * `gatehouse serve --demo` in Chromium. Skipped unless asked for:
 *
 *   npm run build && GATEHOUSE_SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts
 *
 * The demo cameras record for a minute first, so the timeline has footage
 * and the alarm replay has its pre-roll.
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { ROOT, expect, login, test } from './helpers/server.js';

const OUT = path.join(ROOT, 'docs', 'screenshots');

test.skip(!process.env.GATEHOUSE_SCREENSHOTS, 'set GATEHOUSE_SCREENSHOTS=1 to retake the README screenshots');

async function shot(page: Page, name: string) {
  await page.mouse.move(0, 0);
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
}

test('README screenshots', async ({ page, server }) => {
  test.setTimeout(300_000);
  const admin = await server.token();
  const cams = (await server.rpc('cameras.list', {}, admin)).body as { id: string; name: string }[];
  // A minute of footage for the timeline and the alarm's replay.
  await page.waitForTimeout(60_000);
  await server.rpc('users.add', { username: 'nora', password: 'nora-night-shift', role: 'guard' }, admin);
  const nora = await server.token('nora', 'nora-night-shift');

  await page.setViewportSize({ width: 1440, height: 810 });
  await login(page, server);
  await page.keyboard.press('F4');
  await expect(page.getByTestId('camera-row')).toHaveCount(4);
  await shot(page, 'console-cameras');
  await page.goto(`${server.url}/#/settings?tab=console`);
  await expect(page.getByTestId('settings-console')).toBeVisible();
  await shot(page, 'console-settings');

  // A bookmark and two alarms on the timeline, one of them still waiting on Live.
  await server.rpc('bookmarks.add', { cameraIds: [cams[0]!.id], time: new Date(Date.now() - 25_000).toISOString(), note: 'Van stopped at the gate, 2 people got out' }, nora);
  const old = (await server.rpc('alarms.panic', { cameraId: cams[0]!.id, comment: 'test of the panic button' }, nora)).body;
  await server.rpc('alarms.transition', { id: old.id, action: 'acknowledge' }, nora);
  await server.rpc('alarms.transition', { id: old.id, action: 'close', reason: 'Test' }, nora);
  await page.waitForTimeout(15_000);
  const live = (await server.rpc('alarms.panic', { cameraId: cams[1]!.id, comment: 'Someone climbing the fence' }, nora)).body;

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${server.url}/#/live`);
  await expect(page.locator('[data-testid^=tile-][data-alarm]')).toHaveCount(1);
  await expect(page.locator('[data-testid^=tile-][data-phase=playing]')).toHaveCount(4, { timeout: 30_000 });
  await shot(page, 'live-grid');

  await page.goto(`${server.url}/#/playback?camera=${encodeURIComponent(cams[0]!.id)}&t=${encodeURIComponent(new Date(Date.now() - 12_000).toISOString())}`);
  await expect(page.getByTestId('pb-tile-0')).toHaveAttribute('data-phase', 'ready', { timeout: 30_000 });
  await page.getByTestId('view-playback').focus();
  await page.keyboard.press('c');
  await page.getByRole('dialog').getByText(cams[1]!.name).click();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.getByTestId('view-playback').focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('=');
  await expect(page.locator('[data-testid=timeline-markers] li[data-kind=bookmark]')).toHaveCount(1, { timeout: 20_000 });
  await shot(page, 'playback');

  await page.setViewportSize({ width: 1600, height: 900 });
  await page.goto(`${server.url}/#/alarms?alarm=${live.id}`);
  await expect(page.getByTestId('alarm-detail')).toHaveAttribute('data-alarm', String(live.id));
  // the replay has loaded and is past the pre-roll's first frame
  await expect
    .poll(() => page.locator('video[data-stream=replay]').first().evaluate((v: HTMLVideoElement) => v.readyState >= 3 && v.currentTime > 0.5), { timeout: 30_000 })
    .toBe(true);
  await page.waitForTimeout(2000);
  await shot(page, 'alarm-queue');

  await page.setViewportSize({ width: 1440, height: 810 });
  await page.goto(`${server.url}/#/live`);
  await page.getByTestId('view-live').focus();
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-overlay')).toBeVisible();
  await shot(page, 'shortcuts');
});

test('On call: the rotas', async ({ page, server }) => {
  const admin = await server.token();
  const contacts = [
    { name: 'Sam Supervisor', email: 'sam@example.org', level: 2, priorities: [1, 2], duty: [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }] },
    { name: 'Ann Okafor', email: 'ann@example.org', level: 3 },
    { name: 'Bob Lindqvist', webhookUrl: 'https://pager.example.org/hook/bob', level: 3 },
    { name: 'Cy Moreau', email: 'cy@example.org', level: 3 },
    { name: 'Dana Site Manager', email: 'dana@example.org', level: 4 },
    { name: 'Eli Site Manager', email: 'eli@example.org', level: 4 },
  ];
  const ids: string[] = [];
  for (const c of contacts) ids.push((await server.rpc('contacts.add', c, admin)).body.id);
  const day = 86_400_000;
  const at = (ms: number, hour: number) => new Date(Math.floor(ms / day) * day + hour * 3_600_000).toISOString();
  await server.rpc(
    'oncall.set',
    {
      rotas: [
        { name: 'Night technicians', startsAt: at(Date.now() - 4 * day, 19), periodHours: 12, members: [ids[1], ids[2], ids[3]] },
        { name: 'Site managers', startsAt: at(Date.now() - 10 * day, 7), periodHours: 168, members: [ids[4], ids[5]] },
        { name: 'Holiday cover', startsAt: at(Date.now() + 12 * day, 7), periodHours: 24, members: [ids[3], ids[1]] },
      ],
    },
    admin,
  );
  await page.setViewportSize({ width: 1440, height: 900 });
  await login(page, server);
  await page.goto(`${server.url}/#/settings?tab=oncall`);
  await expect(page.getByTestId('rota-row')).toHaveCount(3);
  await shot(page, 'oncall-rotas');
});
