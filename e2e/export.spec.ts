/**
 * Evidence export in the console, end to end: a real `gatehouse serve --demo`
 * (the demo cameras record), the built console in Chromium.
 *
 *  - open an alarm, press Shift+E, give a reason: the job waits for the
 *    post-roll, runs, completes; the bundle verifies in the console, with
 *    `gatehouse export verify`, with openssl and sha256sum (in this test);
 *  - playback: I and O mark the range (shown on the timeline), Shift+E opens
 *    the export dialog with exactly that range;
 *  - a privacy mask drawn with the keyboard only, saved, listed by
 *    `gatehouse masks list`, drawn over the live tile (outlined for an
 *    admin, black for a guard).
 *
 * Run: npx playwright test e2e/export.spec.ts (after `npm run build`).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { expect, login, ROOT, test } from './helpers/server.js';

const run = promisify(execFile);
test.describe.configure({ mode: 'serial' });

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

let camId = '';

async function keys(page: Page, ...ks: string[]) {
  for (const k of ks) await page.keyboard.press(k);
}

test('an alarm: Shift+E, a reason, the job completes, the bundle verifies (console, CLI, openssl, sha256sum)', async ({ page, server }) => {
  test.setTimeout(240_000);
  const token = await server.token();
  const cams = (await server.rpc('cameras.list', {}, token)).body as { id: string; name: string }[];
  camId = cams.find((c) => c.name.startsWith('DEMO Campus'))!.id;
  // some footage before the alarm (its pre-roll)
  await expect
    .poll(
      async () => {
        const r = await server.rpc('recordings.list', { cameraId: camId, from: new Date(Date.now() - 600_000).toISOString(), to: new Date().toISOString() }, token);
        return (r.body as { segments: unknown[] }).segments.length;
      },
      { timeout: 90_000, intervals: [1000] },
    )
    .toBeGreaterThanOrEqual(2);
  const alarm = (await server.rpc('alarms.panic', { cameraId: camId, comment: 'e2e: intruder at the campus gate' }, token)).body as { id: number };

  await login(page, server);
  // the server is shared with other spec files, whose alarms may still be open: open this one by its id
  await page.goto(`${server.url}/#/alarms?alarm=${alarm.id}`);
  await expect(page.getByTestId('alarm-detail')).toHaveAttribute('data-alarm', String(alarm.id));
  await page.keyboard.press('Shift+E');
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId(`export-cam-${camId}`)).toBeChecked();
  await expect(page.getByTestId('export-preview')).toContainText('About');
  await page.getByTestId('export-reason').fill('');
  await page.keyboard.type('Police request PD-2026-117');
  await page.keyboard.press('Control+Enter');
  await expect(dialog).toBeHidden();

  // the Evidence view: the job waits for the post-roll, then runs and completes
  await keys(page, 'g', 'e');
  await expect(page.getByTestId('view-evidence')).toBeVisible();
  const job = page.getByTestId('export-job').first();
  await expect(job).toHaveAttribute('data-state', /queued|waiting|running|done/);
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 150_000 });

  // verify in the console: valid, this site's key
  await job.click();
  await job.getByTestId('export-job-verify').click();
  const report = page.getByTestId('verify-report');
  await expect(report).toHaveAttribute('data-ok', 'true');
  await expect(report).toHaveAttribute('data-site-key', 'this-site');
  await page.keyboard.press('Escape');

  // verify by hand: the CLI, openssl and sha256sum
  const jobs = (await server.rpc('export.list', {}, token)).body as { dir: string; reason: string; source: { kind: string; id: string }; manifestSha256: string; lockId: number }[];
  const j = jobs[0]!;
  expect(j.reason).toBe('Police request PD-2026-117');
  expect(j.source).toEqual({ kind: 'alarm', id: String(alarm.id) });
  const v = await gatehouse(server.dataDir, 'export', 'verify', j.dir);
  expect(v.code, v.out).toBe(0);
  expect(v.out).toContain(`manifest.json SHA-256: ${j.manifestSha256}`);
  await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'public-key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'], { cwd: j.dir });
  await run('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: j.dir });
  // the footage is locked and the export is in the audit trail with the manifest's SHA-256
  const locks = (await server.rpc('evidence.list', {}, token)).body as { id: number; manifestSha256: string }[];
  expect(locks.find((l) => l.id === j.lockId)!.manifestSha256).toBe(j.manifestSha256);
  const audit = (await server.rpc('audit.list', { action: 'export.completed' }, token)).body as { items: { details: { manifestSha256: string } }[] };
  expect(audit.items[0]!.details.manifestSha256).toBe(j.manifestSha256);
});

test('playback: I and O mark the range on the timeline; Shift+E exports exactly that', async ({ page, server }) => {
  await login(page, server);
  const t = new Date(Date.now() - 60_000).toISOString();
  await page.goto(`${server.url}/#/playback?camera=${camId}&t=${encodeURIComponent(t)}`);
  await expect(page.getByTestId('view-playback')).toBeVisible();
  await expect(page.getByTestId('pb-tile-0')).toBeVisible();
  await page.keyboard.press('i');
  const marks = page.getByTestId('pb-marks');
  await expect(marks).toBeVisible();
  const tin = Number(await marks.getAttribute('data-in'));
  expect(Math.abs(tin - Date.parse(t))).toBeLessThan(15_000);
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('o');
  await expect(marks).not.toHaveAttribute('data-out', '');
  const tout = Number(await marks.getAttribute('data-out'));
  expect(tout - tin).toBeGreaterThan(10_000);
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-mark-in', String(tin));
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-mark-out', String(tout));
  await page.keyboard.press('Shift+E');
  const form = page.getByTestId('export-form');
  await expect(form).toHaveAttribute('data-from', new Date(tin).toISOString());
  await expect(form).toHaveAttribute('data-to', new Date(tout).toISOString());
  await expect(page.getByTestId(`export-cam-${camId}`)).toBeChecked();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('export-dialog')).toBeHidden();
  await page.keyboard.press('Shift+X');
  await expect(marks).toBeHidden();
});

test('a privacy mask drawn with the keyboard only: saved, in `masks list`, over the live tile', async ({ page, server, browser }) => {
  await login(page, server);
  await page.goto(`${server.url}/#/evidence?tab=masks&camera=${camId}`);
  await expect(page.getByTestId('masks-view')).toHaveAttribute('data-camera', camId);
  await keys(page, 'n', 'Shift+ArrowUp', 'Shift+ArrowUp', 'a', 'Shift+ArrowRight', 'Shift+ArrowRight', 'ArrowUp');
  const editor = page.getByTestId('mask-editor');
  await expect(editor).toHaveAttribute('data-polygons', '1');
  await expect(editor).toHaveAttribute('data-valid', 'true');
  await expect(page.getByTestId('polygon-editor-coords')).toHaveText(/x 0\.\d{3} · y 0\.\d{3}/);
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('masks-view')).toHaveAttribute('data-dirty', 'false');

  const listed = await gatehouse(server.dataDir, 'masks', 'list', '--json');
  const masks = JSON.parse(listed.out) as { cameraId: string; kind: string; polygon: number[][] }[];
  expect(masks).toHaveLength(1);
  expect(masks[0]).toMatchObject({ cameraId: camId, kind: 'privacy' });
  expect(masks[0]!.polygon).toHaveLength(4);

  // over the live tile: outlined for an admin
  await keys(page, 'g', 'l');
  const overlay = page.locator(`[data-testid="privacy-mask-overlay"][data-camera="${camId}"]`).first();
  await expect(overlay).toHaveAttribute('data-masks', '1');
  await expect(overlay).toHaveAttribute('data-mode', 'outline');

  // and black for a guard
  const token = await server.token();
  await server.rpc('users.add', { username: 'gina', password: 'guard-password', role: 'guard' }, token);
  const ctx = await browser.newContext();
  const guard = await ctx.newPage();
  try {
    await login(guard, server, 'gina', 'guard-password');
    await guard.goto(`${server.url}/#/live`);
    const o = guard.locator(`[data-testid="privacy-mask-overlay"][data-camera="${camId}"]`).first();
    await expect(o).toHaveAttribute('data-mode', 'opaque');
    await expect(o.locator('polygon')).toHaveCount(1);
  } finally {
    await ctx.close();
  }
});

test('a bookmark goes into a case from the bookmarks search (Ctrl+K), and the case lists it', async ({ page, server }) => {
  const token = await server.token();
  const cams = (await server.rpc('cameras.list', {}, token)).body as { id: string; name: string }[];
  const cam = cams.find((c) => c.name.startsWith('DEMO Campus'))!.id;
  const kase = (await server.rpc('cases.create', { name: 'E2E bookmark case' }, token)).body as { id: number };
  const b = (await server.rpc('bookmarks.add', { cameraIds: [cam], time: new Date().toISOString(), note: 'red car parks across the gate' }, token)).body as { id: number };
  await login(page, server);
  await page.goto(`${server.url}/#/live`);
  await page.getByTestId('view-live').focus();
  await page.keyboard.press('Shift+B');
  await expect(page.getByTestId('bookmarks-dialog')).toBeVisible();
  await page.keyboard.type('red car');
  await expect(page.getByTestId('bookmark-row')).toHaveCount(1);
  await page.keyboard.press('Control+k');
  const dlg = page.getByTestId('bookmark-case-dialog');
  await expect(dlg).toBeVisible();
  await expect(dlg.locator(`[data-case="${kase.id}"]`)).toBeVisible();
  // the newest open case is not necessarily first: pick ours with the arrows
  for (let i = 0; i < 20 && (await dlg.locator(`[data-case="${kase.id}"]`).getAttribute('aria-selected')) !== 'true'; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(dlg).toHaveCount(0);
  await expect
    .poll(async () => ((await server.rpc('cases.get', { id: kase.id }, token)).body as { items: { kind: string; ref: string | null }[] }).items.filter((i) => i.kind === 'bookmark').map((i) => i.ref))
    .toEqual([String(b.id)]);
});
