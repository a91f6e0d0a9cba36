/**
 * Rules end to end in a real engine with a real camera (the RTSP fixture
 * playing the vtest clip, recorded by the real recorder): a person-in-zone
 * rule raises one alarm per person dwell (not one per frame or per repeated
 * event) with the object event's id and a snapshot of the recorded moment,
 * and bookmarks it; the same rule in a mode that is not armed raises none;
 * the dry run over the stored events counts exactly what the live path
 * raised, also over an hour of zone events with a rule's own dwell time
 * and door sensors posted to the webhook.
 *
 * Zone events are produced as the detection half does (rules-support.ts:
 * committed to `events` first, then `detection.zone` on the bus).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredZone } from '../../main/api/detection.js';
import type { Alarm } from '../../main/api/alarms.js';
import type { DryRunResult, Rule } from '../../main/api/rules.js';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import { startEngine, tempDir, waitFor, type TestEngine } from './alarms-support.js';
import { DetectionDriver } from './rules-support.js';

let rtsp: RtspFixture;
let e: TestEngine;
let dir: string;
let cam: string;
let drive: DetectionDriver;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const call = <T>(method: string, params: unknown = {}) => e.engine.handle(method, params, { token: e.token, peer: 'test' }) as Promise<T>;
const alarmsOf = (ruleId: string) => e.engine.alarms!.store.history({}, null, 500).items.filter((a) => a.ruleId === ruleId);

beforeAll(async () => {
  rtsp = await startRtspServer({ mounts: { '/yard': {} } });
  dir = tempDir('rules-zone');
  e = await startEngine(dir);
  cam = ((await call('cameras.add', { name: 'Yard', url: rtsp.url('/yard') })) as { id: string }).id;
  await e.engine.config.update((c) => {
    const z = (id: string, name: string, x: number): StoredZone => ({
      id,
      name,
      polygon: [
        [x, 0.2],
        [x + 0.4, 0.2],
        [x + 0.4, 0.9],
        [x, 0.9],
      ],
      labels: [],
      minDwellSeconds: 3,
      inertiaFrames: 3,
    });
    c.cameras.find((x) => x.id === cam)!.zones = [z('z_0000a001', 'Gate', 0.05), z('z_0000a002', 'Road', 0.5)];
  });
  drive = new DetectionDriver(e.engine);
  await waitFor('recording', () => e.engine.cameras.info(cam)?.status.state === 'recording', 60_000, 250);
}, 120_000);

afterAll(async () => {
  await e?.stop();
  await rtsp?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a person-in-zone rule', () => {
  it('raises one alarm per person dwell, with the object event and a snapshot, only in the armed mode; the dry run counts the same', async () => {
    const rule = await call<Rule>('rules.add', {
      rule: {
        name: 'Person at the gate at night',
        trigger: { kind: 'object', phase: 'dwell' },
        conditions: { cameraIds: ['Yard'], zones: ['Gate'], labels: ['person'], modes: ['Night'] },
        actions: [{ type: 'alarm', priority: 2 }, { type: 'bookmark' }],
      },
    });
    expect(rule).toMatchObject({
      id: 'person-at-the-gate-at-night',
      conditions: { cameraIds: [cam], zones: ['z_0000a001'], modes: ['night'] },
    });
    const testStart = Date.now();
    const night = await call<{ mode: { id: string }; since: string }>('arming.set', { mode: 'Night' });
    expect(night.mode.id).toBe('night');
    const armedAt = Date.parse(night.since);
    await sleep(11_000); // ten seconds of footage after the switch, so every event below is in the past
    const at = (s: number) => armedAt + 200 + s * 1000;
    const base = { cameraId: cam, zoneId: 'z_0000a001', zone: 'Gate', minDwell: 3 };
    const p1 = drive.visit({ ...base, label: 'person', trackId: 1, startMs: at(0), stay: 9, repeatDwell: true });
    const p2 = drive.visit({ ...base, label: 'person', trackId: 2, startMs: at(2), stay: 6 });
    drive.visit({ ...base, label: 'person', trackId: 3, startMs: at(1), stay: 2 }); // left before the dwell
    drive.visit({ ...base, label: 'vehicle', trackId: 4, startMs: at(1), stay: 8 }); // not a person
    drive.visit({ ...base, zoneId: 'z_0000a002', zone: 'Road', label: 'person', trackId: 5, startMs: at(3), stay: 6 }); // another zone

    const raised = await waitFor('two alarms', () => (alarmsOf(rule.id).length >= 2 ? alarmsOf(rule.id) : null), 10_000);
    await sleep(500);
    const alarms = alarmsOf(rule.id).sort((a, b) => a.id - b.id);
    expect(alarms).toHaveLength(2);
    expect(raised).toHaveLength(2);
    const byObject = new Map(alarms.map((a) => [a.details.objectEventId, a]));
    const a1 = byObject.get(p1.objectEventId)!;
    const a2 = byObject.get(p2.objectEventId)!;
    expect(a1).toMatchObject({ type: 'detection.zone', priority: 2, state: 'new', cameraIds: [cam], zone: 'Gate', count: 2 });
    expect(a1.details).toMatchObject({ label: 'person', trackId: 1, zoneId: 'z_0000a001', phase: 'dwell' });
    expect(a2).toMatchObject({ count: 1, createdAt: new Date(at(2) + 3000).toISOString() });
    expect(a1.title).toBe('Person in Gate for 3 s: Yard');
    expect(a1.sop).toMatch(/snapshot/);
    // the snapshot of the recorded moment (the recorder's existing snapshot link on every alarm)
    const snap = a1.media[0]!.snapshotUrl;
    expect(snap).toContain(`/api/media/${cam}/snapshot.jpg?at=`);
    const jpeg = await waitFor(
      'the alarm snapshot',
      async () => {
        const r = await fetch(e.url + snap, { headers: { authorization: `Bearer ${e.token}` } });
        return r.status === 200 && r.headers.get('content-type') === 'image/jpeg' ? Buffer.from(await r.arrayBuffer()) : null;
      },
      60_000,
      1000,
    );
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    // the bookmark action marked each moment on the camera
    const marks = await call<{ items: { author: string; cameraIds: string[]; note: string }[] }>('bookmarks.list', {
      filter: { author: `rule:${rule.id}` },
      limit: 50,
    });
    expect(marks.items).toHaveLength(2);
    expect(marks.items[0]).toMatchObject({ cameraIds: [cam], note: expect.stringMatching(/^Person at the gate at night: Person in Gate/) });

    // Day: the same rule is not armed; the same visits raise nothing
    const day = await call<{ since: string }>('arming.set', { mode: 'Day' });
    const dayAt = Date.parse(day.since) + 200;
    drive.visit({ ...base, label: 'person', trackId: 11, startMs: dayAt, stay: 4 });
    drive.visit({ ...base, label: 'person', trackId: 12, startMs: dayAt + 500, stay: 5, repeatDwell: true });
    await sleep(1500);
    expect(alarmsOf(rule.id)).toHaveLength(2);

    // The dry run over what was stored: the same two alarms, the repeat counted, the Day visits not matched
    const dry = await call<DryRunResult>('rules.dryRun', {
      id: rule.id,
      from: new Date(testStart).toISOString(),
      to: new Date(Date.now() + 10_000).toISOString(),
    });
    expect(dry).toMatchObject({ alarms: 2, coalesced: 1, matched: 3, shadowed: 0 });
    expect(dry.items.map((i) => i.objectEventId).sort()).toEqual([p1.objectEventId, p1.objectEventId, p2.objectEventId].sort());
    expect(dry.items[0]).toMatchObject({
      cameraId: cam,
      type: 'detection.zone',
      priority: 2,
      outcome: 'raised',
      ref: { table: 'events' },
      what: expect.stringMatching(/person dwelt 3 s in Gate/),
    });
    // a draft in another mode: none
    const draft = await call<DryRunResult>('rules.dryRun', {
      rule: { ...rule, id: undefined, conditions: { ...rule.conditions, modes: ['away'] } },
      from: new Date(testStart).toISOString(),
    });
    expect(draft.matched).toBe(0);
  }, 120_000);

  it("over an hour of stored events the dry run counts what the live rules raised (a rule's own dwell; door sensors through the webhook)", async () => {
    const linger = await call<Rule>('rules.add', {
      rule: {
        name: 'Lingering on the road',
        trigger: { kind: 'object', phase: 'dwell', dwellSeconds: 20 },
        conditions: { cameraIds: [cam], zones: ['Road'], labels: ['person'] },
        actions: [{ type: 'alarm', priority: 3, coalesceSeconds: 60 }],
      },
    });
    const door = await call<Rule>('rules.add', {
      rule: {
        name: 'Back door',
        trigger: { kind: 'sensor', types: ['door'] },
        conditions: { sensorIds: ['back-door'] },
        actions: [{ type: 'alarm', priority: 1, coalesceSeconds: 120 }],
      },
    });
    const hook = await call<{ token: string }>('integrations.addWebhook', { name: 'Door controller' });
    const post = async (body: unknown) => {
      const r = await fetch(`${e.url}/api/webhook/sensors`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hook.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(r.status, await r.clone().text()).toBe(202);
    };
    const hourStart = Date.now() - 3600_000;
    let expectLinger = 0;
    let t = hourStart + 5000;
    // 40 people crossing the road zone over the hour, one after the other: stays from 4 s to 70 s
    for (let i = 0; i < 40; i++) {
      const stay = [4, 12, 19, 20, 21, 35, 70, 8][i % 8]!;
      const label = i % 5 === 4 ? 'bicycle' : 'person';
      drive.visit({
        cameraId: cam,
        zoneId: 'z_0000a002',
        zone: 'Road',
        label,
        trackId: 100 + i,
        startMs: t,
        stay,
        minDwell: 3,
        repeatDwell: i % 3 === 0,
      });
      if (label === 'person' && stay >= 20) expectLinger++;
      // the back door: opened every few minutes, sometimes just after a badge (a normal entry), sometimes twice in a row
      if (i % 2 === 0) {
        const msgs: unknown[] = [];
        if (i % 4 === 0)
          msgs.push({
            sensor: 'reader-b',
            type: 'badge.granted',
            badge: `b${i}`,
            door: 'back-door',
            time: new Date(t + 1000).toISOString(),
          });
        msgs.push({ sensor: 'back-door', type: 'door', state: 'open', time: new Date(t + 3000).toISOString(), msgId: `o${i}` });
        if (i % 6 === 0)
          msgs.push({ sensor: 'back-door', type: 'door', state: 'open', time: new Date(t + 30_000).toISOString(), msgId: `p${i}` });
        msgs.push({ sensor: 'back-door', type: 'door', state: 'closed', time: new Date(t + 40_000).toISOString(), msgId: `c${i}` });
        await post({ messages: msgs });
      }
      t += 85_000;
    }
    await sleep(1500);
    const liveLinger = alarmsOf(linger.id);
    const liveDoor = alarmsOf(door.id);
    expect(liveLinger.length).toBe(expectLinger);
    expect(liveDoor.length).toBeGreaterThan(3);
    const range = { from: new Date(hourStart).toISOString(), to: new Date(Date.now() + 1000).toISOString() };
    const dryLinger = await call<DryRunResult>('rules.dryRun', { id: linger.id, ...range });
    const dryDoor = await call<DryRunResult>('rules.dryRun', { id: door.id, ...range });
    expect(dryLinger.alarms).toBe(liveLinger.length);
    expect(dryDoor.alarms).toBe(liveDoor.length);
    expect(dryDoor.coalesced).toBe(liveDoor.reduce((n, a: Alarm) => n + a.count - 1, 0));
    // the synthetic dwell events: each alarm is at its object's enter + 20 s
    for (const a of liveLinger) expect(a.details).toMatchObject({ dwellSeconds: 20, ruleDwell: true });
    expect(new Set(dryLinger.items.filter((i) => i.outcome === 'raised').map((i) => i.time))).toEqual(
      new Set(liveLinger.map((a) => a.createdAt)),
    );
  }, 180_000);
});
