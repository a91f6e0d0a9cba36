// Live view in Chromium (playwright-core, /usr/bin/chromium) against a real
// `gatehouse serve --demo` with 16 extra 360p RTSP cameras:
//
//  1. glass-to-glass latency: the demo clock pattern carries its frame's wall
//     time as a binary time code (docs/recording.md). In the page, a
//     requestVideoFrameCallback loop reads the code of every frame shown; at
//     each change of second the frame's capture time is that second (within
//     one frame, 100 ms at 10 fps), and its display time is rVFC's
//     expectedDisplayTime. Latency = display − capture: an upper bound, up to
//     one frame high. Same machine, same clock.
//  2. first frame after opening a tile: switch from an empty layout to the
//     four demo cameras, read each tile's open() → first rendered frame.
//  3. full-screen switch: Enter on a tile until the main stream's first frame
//     is on screen (the sub keeps playing until then), then Esc.
//  4. 16 tiles of 360p: frames shown / frames the cameras sent, dropped
//     frames, the console's CPU (Chromium's whole process tree) and the MSE
//     buffer each player holds (memory must stay flat).
//
// Ports 18300-18399 (the video range), temp dirs /tmp/video-bench-<pid>-*.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CLK_TCK, treeTicks } from '../lib/cpu.mjs';
import * as fixtures from '../lib/fixtures.mjs';
import { gatehouseCommand } from '../lib/gatehouse.mjs';
import { root } from '../lib/paths.mjs';
import { sleep, spawnTracked, stopTracked } from '../lib/procs.mjs';
import { figure } from '../lib/report.mjs';

const ADMIN_PW = 'bench-video-admin';
const TILES = 16;
const FPS = 10;

function tmp(name) {
  const d = path.join('/tmp', `video-bench-${process.pid}-${name}`);
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
  return d;
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
async function freePort(lo, hi, taken) {
  for (let p = lo; p <= hi; p++) if (!taken.has(p) && (await portFree(p))) return (taken.add(p), p);
  throw new Error(`no free port in ${lo}-${hi}`);
}
async function until(what, fn, timeoutMs = 30_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const stats = (xs) => ({ n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95), max: xs.length ? Math.max(...xs) : NaN });

/** A 640×360 10 fps H.264 loop of the test clip (GOP 1 s, no B-frames), made once. */
function clip360(ctx) {
  const dir = path.join('/tmp', 'video-bench-cache');
  const out = path.join(dir, 'vtest_360p_10fps.mp4');
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(dir, { recursive: true });
  ctx.log('live: making the 360p clip (cached in /tmp/video-bench-cache)…');
  execFileSync(ctx.ffmpeg, [
    '-loglevel',
    'error',
    '-y',
    '-i',
    path.join(root, 'assets', 'media', 'vtest_h264.mp4'),
    '-vf',
    'scale=640:360,setsar=1',
    '-r',
    String(FPS),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'main',
    '-g',
    String(FPS),
    '-keyint_min',
    String(FPS),
    '-sc_threshold',
    '0',
    '-bf',
    '0',
    '-b:v',
    '600k',
    '-an',
    '-movflags',
    '+faststart',
    `${out}.tmp.mp4`,
  ]);
  fs.renameSync(`${out}.tmp.mp4`, out);
  return out;
}

/** Top-level Chromium processes started by this process (their trees hold the renderer and GPU processes). */
function chromiumRoots() {
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${name}/comm`, 'utf8').trim();
      if (!/^chrom/i.test(comm)) continue;
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function rpc(url, method, params, token) {
  const r = await fetch(`${url}/api/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(params),
  });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${method}: ${r.status} ${JSON.stringify(body)}`);
  return body;
}

async function pickLayout(page, id) {
  await page.getByTestId('layout-select').selectOption(id);
}

/** In the page: read the time code of every frame shown for `secs`, keep the frames where the second changes. */
async function latencySamples(page, selector, secs) {
  return page.evaluate(
    ({ selector, secs }) =>
      new Promise((resolve, reject) => {
        const v = document.querySelector(selector);
        if (!v || !v.requestVideoFrameCallback) return reject(new Error('no video, or no requestVideoFrameCallback'));
        const c = document.createElement('canvas');
        c.width = 640;
        c.height = 1;
        const g = c.getContext('2d', { willReadFrequently: true });
        const out = [];
        let last = null;
        let frames = 0;
        const end = performance.now() + secs * 1000;
        const step = (now, meta) => {
          frames++;
          const w = v.videoWidth;
          const h = v.videoHeight;
          if (w && h) {
            g.drawImage(v, 0, Math.round((352 * h) / 360), w, 1, 0, 0, 640, 1);
            const d = g.getImageData(0, 0, 640, 1).data;
            let val = 0;
            for (let i = 0; i < 32; i++) {
              const k = (i * 20 + 10) * 4;
              val = val * 2 + (0.299 * d[k] + 0.587 * d[k + 1] + 0.114 * d[k + 2] > 128 ? 1 : 0);
            }
            if (last !== null && val === last + 1) out.push(performance.timeOrigin + (meta.expectedDisplayTime ?? now) - val * 1000);
            last = val;
          }
          if (now < end) v.requestVideoFrameCallback(step);
          else resolve({ latencies: out, frames });
        };
        v.requestVideoFrameCallback(step);
      }),
    { selector, secs },
  );
}

export default {
  name: 'live',
  order: 55,
  title: 'Live view in Chromium: glass-to-glass latency, first frame, full-screen switch, 16 tiles of 360p',
  description:
    'demo clock pattern time code read per frame in the page; tile open → first frame; Enter → main stream frame; 16 × 360p: frames shown, drops, console CPU',
  async run(ctx) {
    const quick = ctx.opts.mode === 'quick';
    const latS = quick ? 20 : 60;
    const trials = quick ? 5 : 15;
    const windowS = quick ? 20 : 60;
    const chromiumPath = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';
    if (!fs.existsSync(path.join(root, 'dist', 'renderer', 'index.html')))
      throw new Error('the console is not built (dist/renderer); run "npm run build" first');
    const { chromium } = await import('playwright-core');
    const taken = new Set();
    const dir = tmp('run');

    // 16 cameras of 360p from the RTSP fixture.
    const clip = clip360(ctx);
    const { startRtspServer } = await fixtures.rtsp();
    const names = Array.from({ length: TILES }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
    const rtspPort = await freePort(18350, 18399, taken);
    ctx.log(`live: RTSP fixture with ${TILES} mounts of 360p on port ${rtspPort}`);
    const rtsp = await startRtspServer({
      port: rtspPort,
      mounts: Object.fromEntries(names.map((n) => [`/${n}`, { file: clip, codec: 'h264' }])),
    });
    ctx.onCleanup(() => rtsp.close());

    const port = await freePort(18300, 18349, taken);
    const cmd = gatehouseCommand(ctx.opts.engine);
    const log = fs.openSync(path.join(dir, 'serve.log'), 'a');
    const serve = spawnTracked(
      process.execPath,
      [
        ...cmd.argv,
        'serve',
        '--data',
        path.join(dir, 'data'),
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--admin-password',
        ADMIN_PW,
        '--demo',
      ],
      { cwd: root, stdio: ['ignore', log, log], env: { ...process.env, GATEHOUSE_LOG: 'warn' } },
    );
    fs.closeSync(log);
    ctx.onCleanup(() => stopTracked(serve, 15_000));
    const url = `http://127.0.0.1:${port}`;
    ctx.log(`live: gatehouse serve (${cmd.kind}) on port ${port}`);
    await until('gatehouse serve', async () => (await fetch(`${url}/api/health`)).ok, 120_000, 250);
    const { token } = await rpc(url, 'auth.login', { username: 'admin', password: ADMIN_PW });
    const ids = [];
    for (const n of names) ids.push((await rpc(url, 'cameras.add', { name: `Bench ${n}`, url: rtsp.url(`/${n}`) }, token)).id);
    const demo = (await rpc(url, 'cameras.list', {}, token)).filter((c) => c.demo).map((c) => c.id);
    const pattern = demo.find((id) => id.includes('clock')) ?? demo[0];
    // A camera with a separate sub stream, for the full-screen switch (one-stream cameras have nothing to switch).
    const dual = (await rpc(url, 'cameras.add', { name: 'Bench dual', url: rtsp.url('/t01'), subUrl: rtsp.url('/t02') }, token)).id;
    const lay = async (name, grid, tiles) => (await rpc(url, 'layouts.save', { name, grid, tiles }, token)).id;
    const L = {
      pattern: await lay('Bench pattern', '1x1', [pattern]),
      empty: await lay('Bench empty', '2x2', [null, null, null, null]),
      demo: await lay('Bench demo', '2x2', [pattern, ...demo.filter((d) => d !== pattern)].slice(0, 4)),
      rtsp4: await lay('Bench rtsp', '2x2', ids.slice(0, 4)),
      dual: await lay('Bench dual', '1x1', [dual]),
      sixteen: await lay('Bench 16', '4x4', ids),
    };

    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    ctx.onCleanup(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await until(
      'the login form',
      async () => {
        await page.goto(url + '/');
        return page
          .getByTestId('login-username')
          .waitFor({ timeout: 10_000 })
          .then(() => true);
      },
      90_000,
      500,
    );
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(ADMIN_PW);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('view-live').waitFor();

    // 1. Glass-to-glass latency.
    ctx.log(`live: glass-to-glass latency over ${latS} s`);
    await pickLayout(page, L.pattern);
    await page.locator('[data-testid="tile-0"][data-phase="playing"]').waitFor({ timeout: 60_000 });
    await sleep(3000);
    const lat = await latencySamples(page, '[data-testid="tile-0"] video.on', latS);
    const latency = stats(lat.latencies);
    // How much of it is the console: how far the player sits behind the newest frame it has received.
    const consoleLag = [];
    for (let i = 0; i < 20; i++) {
      const rows = await page.evaluate(() => window.__gatehouseVideo.live().filter((r) => r.phase === 'playing'));
      if (rows[0]) consoleLag.push(rows[0].lag * 1000);
      await sleep(150);
    }
    const lagStats = stats(consoleLag);

    // 2. First frame after opening a tile: the demo cameras (GOP 2 s) and 360p RTSP cameras (GOP 1 s).
    ctx.log(`live: first frame, ${trials} × 4 tiles of each kind`);
    const first = [];
    const firstBy = { demo: [], rtsp: [] };
    for (let i = 0; i < 2 * trials; i++) {
      const kind = i % 2 ? 'rtsp' : 'demo';
      await pickLayout(page, L.empty);
      await sleep(1500);
      await pickLayout(page, kind === 'demo' ? L.demo : L.rtsp4);
      const ms = await until(
        'four first frames',
        () =>
          page.evaluate(() => {
            const v = [0, 1, 2, 3].map((k) => document.querySelector(`[data-testid="tile-${k}"]`)?.getAttribute('data-first-frame-ms'));
            return v.every((x) => x) ? v.map(Number) : null;
          }),
        30_000,
        100,
      );
      first.push(...ms);
      firstBy[kind].push(...ms);
    }
    const firstFrame = stats(first);

    // 3. Full-screen switch from the sub to the main stream.
    ctx.log(`live: full-screen switch, ${trials} times`);
    await pickLayout(page, L.dual);
    await page.locator('[data-testid="tile-0"][data-phase="playing"]').waitFor({ timeout: 60_000 });
    const switches = [];
    for (let i = 0; i < trials; i++) {
      await sleep(1500);
      await page.keyboard.press('1');
      await page.keyboard.press('Enter');
      const ms = await until('the main stream on screen', () => page.getAttribute('[data-testid="tile-0"]', 'data-switch-ms'), 30_000, 50);
      switches.push(Number(ms));
      await sleep(1000);
      await page.keyboard.press('Escape');
      await page.locator('[data-testid="tile-0"][data-shown="sub"]').waitFor({ timeout: 30_000 });
    }
    const switchStats = stats(switches);

    // 4. Sixteen tiles of 360p.
    ctx.log(`live: ${TILES} tiles of 360p, ${windowS} s window`);
    await pickLayout(page, L.sixteen);
    await until(
      `${TILES} tiles playing`,
      () => page.evaluate((n) => document.querySelectorAll('[data-testid^="tile-"][data-phase="playing"]').length >= n, TILES),
      90_000,
      500,
    );
    await sleep(5000);
    const snap = () => page.evaluate(() => window.__gatehouseVideo.live().filter((r) => r.stream === 'sub' && r.phase !== 'closed'));
    const a = await snap();
    const roots = chromiumRoots();
    const t0 = treeTicks(roots);
    const m0 = process.hrtime.bigint();
    const lags = [];
    let maxBuffered = 0;
    for (let s = 0; s < windowS; s++) {
      await sleep(1000);
      for (const r of await snap()) {
        lags.push(r.lag);
        maxBuffered = Math.max(maxBuffered, r.buffered);
      }
    }
    const t1 = treeTicks(roots);
    const seconds = Number(process.hrtime.bigint() - m0) / 1e9;
    const b = await snap();
    const consoleCpuPct = (100 * (t1.ticks - t0.ticks)) / CLK_TCK / seconds;
    let shown = 0;
    let dropped = 0;
    let playing = 0;
    for (const r of b) {
      const before = a.find((x) => x.cameraId === r.cameraId);
      if (!before) continue;
      shown += r.totalFrames - r.droppedFrames - (before.totalFrames - before.droppedFrames);
      dropped += r.droppedFrames - before.droppedFrames;
      if (r.phase === 'playing') playing++;
    }
    const expected = TILES * FPS * seconds;
    const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);

    await browser.close();
    await stopTracked(serve, 15_000);
    await rtsp.close();
    fs.rmSync(dir, { recursive: true, force: true });

    const f = (x) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
    const lines = [
      `glass-to-glass (demo clock pattern, 1×1 tile, n=${latency.n} second changes in ${lat.frames} frames): p50 ${f(latency.p50)} ms, p95 ${f(latency.p95)} ms, max ${f(latency.max)} ms`,
      "  (display time from requestVideoFrameCallback minus the wall second in the frame's time code: an upper bound, up to one frame = 100 ms high)",
      `  of which in the console (player behind the newest frame received, p50/p95): ${f(lagStats.p50)} / ${f(lagStats.p95)} ms; the rest is the camera's encoder, the engine's remux and the socket`,
      `first frame after opening a tile (n=${firstFrame.n}): p50 ${f(firstFrame.p50)} ms, p95 ${f(firstFrame.p95)} ms, max ${f(firstFrame.max)} ms`,
      `  demo cameras (key frame every 2 s): p50 ${f(stats(firstBy.demo).p50)} ms, p95 ${f(stats(firstBy.demo).p95)} ms; RTSP 360p (key frame every 1 s): p50 ${f(stats(firstBy.rtsp).p50)} ms, p95 ${f(stats(firstBy.rtsp).p95)} ms`,
      "  (a new viewer gets the init segment and then the current GOP from its last key frame, so it shows a picture at once)",
      `full-screen switch from sub to main stream (camera with both, key frame every 1 s; n=${switchStats.n}): p50 ${f(switchStats.p50)} ms, p95 ${f(switchStats.p95)} ms`,
      `${TILES} tiles of 640×360 @ ${FPS} fps over ${seconds.toFixed(0)} s: ${playing}/${TILES} playing, ${shown} frames shown of ${expected.toFixed(0)} sent (${((100 * shown) / expected).toFixed(1)} %), ${dropped} dropped`,
      `  console CPU (Chromium, all its processes, software decoding): ${consoleCpuPct.toFixed(0)} % of one core (${(consoleCpuPct / TILES).toFixed(1)} % per tile; this machine has ${ctx.cores ?? 2} cores)`,
      `  live lag p95 ${percentile(lags, 95).toFixed(2)} s; most media a player held ${maxBuffered.toFixed(1)} s (trimmed to ~10 s behind the playhead)${heap ? `; JS heap ${(heap / 1e6).toFixed(0)} MB` : ''}`,
    ];
    const figures = [
      figure('glass-to-glass latency p95', latency.p95, 'ms', { op: '<=', value: 500 }),
      figure('first frame after opening a tile p95', firstFrame.p95, 'ms', { op: '<=', value: 1500 }),
      figure('full-screen switch to main p95', switchStats.p95, 'ms', { op: '<=', value: 1000 }),
      figure(`${TILES} × 360p: frames shown / frames sent`, shown / expected, '×', { op: '>=', value: 0.95 }),
      figure(`${TILES} × 360p: console CPU`, consoleCpuPct, '%', undefined, '% of one core, whole Chromium process tree'),
      figure(
        'MSE media held per player (max)',
        maxBuffered,
        's',
        { op: '<=', value: 20 },
        'flat memory: trimmed to ~10 s behind the playhead',
      ),
    ];
    return {
      lines,
      figures,
      details: {
        latency,
        latencies: lat.latencies,
        firstFrame,
        first,
        firstBy,
        switchStats,
        switches,
        sixteen: { seconds, shown, expected, dropped, playing, consoleCpuPct, lagP95: percentile(lags, 95), maxBuffered, heap },
      },
    };
  },
};
