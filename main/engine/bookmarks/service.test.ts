import { beforeEach, describe, expect, it } from 'vitest';
import { AlarmSetup } from '../../api/alarms.js';
import type { Bookmark } from '../../api/bookmarks.js';
import { ApiError, parseParams, type EventMap, type Me } from '../../api/contract.js';
import { AlarmStore } from '../alarms/store.js';
import { AuditTrail } from '../audit/trail.js';
import { auditForCall } from '../audit/hook.js';
import { EventBus } from '../bus.js';
import { openIndex, type Db } from '../store/db.js';
import { TimelineMarkers } from '../timeline/markers.js';
import { BookmarkService, checkCameras, mayChange } from './service.js';
import { BookmarkStore } from './store.js';

const gina: Me = { username: 'gina', role: 'guard' };
const gus: Me = { username: 'gus', role: 'guard' };
const sam: Me = { username: 'sam', role: 'supervisor' };
const T0 = Date.parse('2026-11-26T02:00:00Z');

let db: Db;
let bus: EventBus;
let audit: AuditTrail;
let store: BookmarkStore;
let svc: BookmarkService;
let now: number;
let events: EventMap['bookmarks.changed'][];

beforeEach(() => {
  db = openIndex(':memory:');
  bus = new EventBus();
  audit = new AuditTrail(db);
  store = new BookmarkStore(db);
  now = T0 + 3600_000;
  svc = new BookmarkService({ store, audit, bus, cameraIds: () => ['gate', 'yard', 'dock'], now: () => now });
  events = [];
  bus.on('bookmarks.changed', (e) => events.push(e));
});

const add = (me: Me, p: { cameraIds: string[]; time?: number; note?: string }): Bookmark =>
  svc.add(me, parseParams('bookmarks.add', { cameraIds: p.cameraIds, time: new Date(p.time ?? T0).toISOString(), note: p.note }));

describe('bookmarks', () => {
  it('a guard marks a moment: stored word for word, audited in the same commit, announced', () => {
    const b = add(gina, { cameraIds: ['gate', 'yard', 'gate'], note: '2 men at the gate, one with a ladder' });
    expect(b).toMatchObject({ cameraIds: ['gate', 'yard'], time: new Date(T0).toISOString(), note: '2 men at the gate, one with a ladder', author: 'gina', updatedBy: 'gina' });
    expect(store.get(b.id)).toEqual(b);
    const rec = audit.list({ action: 'bookmark.' }, null, 10).items;
    expect(rec).toHaveLength(1);
    expect(rec[0]).toMatchObject({ actor: 'gina', action: 'bookmark.add', target: `bookmark:${b.id}` });
    expect(rec[0]!.details).toMatchObject({ note: '2 men at the gate, one with a ladder', cameraIds: ['gate', 'yard'] });
    expect(events).toEqual([{ action: 'added', bookmark: b, by: 'gina' }]);
    expect(audit.verify().ok).toBe(true);
  });

  it('an empty note is a bare mark; cameras must exist; no future moments', () => {
    expect(add(gina, { cameraIds: ['dock'] }).note).toBe('');
    expect(() => add(gina, { cameraIds: ['nope'] })).toThrow(/no camera with id "nope"/);
    expect(() => add(gina, { cameraIds: ['gate'], time: now + 5 * 60_000 })).toThrow(/has happened/);
    expect(() => parseParams('bookmarks.add', { cameraIds: [], time: new Date(T0).toISOString() })).toThrow(/at least one camera/);
  });

  it('role matrix: the author edits and removes their own; another guard cannot; a supervisor can', () => {
    const b = add(gina, { cameraIds: ['gate'], note: 'first' });
    expect(mayChange(gina, b)).toBe(true);
    expect(mayChange(gus, b)).toBe(false);
    expect(mayChange(sam, b)).toBe(true);
    const e1 = svc.update(gina, { id: b.id, note: 'first, checked' });
    expect(e1).toMatchObject({ note: 'first, checked', updatedBy: 'gina' });
    expect(() => svc.update(gus, { id: b.id, note: 'mine now' })).toThrow(ApiError);
    expect(() => svc.remove(gus, b.id)).toThrow(/gina's: only they or a supervisor/);
    const e2 = svc.update(sam, { id: b.id, cameraIds: ['yard'], time: new Date(T0 + 5000).toISOString() });
    expect(e2).toMatchObject({ cameraIds: ['yard'], author: 'gina', updatedBy: 'sam', note: 'first, checked' });
    expect(svc.remove(sam, b.id)).toEqual({ ok: true });
    expect(store.get(b.id)).toBeNull();
    expect(() => svc.remove(sam, b.id)).toThrow(/no bookmark/);
    const acts = audit.list({ action: 'bookmark.' }, null, 10).items.map((r) => `${r.actor} ${r.action}`);
    expect(acts).toEqual(['sam bookmark.remove', 'sam bookmark.update', 'gina bookmark.update', 'gina bookmark.add']);
    const upd = audit.list({ action: 'bookmark.update', actor: 'sam' }, null, 1).items[0]!;
    expect(upd.details).toMatchObject({ before: { cameraIds: ['gate'], note: 'first, checked' }, after: { cameraIds: ['yard'] } });
    expect(events.map((e) => e.action)).toEqual(['added', 'updated', 'updated', 'removed']);
  });

  it('the audit hook leaves successful bookmark calls to the service and keeps refused ones', () => {
    expect(auditForCall({ method: 'bookmarks.add', params: {}, me: gina, peer: 'x', result: {} })).toBeNull();
    const denied = auditForCall({ method: 'bookmarks.remove', params: { id: 3 }, me: gus, peer: 'x', error: new ApiError('forbidden', 'no') });
    expect(denied).toMatchObject({ actor: 'gus', action: 'bookmarks.remove.denied', target: '3' });
  });

  it('lists newest first with paging, by camera, author and words of the note', () => {
    for (let i = 0; i < 7; i++) add(i % 2 ? gus : gina, { cameraIds: i % 3 ? ['gate'] : ['yard', 'gate'], time: T0 + i * 60_000, note: `round ${i}${i === 4 ? ' ladder by the fence' : ''}` });
    const p1 = store.list({}, null, 3);
    expect(p1.items.map((b) => b.note.slice(0, 7))).toEqual(['round 6', 'round 5', 'round 4']);
    const p2 = store.list({}, p1.nextCursor, 3);
    expect(p2.items.map((b) => b.note)).toEqual(['round 3', 'round 2', 'round 1']);
    const p3 = store.list({}, p2.nextCursor, 3);
    expect(p3.items.map((b) => b.note)).toEqual(['round 0']);
    expect(p3.nextCursor).toBeNull();
    expect(store.list({ cameraId: 'yard' }, null, 10).items.map((b) => b.note.slice(0, 7))).toEqual(['round 6', 'round 3', 'round 0']);
    expect(store.list({ author: 'gus' }, null, 10).items).toHaveLength(3);
    expect(store.list({ text: 'FENCE ladder' }, null, 10).items.map((b) => b.note)).toEqual(['round 4 ladder by the fence']);
    expect(store.list({ text: '100%' }, null, 10).items).toEqual([]);
    expect(store.list({ from: new Date(T0 + 60_000).toISOString(), to: new Date(T0 + 3 * 60_000).toISOString() }, null, 10).items).toHaveLength(2);
  });

  it('checkCameras names the unknown camera', () => {
    expect(checkCameras(['a', 'a', 'b'], ['a', 'b'])).toEqual(['a', 'b']);
    expect(() => checkCameras(['a', 'c'], ['a', 'b'])).toThrow(/"c"/);
  });
});

describe('timeline markers', () => {
  it('returns alarms, panics, sensor messages and bookmarks of one camera in a range, oldest first', () => {
    const setup = AlarmSetup.parse({ sensors: [{ id: 'door-1', name: 'Front door', cameraIds: ['gate'] }], doors: [{ door: 'back', cameraIds: ['gate'] }] });
    const alarms = new AlarmStore(db, () => setup);
    const base = { sourceKey: 'k', zone: null, ruleId: null, ackDueMs: null, sop: '', details: {}, user: 'system' };
    alarms.insert({ ...base, type: 'sensor.door', title: 'Door open: Front door', priority: 2, source: 'door-1', cameraIds: ['gate'], time: T0 + 1000 });
    alarms.insert({ ...base, type: 'panic', title: 'PANIC raised by gina', priority: 1, source: 'gina', sourceKey: 'p', cameraIds: ['gate', 'yard'], time: T0 + 2000 });
    alarms.insert({ ...base, type: 'sensor.motion', title: 'Motion: yard', priority: 3, source: 'pir', cameraIds: ['yard'], time: T0 + 3000 });
    alarms.insert({ ...base, type: 'panic', title: 'old panic', priority: 1, source: 'gina', cameraIds: ['gate'], time: T0 - 3600_000 });
    const ins = db.prepare('INSERT INTO sensor_events (time_ms, via, sensor_id, type, state, zone, msg_id, payload, alarm_id) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?)');
    ins.run(T0 + 500, 'mqtt', 'door-1', 'door', 'open', '{"type":"door","state":"open"}', null);
    ins.run(T0 + 600, 'mqtt', 'reader-2', 'badge.denied', 'denied', '{"type":"badge.denied","badge":"42","door":"back"}', null);
    ins.run(T0 + 700, 'mqtt', 'pir', 'motion', 'active', '{"type":"motion","state":"active"}', null);
    const b = add(gina, { cameraIds: ['gate'], time: T0 + 1500, note: 'van at the gate' });
    const m = new TimelineMarkers(db, store, () => setup);
    const r = m.list('gate', T0, T0 + 10_000, ['alarm', 'panic', 'sensor', 'bookmark'], 100);
    expect(r.truncated).toBe(false);
    expect(r.markers.map((x) => `${x.kind} ${x.label}`)).toEqual([
      'sensor Door open (Front door)',
      'sensor Badge denied (back, reader-2)',
      'alarm P2 Door open: Front door (#1, new)',
      'bookmark Bookmark: van at the gate (gina)',
      'panic P1 PANIC raised by gina (#2, new)',
    ]);
    expect(r.markers[4]).toMatchObject({ alarmId: 2, priority: 1, cameraIds: ['gate', 'yard'] });
    expect(r.markers[3]).toMatchObject({ bookmarkId: b.id, author: 'gina' });
    expect(m.list('gate', T0, T0 + 10_000, ['panic'], 100).markers.map((x) => x.id)).toEqual(['alarm:2']);
    expect(m.list('yard', T0, T0 + 10_000, ['alarm', 'panic', 'sensor', 'bookmark'], 100).markers.map((x) => x.id)).toEqual(['alarm:2', 'alarm:3']);
    expect(m.list('gate', T0, T0 + 10_000, ['alarm', 'panic', 'sensor', 'bookmark'], 2).truncated).toBe(true);
  });
});
