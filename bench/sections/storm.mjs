// Alarm storm: a real `gatehouse serve --mqtt` (real mosquitto) takes 1,000
// sensor messages a second for 60 s, half over MQTT (QoS 1), half over the
// sensor webhook (batches), from many sensors: repeats of 199 sensors, a fresh
// sensor every 100 ms, and malformed messages (bad JSON, bad state, bad id).
//
// Figures: every valid message committed (rows in sensor_events against the
// messages the broker acknowledged / the webhook accepted), repeats coalesced
// (one alarm per sensor, its count = its messages), malformed ones rejected and
// counted, the engine responsive (event-loop lag from system.status; an RPC
// round trip during the storm against the same before it), and alarm-on-screen:
// publish → `alarm.raised` reaching a console WebSocket client (cookie + origin,
// as the console connects), for each fresh sensor; p95 aim ≤ 300 ms, next to
// the same measured before the storm.
//
// Not in the default run: `npm run bench -- storm [--rate N] [--duration S]`
// (defaults 1000/s, 60 s; --quick 200/s for 10 s). Ports 18720-18799.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { Gatehouse } from '../lib/gatehouse.mjs';
import { root, tempDir } from '../lib/paths.mjs';
import { sleep, spawnTracked, stopTracked } from '../lib/procs.mjs';
import { figure } from '../lib/report.mjs';

const require = createRequire(path.join(root, 'package.json'));

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
async function until(what, fn, timeoutMs = 30_000, everyMs = 100) {
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
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const stats = (xs) => ({ n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99), max: xs.length ? Math.max(...xs) : NaN });

const TYPES = [
  { type: 'door', state: 'open' },
  { type: 'window', state: 'open' },
  { type: 'motion', state: 'active' },
];
// 199: prime to the 1-in-20 malformed pattern, so every repeating sensor also sends valid messages
const REPEAT_SENSORS = 199;

export default {
  name: 'storm',
  order: 95,
  manual: true,
  title: 'Alarm storm: 1,000 sensor messages/s over MQTT and the webhook',
  description: 'none lost (SQLite count), repeats coalesced, malformed rejected and counted, event-loop lag, publish → alarm on a console WebSocket p95',
  async run(ctx) {
    const quick = ctx.opts.quick;
    const rate = ctx.opts.rate ?? (quick ? 200 : 1000);
    const seconds = ctx.opts.durationSet ? ctx.opts.duration : quick ? 10 : 60;
    const mqtt = (await import('mqtt')).default;
    const { WebSocket } = await import('ws');
    const Database = require('better-sqlite3');
    const taken = new Set();
    const dir = tempDir('storm');

    // broker: room for the queue a busy subscriber may build (mosquitto's default of 1,000 queued messages would drop the rest)
    const brokerPort = await freePort(taken);
    fs.writeFileSync(
      path.join(dir, 'mosquitto.conf'),
      `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 200000\nlog_dest none\n`,
    );
    const broker = spawnTracked('/usr/sbin/mosquitto', ['-c', path.join(dir, 'mosquitto.conf')]);
    ctx.onCleanup(() => stopTracked(broker));
    const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;

    const dataDir = path.join(dir, 'data');
    const gh = new Gatehouse({ dataDir, mode: ctx.opts.engine, logFile: path.join(dir, 'serve.log') });
    ctx.onCleanup(() => gh.stop(5000));
    const hookOut = await gh.cli(['alarms', 'webhook', 'add', 'storm']);
    const hook = /Bearer (\S+)/.exec(hookOut)?.[1];
    if (!hook) throw new Error(`no webhook token in: ${hookOut}`);
    const adminPassword = crypto.randomBytes(12).toString('hex');
    const port = await freePort(taken);
    await gh.serve({ port, adminPassword, extraArgs: ['--mqtt', brokerUrl], env: { GATEHOUSE_LOG: 'warn' } });
    const api = `http://127.0.0.1:${port}`;
    // Separate connection pools: the console's requests (probes) must not queue behind the webhook sender's in
    // this process; the sender keeps 4 connections, as a real access-control system would.
    const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const hookAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    ctx.onCleanup(() => (probeAgent.destroy(), hookAgent.destroy()));
    const post = (agent, p, headers, body, timeoutMs) =>
      new Promise((resolve, reject) => {
        const req = http.request(`${api}${p}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers }, timeout: timeoutMs }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            let body = null;
            try {
              body = JSON.parse(text);
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode, body });
          });
        });
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', reject);
        req.end(body);
      });
    const rpc = async (method, params = {}, token = null) => {
      const r = await post(probeAgent, `/api/rpc/${method}`, token ? { authorization: `Bearer ${token}` } : {}, JSON.stringify(params), 15_000);
      if (r.status !== 200) throw new Error(`${method}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      return r.body?.result ?? r.body;
    };
    const { token } = await rpc('auth.login', { username: 'admin', password: adminPassword });
    await until('MQTT connected', async () => (await rpc('integrations.status', {}, token)).mqtt.connected, 30_000, 250);
    ctx.log(`storm: engine ${gh.cmd.kind} on ${port}, broker ${brokerPort}; ${rate} msg/s for ${seconds} s`);

    // the console's socket: cookie and origin, as the browser sends them
    const seen = new Map(); // source → arrival (performance.now())
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws`, { headers: { origin: api, cookie: `gh_session=${encodeURIComponent(token)}` } });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const f = JSON.parse(data.toString());
      if (f.event === 'alarm.raised' && f.data?.source && !seen.has(f.data.source)) seen.set(f.data.source, performance.now());
    });
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    ctx.onCleanup(() => ws.close());

    const client = mqtt.connect(brokerUrl, { clientId: `storm-${process.pid}`, protocolVersion: 4 });
    await new Promise((r, j) => (client.once('connect', r), client.once('error', j)));
    ctx.onCleanup(() => client.end(true));

    const sent = { mqttValid: 0, mqttAcked: 0, mqttBad: 0, hookValid: 0, hookAccepted: 0, hookBad: 0, hookBadAnswered400: 0, hookErrors: 0, fresh: 0 };
    const sentAt = new Map(); // fresh source → performance.now() when sent
    const viaOf = new Map(); // fresh source → 'mqtt' | 'hook'
    let msgNo = 0;
    const valid = (sensor) => ({ ...TYPES[Number(/(\d+)$/.exec(sensor)?.[1] ?? 0) % TYPES.length], msgId: `s${msgNo++}` });
    const pubMqtt = (sensor, body, raw = false) =>
      new Promise((resolve) => client.publish(`gatehouse/sensors/${sensor}`, raw ? body : JSON.stringify(body), { qos: 1 }, (e) => resolve(!e)));
    const inflight = new Set();
    const track = (p) => {
      inflight.add(p);
      p.finally(() => inflight.delete(p));
    };
    const postHook = (body, raw = false) => post(hookAgent, '/api/webhook/sensors', { authorization: `Bearer ${hook}` }, raw ? body : JSON.stringify(body), 120_000);

    /** A fresh sensor's first message, timed to its alarm on the socket. */
    const freshOne = (k, via) => {
      const sensor = `storm-new-${k}`;
      sentAt.set(sensor, performance.now());
      viaOf.set(sensor, via);
      sent.fresh++;
      if (via === 'mqtt') {
        sent.mqttValid++;
        track(pubMqtt(sensor, valid(sensor)).then((ok) => ok && sent.mqttAcked++));
      } else {
        sent.hookValid++;
        track(
          postHook({ sensor, ...valid(sensor) })
            .then((r) => (r.status === 202 ? (sent.hookAccepted += r.body.accepted) : sent.hookErrors++))
            .catch(() => sent.hookErrors++),
        );
      }
    };

    // responsiveness probes: an RPC round trip and the lag windows, before and during
    const rtt = async () => {
      const t = performance.now();
      await rpc('system.health');
      return performance.now() - t;
    };
    const lagWindows = [];
    const lagProbe = async () => {
      const s = await rpc('system.status', {}, token).catch(() => null);
      if (s?.eventLoop?.last) lagWindows.push(s.eventLoop.last);
    };

    // baseline: fresh sensors one at a time with the engine idle
    const idleLat = [];
    const idleRtt = [];
    for (let i = 0; i < 20; i++) {
      const sensor = `storm-idle-${i}`;
      const t0 = performance.now();
      await (i % 2 ? postHook({ sensor, ...valid(sensor) }) : pubMqtt(sensor, valid(sensor)));
      await until(`idle alarm ${i}`, async () => seen.has(sensor), 10_000, 5);
      idleLat.push(seen.get(sensor) - t0);
      idleRtt.push(await rtt());
      await sleep(100);
    }
    await sleep(10_500); // one whole idle monitor window
    const idleStatus = await rpc('system.status', {}, token);

    // the storm
    const TICK = 20;
    const perTick = rate / (1000 / TICK);
    let carry = 0;
    let freshK = 0;
    let repeatK = 0;
    const stormRtt = [];
    const t0 = performance.now();
    let nextFresh = t0;
    let nextProbe = t0 + 500;
    let nextLag = t0 + 10_000;
    let ticks = 0;
    let lateTicks = 0;
    while (performance.now() - t0 < seconds * 1000) {
      const tickAt = t0 + ticks * TICK;
      const wait = tickAt - performance.now();
      if (wait > 0) await sleep(wait);
      else if (wait < -TICK) lateTicks++;
      ticks++;
      carry += perTick;
      let n = Math.floor(carry);
      carry -= n;
      const now = performance.now();
      if (now >= nextFresh) {
        freshOne(freshK, freshK % 2 ? 'hook' : 'mqtt');
        freshK++;
        n--;
        nextFresh += 100;
      }
      if (now >= nextProbe) {
        nextProbe += 500;
        track(rtt().then((ms) => stormRtt.push(ms)).catch(() => stormRtt.push(15_000)));
      }
      if (now >= nextLag) {
        nextLag += 10_000;
        track(lagProbe());
      }
      // half MQTT (one message each), half the webhook (one batch per tick); one in 20 malformed
      const batch = [];
      for (let i = 0; i < n; i++) {
        const sensor = `storm-${repeatK++ % REPEAT_SENSORS}`;
        const bad = (repeatK % 20) === 7;
        if (i % 2 === 0) {
          if (bad) {
            sent.mqttBad++;
            const kind = repeatK % 3;
            if (kind === 0) track(pubMqtt(sensor, 'not json', true));
            else if (kind === 1) track(pubMqtt(sensor, { type: 'door', state: 'wide open' }));
            else track(pubMqtt('bad id!', { type: 'door', state: 'open' }));
          } else {
            sent.mqttValid++;
            track(pubMqtt(sensor, valid(sensor)).then((ok) => ok && sent.mqttAcked++));
          }
        } else if (bad) {
          sent.hookBad++;
          track(
            postHook(repeatK % 2 ? '{"sensor":' : JSON.stringify({ sensor, type: 'door', state: 'ajar' }), true)
              .then((r) => r.status === 400 && sent.hookBadAnswered400++)
              .catch(() => sent.hookErrors++),
          );
        } else {
          sent.hookValid++;
          batch.push({ sensor, ...valid(sensor) });
        }
      }
      if (batch.length)
        track(
          postHook({ messages: batch })
            .then((r) => (r.status === 202 ? (sent.hookAccepted += r.body.accepted) : sent.hookErrors++))
            .catch(() => sent.hookErrors++),
        );
    }
    const stormSeconds = (performance.now() - t0) / 1000;
    ctx.log(`storm: sent for ${stormSeconds.toFixed(1)} s (${ticks} ticks, ${lateTicks} late); waiting for acknowledgements…`);
    while (inflight.size) await Promise.race([...inflight]);
    const acked = sent.mqttAcked + sent.hookAccepted;
    const sentRate = (sent.mqttValid + sent.mqttBad + sent.hookValid + sent.hookBad) / stormSeconds;

    // committed: sensor_events rows of the storm's sensors
    const db = new Database(path.join(dataDir, 'index.sqlite'), { readonly: true, fileMustExist: true });
    ctx.onCleanup(() => db.close());
    const committed = () => db.prepare("SELECT count(*) AS n FROM sensor_events WHERE sensor_id LIKE 'storm-%' AND sensor_id NOT LIKE 'storm-idle-%'").get().n;
    const tWait = Date.now();
    let c = committed();
    while (c < acked && Date.now() - tWait < 120_000) {
      await sleep(500);
      c = committed();
    }
    const drainSeconds = (Date.now() - tWait) / 1000;
    await until('the last fresh alarms on the socket', async () => [...sentAt.keys()].every((s) => seen.has(s)), 30_000, 100).catch(() => null);
    await sleep(10_500);
    await lagProbe();
    const statusEnd = await rpc('system.status', {}, token);
    const integ = await rpc('integrations.status', {}, token);

    const alarms = db
      .prepare("SELECT source, count(*) AS alarms, sum(count) AS n FROM alarms WHERE source LIKE 'storm-%' AND source NOT LIKE 'storm-idle-%' GROUP BY source")
      .all();
    const events = new Map(
      db
        .prepare("SELECT sensor_id, count(*) AS n FROM sensor_events WHERE sensor_id LIKE 'storm-%' AND sensor_id NOT LIKE 'storm-idle-%' GROUP BY sensor_id")
        .all()
        .map((r) => [r.sensor_id, r.n]),
    );
    const byVia = Object.fromEntries(
      db
        .prepare("SELECT CASE WHEN via = 'mqtt' THEN 'mqtt' ELSE 'webhook' END AS v, count(*) AS n FROM sensor_events WHERE sensor_id LIKE 'storm-%' AND sensor_id NOT LIKE 'storm-idle-%' GROUP BY v")
        .all()
        .map((r) => [r.v, r.n]),
    );
    const multi = alarms.filter((a) => a.alarms !== 1);
    const countMismatch = alarms.filter((a) => a.n !== events.get(a.source));
    db.close();

    const lat = [...sentAt.entries()].filter(([s]) => seen.has(s)).map(([s, t]) => seen.get(s) - t);
    const missingOnScreen = [...sentAt.keys()].filter((s) => !seen.has(s)).length;
    const L = stats(lat);
    const latVia = (v) => stats([...sentAt.entries()].filter(([x]) => seen.has(x) && viaOf.get(x) === v).map(([x, t]) => seen.get(x) - t));
    const LM = latVia('mqtt');
    const LH = latVia('hook');
    const IL = stats(idleLat);
    const R = stats(stormRtt);
    const IR = stats(idleRtt);
    const lagP99 = lagWindows.map((w) => w.p99Ms);
    const rejected = integ.mqtt.rejected + integ.webhooks.reduce((t, w) => t + w.rejected, 0);
    const malformed = sent.mqttBad + sent.hookBad;

    await stopTracked(broker);
    const lines = [
      `sent ${sentRate.toFixed(0)} msg/s for ${stormSeconds.toFixed(1)} s: MQTT ${sent.mqttValid} valid (${sent.mqttAcked} acknowledged by the broker) + ${sent.mqttBad} malformed; webhook ${sent.hookValid} valid (${sent.hookAccepted} accepted) + ${sent.hookBad} malformed (${sent.hookBadAnswered400} answered 400); ${sent.hookErrors} webhook errors`,
      `sensors: ${REPEAT_SENSORS} repeating + ${sent.fresh} fresh (one every 100 ms); ${alarms.length} alarms for them`,
      `committed (sensor_events rows): ${c} of ${acked} acknowledged valid messages (MQTT ${byVia.mqtt ?? 0} of ${sent.mqttAcked}, webhook ${byVia.webhook ?? 0} of ${sent.hookAccepted} accepted); the engine caught up ${drainSeconds.toFixed(1)} s after the last send`,
      `coalescing: ${multi.length} sensor(s) with more than one alarm; ${countMismatch.length} alarm(s) whose count differs from the sensor's committed messages`,
      `rejected and counted by the engine: ${rejected} (MQTT ${integ.mqtt.rejected}, webhook ${integ.webhooks.reduce((t, w) => t + w.rejected, 0)}) of ${malformed} malformed sent`,
      `publish → alarm.raised on a console WebSocket (n=${L.n}, ${missingOnScreen} never seen): p50 ${L.p50.toFixed(0)} ms, p95 ${L.p95.toFixed(0)} ms, max ${L.max.toFixed(0)} ms; idle before the storm (n=${IL.n}): p50 ${IL.p50.toFixed(1)} ms, p95 ${IL.p95.toFixed(1)} ms`,
      `  by path: MQTT p50 ${LM.p50.toFixed(0)} ms, p95 ${LM.p95.toFixed(0)} ms (n=${LM.n}); webhook p50 ${LH.p50.toFixed(0)} ms, p95 ${LH.p95.toFixed(0)} ms (n=${LH.n}, from the request being queued by the sender)`,
      `RPC round trip (system.health) during the storm (n=${R.n}): p50 ${R.p50.toFixed(1)} ms, p95 ${R.p95.toFixed(1)} ms, max ${R.max.toFixed(0)} ms; idle p95 ${IR.p95.toFixed(1)} ms`,
      `event-loop lag: per-10-s-window p99 during the storm ${lagP99.map((x) => x.toFixed(0)).join(', ')} ms; idle window p99 ${idleStatus.eventLoop.last?.p99Ms ?? '?'} ms; since start p99 ${statusEnd.eventLoop.sinceStart?.p99Ms} ms`,
      `engine RSS ${(statusEnd.memory.rssBytes / 2 ** 20).toFixed(0)} MiB after the storm (before ${(idleStatus.memory.rssBytes / 2 ** 20).toFixed(0)} MiB); load generator ticks late: ${lateTicks} of ${ticks}`,
    ];
    await gh.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    return {
      lines,
      figures: [
        figure('valid messages lost (acknowledged, not committed)', Math.max(0, sent.mqttAcked - (byVia.mqtt ?? 0)) + Math.max(0, sent.hookAccepted - (byVia.webhook ?? 0)), '', { op: '<=', value: 0 }),
        figure('sensors with more than one alarm (coalescing)', multi.length + countMismatch.length, '', { op: '<=', value: 0 }),
        figure('malformed messages not counted as rejected', malformed - rejected, '', { op: '<=', value: 0 }),
        figure('alarm on a console socket, p95 during the storm', L.p95, 'ms', { op: '<=', value: 300 }, `idle p95 ${IL.p95.toFixed(1)} ms; MQTT p95 ${LM.p95.toFixed(0)} ms, webhook p95 ${LH.p95.toFixed(0)} ms`),
        figure('alarm on socket p95: storm / idle', L.p95 / IL.p95, '×'),
        figure('RPC round trip p95: storm / idle', R.p95 / IR.p95, '×'),
        figure('event-loop lag p99, worst 10-s window in the storm', lagP99.length ? Math.max(...lagP99) : NaN, 'ms'),
      ],
      details: { rate, seconds: stormSeconds, sent, committed: c, byVia, latencyMqtt: LM, latencyHook: LH, acked, drainSeconds, latency: L, idleLatency: IL, rtt: R, idleRtt: IR, lagWindows, idleStatus, statusEnd, integrations: integ },
    };
  },
};
