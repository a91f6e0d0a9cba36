/**
 * Detection a guard can use, end to end: a real `gatehouse serve --demo` (the
 * vtest demo cameras detect people), the built console in Chromium.
 *
 *  - boxes are drawn on a live tile while vtest plays, labelled with the
 *    object and its track id, never ahead of the picture and at most about
 *    one detection frame behind it; O hides and shows them;
 *  - a zone drawn with the keyboard only (Cameras → D → Zones), saved, listed
 *    by `gatehouse zones list`;
 *  - detection settings changed in the console reach `gatehouse detection status`;
 *  - the review list: j / k move, r marks reviewed, Enter opens playback a
 *    few seconds before the object appeared.
 *
 * With GATEHOUSE_SCREENSHOTS=1 it also retakes the README's detection
 * screenshots (docs/screenshots/detection-*.png).
 *
 * Run: npx playwright test e2e/detection.spec.ts (after `npm run build`).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { expect, login, ROOT, test } from './helpers/server.js';

const run = promisify(execFile);
test.describe.configure({ mode: 'serial' });
const OUT = path.join(ROOT, 'docs', 'screenshots');

/** The CLI as the server runs it (dist/), on the server's data dir. */
async function gatehouse(dataDir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin', 'gatehouse.js'), ...args, '--data', dataDir], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: stdout };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

async function shot(page: Page, name: string) {
  if (!process.env.GATEHOUSE_SCREENSHOTS) return;
  await page.mouse.move(0, 0);
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
}

let camId = '';

test('boxes are drawn on a live tile, in step with the picture; O hides and shows them', async ({ page, server }) => {
  test.setTimeout(180_000);
  const token = await server.token();
  const cams = (await server.rpc('cameras.list', {}, token)).body as { id: string; name: string; url: string }[];
  camId = cams.find((c) => c.url === 'demo://vtest')!.id;
  await page.setViewportSize({ width: 1440, height: 810 });
  await login(page, server);
  await page.goto(`${server.url}/#/live`);
  const tile = page.locator(`[data-camera="${camId}"][data-testid^="tile-"]`).first();
  await expect(tile).toHaveAttribute('data-phase', 'playing', { timeout: 60_000 });
  const overlay = tile.getByTestId('detection-overlay');
  await expect(overlay).toHaveAttribute('data-boxes', /^[1-9]\d*$/, { timeout: 90_000 });
  await expect(overlay).toHaveAttribute('data-labels', /person #\d+/);

  // In step: the boxes drawn belong to a detection frame at or before the picture on screen,
  // and at most about one detection frame (0.5 s at 2 fps) behind it.
  const ages: number[] = [];
  for (let i = 0; i < 40 && ages.length < 15; i++) {
    const a = await overlay.evaluate((c) => ({ m: Number(c.dataset.mediaTime), f: c.dataset.frameTime ? Number(c.dataset.frameTime) : NaN }));
    if (Number.isFinite(a.m) && Number.isFinite(a.f)) ages.push(a.m - a.f);
    await page.waitForTimeout(200);
  }
  console.log(`box age behind the picture (s): ${ages.map((x) => x.toFixed(2)).join(" ")}`);
  expect(ages.length).toBeGreaterThanOrEqual(10);
  expect(Math.min(...ages)).toBeGreaterThanOrEqual(-0.05);
  const late = ages.filter((x) => x > 0.6).length;
  expect(late, `ages ${ages.map((x) => x.toFixed(2)).join(' ')}`).toBeLessThanOrEqual(2);
  await shot(page, 'detection-live-boxes');

  // full screen: the main stream (here the same stream: demo cameras have one), boxes still drawn
  await tile.dblclick();
  await expect(tile).toHaveClass(/fullscreen/);
  await expect(tile.getByTestId('detection-overlay')).toHaveAttribute('data-boxes', /^[1-9]\d*$/, { timeout: 30_000 });
  await page.keyboard.press('Escape');

  // O hides them (and is listed under ?), O again shows them
  await page.keyboard.press('o');
  await expect(page.getByTestId('detection-overlay')).toHaveCount(0);
  await expect(page.getByTestId('live-boxes')).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-overlay')).toContainText('Show or hide object boxes');
  await page.keyboard.press('Escape');
  await page.keyboard.press('o');
  await expect(tile.getByTestId('detection-overlay')).toHaveAttribute('data-boxes', /^\d+$/);
});

test('a zone drawn with the keyboard only is saved and listed by `gatehouse zones list`', async ({ page, server }) => {
  await page.setViewportSize({ width: 1440, height: 810 });
  await login(page, server);
  // keyboard only: Cameras, the vtest camera, D, the Zones tab
  await page.keyboard.press('g');
  await page.keyboard.press('c');
  await expect(page.getByTestId('camera-row').first()).toBeVisible();
  const rows = page.getByTestId('camera-row');
  const n = await rows.count();
  let at = -1;
  for (let i = 0; i < n; i++) if ((await rows.nth(i).getAttribute('data-camera-id')) === camId) at = i;
  expect(at).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < at; i++) await page.keyboard.press('j');
  await page.keyboard.press('d');
  await expect(page.getByTestId('detection-page')).toHaveAttribute('data-camera', camId);
  await page.keyboard.press('2');
  await expect(page.getByTestId('zones-view')).toHaveAttribute('data-loaded', 'true');
  // a triangle (N), a fourth point (A), moved with the arrows: the road where people walk
  for (const k of ['n', 'Shift+ArrowUp', 'a', 'Shift+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowDown', 'p', ']', 'Shift+ArrowLeft', 'Shift+ArrowLeft']) await page.keyboard.press(k);
  const editor = page.getByTestId('zone-editor');
  await expect(editor).toHaveAttribute('data-polygons', '1');
  await expect(editor).toHaveAttribute('data-valid', 'true');
  await expect(page.getByTestId('zone-name')).toHaveValue('Zone 1');
  // rename from the keyboard, then a minimum dwell
  await page.keyboard.press('Shift+R');
  await page.keyboard.type('Road');
  await page.getByTestId('zone-dwell').fill('4');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('zones-view')).toHaveAttribute('data-dirty', 'false');
  await shot(page, 'detection-zone-editor');

  const listed = await gatehouse(server.dataDir, 'zones', 'list', '--json');
  expect(listed.code).toBe(0);
  const zones = JSON.parse(listed.out) as { cameraId: string; name: string; polygon: number[][]; minDwellSeconds: number; inertiaFrames: number }[];
  expect(zones).toHaveLength(1);
  expect(zones[0]).toMatchObject({ cameraId: camId, name: 'Road', minDwellSeconds: 4, inertiaFrames: 3 });
  expect(zones[0]!.polygon).toHaveLength(4);
  // Esc goes back to the camera list with the camera selected
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('camera-details')).toHaveAttribute('data-camera-id', camId);
});

test('detection settings changed in the console reach `gatehouse detection status`', async ({ page, server }) => {
  await login(page, server);
  await page.goto(`${server.url}/#/cameras?detection=${camId}`);
  await expect(page.getByTestId('detection-form')).toBeVisible();
  await expect(page.getByTestId('detection-counters')).toHaveAttribute('data-state', /running|starting/);
  await page.getByTestId('det-fps').selectOption('3');
  await page.getByTestId('det-min-score').fill('0.55');
  await page.getByTestId('det-labels-animal').uncheck();
  // a bad value says what to do, under its field
  await page.getByTestId('det-min-score').fill('2');
  await page.getByTestId('det-save').click();
  await expect(page.getByTestId('det-min-score-error')).toHaveText(/0\.3 to 0\.95/);
  await page.getByTestId('det-min-score').fill('0.55');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('detection-form')).toHaveAttribute('data-dirty', 'false');
  await expect
    .poll(
      async () => {
        const r = await gatehouse(server.dataDir, 'detection', 'status', '--json');
        const j = JSON.parse(r.out) as { running: boolean; cameras: { cameraId: string; settings?: { fps: number; minScore: number; labels: string[] }; offered?: number }[] };
        const c = j.cameras.find((x) => x.cameraId === camId);
        return j.running && c?.settings ? `${c.settings.fps} ${c.settings.minScore} ${c.settings.labels.join(',')} ${typeof c.offered}` : '';
      },
      { timeout: 20_000, intervals: [1000] },
    )
    .toBe('3 0.55 person,vehicle,bicycle,motorcycle number');
  // the camera list shows the counters too
  await page.goto(`${server.url}/#/cameras`);
  await expect(page.locator(`[data-testid="camera-row"][data-camera-id="${camId}"] [data-testid="det-cell"]`)).toHaveAttribute('data-enabled', 'true');
});

test('the review list: j / k move, r marks reviewed, Enter opens playback a few seconds before', async ({ page, server }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 810 });
  await login(page, server);
  await page.keyboard.press('g');
  await page.keyboard.press('d');
  await expect(page.getByTestId('view-review')).toBeVisible();
  await page.keyboard.press('3'); // all objects (no alarm rule raises alarms on the demo)
  await expect(page.getByTestId('view-review')).toHaveAttribute('data-kind', 'all');
  await expect.poll(async () => page.getByTestId('review-row').count(), { timeout: 90_000, intervals: [2000] }).toBeGreaterThanOrEqual(3);
  // New objects come in at the top while we work: the selection stays on its object, so positions are
  // compared within one snapshot of the list.
  const snapshot = () =>
    page
      .getByTestId('review-row')
      .evaluateAll((rows) => ({ ids: rows.map((r) => r.getAttribute('data-event')!), sel: rows.find((r) => r.getAttribute('aria-selected') === 'true')?.getAttribute('data-event') ?? null }));
  const moved = async (from: string) => {
    const s = await snapshot();
    return s.ids.indexOf(s.sel!) - s.ids.indexOf(from);
  };
  const first = await snapshot();
  expect(first.sel).not.toBeNull();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect.poll(() => moved(first.sel!)).toBe(2);
  await page.keyboard.press('k');
  await expect.poll(() => moved(first.sel!)).toBe(1);
  const id = (await snapshot()).sel!;
  await expect(page.getByTestId('review-detail')).toHaveAttribute('data-event', id);
  await expect(page.getByTestId('review-snapshot')).toHaveAttribute('data-loaded', 'true', { timeout: 30_000 });
  await page.keyboard.press('r');
  await expect(page.locator(`[data-testid="review-row"][data-event="${id}"]`)).toHaveAttribute('data-reviewed', 'true');
  // r moved on to the next object; k comes back to the reviewed one
  await page.keyboard.press('k');
  await expect(page.getByTestId('review-detail')).toHaveAttribute('data-event', id);
  await expect(page.getByTestId('review-reviewed')).toHaveText(/by admin/);
  await shot(page, 'detection-review');
  // the mark is audited
  const audit = await gatehouse(server.dataDir, 'audit', 'list', '--action', 'review.mark', '--json');
  expect(audit.out).toContain('review.mark');
  // Enter: playback of that camera, from 5 s before the object appeared
  const items = (await server.rpc('review.list', { kind: 'all', limit: 500 }, await server.token())).body as { items: { id: number; cameraId: string; start: string }[] };
  const it = items.items.find((x) => String(x.id) === id)!;
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-playback')).toBeVisible();
  const url = new URL(page.url().replace('#/', ''));
  expect(url.searchParams.get('camera')).toBe(it.cameraId);
  expect(Date.parse(it.start) - Date.parse(url.searchParams.get('t')!)).toBe(5000);
});
