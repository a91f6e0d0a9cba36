/**
 * Rules and arming in Chromium against a real `gatehouse serve --demo`: on
 * the rules screen (F7) a new user adds "person in zone → P2 alarm" with the
 * keyboard, sees the field error next to the zones until one is picked, sees
 * the dry-run count over the stored zone events, saves it; arms the site
 * with Shift+M and sees the mode in the status bar; maps a door to a camera
 * in the alarm setup. Screenshots of the editor and the setup view go to
 * test-results/rules/ (and docs/screenshots/ with GATEHOUSE_SCREENSHOTS=1).
 *
 * The zone and its events are what the detection half writes (a zone in
 * cameras[].zones; `events` rows of kind zone and object): written here
 * into the data dir the way it would, since this spec is about the rules.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from '@playwright/test';
import { ROOT, expect, login, test } from './helpers/server.js';

const SHOTS = [
  path.join(ROOT, 'test-results', 'rules'),
  ...(process.env.GATEHOUSE_SCREENSHOTS ? [path.join(ROOT, 'docs', 'screenshots')] : []),
];
async function shot(page: Page, name: string) {
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  for (const dir of SHOTS) {
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `${name}.png`) });
  }
}

test('add "person in zone → P2 alarm", see the dry-run count, arm the site with the key, see the mode in the status bar', async ({
  page,
  server,
}) => {
  test.setTimeout(120_000);
  const admin = await server.token();
  const cams = (await server.rpc('cameras.list', {}, admin)).body as { id: string; name: string; url: string }[];
  const cam = cams.find((c) => c.url === 'demo://vtest') ?? cams[0]!;

  // a zone on the camera, and three people who dwelt in it an hour ago (as the detection half stores them)
  const file = path.join(server.dataDir, 'config.json');
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  cfg.cameras.find((c: { id: string }) => c.id === cam.id).zones = [
    {
      id: 'z_0000d001',
      name: 'Back door',
      polygon: [
        [0.1, 0.3],
        [0.5, 0.3],
        [0.5, 0.95],
        [0.1, 0.95],
      ],
      labels: [],
      minDwellSeconds: 3,
      inertiaFrames: 3,
    },
  ];
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
  const db = new Database(path.join(server.dataDir, 'index.sqlite'));
  const ins = db.prepare("INSERT INTO events (camera_id, time_ms, kind, source, data) VALUES (?, ?, ?, 'detector', ?)");
  const t0 = Date.now() - 3600_000;
  for (let track = 1; track <= 4; track++) {
    const t = t0 + track * 60_000;
    const label = track === 4 ? 'vehicle' : 'person';
    const obj = Number(ins.run(cam.id, t - 500, 'object', JSON.stringify({ label, trackId: track })).lastInsertRowid);
    const z = (phase: string, s: number) =>
      JSON.stringify({
        cameraId: cam.id,
        zoneId: 'z_0000d001',
        zone: 'Back door',
        label,
        trackId: track,
        objectEventId: obj,
        phase,
        dwellSeconds: s,
        count: 1,
        time: new Date(t + s * 1000).toISOString(),
      });
    ins.run(cam.id, t, 'zone', z('enter', 0));
    ins.run(cam.id, t + 3000, 'zone', z('dwell', 3));
    ins.run(cam.id, t + 9000, 'zone', z('leave', 9));
  }
  db.close();

  await page.setViewportSize({ width: 1440, height: 900 });
  await login(page, server);
  await expect(page.getByTestId('arming-status')).toHaveAttribute('data-mode', 'day');
  await page.keyboard.press('F7');
  await expect(page.getByTestId('view-rules')).toBeVisible();
  await expect(page.getByTestId('rule-row').first()).toBeVisible();
  await page.keyboard.press('n');
  await expect(page.getByTestId('rule-name')).toBeFocused();
  await page.keyboard.type('Person at the back door');
  await expect(page.getByTestId(`rule-zone-z_0000d001`)).toBeVisible({ timeout: 10_000 });
  await page.getByTestId('rule-zone-z_0000d001').check();
  await expect(page.getByTestId('rule-action-0-priority')).toHaveValue('2');
  await expect(page.getByTestId('rule-editor')).toHaveAttribute('data-valid', 'true');
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('dryrun-count')).toHaveAttribute('data-alarms', '3');
  await expect(page.getByTestId('dryrun-count')).toContainText('3 alarms would have been raised');
  await expect(page.getByTestId('dryrun-list').locator('tbody tr')).toHaveCount(3);
  await page.getByTestId('dryrun-list').scrollIntoViewIfNeeded();
  await shot(page, 'rules-editor');
  await page.keyboard.press('Control+s');
  await expect(page.locator('[data-testid=rule-row][data-rule=person-at-the-back-door]')).toBeVisible();
  const rules = (await server.rpc('rules.list', {}, admin)).body as {
    rules: { id: string; conditions: { zones: string[] }; actions: { type: string; priority: number }[] }[];
  };
  expect(rules.rules[0]).toMatchObject({
    id: 'person-at-the-back-door',
    conditions: { zones: ['z_0000d001'] },
    actions: [{ type: 'alarm', priority: 2 }],
  });

  // a zone that is not on the camera picked: the engine's error is next to the zones, and saving is refused
  const other = cams.find((c) => c.id !== cam.id)!;
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('rule-editor')).toHaveCount(0);
  await page.keyboard.press('n');
  await expect(page.getByTestId('rule-name')).toBeFocused();
  await page.keyboard.type('Wrong camera');
  await expect(page.getByTestId('rule-name')).toHaveValue('Wrong camera');
  await page.getByTestId('rule-zone-z_0000d001').check();
  await page.getByTestId(`rule-camera-${other.id}`).check();
  await expect(page.getByTestId('rule-zones-error')).toHaveText(`no zone "z_0000d001" on ${other.name} (draw one under Cameras → zones first)`);
  await expect(page.getByTestId('rule-editor')).toHaveAttribute('data-valid', 'false');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('rule-save-error')).toContainText('no zone "z_0000d001"');
  await page.keyboard.press('Escape');

  // arm the site with the key, from another view
  await page.keyboard.press('F1');
  await page.keyboard.press('Shift+M');
  await expect(page.getByTestId('arming-dialog')).toBeVisible();
  await page.keyboard.press('2');
  await expect(page.getByTestId('arming-dialog')).toHaveCount(0);
  await expect(page.getByTestId('arming-status')).toHaveAttribute('data-mode', 'night');
  await expect(page.getByTestId('arming-status')).toHaveText('Night');
  const audit = (await server.rpc('audit.list', { action: 'arming.switch', limit: 5 }, admin)).body as {
    items: { actor: string; details: { to: string; via: string } }[];
  };
  expect(audit.items[0]).toMatchObject({ actor: 'admin', details: { to: 'night', via: 'console' } });
  // ? lists the key
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-overlay')).toContainText('Arming mode');
  await page.keyboard.press('Escape');

  // the alarm setup: a door mapped to the camera
  await page.goto(`${server.url}/#/rules?tab=setup`);
  await expect(page.getByTestId('setup-tab')).toBeVisible();
  await page.getByTestId('setup-door-id').fill('back');
  await page.getByTestId(`setup-door-cam-${cam.id}`).check();
  await page.getByTestId('setup-door-save').click();
  await expect(page.locator('[data-testid=setup-door-row][data-id=back]')).toContainText(cam.name);
  await page.getByTestId('setup-webhook-name').fill('Alarm panel');
  await page.getByTestId('setup-webhook-arming').check();
  await page.getByTestId('setup-webhook-add').click();
  await expect(page.getByTestId('setup-webhook-token')).toContainText('ghw_');
  await shot(page, 'alarm-setup');
  const setup = (await server.rpc('alarmSetup.get', {}, admin)).body as { doors: { door: string; cameraIds: string[] }[] };
  expect(setup.doors).toEqual([{ door: 'back', name: null, zone: null, cameraIds: [cam.id] }]);
});
