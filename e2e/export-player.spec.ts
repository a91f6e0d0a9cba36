/**
 * The offline player of an evidence export (index.html), in Chromium, opened
 * from file:// with every non-file request blocked:
 *
 *  - two cameras' clips play in sync on one wall-clock timeline: the
 *    currentTime of both advances, and both show the same wall-clock moment
 *    within one frame;
 *  - a gap of one camera is shown as "No recording here" while the other plays;
 *  - "Verify" (the export folder fed through the folder picker) says VALID,
 *    and NOT VALID naming the clip after one byte of it is flipped.
 *
 * The bundle is made in beforeAll from real recorded segments (ffmpeg, the
 * recorder's segment format; test/integration/export-footage.ts). No server.
 * Run: npx playwright test e2e/export-player.spec.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { KeyFileSecretBox } from '../main/engine/config/secrets.js';
import { createExportBundle, selectSegments, SiteKeyStore, type ExportResult } from '../main/engine/export/index.js';
import { openIndex } from '../main/engine/store/db.js';
import { makeFootage } from '../test/integration/export-footage.js';

test.describe.configure({ mode: 'serial' });

const T0 = Date.UTC(2026, 10, 26, 8, 0, 0);
const FRAME_MS = 100; // the test clip is 10 fps
let tmp: string;
let bundle: ExportResult;
const blocked: string[] = [];

interface ClipState {
  id: string;
  file: string | null;
  currentTime: number | null;
  wallMs: number | null;
  paused: boolean;
  error: string | null;
}
interface PlayerState {
  wallMs: number;
  playing: boolean;
  clips: ClipState[];
}
const state = (page: Page) => page.evaluate(() => (window as unknown as { __exportPlayer: { state(): unknown } }).__exportPlayer.state()) as Promise<PlayerState>;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-e2e-'));
  const data = path.join(tmp, 'data');
  await makeFootage(data, [
    { cameraId: 'gate', startMs: T0, pieces: [{ seconds: 60 }] },
    { cameraId: 'yard', startMs: T0 + 270, sourceOffset: 40, pieces: [{ seconds: 20, gapMs: 12_000, reason: 'camera_unreachable' }, { seconds: 26 }] },
  ]);
  const db = openIndex(path.join(data, 'index.sqlite'));
  try {
    const from = T0 + 2_000;
    const to = T0 + 58_000;
    const keys = new SiteKeyStore(data, new KeyFileSecretBox(path.join(data, 'secret.key')));
    bundle = await createExportBundle({
      target: path.join(tmp, 'Case 12 export'),
      fromMs: from,
      toMs: to,
      cameras: [
        { id: 'gate', name: 'Gate', ...selectSegments(db, path.join(data, 'recordings'), 'gate', from, to) },
        { id: 'yard', name: 'Yard', ...selectSegments(db, path.join(data, 'recordings'), 'yard', from, to) },
      ],
      case: { name: 'Case 12', reference: 'PD-12' },
      reason: 'e2e test',
      operator: { username: 'admin' },
      site: { name: 'E2E site' },
      markers: [{ time: new Date(T0 + 30_000).toISOString(), kind: 'alarm', label: 'door forced' }],
      signer: keys.signer(),
    });
  } finally {
    db.close();
  }
});

test.afterAll(() => {
  if (tmp && !process.env.GATEHOUSE_E2E_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
});

async function openPlayer(page: Page): Promise<void> {
  // nothing but the bundle's own files may load: every other request is refused (and recorded)
  await page.context().route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  page.on('request', (r) => {
    if (!/^(file|data|blob):/.test(r.url())) blocked.push(r.url());
  });
  await page.goto(pathToFileURL(path.join(bundle.dir, 'index.html')).href);
  await expect(page.locator('#case-name')).toHaveText('Case 12');
}

test('plays both clips in sync from file:// with the network blocked', async ({ page }) => {
  await openPlayer(page);
  await expect(page.locator('.tile')).toHaveCount(2);
  // a moment both cameras recorded (the yard camera's gap is 08:00:20.3 to 08:00:32.3)
  await page.evaluate((t) => (window as unknown as { __exportPlayer: { seek(t: number): void } }).__exportPlayer.seek(t), T0 + 5_000);
  await page.keyboard.press('Space');
  await expect.poll(async () => (await state(page)).playing).toBe(true);
  await page.waitForTimeout(2500);
  const a = await state(page);
  await page.waitForTimeout(1500);
  const b = await state(page);
  for (const s of [a, b]) {
    for (const c of s.clips) {
      expect(c.error, c.id).toBeNull();
      expect(c.paused, `${c.id} paused`).toBe(false);
      expect(c.currentTime, c.id).not.toBeNull();
    }
  }
  for (let i = 0; i < 2; i++) expect(b.clips[i]!.currentTime! - a.clips[i]!.currentTime!, `${b.clips[i]!.id} advances`).toBeGreaterThan(1.0);
  // in sync: the same wall-clock moment on both tiles, within a frame (sampled a few times)
  const drifts: number[] = [];
  for (let k = 0; k < 6; k++) {
    const s = await state(page);
    drifts.push(Math.abs(s.clips[0]!.wallMs! - s.clips[1]!.wallMs!));
    expect(Math.abs(s.clips[0]!.wallMs! - s.wallMs), 'gate vs master clock').toBeLessThanOrEqual(FRAME_MS * 2);
    await page.waitForTimeout(300);
  }
  expect(Math.max(...drifts), `drift between the clips: ${drifts.join(', ')} ms`).toBeLessThanOrEqual(FRAME_MS);
  // the two clips' media times differ (the yard clip started 270 ms later): sync is by wall clock, not by media time
  // in the yard camera's gap, its tile says so while the gate plays on
  await page.evaluate((t) => (window as unknown as { __exportPlayer: { seek(t: number): void } }).__exportPlayer.seek(t), T0 + 25_000);
  await expect(page.locator('.tile[data-cam="yard"] .over')).toHaveText(/No recording here: camera unreachable/);
  await expect(page.locator('.tile[data-cam="gate"] .over')).not.toHaveClass(/on/);
  const g = await state(page);
  expect(g.clips[1]!.paused).toBe(true);
  await page.keyboard.press('Space');
  expect(blocked, 'requests that left the bundle').toEqual([]);
});

test('Verify says VALID for the folder, and NOT VALID naming the clip after a byte flip', async ({ page }) => {
  await openPlayer(page);
  await page.keyboard.press('v');
  await expect(page.locator('#verify')).toBeVisible();
  await page.setInputFiles('#pick', bundle.dir);
  await expect(page.locator('#verdict')).toHaveText(/^VALID: the signature and all \d+ files check out\./, { timeout: 30_000 });
  await expect(page.locator('#verify-result .sig')).toContainText(bundle.fingerprint);
  // the same with every file hashed slice by slice by the player's own incremental SHA-256 (what clips over 256 MiB get)
  await page.evaluate(() => {
    const v = (window as unknown as { GatehouseVerify: { limits: { oneShot: number; slice: number } } }).GatehouseVerify;
    v.limits.oneShot = 0;
    v.limits.slice = 100_003;
  });
  await page.evaluate(() => (document.getElementById('verdict')!.textContent = ''));
  await page.setInputFiles('#pick', bundle.dir);
  await expect(page.locator('#verdict')).toHaveText(/^VALID: the signature and all \d+ files check out\./, { timeout: 60_000 });
  // flip one byte of a clip
  const clip = path.join(bundle.dir, 'video', 'yard.mp4');
  const fd = fs.openSync(clip, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, 100_000);
  b[0] = b[0]! ^ 0xff;
  fs.writeSync(fd, b, 0, 1, 100_000);
  fs.closeSync(fd);
  try {
    await page.setInputFiles('#pick', bundle.dir);
    await expect(page.locator('#verdict')).toHaveText(/^NOT VALID: 1 problem found\./, { timeout: 30_000 });
    await expect(page.locator('#verify-result tr.changed')).toContainText('video/yard.mp4');
    await expect(page.locator('#verify-result .problems')).toContainText('video/yard.mp4: changed');
  } finally {
    b[0] = b[0]! ^ 0xff;
    const fd2 = fs.openSync(clip, 'r+');
    fs.writeSync(fd2, b, 0, 1, 100_000);
    fs.closeSync(fd2);
  }
  expect(blocked).toEqual([]);
});
