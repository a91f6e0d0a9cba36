import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlarmSetup } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import { EventBus } from '../bus.js';
import { openIndex, type Db } from '../store/db.js';
import { AuditTrail } from '../audit/trail.js';
import { AlarmService } from '../alarms/service.js';
import { AlarmStore } from '../alarms/store.js';
import { DEFAULT_RULES } from '../rules/defaults.js';
import { AccessLog } from './access-log.js';
import { parseSensorMessage, SensorIngest } from './sensors.js';
import { hashToken, MAX_IN_FLIGHT, parseWebhookBody, SensorWebhook } from './webhook.js';

let db: Db;
let now: number;
let ingest: SensorIngest;
let store: AlarmStore;
let access: AccessLog;
const setup = AlarmSetup.parse({
  doors: [{ door: 'front', name: 'Front door', zone: 'lobby', cameraIds: ['lobby-cam'] }],
  sensors: [{ id: 'pir-7', name: 'Yard PIR', zone: 'yard', cameraIds: ['yard-cam'] }],
  webhooks: [{ id: 'acs', name: 'ACS', tokenSha256: hashToken('good-token'), createdAt: '2026-01-01T00:00:00Z' }],
});

beforeEach(() => {
  db = openIndex(':memory:');
  now = Date.parse('2026-11-26T10:00:00Z');
  const bus = new EventBus();
  store = new AlarmStore(db, () => setup);
  const svc = new AlarmService({ store, audit: new AuditTrail(db), bus, rules: () => DEFAULT_RULES, setup: () => setup, match: () => ({ timeZone: 'UTC', modeAt: () => 'day' }), now: () => now });
  ingest = new SensorIngest({ db, bus, setup: () => setup, alarms: svc, now: () => now });
  access = new AccessLog(db, () => setup);
});
afterEach(() => db.close());

const send = (sensor: string, payload: unknown) => {
  const p = parseSensorMessage(sensor, payload);
  return ingest.handle(p.sensorId, p.msg, 'test');
};

describe('sensor messages', () => {
  it('validates each message type and says what is wrong', () => {
    expect(() => parseSensorMessage('door-1', { type: 'door', state: 'ajar' })).toThrow(/state/);
    expect(() => parseSensorMessage('door-1', { type: 'toaster' })).toThrow(/type must be one of door, window, motion, badge.granted, badge.denied/);
    expect(() => parseSensorMessage('door-1', { type: 'badge.denied', door: 'front' })).toThrow(/badge/);
    expect(() => parseSensorMessage('door 1', { type: 'door', state: 'open' })).toThrow(/sensor id/);
    expect(() => parseSensorMessage('d', { type: 'door', state: 'open', extra: 1 })).toThrow(/unknown field/);
    expect(() => parseSensorMessage('d', [1])).toThrow(ApiError);
    expect(parseSensorMessage('w', { type: 'window', state: 'broken', time: '2026-11-26T09:00:00Z' }).msg.type).toBe('window');
  });

  it('turns door, window and motion messages into alarms linked to the mapped cameras', () => {
    const r = send('front', { type: 'door', state: 'open' });
    expect(r.outcome).toBe('raised');
    const a = store.get(r.alarmId!)!;
    expect(a).toMatchObject({ type: 'sensor.door', zone: 'lobby', cameraIds: ['lobby-cam'], title: 'Door open: Front door (lobby)' });
    expect(send('pir-7', { type: 'motion', state: 'active' }).outcome).toBe('raised');
    expect(store.get(send('pir-7', { type: 'motion', state: 'active' }).alarmId!)!.count).toBe(2);
    expect(send('front', { type: 'door', state: 'closed' }).outcome).toBe('resolved');
    expect(store.get(a.id)!.resolvedAt).not.toBeNull();
  });

  it('keeps badge reads as a searchable entry/exit log; a denial is an alarm', () => {
    send('reader-1', { type: 'badge.granted', badge: '42', door: 'front', person: 'Ann', direction: 'in' });
    now += 60_000;
    const d = send('reader-1', { type: 'badge.denied', badge: '666', door: 'front', reason: 'expired' });
    expect(d.outcome).toBe('raised');
    now += 60_000;
    send('reader-2', { type: 'badge.granted', badge: '42', door: 'back' });
    expect(access.search({ badge: '42' }, null, 10).items.map((e) => e.door)).toEqual(['back', 'front']);
    const front = access.search({ door: 'front' }, null, 10).items;
    expect(front).toHaveLength(2);
    expect(front[0]).toMatchObject({ badge: '666', granted: false, reason: 'expired', alarmId: d.alarmId, cameraIds: ['lobby-cam'] });
    expect(front[0]!.media[0]!.snapshotUrl).toMatch(/^\/api\/media\/lobby-cam\/snapshot\.jpg\?at=/);
    expect(access.search({ from: new Date(now - 30_000).toISOString() }, null, 10).items).toHaveLength(1);
    const p1 = access.search({}, null, 2);
    expect(p1.items).toHaveLength(2);
    expect(access.search({}, p1.nextCursor, 2).items).toHaveLength(1);
  });

  it('treats a door opening just after a granted badge as a normal entry', () => {
    send('reader-1', { type: 'badge.granted', badge: '42', door: 'front' });
    now += 3000;
    expect(send('front', { type: 'door', state: 'open' }).outcome).toBe('logged');
    now += 60_000;
    expect(send('front', { type: 'door', state: 'open' }).outcome).toBe('raised');
    expect(send('front', { type: 'door', state: 'forced' }).outcome).toBe('coalesced');
  });

  it('drops a redelivered message by its msgId', () => {
    expect(send('front', { type: 'door', state: 'open', msgId: 'm1' }).duplicate).toBe(false);
    expect(send('front', { type: 'door', state: 'open', msgId: 'm1' }).duplicate).toBe(true);
    expect(store.queue()[0]!.count).toBe(1);
  });
});

describe('webhook body and token', () => {
  it('accepts one message or a batch, naming the bad item', () => {
    expect(parseWebhookBody({ sensor: 'front', type: 'door', state: 'open' })).toHaveLength(1);
    expect(parseWebhookBody({ messages: [{ sensor: 'a', type: 'motion', state: 'active' }, { sensor: 'b', type: 'window', state: 'open' }] })).toHaveLength(2);
    expect(() => parseWebhookBody({ type: 'door', state: 'open' })).toThrow(/"sensor".*missing/);
    expect(() => parseWebhookBody({ messages: [{ sensor: 'a', type: 'motion', state: 'active' }, { sensor: 'b', type: 'window' }] })).toThrow(/messages\[1\]: state/);
    expect(() => parseWebhookBody({ messages: [] })).toThrow(/non-empty/);
    expect(() => parseWebhookBody('x')).toThrow(/JSON object/);
  });

  it('identifies the integration by its token', () => {
    const w = new SensorWebhook({ setup: () => setup, sensors: ingest });
    expect(w.identify('Bearer good-token')).toEqual({ id: 'acs', name: 'ACS', scopes: ['sensors'] });
    expect(w.identify('Bearer bad-token')).toBeNull();
    expect(w.identify(undefined)).toBeNull();
    expect(w.identify('Basic Z29vZC10b2tlbg==')).toBeNull();
  });

  it('past MAX_IN_FLIGHT requests being read, a sender gets 503 with Retry-After at once; the slots come back', async () => {
    const w = new SensorWebhook({ setup: () => setup, sensors: ingest });
    const server = http.createServer((req, res) => void w.handle(req, res).catch(() => res.destroy())); // a slow sender cut off: aborted
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const post = (body: string | null) =>
      new Promise<{ status: number; retryAfter?: string; req: http.ClientRequest }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { authorization: 'Bearer good-token', 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined, req });
        });
        req.on('error', reject);
        if (body === null) req.write('{"sensor":'); // a body that never ends: the request stays in flight
        else req.end(body);
      });
    const slow = Array.from({ length: MAX_IN_FLIGHT }, () => http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { authorization: 'Bearer good-token', 'content-type': 'application/json' } }));
    for (const r of slow) {
      r.on('error', () => {});
      r.write('{"sensor":');
    }
    try {
      let busy = await post('{"sensor":"front","type":"door","state":"open"}');
      for (let i = 0; i < 50 && busy.status !== 503; i++) busy = await post('{"sensor":"front","type":"door","state":"open"}');
      expect(busy.status).toBe(503);
      expect(busy.retryAfter).toBe('1');
      for (const r of slow) r.destroy();
      let ok = busy;
      for (let i = 0; i < 50 && ok.status === 503; i++) {
        await new Promise((r) => setTimeout(r, 20));
        ok = await post('{"sensor":"front","type":"door","state":"open"}');
      }
      expect(ok.status).toBe(202);
    } finally {
      for (const r of slow) r.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
