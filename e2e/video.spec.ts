/**
 * Live grid and playback, end to end: a real `gatehouse serve --demo`, four
 * cameras from the RTSP fixture, the built console in Chromium.
 *
 *  - the grid plays four RTSP cameras: every tile's video advances, and a
 *    sampled frame is a picture, not a blank;
 *  - a full-screen tile switches to the main stream, and Esc goes back;
 *  - an H.265 camera gets a clear message and a snapshot choice;
 *  - playback seeks to a typed time T on the demo clock pattern, and the
 *    binary time code in the shown frame (read from a canvas) matches T
 *    within a second; two cameras play in sync; the keyboard scrubs back an hour.
 *
 * Run: npx playwright test e2e/video.spec.ts (after `npm run build`).
 */
import net from 'node:net';
import type { Page } from '@playwright/test';
import { startFakeCamera } from '../test/fixtures/onvif/fake-camera.js';
import { startRtspServer, type RtspFixture } from '../test/fixtures/rtsp.js';
import { expect, login, startServer, test, type ServerHandle } from './helpers/server.js';

const TZ = 'Europe/Berlin';
test.use({ timezoneId: TZ });
test.describe.configure({ mode: 'serial' });

/** Ports of the "video" range: 18300–18399 (servers low half, RTSP high half). */
async function portIn(lo: number, hi: number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = lo + Math.floor(Math.random() * (hi - lo + 1));
    const free = await new Promise<boolean>((r) => {
      const s = net.createServer();
      s.once('error', () => r(false));
      s.listen(p, '127.0.0.1', () => s.close(() => r(true)));
    });
    if (free) return p;
  }
  throw new Error(`no free port in ${lo}-${hi}`);
}

let server: ServerHandle;
let rtsp: RtspFixture;
let token: string;
const rtspIds: string[] = [];
let h265Id = '';

test.beforeAll(async () => {
  test.setTimeout(180_000);
  rtsp = await startRtspServer({ port: await portIn(18350, 18399) });
  server = await startServer({ port: await portIn(18300, 18349), tmpPrefix: 'video-e2e-' });
  token = await server.token();
  for (const n of [1, 2, 3, 4]) {
    const r = await server.rpc('cameras.add', { name: `RTSP ${n}`, url: rtsp.url(`/cam${n}`) }, token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    rtspIds.push(r.body.id as string);
  }
  const h = await server.rpc('cameras.add', { name: 'RTSP HEVC', url: rtsp.url('/h265') }, token);
  expect(h.status, JSON.stringify(h.body)).toBe(200);
  h265Id = h.body.id as string;
});

test.afterAll(async () => {
  await server?.dispose();
  await rtsp?.close();
});

async function saveLayout(name: string, grid: string, tiles: (string | null)[]): Promise<string> {
  const r = await server.rpc('layouts.save', { name, grid, tiles }, token);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.id as string;
}

async function openLayout(page: Page, id: string): Promise<void> {
  await page.getByTestId('nav-live').click();
  await expect(page.getByTestId('view-live')).toBeVisible();
  await page.getByTestId('layout-select').selectOption(id);
}

/** Pixels of a video's current frame: share of non-flat pixels (0 = blank). */
async function frameDetail(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((v: HTMLVideoElement) => {
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const g = c.getContext('2d')!;
    g.drawImage(v, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let lo = 255;
    let hi = 0;
    let diff = 0;
    let n = 0;
    for (let i = 0; i < d.length; i += 4 * 37) {
      const l = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
      lo = Math.min(lo, l);
      hi = Math.max(hi, l);
      if (Math.abs(l - (0.299 * d[0]! + 0.587 * d[1]! + 0.114 * d[2]!)) > 12) diff++;
      n++;
    }
    return hi - lo < 20 ? 0 : diff / n;
  });
}

/** The demo pattern's binary time code in the frame on screen (Unix s), as docs/recording.md describes it. */
async function timecode(page: Page, selector: string): Promise<number | null> {
  return page.locator(selector).evaluate((v: HTMLVideoElement) => {
    const w = v.videoWidth;
    const h = v.videoHeight;
    if (!w || !h) return null;
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const g = c.getContext('2d', { willReadFrequently: true })!;
    g.drawImage(v, 0, 0, w, h);
    const d = g.getImageData(0, 0, w, h).data;
    const y = Math.round((352 * h) / 360);
    let val = 0;
    for (let i = 0; i < 32; i++) {
      const x = Math.round(((i * 20 + 10) * w) / 640);
      const k = (y * w + x) * 4;
      const l = 0.299 * d[k]! + 0.587 * d[k + 1]! + 0.114 * d[k + 2]!;
      val = val * 2 + (l > 128 ? 1 : 0);
    }
    return val;
  });
}

/** "2026-11-26 09:15:30" in the console's zone. */
function wallText(t: number): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: TZ,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(t))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

test('the grid plays four RTSP cameras: every tile advances and shows a picture', async ({ page }) => {
  const id = await saveLayout('Four RTSP', '2x2', rtspIds);
  await login(page, server);
  await openLayout(page, id);
  for (let i = 0; i < 4; i++) {
    await expect(page.getByTestId(`tile-${i}`)).toHaveAttribute('data-camera', rtspIds[i]!);
    await expect(page.getByTestId(`tile-${i}`)).toHaveAttribute('data-phase', 'playing', { timeout: 45_000 });
  }
  const videos = (i: number) => `[data-testid="tile-${i}"] video[data-stream="sub"]`;
  const t0 = await Promise.all([0, 1, 2, 3].map((i) => page.locator(videos(i)).evaluate((v: HTMLVideoElement) => v.currentTime)));
  await page.waitForTimeout(3000);
  const t1 = await Promise.all([0, 1, 2, 3].map((i) => page.locator(videos(i)).evaluate((v: HTMLVideoElement) => v.currentTime)));
  for (let i = 0; i < 4; i++) expect(t1[i]!, `tile ${i + 1} currentTime`).toBeGreaterThan(t0[i]! + 1);
  expect(await frameDetail(page, videos(0))).toBeGreaterThan(0.05);
  // The status overlay: name, recording dot and clock on every tile.
  await expect(page.getByTestId('tile-0')).toContainText('RTSP 1');
  await expect(page.getByTestId('tile-0').getByTestId('rec-dot')).toBeVisible({ timeout: 30_000 });
  // Live edge: the players stay close to the newest frame.
  const rows = await page.evaluate(() => (window as any).__gatehouseVideo.live().filter((r: any) => r.phase === 'playing'));
  expect(rows.length).toBeGreaterThanOrEqual(4);
  for (const r of rows) expect(r.lag).toBeLessThan(1.5);
});

test('Enter makes a tile full-screen on the main stream, Esc goes back to the grid', async ({ page }) => {
  const id = await saveLayout('Full screen', '2x2', rtspIds);
  await login(page, server);
  await openLayout(page, id);
  await expect(page.getByTestId('tile-1')).toHaveAttribute('data-phase', 'playing', { timeout: 45_000 });
  await page.keyboard.press('2');
  await page.keyboard.press('Enter');
  const tile = page.getByTestId('tile-1');
  await expect(tile).toHaveClass(/fullscreen/);
  await expect(tile).toHaveAttribute('data-shown', 'main', { timeout: 20_000 });
  expect(await frameDetail(page, '[data-testid="tile-1"] video.on')).toBeGreaterThan(0.05);
  await page.keyboard.press('Escape');
  await expect(tile).not.toHaveClass(/fullscreen/);
  await expect(tile).toHaveAttribute('data-shown', 'sub', { timeout: 20_000 });
});

test('a camera with a sub stream: the grid plays the sub, full screen the main, without a black frame between', async ({ page }) => {
  const add = await server.rpc('cameras.add', { name: 'RTSP dual', url: rtsp.url('/cam1'), subUrl: rtsp.url('/cam2') }, token);
  expect(add.status, JSON.stringify(add.body)).toBe(200);
  const id = await saveLayout('Dual', '2x2', [add.body.id, null, null, null]);
  await login(page, server);
  await openLayout(page, id);
  const tile = page.getByTestId('tile-0');
  await expect(tile).toHaveAttribute('data-streams', 'dual');
  await expect(tile).toHaveAttribute('data-phase', 'playing', { timeout: 45_000 });
  await expect(tile).toHaveAttribute('data-shown', 'sub');
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  // Until the main stream's first frame is on screen, the sub stays visible and playing.
  const samples: { shown: string; subOn: boolean; subTime: number }[] = [];
  for (let i = 0; i < 100; i++) {
    const s = await tile.evaluate((el) => {
      const sub = el.querySelector('video[data-stream="sub"]') as HTMLVideoElement;
      return { shown: el.getAttribute('data-shown')!, subOn: sub.classList.contains('on'), subTime: sub.currentTime };
    });
    samples.push(s);
    if (s.shown === 'main') break;
    await page.waitForTimeout(50);
  }
  expect(samples[samples.length - 1]!.shown).toBe('main');
  for (const s of samples.slice(0, -1)) expect(s.subOn && s.subTime > 0).toBe(true);
  expect(Number(await tile.getAttribute('data-switch-ms'))).toBeGreaterThan(0);
  expect(await frameDetail(page, '[data-testid="tile-0"] video[data-stream="main"]')).toBeGreaterThan(0.05);
  await page.keyboard.press('Escape');
  await expect(tile).toHaveAttribute('data-shown', 'sub', { timeout: 20_000 });
});

test('layouts: the grid size keys, and a layout saved from the keyboard survives a reload', async ({ page }) => {
  await login(page, server);
  await page.getByTestId('nav-live').click();
  await page.getByTestId('grid-3x3').click();
  await expect(page.getByTestId('view-live')).toHaveAttribute('data-grid', '3x3');
  await page.keyboard.press('-');
  await expect(page.getByTestId('view-live')).toHaveAttribute('data-grid', '2x2');
  await page.keyboard.press('Shift+S');
  await page.getByTestId('save-layout').locator('input').fill('Night shift');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('save-layout')).toBeHidden();
  await page.reload();
  await expect(page.getByTestId('layout-select').locator('option', { hasText: 'Night shift' })).toHaveCount(1);
  const list = await server.rpc('layouts.list', {}, token);
  expect(list.body.map((l: { name: string }) => l.name)).toContain('Night shift');
});

test('an H.265 camera gets a clear message and the choice of snapshots', async ({ page }) => {
  const id = await saveLayout('HEVC', '1x1', [h265Id]);
  await login(page, server);
  await openLayout(page, id);
  const tile = page.getByTestId('tile-0');
  await expect(tile.getByTestId('tile-unsupported')).toBeVisible({ timeout: 60_000 });
  await expect(tile.getByTestId('tile-unsupported')).toContainText('H.265');
  await tile.getByRole('button', { name: 'Show snapshots' }).click();
  await expect(tile.getByTestId('tile-snapshot').or(tile.getByText(/cannot make snapshots/))).toBeVisible();
});

/** Wait until each camera has recorded at least `ms` since its first segment; returns the span all of them cover. */
async function recordedSpan(cameraIds: string[], ms: number): Promise<{ first: number; last: number }> {
  let span = { first: 0, last: 0 };
  await expect
    .poll(
      async () => {
        const now = Date.now();
        let first = 0;
        let last = Infinity;
        for (const cameraId of cameraIds) {
          const r = await server.rpc(
            'recordings.list',
            { cameraId, from: new Date(now - 3_600_000).toISOString(), to: new Date(now + 60_000).toISOString() },
            token,
          );
          const segs = (r.body?.segments ?? []) as { start: string; end: string }[];
          if (!segs.length) return false;
          first = Math.max(first, Math.min(...segs.map((x) => Date.parse(x.start))));
          last = Math.min(last, Math.max(...segs.map((x) => Date.parse(x.end))));
        }
        span = { first, last };
        return last - first >= ms;
      },
      { timeout: 150_000, intervals: [2000] },
    )
    .toBe(true);
  return span;
}

test('playback seeks to a typed time on the clock pattern: the frame’s time code matches', async ({ page }) => {
  test.setTimeout(180_000);
  const cam = 'demo-clock-pattern';
  // A recorded moment a few seconds into the recording, at a half second so rounding shows.
  const span = await recordedSpan([cam], 12_000);
  const T = Math.floor(Math.max(span.first + 4000, span.last - 25_000) / 1000) * 1000 + 500;
  await login(page, server);
  await page.goto(`${server.url}/#/playback?camera=${cam}`);
  await expect(page.getByTestId('view-playback')).toBeVisible();
  await page.keyboard.press('Shift+G');
  await page.getByTestId('goto-input').fill(wallText(T));
  // Typed to the second: the target is the whole second.
  const target = Math.floor(T / 1000) * 1000;
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('goto-dialog')).toBeHidden();
  const video = `[data-testid="pb-tile-0"] video[data-stream="recorded"]`;
  await expect(page.getByTestId('pb-tile-0')).toHaveAttribute('data-phase', 'ready', { timeout: 30_000 });
  await expect
    .poll(() => page.locator(video).evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 20_000 })
    .toBeGreaterThanOrEqual(2);
  await expect.poll(() => timecode(page, video), { timeout: 10_000 }).not.toBeNull();
  const code = (await timecode(page, video))!;
  expect(Math.abs(code * 1000 - target), `time code ${code} vs typed ${target / 1000}`).toBeLessThanOrEqual(1000);
  expect(Number(await page.getByTestId('view-playback').getAttribute('data-time'))).toBe(target);
  await expect(page.getByTestId('pb-time')).toContainText(wallText(target).slice(11));

  // A frame step moves by one frame (100 ms at 10 fps).
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => Number(await page.getByTestId('view-playback').getAttribute('data-time'))).toBe(target + 100);
});

test('two cameras play in sync within a frame, and the keyboard scrubs back an hour', async ({ page }) => {
  test.setTimeout(180_000);
  const span = await recordedSpan(['demo-clock-pattern', 'demo-bars-pattern'], 20_000);
  const T = Math.max(span.first + 3000, span.last - 40_000);
  await login(page, server);
  await page.goto(`${server.url}/#/playback?camera=demo-clock-pattern`);
  await expect(page.getByTestId('view-playback')).toBeVisible();
  // Add the bars camera from the keyboard-driven picker.
  await page.keyboard.press('c');
  await page
    .getByTestId('camera-select')
    .getByRole('option', { name: /DEMO Bars pattern/ })
    .click();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('pb-tile-1')).toBeVisible();
  await page.keyboard.press('Shift+G');
  await page.getByTestId('goto-input').fill(wallText(T));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('pb-tile-0')).toHaveAttribute('data-phase', 'ready', { timeout: 30_000 });
  await expect(page.getByTestId('pb-tile-1')).toHaveAttribute('data-phase', 'ready', { timeout: 30_000 });
  await page.keyboard.press('Space');
  await expect(page.getByTestId('view-playback')).toHaveAttribute('data-playing', 'true');
  await page.waitForTimeout(3000);
  const drifts: number[] = [];
  for (let i = 0; i < 10; i++) {
    const s = await page.evaluate(() => {
      const d = (window as any).__gatehouseVideo;
      const m = d.master();
      return d.playback().map((p: any) => ({ drift: p.wallTime - m.time, phase: p.phase, paused: p.paused }));
    });
    expect(s).toHaveLength(2);
    for (const p of s) if (p.phase === 'ready' && !p.paused) drifts.push(Math.abs(p.drift));
    await page.waitForTimeout(300);
  }
  expect(drifts.length).toBeGreaterThan(10);
  // One frame at 10 fps is 100 ms; allow the sampling jitter of two separate reads.
  drifts.sort((a, b) => a - b);
  expect(drifts[Math.floor(drifts.length * 0.9)]!).toBeLessThanOrEqual(100);
  // Both pattern cameras show the same second (±1 at a boundary).
  await page.keyboard.press('Space');
  await expect(page.getByTestId('view-playback')).toHaveAttribute('data-playing', 'false');
  await page.waitForTimeout(500);
  const a = await timecode(page, '[data-testid="pb-tile-0"] video[data-stream="recorded"]');
  const b = await timecode(page, '[data-testid="pb-tile-1"] video[data-stream="recorded"]');
  expect(a).not.toBeNull();
  expect(Math.abs(a! - b!)).toBeLessThanOrEqual(1);

  // Scrub back an hour with the keyboard alone.
  const before = Number(await page.getByTestId('view-playback').getAttribute('data-time'));
  await page.keyboard.press('PageUp');
  await expect.poll(async () => Number(await page.getByTestId('view-playback').getAttribute('data-time'))).toBe(before - 3_600_000);
  // ...and the ? overlay lists the playback keys.
  await page.keyboard.press('?');
  await expect(page.getByText('Shuttle: J slower, K pause, L play / faster')).toBeVisible();
});

test('a camera that goes away keeps its last frame, dimmed, with the time since it was lost, and comes back by itself', async ({
  page,
}) => {
  // Disabling and re-enabling a camera restarts its ffmpeg; under CI load that takes a while.
  test.setTimeout(180_000);
  const id = await saveLayout('Outage', '2x2', rtspIds);
  await login(page, server);
  await openLayout(page, id);
  const tile = page.getByTestId('tile-2');
  await expect(tile).toHaveAttribute('data-phase', 'playing', { timeout: 45_000 });
  const off = await server.rpc('cameras.update', { id: rtspIds[2], patch: { enabled: false } }, token);
  expect(off.status).toBe(200);
  await expect(tile).toHaveClass(/\bdown\b/, { timeout: 20_000 });
  await expect(tile).toContainText(/lost \d+ s ago/);
  // The last frame is still there (the video, or the poster taken from it), not black.
  const still = await tile
    .locator('video[data-stream="sub"]')
    .evaluate((v: HTMLVideoElement) => ({ poster: !!v.getAttribute('poster'), frame: v.readyState >= 2 && v.videoWidth > 0 }));
  expect(still.poster || still.frame).toBe(true);
  // The other tiles keep playing.
  await expect(page.getByTestId('tile-0')).toHaveAttribute('data-phase', 'playing');
  const on = await server.rpc('cameras.update', { id: rtspIds[2], patch: { enabled: true } }, token);
  expect(on.status).toBe(200);
  await expect(tile).not.toHaveClass(/\bdown\b/, { timeout: 60_000 });
  await expect(tile).toHaveAttribute('data-phase', 'playing', { timeout: 60_000 });
});

test('a hidden tab closes its decoders and resumes when shown; live sockets reconnect after a server restart', async ({ page }) => {
  test.setTimeout(180_000);
  const id = await saveLayout('Robust', '2x2', rtspIds);
  await login(page, server);
  await openLayout(page, id);
  for (let i = 0; i < 4; i++) await expect(page.getByTestId(`tile-${i}`)).toHaveAttribute('data-phase', 'playing', { timeout: 45_000 });
  const setVisibility = (state: 'hidden' | 'visible') =>
    page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
  await setVisibility('hidden');
  await expect
    .poll(() => page.evaluate(() => (window as any).__gatehouseVideo.live().filter((r: any) => r.phase !== 'closed').length))
    .toBe(0);
  await setVisibility('visible');
  for (let i = 0; i < 4; i++) await expect(page.getByTestId(`tile-${i}`)).toHaveAttribute('data-phase', 'playing', { timeout: 45_000 });

  await server.restart();
  for (let i = 0; i < 4; i++) await expect(page.getByTestId(`tile-${i}`)).toHaveAttribute('data-phase', 'playing', { timeout: 90_000 });
  const rows = await page.evaluate(() =>
    (window as any).__gatehouseVideo.live().filter((r: any) => r.stream === 'sub' && r.phase === 'playing'),
  );
  expect(rows.some((r: any) => r.reconnects > 0)).toBe(true);
});

test('drag a camera from the list onto a tile', async ({ page }) => {
  const id = await saveLayout('Drag', '2x2', [null, null, null, null]);
  await login(page, server);
  await openLayout(page, id);
  await page.getByTestId(`live-cam-${rtspIds[3]}`).dragTo(page.getByTestId('tile-2'));
  await expect(page.getByTestId('tile-2')).toHaveAttribute('data-camera', rtspIds[3]!);
  await expect(page.getByTestId('tile-2')).toHaveAttribute('data-phase', 'playing', { timeout: 45_000 });
  // And from the keyboard: tile 4, C, pick, Enter.
  await page.keyboard.press('4');
  await page.keyboard.press('c');
  await page.getByTestId('camera-picker').locator('input').fill('RTSP 1');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('tile-3')).toHaveAttribute('data-camera', rtspIds[0]!);
});

test('a full-screen ONVIF PTZ camera gets the PTZ pad; the arrows pan it', async ({ page }) => {
  const fake = await startFakeCamera({
    port: await portIn(18330, 18349),
    discoveryPort: null,
    ptz: true,
    rtsp: { main: rtsp.url('/cam3'), sub: rtsp.url('/cam4') },
  });
  try {
    const add = await server.rpc('onvif.add', { xaddr: fake.xaddr, name: 'PTZ dome' }, token);
    expect(add.status, JSON.stringify(add.body)).toBe(200);
    const id = await saveLayout('PTZ', '2x2', [add.body.id, rtspIds[0]!, null, null]);
    await login(page, server);
    await openLayout(page, id);
    await expect(page.getByTestId('tile-0')).toHaveAttribute('data-phase', 'playing', { timeout: 45_000 });
    await expect(page.getByTestId('ptz-pad')).toHaveCount(0);
    await page.keyboard.press('1');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('tile-0').getByTestId('ptz-pad')).toBeVisible({ timeout: 15_000 });
    const before = (await server.rpc('ptz.status', { cameraId: add.body.id }, token)).body;
    await page.keyboard.down('ArrowRight');
    await page.waitForTimeout(800);
    await page.keyboard.up('ArrowRight');
    await expect
      .poll(async () => (await server.rpc('ptz.status', { cameraId: add.body.id }, token)).body.pan, { timeout: 10_000 })
      .not.toBe(before.pan);
    // '-' zooms the camera in full screen instead of shrinking the grid.
    await page.keyboard.press('-');
    await expect(page.getByTestId('view-live')).toHaveAttribute('data-grid', '2x2');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('ptz-pad')).toHaveCount(0);
  } finally {
    await fake.stop();
  }
});
