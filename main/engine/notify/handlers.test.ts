/**
 * push.update through the dispatcher (roles, params, the handler, the audit
 * hook): the owner changes their own subscription's priorities and camera
 * filter, another guard may not (refused and audited as denied), an admin may
 * change anyone's; unknown cameras and an empty list are refused on the field;
 * null is "any camera" again. And oncall.set with rotas is audited with its
 * params, as every console change is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requests, type Me } from '../../api/contract.js';
import type { PushSubscriptionInfo } from '../../api/notify.js';
import { auditForCall } from '../audit/hook.js';
import { AuditTrail } from '../audit/trail.js';
import { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import { KeyFileSecretBox } from '../config/secrets.js';
import { ConfigStore } from '../config/store.js';
import { Dispatcher } from '../dispatch.js';
import { openIndex, type Db } from '../store/db.js';
import { notifyConcern } from './handlers.js';
import { addContact } from './settings.js';

const USERS: Record<string, Me> = {
  gina: { username: 'gina', role: 'guard' },
  gus: { username: 'gus', role: 'guard' },
  sam: { username: 'sam', role: 'supervisor' },
  admin: { username: 'admin', role: 'admin' },
};

let dir: string;
let db: Db;
let config: ConfigStore;
let audit: AuditTrail;
let d: Dispatcher;
let module: ReturnType<typeof notifyConcern>['module'];
let changed: string[];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-notify-handlers-'));
  db = openIndex(':memory:');
  config = new ConfigStore(path.join(dir, 'config.json'));
  await config.load();
  audit = new AuditTrail(db);
  const bus = new EventBus();
  changed = [];
  bus.on('notify.changed', (e) => changed.push(e.what));
  const cameras = { get: (id: string) => (['yard', 'gate'].includes(id) ? { id } : undefined) } as unknown as CameraRegistry;
  const concern = notifyConcern({
    db,
    bus,
    config,
    secrets: new KeyFileSecretBox(path.join(dir, 'secret.key')),
    audit,
    alarms: {
      get: () => null,
      unacknowledged: () => [],
      acknowledge: () => {
        throw new Error('no');
      },
      noteNotice: () => {},
    },
    cameras,
    mqtt: () => null,
    snapshot: () => Promise.reject(new Error('no camera here')),
    timeZone: () => 'UTC',
  });
  module = concern.module;
  d = new Dispatcher((token) => (token ? (USERS[token] ?? null) : null));
  d.add(concern.handlers);
  d.onCall((c) => {
    const rec = auditForCall(c);
    for (const r of Array.isArray(rec) ? rec : rec ? [rec] : []) audit.append(r);
  });
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const call = <T>(who: string, method: string, params: unknown) => d.handle(method, params, { token: who, peer: 'test' }) as Promise<T>;
const refused = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: { code: string; field?: string; message: string }) => ({ code: e.code, field: e.field, message: e.message }),
  );
const subOf = (username: string) =>
  module.store.addSubscription({
    username,
    endpoint: `https://fcm.googleapis.com/fcm/send/${username}`,
    keys: { p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) },
    label: `${username}'s phone`,
    priorities: [1, 2],
    cameraIds: null,
    now: Date.now(),
  });
/** Oldest first. */
const actions = () =>
  audit
    .list({}, null, 50)
    .items.reverse()
    .map((r) => `${r.actor} ${r.action} ${r.target ?? ''}`.trim());

describe('push.update', () => {
  it('is in the role matrix for every signed-in user (the handler keeps them to their own)', () => {
    expect(requests['push.update'].role).toBe('guard');
  });

  it('lets the owner choose cameras and priorities, and "All cameras" again', async () => {
    const s = subOf('gina');
    const u = await call<PushSubscriptionInfo>('gina', 'push.update', {
      id: s.id,
      cameraIds: ['gate', 'yard', 'gate'],
      priorities: [3, 1],
    });
    expect(u).toMatchObject({ id: s.id, cameraIds: ['gate', 'yard'], priorities: [1, 3], label: "gina's phone" });
    expect(module.store.subscription(s.id)!.cameraIds).toEqual(['gate', 'yard']);
    const all = await call<PushSubscriptionInfo>('gina', 'push.update', { id: s.id, cameraIds: null });
    expect(all.cameraIds).toBeNull();
    expect(all.priorities).toEqual([1, 3]); // left out: kept
    expect(changed).toEqual(['push', 'push']);
    expect(actions()).toEqual([`gina push.update ${s.id}`, `gina push.update ${s.id}`]);
  });

  it("refuses another user's subscription, and audits the attempt; an admin may change anyone's", async () => {
    const s = subOf('gina');
    expect(await refused(call('gus', 'push.update', { id: s.id, cameraIds: ['yard'] }))).toMatchObject({
      code: 'forbidden',
      message: `push subscription #${s.id} is gina's; only they or an admin can change it`,
    });
    expect(await refused(call('sam', 'push.update', { id: s.id, cameraIds: ['yard'] }))).toMatchObject({ code: 'forbidden' });
    expect(module.store.subscription(s.id)!.cameraIds).toBeNull();
    expect(await refused(call('', 'push.update', { id: s.id, cameraIds: ['yard'] }))).toMatchObject({ code: 'unauthorized' });
    const u = await call<PushSubscriptionInfo>('admin', 'push.update', { id: s.id, cameraIds: ['yard'] });
    expect(u.cameraIds).toEqual(['yard']);
    expect(actions()).toEqual([`gus push.update.denied ${s.id}`, `sam push.update.denied ${s.id}`, `admin push.update ${s.id}`]);
  });

  it('refuses unknown cameras and an empty list on the field, and an unknown subscription', async () => {
    const s = subOf('gina');
    expect(await refused(call('gina', 'push.update', { id: s.id, cameraIds: ['yard', 'roof'] }))).toEqual({
      code: 'bad_request',
      field: 'cameraIds',
      message: 'push.update: no camera roof',
    });
    expect(await refused(call('gina', 'push.update', { id: s.id, cameraIds: [] }))).toMatchObject({
      field: 'cameraIds',
      message: expect.stringMatching(/pick at least one camera, or "All cameras"/),
    });
    expect(await refused(call('gina', 'push.update', { id: 999, cameraIds: null }))).toMatchObject({ code: 'not_found' });
    expect(module.store.subscription(s.id)!.cameraIds).toBeNull();
  });
});

describe('oncall.set with rotas', () => {
  it('is for admins, and audited with the rotas it set', async () => {
    await addContact(config, { name: 'Ann', email: 'ann@example.org' });
    const rotas = [{ name: 'Night techs', startsAt: '2026-03-02T19:00:00Z', periodHours: 12, members: ['ann'] }];
    expect(await refused(call('sam', 'oncall.set', { rotas }))).toMatchObject({ code: 'forbidden' });
    const v = await call<{ rotas: { id: string }[] }>('admin', 'oncall.set', { rotas });
    expect(v.rotas[0]!.id).toBe('night-techs');
    const rec = audit.list({ action: 'oncall.set' }, null, 5).items[0]!;
    expect(rec).toMatchObject({
      actor: 'admin',
      action: 'oncall.set',
      details: { params: { rotas: [{ name: 'Night techs', members: ['ann'] }] } },
    });
  });
});
