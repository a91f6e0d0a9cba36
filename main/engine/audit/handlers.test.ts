import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, parseParams } from '../../api/contract.js';
import { EventBus } from '../bus.js';
import { Dispatcher } from '../dispatch.js';
import { openIndex, type Db } from '../store/db.js';
import { auditConcern, type AuditModule } from './handlers.js';

let db: Db;
let bus: EventBus;
let calls: Dispatcher;
let audit: AuditModule;
let handlers: ReturnType<typeof auditConcern>['handlers'];

beforeEach(() => {
  db = openIndex(':memory:');
  bus = new EventBus();
  calls = new Dispatcher((token) => (token === 'sup' ? { username: 'sue', role: 'admin' } : token === 'g' ? { username: 'gina', role: 'guard' } : null));
  const c = auditConcern({ db, bus, onCall: (fn) => calls.onCall(fn) });
  audit = c.module;
  handlers = c.handlers;
  calls.add(handlers);
  calls.add({
    'settings.update': (p) => {
      if (!Object.keys(p.patch).length) throw new ApiError('forbidden', 'nothing to change');
      return {} as never;
    },
    'cameras.list': () => [],
  });
  audit.start();
});
afterEach(() => {
  audit.stop();
  db.close();
});

const actions = () => audit.trail.list({}, null, 100).items.map((r) => `${r.actor} ${r.action}${r.target ? ' ' + r.target : ''}`);

describe('audit module', () => {
  it('records finished calls that change something, and refused ones, but not reads', async () => {
    await calls.handle('cameras.list', {}, { token: 'g', peer: 'test' });
    await calls.handle('settings.update', { patch: { offlineAlarmSeconds: 60 } }, { token: 'sup', peer: 'test' });
    await expect(calls.handle('settings.update', { patch: {} }, { token: 'sup', peer: 'test' })).rejects.toThrow(ApiError);
    expect(actions()).toEqual(['sue settings.update.denied', 'sue settings.update']);
  });

  it('records PTZ actions from their bus events, and stops listening when stopped', () => {
    bus.emit('ptz.action', { cameraId: 'gate', user: 'gina', action: 'move', detail: 'pan 0.5 tilt 0 zoom 0' });
    expect(actions()).toEqual(['gina ptz.action cameraId:gate']);
    expect(audit.trail.list({}, null, 1).items[0]!.details).toEqual({ cameraId: 'gate', user: 'gina', action: 'move', detail: 'pan 0.5 tilt 0 zoom 0' });
    audit.stop();
    bus.emit('ptz.action', { cameraId: 'gate', user: 'gina', action: 'stop' });
    expect(actions()).toHaveLength(1);
  });

  it('answers audit.list and audit.verify', async () => {
    bus.emit('ptz.action', { cameraId: 'gate', user: 'gina', action: 'home' });
    const page = await handlers['audit.list']!(parseParams('audit.list', { actor: 'gina' }), { peer: 'test' }, null);
    expect(page.items).toHaveLength(1);
    const v = await handlers['audit.verify']!(parseParams('audit.verify', {}), { peer: 'test' }, null);
    expect(v).toMatchObject({ ok: true, records: 1 });
  });
});
