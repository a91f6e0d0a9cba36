/**
 * The guard's console after a night shift (issue 14), end to end against a
 * real `gatehouse serve --demo` and the built console in Chromium: alarms on
 * every view (banner, outlined tiles, count, takeover), panic from Live,
 * Enter that acknowledges, close reasons stored word for word, alarm video
 * that uses the space, readable badges, layout defects, the live grid,
 * playback keys and markers, every key under `?`, URLs with credentials,
 * and bookmarks.
 *
 * No wall-clock asserts except the "within 1 s", measured inside
 * the page from the request that raises the alarm to the frame that shows
 * it; the waits around it are generous.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { ROOT, expect, login, startServer, test, type ServerHandle } from './helpers/server.js';

const GUARD = { username: 'nora', password: 'nora-night-shift' };
const GUARD2 = { username: 'olaf', password: 'olaf-night-shift' };
const SUPERVISOR = { username: 'sven', password: 'sven-supervisor' };

let server: ServerHandle;
let cams: { id: string; name: string }[];
let admin: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  server = await startServer({ tmpPrefix: 'console-shift-e2e-' });
  admin = await server.token();
  for (const [u, role] of [
    [GUARD, 'guard'],
    [GUARD2, 'guard'],
    [SUPERVISOR, 'supervisor'],
  ] as const) {
    const r = await server.rpc('users.add', { ...u, role }, admin);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  cams = (await server.rpc('cameras.list', {}, admin)).body;
  expect(cams).toHaveLength(4);
});

test.afterAll(async () => {
  await server?.dispose();
});

/** Close every open alarm (as the admin), so each test starts with an empty queue. */
async function closeAll(): Promise<void> {
  const q = (await server.rpc('alarms.queue', {}, admin)).body as { id: number; state: string }[];
  for (const a of q) {
    if (a.state === 'new') await server.rpc('alarms.transition', { id: a.id, action: 'acknowledge' }, admin);
    await server.rpc('alarms.claim', { id: a.id, takeover: true }, admin);
    const r = await server.rpc('alarms.transition', { id: a.id, action: 'close', reason: 'e2e cleanup' }, admin);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
}

async function panic(cameraId: string, token = admin): Promise<{ id: number; title: string }> {
  const r = await server.rpc('alarms.panic', { cameraId }, token);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function loginAs(page: Page, u: { username: string; password: string }) {
  await login(page, server, u.username, u.password);
}

test.beforeEach(async () => {
  await closeAll();
});

test('Done when: a new guard raises the panic from Live, it takes the screen, Enter acknowledges, a typed reason is stored word for word, and the alarm is a marker on the playback timeline', async ({ page }) => {
  await loginAs(page, GUARD);
  // This console lets a new alarm take over the screen (off by default).
  await page.keyboard.press('F5');
  await page.getByTestId('settings-tab-console').click();
  await expect(page.getByTestId('console-takeover')).not.toBeChecked();
  await page.getByTestId('console-takeover').check();
  await page.keyboard.press('F1');
  await expect(page.getByTestId('view-live')).toBeVisible();
  await page.getByTestId('view-live').focus();
  // The selected tile's camera is the one in focus.
  const focusCam = await page.getByTestId('tile-0').getAttribute('data-camera');
  expect(focusCam).toBeTruthy();

  await page.keyboard.press('Shift+P');
  const dlg = page.getByTestId('alarm-prompt-panic');
  await expect(dlg).toBeVisible();
  await expect(page.getByTestId('panic-attach-camera')).toBeChecked();
  await page.keyboard.type('Someone climbing the fence');
  await page.keyboard.press('Enter');
  await expect(dlg).toHaveCount(0);

  // Takeover: the console switches to the alarm with its camera large.
  const detail = page.getByTestId('alarm-detail');
  await expect(detail).toBeVisible();
  await expect(page).toHaveURL(/#\/alarms\?alarm=\d+/);
  const id = Number(new URL(page.url()).hash.match(/alarm=(\d+)/)![1]);
  await expect(detail).toHaveAttribute('data-alarm', String(id));
  await expect(detail).toHaveAttribute('data-state', 'new');
  await expect(detail).toHaveClass(/expanded/);
  await expect(page.locator(`[data-testid=alarm-camera][data-camera="${focusCam}"][data-large=true]`)).toBeVisible();

  // Enter: acknowledge and open (start working it), both audited.
  await page.keyboard.press('Enter');
  await expect(detail).toHaveAttribute('data-state', 'in_progress');
  const audit = (await server.rpc('audit.list', { actor: GUARD.username, action: 'alarm.' }, admin)).body.items.map((r: { action: string; target: string }) => `${r.action} ${r.target}`);
  expect(audit).toEqual(expect.arrayContaining([`alarm.raised alarm:${id}`, `alarm.acknowledge alarm:${id}`, `alarm.start alarm:${id}`]));

  // P: open it in Playback: the panic is a marker on its camera's track.
  await page.keyboard.press('p');
  await expect(page.getByTestId('view-playback')).toBeVisible();
  await expect(page.locator(`[data-testid=timeline-markers] li[data-kind=panic][data-marker="alarm:${id}"][data-camera="${focusCam}"]`)).toHaveCount(1, { timeout: 20_000 });

  // Back to the alarm and close it with a typed reason that starts with a digit.
  await page.keyboard.press('F3');
  await page.goto(`${server.url}/#/alarms?alarm=${id}`);
  await expect(page.getByTestId('alarm-detail')).toHaveAttribute('data-alarm', String(id));
  await page.keyboard.press('x');
  await expect(page.getByTestId('alarm-prompt-close')).toBeVisible();
  await page.keyboard.type('2 guards checked the gate');
  await expect(page.getByTestId('alarm-prompt-text')).toHaveValue('2 guards checked the gate');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('alarm-prompt-close')).toHaveCount(0);
  const got = (await server.rpc('alarms.get', { id }, admin)).body;
  expect(got.alarm.closeReason).toBe('2 guards checked the gate');
  expect(got.alarm.state).toBe('closed');
  const closeRec = (await server.rpc('audit.list', { action: 'alarm.close' }, admin)).body.items.find((r: { target: string }) => r.target === `alarm:${id}`);
  expect(closeRec.details.reason).toBe('2 guards checked the gate');
});

test('close dialog: digits are typed into the reason; Alt+2 and 1–5 on the reason buttons pick quick reasons', async ({ page }) => {
  const a = await panic(cams[1]!.id);
  const b = await panic(cams[2]!.id);
  await loginAs(page, GUARD);
  for (const [alarm, how] of [
    [a, 'alt'],
    [b, 'button'],
  ] as const) {
    await page.goto(`${server.url}/#/alarms?alarm=${alarm.id}`);
    await expect(page.getByTestId('alarm-detail')).toHaveAttribute('data-alarm', String(alarm.id));
    await page.keyboard.press('x');
    await expect(page.getByTestId('alarm-prompt-close')).toBeVisible();
    await page.keyboard.type('1');
    await expect(page.getByTestId('alarm-prompt-text')).toHaveValue('1');
    await page.keyboard.press('Backspace');
    if (how === 'alt') await page.keyboard.press('Alt+2');
    else {
      await page.getByTestId('alarm-reason-1').focus();
      await page.keyboard.press('3');
    }
    await expect(page.getByTestId('alarm-prompt-close')).toHaveCount(0);
    const got = (await server.rpc('alarms.get', { id: alarm.id }, admin)).body.alarm;
    expect(got.closeReason).toBe(how === 'alt' ? 'Resolved on site' : 'Authorised activity');
  }
});

test('a new alarm while the Live view is open: its tile is outlined and the banner names it within 1 s; the Alarms tab counts it', async ({ page }) => {
  // Note when the alarm.raised frame reaches the page, before the console handles it (the runner's init
  // script, not the app: the CSP is untouched).
  await page.addInitScript(() => {
    const W = window.WebSocket;
    window.WebSocket = class extends W {
      constructor(...a: ConstructorParameters<typeof WebSocket>) {
        super(...a);
        this.addEventListener('message', (e) => {
          const w = window as unknown as { __alarmEventAt?: number };
          if (w.__alarmEventAt === undefined && typeof e.data === 'string' && e.data.includes('"alarm.raised"')) w.__alarmEventAt = performance.now();
        });
      }
    };
  });
  await loginAs(page, GUARD);
  await expect(page.getByTestId('view-live')).toBeVisible();
  const tile = page.locator('[data-testid^=tile-][data-camera]').nth(1);
  const camId = (await tile.getAttribute('data-camera'))!;
  const testId = (await tile.getAttribute('data-testid'))!;
  await expect(page.getByTestId('alarm-banner-global')).toHaveCount(0);
  // Measured inside the page: from the request that raises the alarm to the first frame that shows both.
  const { total, render } = await page.evaluate(
    async ({ camId, testId }) => {
      const t0 = performance.now();
      const seen = new Promise<number>((resolve, reject) => {
        const stop = setTimeout(() => reject(new Error('not shown within 15 s')), 15_000);
        const check = () => {
          const t = document.querySelector(`[data-testid="${testId}"][data-alarm]`);
          const b = document.querySelector('[data-testid="alarm-banner-global"]');
          if (t && b && b.textContent?.includes('PANIC')) {
            clearTimeout(stop);
            resolve(performance.now());
          } else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      });
      const r = await fetch('/api/rpc/alarms.panic', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cameraId: camId }), credentials: 'same-origin' });
      if (!r.ok) throw new Error(`panic: ${r.status} ${await r.text()}`);
      const shown = await seen;
      const at = (window as unknown as { __alarmEventAt?: number }).__alarmEventAt ?? t0;
      return { total: shown - t0, render: shown - at };
    },
    { camId, testId },
  );
  console.log(`alarm event → tile outlined and banner shown: ${Math.round(render)} ms (from the request: ${Math.round(total)} ms)`);
  // The product requirement (within 1 s) on what the console does with the event; the whole round trip
  // through the engine gets CI headroom.
  expect(render).toBeLessThanOrEqual(1000);
  expect(total).toBeLessThanOrEqual(10_000);
  await expect(tile).toHaveClass(/alarmed/);
  await expect(tile.getByTestId('tile-alarm')).toContainText('ALARM P1');
  await expect(page.getByTestId('alarm-banner-global')).toContainText(`PANIC raised by ${GUARD.username}`);
  await expect(page.getByTestId('nav-alarms-count')).toHaveText('1');
  // The outline is drawn in the priority's colour, on a dark backing label.
  const outline = await tile.evaluate((el) => getComputedStyle(el).outlineWidth);
  expect(parseFloat(outline)).toBeGreaterThanOrEqual(3);
  // A second, newer P1 alarm: the banner names the newest of the highest priority.
  const newer = await panic(cams[3]!.id);
  await expect(page.getByTestId('alarm-banner-global')).toHaveAttribute('data-alarm', String(newer.id));
  await expect(page.getByTestId('nav-alarms-count')).toHaveText('2');
  // Shift+Enter opens the banner's alarm.
  await page.getByTestId('view-live').focus();
  await page.keyboard.press('Shift+Enter');
  await expect(page.getByTestId('alarm-detail')).toHaveAttribute('data-alarm', String(newer.id));
  // Playback outlines them too.
  await page.goto(`${server.url}/#/playback?camera=${encodeURIComponent(camId)}`);
  await expect(page.locator(`[data-testid^=pb-tile-][data-camera="${camId}"]`)).toHaveAttribute('data-alarm', /\d+/);
  await expect(page.getByTestId('alarm-banner-global')).toBeVisible();
});

test('Shift+P raises a panic from every view; a P3 alarm stays out of the banner at the default P2 setting', async ({ page }) => {
  await loginAs(page, GUARD);
  for (const key of ['F2', 'F4', 'F5']) {
    await page.keyboard.press(key);
    await page.keyboard.press('Shift+P');
    await expect(page.getByTestId('alarm-prompt-panic')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('alarm-prompt-panic')).toHaveCount(0);
  }
  // In Playback the picked camera is attached.
  await page.keyboard.press('F2');
  await expect(page.locator('[data-testid^=pb-tile-]').first()).toBeVisible();
  const pbCam = await page.locator('[data-testid^=pb-tile-]').first().getAttribute('data-camera');
  await page.keyboard.press('Shift+P');
  await expect(page.getByTestId('alarm-prompt-panic')).toContainText(cams.find((c) => c.id === pbCam)!.name);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('alarm-banner-global')).toContainText('PANIC');
  const q = (await server.rpc('alarms.queue', {}, admin)).body;
  expect(q[0].cameraIds).toEqual([pbCam]);
  await closeAll();
  await expect(page.getByTestId('alarm-banner-global')).toHaveCount(0);
  // A P3 alarm: counted on the Alarms tab, but below this console's P2 setting: no banner, no outline.
  expect((await server.rpc('alarms.setRules', { rules: [{ id: 'panic-p3', name: 'Panic as P3', match: { type: 'panic' }, priority: 3, coalesceSeconds: 0 }] }, admin)).status).toBe(200);
  try {
    const p3 = await panic(cams[0]!.id);
    await expect(page.getByTestId('nav-alarms-count')).toHaveAttribute('data-priority', '3');
    await page.keyboard.press('F1');
    await expect(page.getByTestId('view-live')).toBeVisible();
    await expect(page.getByTestId('alarm-banner-global')).toHaveCount(0);
    await expect(page.locator('[data-testid^=tile-][data-alarm]')).toHaveCount(0);
    // With "every priority" on this console it shows.
    await page.goto(`${server.url}/#/settings?tab=console`);
    await page.getByTestId('console-alert-priority').selectOption('5');
    await page.keyboard.press('F1');
    await expect(page.getByTestId('alarm-banner-global')).toHaveAttribute('data-alarm', String(p3.id));
  } finally {
    await server.rpc('alarms.setRules', { rules: null }, admin);
  }
});

test('alarm video uses the space at 1280×720, 1600×900 and 1920×1080; F full size, L swaps live/replay, P opens Playback', async ({ page }, info) => {
  // Link every demo camera to panic alarms for this test.
  const rules = await server.rpc(
    'alarms.setRules',
    { rules: [{ id: 'panic-all', name: 'Panic, all cameras', match: { type: 'panic' }, priority: 1, cameraIds: cams.map((c) => c.id), coalesceSeconds: 0 }] },
    admin,
  );
  expect(rules.status, JSON.stringify(rules.body)).toBe(200);
  try {
    const a = await panic(cams[0]!.id);
    await loginAs(page, GUARD);
    const shots = path.join(ROOT, 'test-results', 'console-shift');
    fs.mkdirSync(shots, { recursive: true });
    for (const [w, h] of [
      [1280, 720],
      [1600, 900],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.goto(`${server.url}/#/alarms?alarm=${a.id}`);
      const detail = page.getByTestId('alarm-detail');
      await expect(detail).toHaveAttribute('data-alarm', String(a.id));
      await expect(page.getByTestId('alarm-camera')).toHaveCount(4);
      const media = (await page.getByTestId('alarm-media').boundingBox())!;
      const large = (await page.locator('[data-testid=alarm-camera][data-large=true] .am-pane').first().boundingBox())!;
      const small = (await page.locator('[data-testid=alarm-camera][data-large=false] .am-pane').first().boundingBox())!;
      await page.screenshot({ path: path.join(shots, `alarm-detail-${w}x${h}.png`) });
      // The first camera is large: much bigger than the 330 × 245 panes of before, the others smaller.
      expect(large.width * large.height, `${w}×${h}`).toBeGreaterThan(2 * 330 * 245 * (w / 1600) * (h / 900));
      expect(large.width * large.height).toBeGreaterThan(2 * small.width * small.height);
      // The media fills the panel: no half-empty panel below.
      const camsBottom = Math.max(
        ...(await page.getByTestId('alarm-camera').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().bottom))),
      );
      expect(camsBottom).toBeGreaterThan(media.y + media.height * 0.85);
      // F: full size; L swaps live and replay; Esc leaves it.
      await page.keyboard.press('f');
      await expect(detail).toHaveAttribute('data-full', 'true');
      const full = (await page.locator('[data-testid=alarm-camera] .am-pane').first().boundingBox())!;
      expect(full.width).toBeGreaterThan(w * 0.8);
      await expect(page.locator('[data-testid=alarm-camera]')).toHaveAttribute('data-mode', 'live');
      await page.keyboard.press('l');
      await expect(page.locator('[data-testid=alarm-camera]')).toHaveAttribute('data-mode', 'replay');
      await page.screenshot({ path: path.join(shots, `alarm-full-${w}x${h}.png`) });
      await page.keyboard.press('Escape');
      await expect(detail).toHaveAttribute('data-full', 'false');
      await page.keyboard.press('l');
    }
    info.annotations.push({ type: 'screenshots', description: shots });
    // LIVE/REPLAY badges sit on a dark backing.
    const bg = await page.locator('.am-badge').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    const alpha = Number(/rgba?\([^)]*?,\s*([\d.]+)\)$/.exec(bg)?.[1] ?? (bg.startsWith('rgb(') ? 1 : 0));
    expect(alpha).toBeGreaterThanOrEqual(0.75);
    // P: Open in Playback, at the alarm's camera and pre-roll.
    await page.keyboard.press('p');
    await expect(page.getByTestId('view-playback')).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`camera=${cams[0]!.id}`));
  } finally {
    await server.rpc('alarms.setRules', { rules: null }, admin);
  }
});

test('layout: Alarms sub-tabs are a proper bar, the Cameras table fits 1280 px, History shows camera names, "1 user"', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await panic(cams[2]!.id);
  await loginAs(page, GUARD);
  await page.keyboard.press('F3');
  const bar = (await page.locator('.alarms-tabs').boundingBox())!;
  expect(bar.height).toBeGreaterThanOrEqual(28);
  const tab = (await page.getByTestId('alarms-tabs-queue').boundingBox())!;
  expect(tab.y).toBeGreaterThanOrEqual(bar.y - 0.5);
  expect(tab.y + tab.height).toBeLessThanOrEqual(bar.y + bar.height + 0.5);
  const banner = (await page.getByTestId('alarm-banner').boundingBox())!;
  expect(banner.y).toBeGreaterThanOrEqual(bar.y + bar.height - 0.5);
  // History: camera names, not ids.
  await page.keyboard.press('2');
  const item = page.getByTestId('ah-item').first();
  await expect(item).toContainText(cams[2]!.name);
  // Cameras at 1280: every row's Remove is on screen (admin).
  await page.getByTestId('logout').click();
  await login(page, server);
  await page.keyboard.press('F4');
  await expect(page.getByTestId('camera-row')).toHaveCount(4);
  for (const b of await page.getByTestId('row-remove').all()) {
    const box = (await b.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(1280);
  }
  const overflow = await page.getByTestId('camera-table').evaluate((t) => t.scrollWidth - t.clientWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  // The top bar at 1280, 1600 and 1920: the clock and Log out stay on screen.
  for (const width of [1280, 1600, 1920]) {
    await page.setViewportSize({ width, height: 800 });
    for (const id of ['clock', 'logout']) {
      const box = (await page.getByTestId(id).boundingBox())!;
      expect(box.x + box.width, `${id} at ${width} px`).toBeLessThanOrEqual(width);
    }
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  // Users: singular and plural.
  await page.goto(`${server.url}/#/settings?tab=users`);
  const n = (await server.rpc('users.list', {}, admin)).body.length;
  await expect(page.getByTestId('users-tab')).toContainText(`${n} ${n === 1 ? 'user' : 'users'} ·`);
  expect(await page.getByTestId('users-tab').textContent()).not.toMatch(/\b1 users\b/);
});

test('live grid: 4×4 → 1×1 → 2×2 keeps cameras 2–4', async ({ page }) => {
  await loginAs(page, GUARD);
  await expect(page.getByTestId('tile-3')).toHaveAttribute('data-camera', /.+/);
  const before = await Promise.all([0, 1, 2, 3].map((i) => page.getByTestId(`tile-${i}`).getAttribute('data-camera')));
  await page.getByTestId('grid-4x4').click();
  await page.getByTestId('grid-1x1').click();
  await expect(page.getByTestId('tile-1')).toHaveCount(0);
  await page.getByTestId('grid-2x2').click();
  const after = await Promise.all([0, 1, 2, 3].map((i) => page.getByTestId(`tile-${i}`).getAttribute('data-camera')));
  expect(after).toEqual(before);
  // and with the keys: - three times, + once
  await page.getByTestId('view-live').focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('-');
  await expect(page.locator('[data-testid=view-live]')).toHaveAttribute('data-grid', '1x1');
  await page.keyboard.press('=');
  const again = await Promise.all([0, 1, 2, 3].map((i) => page.getByTestId(`tile-${i}`).getAttribute('data-camera')));
  expect(again).toEqual(before);
});

test('playback: T goes to a time (the button says so), the dialog names the zone once, A jumps to the next alarm', async ({ page }) => {
  const a = await panic(cams[0]!.id);
  const alarmAt = Date.parse((await server.rpc('alarms.get', { id: a.id }, admin)).body.alarm.createdAt);
  await loginAs(page, GUARD);
  // start a little before it (earlier tests raised alarms on this camera too)
  await page.goto(`${server.url}/#/playback?camera=${encodeURIComponent(cams[0]!.id)}&t=${encodeURIComponent(new Date(alarmAt - 8000).toISOString())}`);
  await expect(page.getByTestId('pb-goto')).toContainText('T');
  await expect(page.getByTestId('pb-goto')).not.toContainText(/\bG\b/);
  await page.getByTestId('view-playback').focus();
  await page.keyboard.press('t');
  const dlg = page.getByTestId('goto-dialog');
  await expect(dlg).toBeVisible();
  const label = (await dlg.locator('label').first().textContent())!;
  expect(label).not.toMatch(/\(([^,]+), \1\)/);
  await page.keyboard.press('Escape');
  // The alarm is a marker; A jumps to it and says so.
  await expect(page.locator(`[data-testid=timeline-markers] li[data-marker="alarm:${a.id}"]`)).toHaveCount(1, { timeout: 20_000 });
  await page.keyboard.press('a');
  await expect(page.getByTestId('pb-notice')).toContainText('PANIC');
  await expect(page.getByTestId('pb-notice')).toContainText(`#${a.id}`);
  const t = Number(await page.getByTestId('view-playback').getAttribute('data-time'));
  expect(Math.abs(t - alarmAt)).toBeLessThan(2000);
});

test('? lists every key, dialog keys included; Ctrl+/ opens the list from a text field where ? is typed', async ({ page }) => {
  await loginAs(page, GUARD);
  await page.keyboard.press('F3');
  await page.keyboard.press('?');
  const o = page.getByTestId('shortcuts-overlay');
  await expect(o).toBeVisible();
  for (const text of ['Send', 'New line in the text', 'Alt+1 … Alt+5', 'Raise a PANIC alarm', 'Leave the full-size video', 'acknowledges a new one']) await expect(o).toContainText(text);
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.keyboard.press('?');
  await expect(o).toContainText('Back to the grid');
  await expect(o).toContainText('Bookmark this moment');
  await expect(o.locator('[data-scope="Bookmark dialog"]')).toContainText('New line in the note');
  await page.keyboard.press('?');
  await expect(o).toHaveCount(0);
  // In a text field ? is typed; Ctrl+/ shows the list.
  await page.keyboard.press('F3');
  await page.keyboard.press('c');
  await page.keyboard.press('Escape');
  await page.keyboard.press('2');
  await page.getByTestId('ah-text').focus();
  await page.keyboard.type('?');
  await expect(page.getByTestId('ah-text')).toHaveValue('?');
  await expect(o).toHaveCount(0);
  await page.keyboard.press('Control+/');
  await expect(o).toBeVisible();
  await expect(o).toContainText('Ctrl+/');
  await page.keyboard.press('Control+/');
  await expect(o).toHaveCount(0);
});

test('adding a camera: a URL with credentials moves them into the fields; the ONVIF address takes a bare IP', async ({ page }) => {
  await login(page, server);
  await page.keyboard.press('F4');
  await page.getByTestId('camera-add').click();
  await page.getByTestId('camera-name').fill('Pasted from the manual');
  await page.getByTestId('camera-url').fill('rtsp://installer:S3cret%40gate@127.0.0.1:8554/Streaming/Channels/101');
  await expect(page.getByTestId('camera-url')).toHaveValue('rtsp://127.0.0.1:8554/Streaming/Channels/101');
  await expect(page.getByTestId('camera-username')).toHaveValue('installer');
  await expect(page.getByTestId('camera-password')).toHaveValue('S3cret@gate');
  await expect(page.getByTestId('camera-url-moved')).toContainText('stored encrypted');
  await page.getByTestId('camera-enabled').uncheck();
  await page.getByTestId('camera-submit').click();
  await expect(page.getByTestId('camera-form')).toHaveCount(0);
  const list = (await server.rpc('cameras.list', {}, admin)).body as { id: string; name: string; url: string; username: string; hasPassword: boolean }[];
  const c = list.find((x) => x.name === 'Pasted from the manual')!;
  expect(c).toMatchObject({ url: 'rtsp://127.0.0.1:8554/Streaming/Channels/101', username: 'installer', hasPassword: true });
  expect(fs.readFileSync(path.join(server.dataDir, 'config.json'), 'utf8')).not.toContain('S3cret');
  // The API takes the pasted URL too, and says what it did.
  const r = await server.rpc('cameras.add', { name: 'Pasted over the API', url: 'rtsp://u2:p2@127.0.0.1:8554/x', enabled: false }, admin);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body).toMatchObject({ url: 'rtsp://127.0.0.1:8554/x', username: 'u2', notes: [expect.stringContaining('moved')] });
  for (const id of [c.id, r.body.id]) await server.rpc('cameras.remove', { id }, admin);

  // ONVIF: 127.0.0.1 is an address, as the hint says (nothing answers ONVIF there: the error is about the camera, not the format).
  await page.getByTestId('camera-add').click();
  await page.getByTestId('camera-mode-onvif').check();
  await page.getByTestId('onvif-xaddr').fill('127.0.0.1:9');
  await page.getByTestId('onvif-add').click();
  const err = page.getByTestId('onvif-error').or(page.getByTestId('onvif-xaddr-error'));
  await expect(err).toBeVisible({ timeout: 30_000 });
  await expect(err).not.toContainText(/give the (camera's IP address|ONVIF device service address)/);
});

test('bookmarks: M marks a moment with a note on Live; Shift+B finds it; it is on the timeline; only its author or a supervisor changes it', async ({ page }) => {
  await loginAs(page, GUARD);
  await expect(page.getByTestId('tile-1')).toHaveAttribute('data-camera', /.+/);
  const cam = (await page.getByTestId('tile-1').getAttribute('data-camera'))!;
  await page.getByTestId('view-live').focus();
  await page.keyboard.press('2');
  await page.keyboard.press('m');
  const dlg = page.getByTestId('bookmark-dialog');
  await expect(dlg).toBeVisible();
  await expect(page.getByTestId('bookmark-what')).toContainText(cams.find((c) => c.id === cam)!.name);
  await page.keyboard.type('3 people at the lawn, one with a bag');
  await page.keyboard.press('Enter');
  await expect(dlg).toHaveCount(0);
  const list = (await server.rpc('bookmarks.list', { filter: { cameraId: cam } }, admin)).body.items;
  const b = list[0];
  expect(b).toMatchObject({ note: '3 people at the lawn, one with a bag', author: GUARD.username, cameraIds: [cam] });
  const rec = (await server.rpc('audit.list', { action: 'bookmark.add' }, admin)).body.items[0];
  expect(rec).toMatchObject({ actor: GUARD.username, target: `bookmark:${b.id}` });

  // Shift+B: search by a word of the note, Enter plays back from it.
  await page.keyboard.press('Shift+B');
  await expect(page.getByTestId('bookmarks-dialog')).toBeVisible();
  await page.keyboard.type('bag');
  await expect(page.getByTestId('bookmark-row')).toHaveCount(1);
  await expect(page.getByTestId('bookmark-row')).toContainText('3 people at the lawn');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-playback')).toBeVisible();
  await expect(page.locator(`[data-testid=timeline-markers] li[data-kind=bookmark][data-marker="bookmark:${b.id}"]`)).toHaveCount(1, { timeout: 20_000 });
  // N: the next bookmark from before it.
  await page.getByTestId('view-playback').focus();
  await page.keyboard.press('Shift+ArrowLeft');
  await page.keyboard.press('n');
  await expect(page.getByTestId('pb-notice')).toContainText('3 people at the lawn');

  // Role matrix: another guard may not change it; a supervisor may.
  const olaf = await server.token(GUARD2.username, GUARD2.password);
  const denied = await server.rpc('bookmarks.update', { id: b.id, note: 'nothing here' }, olaf);
  expect(denied.status).toBe(403);
  const sven = await server.token(SUPERVISOR.username, SUPERVISOR.password);
  const ok = await server.rpc('bookmarks.update', { id: b.id, note: '3 people at the lawn, one with a bag; police called' }, sven);
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  expect(ok.body).toMatchObject({ author: GUARD.username, updatedBy: SUPERVISOR.username });
  const actions = (await server.rpc('audit.list', { action: 'bookmark' }, admin)).body.items.map((r: { action: string; actor: string }) => `${r.actor} ${r.action}`);
  expect(actions).toEqual(expect.arrayContaining([`${GUARD2.username} bookmarks.update.denied`, `${SUPERVISOR.username} bookmark.update`, `${GUARD.username} bookmark.add`]));
});
