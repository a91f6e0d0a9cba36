/**
 * Alarms over a real mosquitto broker: sensor messages in, alarm state out,
 * coalescing a flood, persistence across engine restarts, and a broker that
 * goes away and comes back.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { Alarm } from '../../main/api/alarms.js';
import { freePort, mqttClient, publish, startBroker, startEngine, tempDir, waitFor, type Broker, type TestEngine } from './alarms-support.js';

let broker: Broker;
let pub: MqttClient;
const dirs: string[] = [];
const engines: TestEngine[] = [];

const newDir = (n: string) => {
  const d = tempDir(n);
  dirs.push(d);
  return d;
};
async function engineOn(dir: string, url = broker.url) {
  const e = await startEngine(dir, { mqttUrl: url });
  engines.push(e);
  await waitFor('MQTT connected', () => e.engine.integrations!.status().mqtt.connected);
  return e;
}
const queue = (e: TestEngine) => e.engine.alarms!.store.queue();

beforeAll(async () => {
  broker = await startBroker({ persist: true });
  pub = await mqttClient(broker.url);
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
});
afterAll(async () => {
  pub?.end(true);
  await broker?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('alarms over MQTT', () => {
  it('turns a door-open message into a committed alarm and publishes its state changes', async () => {
    const e = await engineOn(newDir('door'));
    const watcher = await mqttClient(broker.url);
    const seen: Record<string, unknown>[] = [];
    watcher.on('message', (topic, payload) => {
      if (topic !== 'gatehouse/alarms/engine') seen.push({ topic, ...(JSON.parse(payload.toString()) as object) });
    });
    await new Promise<void>((r) => watcher.subscribe('gatehouse/alarms/#', { qos: 1 }, () => r()));
    let pushed: Alarm | null = null;
    e.engine.bus.on('alarm.raised', (a) => {
      // persisted before it is shown: the row is there when the event fires
      const row = e.engine.db.prepare('SELECT id FROM alarms WHERE id = ?').get(a.id);
      if (row) pushed = a;
    });
    await publish(pub, 'gatehouse/sensors/door-7', { type: 'door', state: 'open' });
    const a = await waitFor('the alarm', () => pushed);
    expect(a).toMatchObject({ type: 'sensor.door', source: 'door-7', state: 'new', priority: 2 });
    await waitFor('raised on MQTT', () => seen.find((m) => m.event === 'raised' && m.id === a.id));
    const me = { username: 'admin', role: 'admin' as const };
    e.engine.alarms!.service.act(a.id, 'acknowledge', me);
    e.engine.alarms!.service.act(a.id, 'close', me, { reason: 'checked' });
    const closed = await waitFor('close on MQTT', () => seen.find((m) => m.topic === `gatehouse/alarms/${a.id}` && m.state === 'closed'));
    expect(closed).toMatchObject({ by: 'admin', closeReason: 'checked' });
    watcher.end(true);
  });

  it('ignores malformed messages with a reason and keeps working', async () => {
    const e = await engineOn(newDir('bad'));
    await publish(pub, 'gatehouse/sensors/door-1', 'not json');
    await publish(pub, 'gatehouse/sensors/door-1', { type: 'door', state: 'wide open' });
    await publish(pub, 'gatehouse/sensors/bad id', { type: 'door', state: 'open' });
    await publish(pub, 'gatehouse/sensors/door-1', { type: 'door', state: 'open' });
    await waitFor('the valid one', () => queue(e).length === 1);
    expect(e.engine.integrations!.status().mqtt.rejected).toBeGreaterThanOrEqual(2);
  });

  it('coalesces a flood of 1,000 events from one sensor in 10 s into one alarm with the count', async () => {
    const e = await engineOn(newDir('flood'));
    for (let i = 0; i < 1000; i++) {
      void publish(pub, 'gatehouse/sensors/pir-9', { type: 'motion', state: 'active' });
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 1000));
    }
    const a = await waitFor('count 1000', () => queue(e).find((x) => x.source === 'pir-9' && x.count === 1000), 60_000, 250);
    expect(queue(e).filter((x) => x.source === 'pir-9')).toHaveLength(1);
    expect(a.type).toBe('sensor.motion');
    const rows = e.engine.db.prepare("SELECT count(*) AS n FROM sensor_events WHERE sensor_id = 'pir-9'").get() as { n: number };
    expect(rows.n).toBe(1000);
  });

  it('keeps every open alarm across an engine restart', async () => {
    const dir = newDir('restart');
    const e1 = await engineOn(dir);
    for (const s of ['door-1', 'door-2', 'win-1']) await publish(pub, `gatehouse/sensors/${s}`, { type: s.startsWith('win') ? 'window' : 'door', state: 'open' });
    await e1.engine.handle('alarms.panic', { comment: 'help' }, { token: e1.token, peer: 'test' });
    await waitFor('4 alarms', () => queue(e1).length === 4);
    const first = queue(e1)[1]!;
    e1.engine.alarms!.service.act(first.id, 'acknowledge', { username: 'admin', role: 'admin' }, { comment: 'seen' });
    const before = queue(e1).map((a) => [a.id, a.state, a.count, a.title]);
    await e1.stop();
    engines.splice(engines.indexOf(e1), 1);

    const e2 = await engineOn(dir);
    expect(queue(e2).map((a) => [a.id, a.state, a.count, a.title])).toEqual(before);
    expect(e2.engine.alarms!.store.entries(first.id).map((x) => x.kind)).toEqual(['raised', 'transition']);
    expect(e2.engine.alarms!.audit.verify().ok).toBe(true);
  });

  it('receives the messages the broker kept while Gatehouse was away (persistent session, QoS 1)', async () => {
    const dir = newDir('away');
    const e1 = await engineOn(dir);
    await e1.stop();
    engines.splice(engines.indexOf(e1), 1);
    for (let i = 0; i < 5; i++) await publish(pub, `gatehouse/sensors/away-${i}`, { type: 'door', state: 'open' });
    const e2 = await engineOn(dir);
    await waitFor('5 queued alarms', () => queue(e2).length === 5);
    expect(queue(e2).map((a) => a.source).sort()).toEqual(['away-0', 'away-1', 'away-2', 'away-3', 'away-4']);
  });

  it('reconnects by itself after a broker outage and loses nothing the broker kept', async () => {
    const e = await engineOn(newDir('outage'));
    await broker.stop();
    await waitFor('noticed the outage', () => !e.engine.integrations!.status().mqtt.connected);
    await broker.start();
    await waitFor('reconnected', () => e.engine.integrations!.status().mqtt.connected, 30_000);
    const p2 = await mqttClient(broker.url);
    await publish(p2, 'gatehouse/sensors/after-outage', { type: 'window', state: 'broken' });
    await waitFor('alarm after the outage', () => queue(e).find((a) => a.source === 'after-outage'));
    // Now the engine goes away, the broker restarts (from its persistence file), and the engine returns.
    const dir = e.dataDir;
    await e.stop();
    engines.splice(engines.indexOf(e), 1);
    await publish(p2, 'gatehouse/sensors/kept-1', { type: 'door', state: 'forced' });
    p2.end(true);
    await new Promise((r) => setTimeout(r, 1500)); // autosave_interval 1 s
    await broker.stop();
    await broker.start();
    pub.end(true);
    pub = await mqttClient(broker.url);
    const e2 = await engineOn(dir);
    await waitFor('the message kept across the broker restart', () => queue(e2).find((a) => a.source === 'kept-1'), 20_000);
  });

  it('escalates an unacknowledged alarm: console event, MQTT notice and outbound webhook', async () => {
    const hits: unknown[] = [];
    const sink = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        hits.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/notify`;
    const dir = newDir('escalate');
    fs.writeFileSync(
      `${dir}/config.json`,
      JSON.stringify({
        schemaVersion: 2,
        alarmRules: [{ id: 'fast', name: 'Fast door', match: { type: 'sensor.door' }, priority: 1, ackSeconds: 5 }],
        alarmSetup: { notify: [{ url: sinkUrl, events: ['escalated'] }] },
      }),
    );
    const e = await engineOn(dir);
    const watcher = await mqttClient(broker.url);
    const esc: unknown[] = [];
    watcher.on('message', (_t, p) => esc.push(JSON.parse(p.toString())));
    await new Promise<void>((r) => watcher.subscribe('gatehouse/alarms/escalations', { qos: 1 }, () => r()));
    const events: unknown[] = [];
    e.engine.bus.on('alarm.escalated', (x) => events.push(x));
    await publish(pub, 'gatehouse/sensors/vault', { type: 'door', state: 'open' });
    await waitFor('console escalation', () => events.length > 0, 15_000);
    expect(events[0]).toMatchObject({ level: 1, reason: 'timeout', by: 'system' });
    await waitFor('MQTT escalation', () => esc.length > 0);
    expect(esc[0]).toMatchObject({ event: 'escalated', level: 1, source: 'vault' });
    await waitFor('webhook escalation', () => hits.length > 0);
    expect(hits[0]).toMatchObject({ sender: 'gatehouse', event: 'escalated', priority: 1, source: 'vault' });
    watcher.end(true);
    sink.close();
  });

  it('refuses a broker URL that is not MQTT, with the fix', async () => {
    const dir = newDir('badurl');
    await expect(startEngine(dir, { mqttUrl: 'http://127.0.0.1:1883', http: false })).rejects.toThrow(/not an MQTT URL; use mqtt:\/\/HOST:PORT/);
  });

  it('keeps retrying a broker that is not there, without failing the engine', async () => {
    const port = await freePort();
    const e = await startEngine(newDir('nobroker'), { mqttUrl: `mqtt://127.0.0.1:${port}`, http: false });
    engines.push(e);
    await waitFor('an error recorded', () => e.engine.integrations!.status().mqtt.lastError, 15_000);
    expect(e.engine.integrations!.status().mqtt.connected).toBe(false);
    // panic from the console still works
    const a = (await e.engine.handle('alarms.panic', {}, { token: e.token, peer: 'test' })) as Alarm;
    expect(a.priority).toBe(1);
  });
});
