/* global window, document, location, MutationObserver -- the page.evaluate callbacks run in Chromium */
// Alarms: (1) MQTT publish → alarm row rendered in the console (real
// mosquitto, real `gatehouse serve --mqtt`, Chromium through playwright-core),
// next to the raw broker round trip measured in the same run; (2) alarm
// history queries over 1,000,000 alarms (plus their camera links and history
// entries) next to a primary-key lookup on the same database.
//
// Ports 18720-18799 (the alarms range), temp dirs /tmp/alarms-bench-<pid>-*.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { gatehouseCommand } from '../lib/gatehouse.mjs';
import { root } from '../lib/paths.mjs';
import { sleep, spawnTracked, stopTracked } from '../lib/procs.mjs';
import { figure } from '../lib/report.mjs';

const ADMIN_PW = 'bench-alarms-admin';

function tmp(name) {
  const d = path.join('/tmp', `alarms-bench-${process.pid}-${name}`);
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true, mode: 0o777 });
  fs.chmodSync(d, 0o777);
  return d;
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
async function freePort(taken) {
  for (let p = 18720; p <= 18799; p++) if (!taken.has(p) && (await portFree(p))) return taken.add(p), p;
  throw new Error('no free port in 18720-18799');
}
async function until(what, fn, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const stats = (xs) => ({ n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95), max: Math.max(...xs) });

// ───────────── 1. MQTT → console ─────────────

async function mqttToConsole(ctx, n) {
  const chromiumPath = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) throw new Error('the console is not built (dist/renderer); run "npm run build" first');
  const { chromium } = await import('playwright-core');
  const mqtt = (await import('mqtt')).default;
  const taken = new Set();
  const dir = tmp('mqtt');
  ctx.onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  const brokerPort = await freePort(taken);
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`);
  const broker = spawnTracked('/usr/sbin/mosquitto', ['-c', path.join(dir, 'mosquitto.conf')]);
  ctx.onCleanup(() => stopTracked(broker));
  const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;
  const port = await freePort(taken);
  const cmd = gatehouseCommand(ctx.opts.engine);
  const log = fs.openSync(path.join(dir, 'serve.log'), 'a');
  const serve = spawnTracked(
    process.execPath,
    [...cmd.argv, 'serve', '--data', path.join(dir, 'data'), '--port', String(port), '--admin-password', ADMIN_PW, '--mqtt', brokerUrl],
    { cwd: root, stdio: ['ignore', log, log], env: { ...process.env, GATEHOUSE_LOG: 'warn' } },
  );
  fs.closeSync(log);
  ctx.onCleanup(() => stopTracked(serve, 10_000));
  const url = `http://127.0.0.1:${port}`;
  await until('gatehouse serve', async () => (await fetch(`${url}/api/health`)).ok, 120_000);

  const client = mqtt.connect(brokerUrl, { clientId: `bench-${process.pid}`, protocolVersion: 4 });
  await new Promise((r, j) => (client.once('connect', r), client.once('error', j)));
  const pub = (topic, body) => new Promise((r, j) => client.publish(topic, JSON.stringify(body), { qos: 1 }, (e) => (e ? j(e) : r())));

  // baseline: the broker round trip (publish QoS 1 → a subscriber on the same broker receives it)
  const echo = mqtt.connect(brokerUrl, { clientId: `bench-echo-${process.pid}`, protocolVersion: 4 });
  await new Promise((r) => echo.once('connect', r));
  await new Promise((r) => echo.subscribe('bench/echo/#', { qos: 1 }, r));
  const got = new Map();
  echo.on('message', (topic) => got.set(topic, performance.now()));
  const rtt = [];
  for (let i = 0; i < n; i++) {
    const t = `bench/echo/${i}`;
    const t0 = performance.now();
    await pub(t, { i });
    await until('echo', async () => got.has(t), 10_000);
    rtt.push(got.get(t) - t0);
    await sleep(20);
  }
  echo.end(true);

  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] });
  ctx.onCleanup(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // the console may be mid-rebuild (503) or the machine slow: reload until the login form is there
  await until('the login form', async () => {
    await page.goto(url + '/');
    return page.getByTestId('login-username').waitFor({ timeout: 10_000 }).then(() => true);
  }, 90_000);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PW);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('connection-status').and(page.locator('[data-state="online"]')).waitFor();
  await page.evaluate(() => (location.hash = '#/alarms'));
  await page.getByTestId('alarm-queue-view').waitFor();
  // the page notes (wall clock) when a row for each bench sensor first appears
  await page.evaluate(() => {
    const seen = (window.__benchSeen = {});
    const scan = () => {
      for (const el of document.querySelectorAll('[data-testid="alarm-row"]')) {
        const m = /bench-(\d+)/.exec(el.textContent ?? '');
        if (m && !(m[1] in seen)) seen[m[1]] = Date.now();
      }
    };
    new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const lat = [];
  for (let i = 0; i < n; i++) {
    const t0 = Date.now();
    await pub(`gatehouse/sensors/bench-${i}`, { type: 'door', state: 'open' });
    const t1 = await until(`alarm ${i} on screen`, () => page.evaluate((k) => window.__benchSeen[k] ?? null, String(i)), 10_000);
    lat.push(t1 - t0);
    await sleep(150);
  }
  client.end(true);
  await browser.close();
  await stopTracked(serve, 10_000);
  await stopTracked(broker);
  fs.rmSync(dir, { recursive: true, force: true });
  return { rtt: stats(rtt), lat: stats(lat) };
}

// ───────────── 2. history over 1,000,000 rows ─────────────

async function historyQueries(ctx, rows, runs) {
  const { register } = await import('tsx/esm/api');
  register();
  const { openIndex } = await import(path.join(root, 'main/engine/store/db.ts'));
  const { AlarmStore } = await import(path.join(root, 'main/engine/alarms/store.ts'));
  const dir = tmp('history');
  ctx.onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openIndex(path.join(dir, 'index.sqlite'));
  const types = ['sensor.door', 'sensor.window', 'sensor.motion', 'camera.offline', 'access.denied', 'onvif.tamper', 'panic'];
  const states = ['closed', 'closed', 'closed', 'closed', 'closed', 'closed', 'closed', 'closed', 'on_hold', 'new'];
  const users = Array.from({ length: 40 }, (_, i) => `guard${i}`);
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const step = 30_000; // one alarm every 30 s: ~347 days
  const insA = db.prepare(
    `INSERT INTO alarms (id, type, title, priority, state, source, source_key, camera_ids, created_ms, updated_ms, last_ms, sop, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '{}')`,
  );
  const insC = db.prepare('INSERT INTO alarm_cameras (camera_id, created_ms, alarm_id) VALUES (?, ?, ?)');
  const insE = db.prepare('INSERT INTO alarm_entries (alarm_id, kind, action, from_state, to_state, username, time_ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insU = db.prepare('INSERT OR IGNORE INTO alarm_users (username, created_ms, alarm_id) VALUES (?, ?, ?)');
  const started = Date.now();
  db.pragma('synchronous = OFF');
  const fill = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const t = t0 + i * step;
      const cam = `cam-${String(i % 64).padStart(2, '0')}`;
      const type = types[i % types.length];
      insA.run(i + 1, type, `${type} ${cam} #${i}`, 1 + (i % 5), states[i % states.length], cam, `${type}:${cam}`, `["${cam}"]`, t, t, t);
      insC.run(cam, t, i + 1);
      // one guard acknowledged each; a rare "relief" user acted on one alarm in 20,000 (as AlarmStore.addEntry records it)
      const user = i % 20_000 === 7 ? 'relief' : users[(i * 7) % users.length];
      insE.run(i + 1, 'transition', 'acknowledge', 'new', 'acknowledged', user, t + 5000);
      insU.run(user, t, i + 1);
    }
  });
  for (let i = 0; i < rows; i += 50_000) fill(i, Math.min(rows, i + 50_000));
  db.pragma('synchronous = FULL');
  db.exec('ANALYZE');
  ctx.log(`alarms: filled ${rows.toLocaleString()} alarms (+ camera links and history entries) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const store = new AlarmStore(db, () => ({ preRollSeconds: 10, postRollSeconds: 20 }));
  const tEnd = t0 + rows * step;
  const rnd = (a, b) => a + Math.floor(Math.random() * (b - a));
  const cursorAt = (i) => Buffer.from(`${t0 + i * step}:${i + 1}`).toString('base64url');
  const iso = (ms) => new Date(ms).toISOString();
  const queries = {
    'newest page, no filter': () => store.history({}, null, 100),
    'page deep in history (cursor)': () => store.history({}, cursorAt(rnd(1000, rows)), 100),
    'camera + one day': () => {
      const d = rnd(t0, tEnd - 86_400_000);
      return store.history({ cameraId: `cam-${String(rnd(0, 64)).padStart(2, '0')}`, from: iso(d), to: iso(d + 86_400_000) }, null, 100);
    },
    'type + state (deep cursor)': () => store.history({ type: types[rnd(0, types.length)], state: 'closed' }, cursorAt(rnd(1000, rows)), 100),
    'open alarms': () => store.history({ state: 'open' }, null, 100),
    'priority 1 in a week': () => {
      const d = rnd(t0, tEnd - 7 * 86_400_000);
      return store.history({ priority: 1, from: iso(d), to: iso(d + 7 * 86_400_000) }, null, 100);
    },
    'by user': () => store.history({ user: users[rnd(0, users.length)] }, null, 100),
    'by a rare user': () => store.history({ user: 'relief' }, null, 100),
  };
  const pk = db.prepare('SELECT * FROM alarms WHERE id = ?');
  const base = [];
  const per = Object.fromEntries(Object.keys(queries).map((k) => [k, []]));
  const all = [];
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    pk.get(rnd(1, rows));
    base.push(performance.now() - t);
    for (const [k, q] of Object.entries(queries)) {
      t = performance.now();
      const page = q();
      const ms = performance.now() - t;
      if (!page.items.length && k !== 'open alarms') throw new Error(`history query "${k}" found nothing`);
      per[k].push(ms);
      all.push(ms);
    }
  }
  const size = fs.statSync(path.join(dir, 'index.sqlite')).size;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { base: stats(base), all: stats(all), per: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, stats(v)])), size };
}

export default {
  name: 'alarms',
  order: 60,
  title: 'Alarms: MQTT → console latency; history queries over 1,000,000 alarms',
  description: 'p95 of publish → row on screen (Chromium) vs the broker round trip; p95 of history pages vs a primary-key lookup',
  async run(ctx) {
    const quick = ctx.opts.mode === 'quick';
    const lines = [];
    const figures = [];
    const details = {};

    ctx.log('alarms: MQTT → console');
    const m = await mqttToConsole(ctx, quick ? 30 : 100);
    details.mqtt = m;
    lines.push(
      `MQTT publish → alarm row rendered (n=${m.lat.n}): p50 ${m.lat.p50.toFixed(0)} ms, p95 ${m.lat.p95.toFixed(0)} ms, max ${m.lat.max.toFixed(0)} ms`,
      `baseline, broker round trip QoS 1 (n=${m.rtt.n}): p50 ${m.rtt.p50.toFixed(1)} ms, p95 ${m.rtt.p95.toFixed(1)} ms`,
    );
    figures.push(figure('MQTT → console p95', m.lat.p95, 'ms', { op: '<=', value: 300 }, `baseline broker round trip p95 ${m.rtt.p95.toFixed(1)} ms`));
    figures.push(figure('MQTT → console p95 / broker round trip p95', m.lat.p95 / m.rtt.p95, '×'));

    const rows = 1_000_000;
    ctx.log('alarms: history over 1,000,000 alarms');
    const h = await historyQueries(ctx, rows, quick ? 40 : 150);
    details.history = h;
    lines.push(
      `history over ${rows.toLocaleString()} alarms + ${rows.toLocaleString()} camera links + ${rows.toLocaleString()} history entries and user links (${(h.size / 1e6).toFixed(0)} MB):`,
      ...Object.entries(h.per).map(([k, s]) => `  ${k.padEnd(32)} p50 ${s.p50.toFixed(2)} ms  p95 ${s.p95.toFixed(2)} ms`),
      `baseline, primary-key lookup: p50 ${h.base.p50.toFixed(3)} ms, p95 ${h.base.p95.toFixed(3)} ms`,
    );
    figures.push(figure('history query p95 (all kinds)', h.all.p95, 'ms', { op: '<=', value: 50 }, `primary-key lookup p95 ${h.base.p95.toFixed(3)} ms`));
    figures.push(figure('history p95 / primary-key lookup p95', h.all.p95 / h.base.p95, '×'));
    return { lines, figures, details };
  },
};
