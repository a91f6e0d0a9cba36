/**
 * A short alarm storm (issue 18; the long one is `npm run bench -- storm`):
 * 200 sensor messages a second for 10 s, half over a real mosquitto (QoS 1),
 * half over the sensor webhook in batches, from 41 repeating sensors and a
 * fresh sensor every 250 ms, one message in 20 malformed. Every valid message
 * is committed (rows in sensor_events against what the broker acknowledged and
 * the webhook accepted), each sensor has one alarm whose count is its
 * messages, every malformed one is rejected and counted, every fresh sensor's
 * alarm reaches a console WebSocket, and the engine still answers. No timing
 * is asserted.
 */
import fs from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { mqttClient, startBroker, startEngine, tempDir, waitFor, type Broker, type TestEngine } from './alarms-support.js';

const RATE = 200;
const SECONDS = 10;
const TICK_MS = 50;
// 41: prime to the 1-in-20 malformed pattern, so every repeating sensor also sends valid messages
const REPEATING = 41;
const TYPES = [
  { type: 'door', state: 'open' },
  { type: 'window', state: 'open' },
  { type: 'motion', state: 'active' },
] as const;

let broker: Broker;
let e: TestEngine;
let dir: string;
let pub: MqttClient;

beforeAll(async () => {
  broker = await startBroker();
  dir = tempDir('storm');
  e = await startEngine(dir, { mqttUrl: broker.url });
  await waitFor('MQTT connected', () => e.engine.integrations!.status().mqtt.connected);
  pub = await mqttClient(broker.url);
});
afterAll(async () => {
  pub?.end(true);
  await e?.stop();
  await broker?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('alarm storm', () => {
  it(`${RATE} messages/s for ${SECONDS} s over MQTT and the webhook: none lost, repeats coalesced, malformed counted, alarms reach the console`, async () => {
    const hook = (await e.engine.handle('integrations.addWebhook', { name: 'storm' }, { token: e.token, peer: 'test' })) as { token: string };
    const raised = new Set<string>();
    const ws = new WebSocket(e.url.replace('http', 'ws') + '/api/ws', { headers: { origin: e.url, cookie: `gh_session=${encodeURIComponent(e.token)}` } });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const f = JSON.parse(data.toString()) as { event?: string; data?: { source?: string } };
      if (f.event === 'alarm.raised' && f.data?.source) raised.add(f.data.source);
    });
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));

    let n = 0;
    const valid = (sensor: string) => ({ ...TYPES[Number(/(\d+)$/.exec(sensor)![1]) % TYPES.length]!, msgId: `m${n++}` });
    const sent = { mqttAcked: 0, hookAccepted: 0, malformed: 0, hook400: 0, errors: [] as string[] };
    const pending: Promise<unknown>[] = [];
    const mqtt = (topicId: string, body: unknown) =>
      new Promise<boolean>((r) => pub.publish(`gatehouse/sensors/${topicId}`, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 }, (err) => r(!err)));
    const post = (body: unknown) =>
      fetch(`${e.url}/api/webhook/sensors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${hook.token}` },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const fresh: string[] = [];
    let k = 0;
    const ticks = (SECONDS * 1000) / TICK_MS;
    const perTick = (RATE * TICK_MS) / 1000;
    for (let t = 0; t < ticks; t++) {
      if (t % (250 / TICK_MS) === 0) {
        const s = `fresh-${fresh.length}`;
        fresh.push(s);
        pending.push(mqtt(s, valid(s)).then((ok) => ok && sent.mqttAcked++));
      }
      const batch: unknown[] = [];
      for (let i = 0; i < perTick; i++) {
        const s = `rep-${k % REPEATING}`;
        k++;
        const bad = k % 20 === 7;
        if (i % 2 === 0) {
          if (bad) {
            sent.malformed++;
            pending.push(k % 3 === 0 ? mqtt(s, 'not json') : k % 3 === 1 ? mqtt(s, { type: 'door', state: 'wide open' }) : mqtt('bad id', { type: 'door', state: 'open' }));
          } else pending.push(mqtt(s, valid(s)).then((ok) => ok && sent.mqttAcked++));
        } else if (bad) {
          sent.malformed++;
          pending.push(post(k % 2 ? '{"sensor":' : { sensor: s, type: 'door', state: 'ajar' }).then((r) => r.status === 400 && sent.hook400++));
        } else batch.push({ sensor: s, ...valid(s) });
      }
      if (batch.length)
        pending.push(
          post({ messages: batch }).then(async (r) => {
            if (r.status === 202) sent.hookAccepted += ((await r.json()) as { accepted: number }).accepted;
            else sent.errors.push(`${r.status} ${await r.text()}`);
          }),
        );
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    await Promise.all(pending);
    expect(sent.errors).toEqual([]);
    const acked = sent.mqttAcked + sent.hookAccepted;
    expect(acked).toBeGreaterThan(RATE * SECONDS * 0.8);

    const db = e.engine.db;
    const committed = () => (db.prepare("SELECT count(*) AS n FROM sensor_events WHERE sensor_id LIKE 'rep-%' OR sensor_id LIKE 'fresh-%'").get() as { n: number }).n;
    await waitFor(`${acked} messages committed`, () => committed() >= acked, 60_000, 200).catch(() => null);
    expect(committed()).toBe(acked);

    // one alarm per sensor, its count = the sensor's committed messages
    const alarms = db.prepare("SELECT source, count(*) AS alarms, sum(count) AS n FROM alarms WHERE source LIKE 'rep-%' OR source LIKE 'fresh-%' GROUP BY source").all() as {
      source: string;
      alarms: number;
      n: number;
    }[];
    const perSensor = new Map(
      (db.prepare("SELECT sensor_id, count(*) AS n FROM sensor_events WHERE sensor_id LIKE 'rep-%' OR sensor_id LIKE 'fresh-%' GROUP BY sensor_id").all() as { sensor_id: string; n: number }[]).map(
        (r) => [r.sensor_id, r.n],
      ),
    );
    expect(alarms).toHaveLength(REPEATING + fresh.length);
    for (const a of alarms) {
      expect(a.alarms, a.source).toBe(1);
      expect(a.n, a.source).toBe(perSensor.get(a.source));
    }

    // malformed: rejected and counted (MQTT ones by the client, the webhook's with a 400)
    const st = e.engine.integrations!.status();
    const rejected = st.mqtt.rejected + st.webhooks.reduce((t, w) => t + w.rejected, 0);
    expect(rejected).toBe(sent.malformed);

    // every fresh sensor's alarm reached the console's socket; the engine still answers
    await waitFor('every fresh alarm on the socket', () => fresh.every((s) => raised.has(s)), 30_000);
    const h = await fetch(`${e.url}/api/health`);
    expect(h.ok).toBe(true);
    ws.close();
    console.log(`storm: ${acked} valid messages committed, ${alarms.length} alarms, ${rejected} malformed rejected`);
  });
});
