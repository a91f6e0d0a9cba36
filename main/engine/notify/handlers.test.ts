/**
 * push.update through the dispatcher (roles, params, the handler, the audit
 * hook): the owner changes their own subscription's priorities and camera
 * filter, another guard may not (refused and audited as denied), an admin may
 * change anyone's; unknown cameras and an empty list are refused on the field;
 * null is "any camera" again. And oncall.set with rotas is audited with its
 * params, as every console change is; rotas.add/update/remove change one rota
 * each (two admins changing two rotas at once both land, on the real config
 * file), are for admins only, audited, and name the rota's own field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requests, type Me } from '../../api/contract.js';
import type { OnCallView, PushSubscriptionInfo, Rota } from '../../api/notify.js';
import { auditForCall } from '../audit/hook.js';
import { AuditTrail } from '../audit/trail.js';
import { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import { KeyFileSecretBox } from '../config/secrets.js';
import { ConfigStore } from '../config/store.js';
import { Dispatcher } from '../dispatch.js';
import { openIndex, type Db } from '../store/db.js';
import { notifyConcern } from './handlers.js';
import { addContact, updateRota } from './settings.js';

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

describe('rotas.add, rotas.update, rotas.remove', () => {
  const NIGHTS = { name: 'Nights', startsAt: '2026-03-02T19:00:00Z', periodHours: 12, members: ['ann'] };
  const DAYS = { name: 'Days', startsAt: '2026-03-02T07:00:00Z', periodHours: 24, members: ['bob'] };
  const stored = () => notifyRotas();
  const notifyRotas = (): Rota[] =>
    (JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).notifications?.rotas ?? []) as Rota[];
  beforeEach(async () => {
    for (const name of ['Ann', 'Bob', 'Cy']) await addContact(config, { name, email: `${name.toLowerCase()}@example.org` });
  });

  it('are in the role matrix for admins; a guard and a supervisor are refused and nothing changes', async () => {
    for (const m of ['rotas.add', 'rotas.update', 'rotas.remove'] as const) expect(requests[m].role).toBe('admin');
    await call('admin', 'rotas.add', NIGHTS);
    for (const who of ['gina', 'sam']) {
      for (const [m, p] of [
        ['rotas.add', DAYS],
        ['rotas.update', { id: 'nights', periodHours: 24 }],
        ['rotas.remove', { id: 'nights' }],
      ] as const) {
        expect(await refused(call(who, m, p))).toMatchObject({
          code: 'forbidden',
          message: `${m} needs the admin role; you are ${USERS[who]!.role}`,
        });
      }
    }
    expect(await refused(call('', 'rotas.remove', { id: 'nights' }))).toMatchObject({ code: 'unauthorized' });
    expect(stored()).toEqual([{ id: 'nights', ...NIGHTS }]);
    expect(changed).toEqual(['oncall']);
  });

  it('add, change and remove one rota each, audited with the params and told as notify.changed oncall', async () => {
    const added = await call<Rota>('admin', 'rotas.add', NIGHTS);
    expect(added).toEqual({ id: 'nights', ...NIGHTS });
    await call('admin', 'rotas.add', DAYS);
    const u = await call<Rota>('admin', 'rotas.update', { id: 'nights', members: ['cy', 'ann'] });
    expect(u).toEqual({ id: 'nights', ...NIGHTS, members: ['cy', 'ann'] });
    expect(await call('admin', 'rotas.remove', { id: 'days' })).toEqual({ ok: true });
    expect(stored()).toEqual([{ id: 'nights', ...NIGHTS, members: ['cy', 'ann'] }]);
    expect((await call<OnCallView>('sam', 'oncall.get', {})).rotas).toEqual(stored());
    expect(changed).toEqual(['oncall', 'oncall', 'oncall', 'oncall']);
    expect(actions()).toEqual([
      'admin rotas.add name:Nights',
      'admin rotas.add name:Days',
      'admin rotas.update nights',
      'admin rotas.remove days',
    ]);
    const [rec] = audit.list({ action: 'rotas.update' }, null, 5).items;
    expect(rec).toMatchObject({ actor: 'admin', target: 'nights', details: { params: { id: 'nights', members: ['cy', 'ann'] } } });
    expect(audit.verify()).toMatchObject({ ok: true });
  });

  it('two admins changing two rotas at the same moment: both changes land (the whole-list save lost one)', async () => {
    await call('admin', 'rotas.add', NIGHTS);
    await call('admin', 'rotas.add', DAYS);
    // the old console: each read the list, changed its rota, wrote the list back
    const [a, b] = await Promise.all([call<OnCallView>('admin', 'oncall.get', {}), call<OnCallView>('admin', 'oncall.get', {})]);
    await Promise.all([
      call('admin', 'oncall.set', { rotas: a.rotas.map((r) => (r.id === 'nights' ? { ...r, periodHours: 8 } : r)) }),
      call('admin', 'oncall.set', { rotas: b.rotas.map((r) => (r.id === 'days' ? { ...r, members: ['bob', 'cy'] } : r)) }),
    ]);
    const lost = stored();
    expect(lost.find((r) => r.id === 'nights')!.periodHours === 8 && lost.find((r) => r.id === 'days')!.members.length === 2).toBe(false);

    // one rota per request, each one locked write of the file: all land (the engine's own writes queue up)
    await Promise.all([
      call('admin', 'rotas.update', { id: 'nights', periodHours: 6 }),
      call('admin', 'rotas.update', { id: 'days', members: ['cy', 'bob'] }),
      updateRota(config, 'nights', { startsAt: '2026-03-03T19:00:00Z' }),
    ]);
    expect(stored()).toEqual([
      expect.objectContaining({ id: 'nights', periodHours: 6, startsAt: '2026-03-03T19:00:00Z' }),
      expect.objectContaining({ id: 'days', members: ['cy', 'bob'] }),
    ]);
    await Promise.all([call('admin', 'rotas.remove', { id: 'days' }), call('admin', 'rotas.add', { ...DAYS, name: 'Weekend' })]);
    expect(stored().map((r) => r.id)).toEqual(['nights', 'weekend']);
  });

  it("names the rota's own field, another rota's problem as rotas.<i>.<field>, and an unknown rota", async () => {
    await call('admin', 'rotas.add', NIGHTS);
    await call('admin', 'rotas.add', DAYS);
    expect(await refused(call('admin', 'rotas.add', { ...DAYS, name: 'NIGHTS' }))).toEqual({
      code: 'conflict',
      field: 'name',
      message: 'a rota named "NIGHTS" exists; use another name or change that one',
    });
    // the first rota renamed to the second's name: the clash is still this one's
    expect(await refused(call('admin', 'rotas.update', { id: 'nights', name: 'days' }))).toMatchObject({ code: 'conflict', field: 'name' });
    expect(await refused(call('admin', 'rotas.update', { id: 'nights', members: ['ann', 'zed'] }))).toEqual({
      code: 'bad_request',
      field: 'members',
      message: 'no contact "zed"; add the contacts first (Settings → On call, gatehouse contacts add)',
    });
    expect(await refused(call('admin', 'rotas.update', { id: 'days', members: ['bob', 'bob'] }))).toMatchObject({ field: 'members' });
    // the contract's own messages, on the field
    expect(await refused(call('admin', 'rotas.add', { ...DAYS, name: 'X', members: [] }))).toMatchObject({
      field: 'members',
      message: 'rotas.add: members: a rota needs at least one member',
    });
    expect(await refused(call('admin', 'rotas.update', { id: 'days', periodHours: 0 }))).toMatchObject({ field: 'periodHours' });
    expect(await refused(call('admin', 'rotas.update', { id: 'days', startsAt: 'soon' }))).toMatchObject({ field: 'startsAt' });
    expect(await refused(call('admin', 'rotas.add', { ...DAYS, id: 'x' }))).toMatchObject({ code: 'bad_request' });
    // by id only: not by name
    expect(await refused(call('admin', 'rotas.update', { id: 'gone', periodHours: 1 }))).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/no rota "gone": it was removed meanwhile/),
    });
    expect(await refused(call('admin', 'rotas.remove', { id: 'gone' }))).toMatchObject({ code: 'not_found' });
    expect(stored().map((r) => [r.id, r.name, r.members])).toEqual([
      ['nights', 'Nights', ['ann']],
      ['days', 'Days', ['bob']],
    ]);
    // a hand edit left the second rota with a member who is no contact: changing the first names that one, by its place
    const file = path.join(dir, 'config.json');
    const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    raw.notifications.rotas[1].members = ['bob', 'zed'];
    fs.writeFileSync(file, JSON.stringify(raw));
    expect(await refused(call('admin', 'rotas.update', { id: 'nights', periodHours: 6 }))).toEqual({
      code: 'bad_request',
      field: 'rotas.1.members',
      message: 'the rota Days needs fixing first: no contact "zed"; add the contacts first (Settings → On call, gatehouse contacts add)',
    });
  });
});
