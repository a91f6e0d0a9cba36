/**
 * Arming modes end to end: a real mosquitto (a mode name on
 * gatehouse/arming/set switches, the state is retained on
 * gatehouse/arming/state), the arming webhook over real HTTP (scoped
 * tokens: 401, 403, 400, 404, 200), the role matrix over the API (guards
 * only to guard-switchable modes), the CLI while the server runs (taken up
 * within a second), and every switch in the hash-chained audit trail with
 * who, what and from where.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../main/api/alarms.js';
import type { ArmingStatus } from '../../main/api/rules.js';
import { mqttClient, publish, startBroker, startEngine, tempDir, waitFor, type Broker, type TestEngine } from './alarms-support.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const cli = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main/cli/gatehouse.ts'), ...args, '--data', dir], { cwd: ROOT });

let broker: Broker;
let e: TestEngine;
let dir: string;
let watcher: MqttClient;
const states: { mode: string; by: string | null; via: string | null }[] = [];
const mode = () => e.engine.arming!.mode().id;
const audit = async () => (await e.rpc<{ items: AuditRecord[] }>('audit.list', { action: 'arming', limit: 100 }, e.token)).body.items;

beforeAll(async () => {
  broker = await startBroker();
  dir = tempDir('arming');
  e = await startEngine(dir, { mqttUrl: broker.url });
  for (const [username, role] of [
    ['gina', 'guard'],
    ['sam', 'supervisor'],
  ])
    await e.engine.handle('users.add', { username, password: `${username}-password-1`, role }, { token: e.token, peer: 'test' });
  watcher = await mqttClient(broker.url);
  watcher.on('message', (topic, p) => {
    if (topic === 'gatehouse/arming/state') states.push(JSON.parse(p.toString()));
  });
  await new Promise<void>((r) => watcher.subscribe('gatehouse/arming/state', { qos: 1 }, () => r()));
}, 60_000);

afterAll(async () => {
  watcher?.end(true);
  await e?.stop();
  await broker?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const login = async (u: string) => (await e.rpc<{ token: string }>('auth.login', { username: u, password: `${u}-password-1` })).body.token;

describe('arming modes', () => {
  it('publishes the mode retained, and switches on a mode name over MQTT (audited as mqtt, from the topic)', async () => {
    await waitFor('the retained state', () => states.find((s) => s.mode === 'day'), 10_000);
    await publish(watcher, 'gatehouse/arming/set', 'Night');
    await waitFor('night', () => mode() === 'night', 5000);
    await waitFor('the new state on MQTT', () => states.find((s) => s.mode === 'night' && s.via === 'mqtt'), 5000);
    await publish(watcher, 'gatehouse/arming/set', '{"mode":"day"}');
    await waitFor('day', () => mode() === 'day', 5000);
    await publish(watcher, 'gatehouse/arming/set', 'Holiday'); // unknown: ignored, logged
    await new Promise((r) => setTimeout(r, 500));
    expect(mode()).toBe('day');
    // a new subscriber gets the retained state at once
    const late = await mqttClient(broker.url);
    const got = await new Promise<string>((resolve) => {
      late.on('message', (_t, p) => resolve(p.toString()));
      late.subscribe('gatehouse/arming/state', { qos: 1 });
    });
    late.end(true);
    expect(JSON.parse(got)).toMatchObject({ mode: 'day', name: 'Day', via: 'mqtt', by: 'mqtt' });
    const rows = await audit();
    expect(rows.find((r) => r.action === 'arming.switch' && r.details.to === 'night')).toMatchObject({
      actor: 'mqtt',
      target: 'mode:night',
      details: { from: 'day', via: 'mqtt', peer: 'gatehouse/arming/set' },
    });
  });

  it('switches over the webhook with a token that has the arming scope; refuses others with a reason', async () => {
    const armer = (
      await e.rpc<{ token: string; id: string; url: string }>(
        'integrations.addWebhook',
        { name: 'Alarm panel', scopes: ['arming'] },
        e.token,
      )
    ).body;
    expect(armer.url).toBe('/api/webhook/arming');
    const sensorsOnly = (await e.rpc<{ token: string }>('integrations.addWebhook', { name: 'Door controller' }, e.token)).body;
    const post = (token: string | null, body: string) =>
      fetch(`${e.url}/api/webhook/arming`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body,
      });
    expect((await post(null, '{"mode":"Away"}')).status).toBe(401);
    const forbidden = await post(sensorsOnly.token, '{"mode":"Away"}');
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { message: string } }).error.message).toMatch(/arming scope/);
    expect((await post(armer.token, 'Away')).status).toBe(400);
    const unknown = await post(armer.token, '{"mode":"Holiday"}');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/Day, Night, Away/);
    const ok = await post(armer.token, '{"mode":"Away"}');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ mode: 'away', name: 'Away', via: 'webhook', by: `webhook:${armer.id}` });
    expect(mode()).toBe('away');
    // the arming-only token cannot post sensor messages
    const s = await fetch(`${e.url}/api/webhook/sensors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${armer.token}` },
      body: '{"sensor":"x","type":"door","state":"open"}',
    });
    expect(s.status).toBe(403);
    expect((await audit()).find((r) => r.details.to === 'away')).toMatchObject({
      actor: `webhook:${armer.id}`,
      details: { via: 'webhook', peer: '127.0.0.1' },
    });
  });

  it('lets guards switch only to guard-switchable modes, supervisors to any, and only admins define modes', async () => {
    const guard = await login('gina');
    const sup = await login('sam');
    const st = (await e.rpc<ArmingStatus>('arming.status', {}, guard)).body;
    expect(st.allowed).toEqual(['day', 'night']);
    expect((await e.rpc('arming.set', { mode: 'Night' }, guard)).status).toBe(200);
    const refused = await e.rpc<{ error: { message: string } }>('arming.set', { mode: 'Away' }, guard);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('Away can be set by a supervisor; guards may switch to Day, Night');
    expect((await e.rpc('arming.set', { mode: 'away' }, sup)).status).toBe(200);
    expect((await e.rpc('arming.configure', { schedule: [] }, sup)).status).toBe(403);
    const modes = [...st.modes, { id: 'weekend', name: 'Weekend', guardSwitchable: false }];
    const conf = await e.rpc<ArmingStatus>('arming.configure', { modes }, e.token);
    expect(conf.status).toBe(200);
    expect(conf.body.modes.map((m) => m.name)).toEqual(['Day', 'Night', 'Away', 'Weekend']);
    // the mode in force cannot be removed
    const gone = await e.rpc<{ error: { message: string } }>('arming.configure', { modes: modes.filter((m) => m.id !== 'away') }, e.token);
    expect(gone.status).toBe(409);
    const rows = await audit();
    expect(rows.find((r) => r.action === 'arming.switch' && r.actor === 'gina')).toMatchObject({
      details: { to: 'night', via: 'console' },
    });
    expect(rows.find((r) => r.action === 'arming.set.denied')).toMatchObject({ actor: 'gina' });
    expect(rows.find((r) => r.action === 'arming.switch' && r.actor === 'sam')).toMatchObject({ details: { from: 'night', to: 'away' } });
    expect(
      (await e.rpc<{ items: AuditRecord[] }>('audit.list', { action: 'arming.configure', limit: 5 }, e.token)).body.items[0],
    ).toMatchObject({ actor: 'admin' });
  });

  it('takes up a switch made with the CLI while it runs, within a second, and publishes it; the trail verifies', async () => {
    const before = states.length;
    const { stdout } = await cli(['arming', 'set', 'Night']);
    expect(stdout).toMatch(/Away → Night/);
    await waitFor('the server takes it up', () => mode() === 'night', 2000, 50);
    await waitFor('published', () => states.slice(before).find((s) => s.mode === 'night' && s.via === 'cli'), 3000);
    const status = JSON.parse((await cli(['arming', 'status', '--json'])).stdout) as { mode: { id: string }; via: string };
    expect(status).toMatchObject({ mode: { id: 'night' }, via: 'cli' });
    const rows = await audit();
    expect(rows.find((r) => r.action === 'arming.switch' && r.actor.startsWith('os:'))).toMatchObject({
      details: { via: 'cli', to: 'night' },
    });
    const hist = (await e.rpc<{ changes: { via: string }[] }>('arming.history', { limit: 10 }, e.token)).body.changes.map((c) => c.via);
    expect(hist).toEqual(expect.arrayContaining(['cli', 'console', 'webhook', 'mqtt']));
    expect((await e.rpc<{ ok: boolean }>('audit.verify', {}, e.token)).body.ok).toBe(true);
  }, 60_000);

  it('connects to a broker set in the alarm setup within a second, with the arming topic, and drops it when removed', async () => {
    const dir2 = tempDir('arming-setup');
    const e2 = await startEngine(dir2, { http: false });
    try {
      const call = (m: string, p: unknown) => e2.engine.handle(m, p, { token: e2.token, peer: 'test' });
      expect(e2.engine.integrations!.mqtt).toBeNull();
      const view = (await call('alarmSetup.setMqtt', { url: broker.url })) as { mqtt: { url: string } };
      expect(view.mqtt.url).toBe(broker.url);
      await waitFor('connected', () => e2.engine.integrations!.status().mqtt.connected, 5000, 50);
      await publish(watcher, 'gatehouse/arming/set', 'Away');
      await waitFor('away on the second engine', () => e2.engine.arming!.mode().id === 'away', 5000);
      // credentials go in their own fields: never in the URL shown, nor in the audit trail
      await expect(call('alarmSetup.setMqtt', { url: broker.url.replace('//', '//gh:s3cret-mqtt@') })).rejects.toThrow(/own fields/);
      const withCreds = (await call('alarmSetup.setMqtt', { url: broker.url, username: 'gh', password: 's3cret-mqtt' })) as { mqtt: { url: string; hasCredentials: boolean } };
      expect(withCreds.mqtt).toMatchObject({ url: broker.url, hasCredentials: true });
      expect(e2.engine.config.data.alarmSetup!.mqtt.url).toBe(broker.url.replace('//', '//gh:s3cret-mqtt@'));
      // saving the same broker without new credentials keeps them
      await call('alarmSetup.setMqtt', { url: broker.url });
      expect(e2.engine.config.data.alarmSetup!.mqtt.url).toContain('gh:s3cret-mqtt@');
      await waitFor('connected again', () => e2.engine.integrations!.status().mqtt.connected, 5000, 50);
      const trail = JSON.stringify(e2.engine.alarms!.audit.list({ action: 'alarmSetup.setMqtt' }, null, 20).items);
      expect(trail).toContain('"password":"***"');
      expect(trail).not.toContain('s3cret-mqtt');
      await call('alarmSetup.setMqtt', { url: null });
      await waitFor('disconnected', () => e2.engine.integrations!.mqtt === null, 5000, 50);
      await expect(call('alarmSetup.setMqtt', { url: 'http://nope' })).rejects.toThrow(/not an MQTT URL/);
    } finally {
      await e2.stop();
      fs.rmSync(dir2, { recursive: true, force: true });
    }
  });
});
