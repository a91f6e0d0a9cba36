import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlarmRule, AlarmSetup, type Alarm } from '../../api/alarms.js';
import { ApiError, type Me } from '../../api/contract.js';
import { EventBus } from '../bus.js';
import { openIndex, type Db } from '../store/db.js';
import { AuditTrail } from '../audit/trail.js';
import { DEFAULT_RULES } from '../rules/defaults.js';
import { convertLegacyRules } from '../rules/legacy.js';
import { AlarmService } from './service.js';
import { AlarmStore } from './store.js';
import type { SourceEvent } from './intake.js';

const guard: Me = { username: 'gina', role: 'guard' };
const guard2: Me = { username: 'gus', role: 'guard' };
const sup: Me = { username: 'sam', role: 'supervisor' };

let db: Db;
let bus: EventBus;
let now: number;
let rules: AlarmRule[] | undefined;
let svc: AlarmService;
let store: AlarmStore;
let audit: AuditTrail;

const door = (over: Partial<SourceEvent> = {}): SourceEvent => ({
  type: 'sensor.door',
  source: 'door-1',
  title: 'Door open: door-1',
  cameraIds: ['cam-a'],
  zone: 'lobby',
  time: now,
  ...over,
});

beforeEach(() => {
  db = openIndex(':memory:');
  bus = new EventBus();
  now = Date.parse('2026-11-26T10:00:00Z');
  rules = undefined;
  const setup = AlarmSetup.parse({});
  store = new AlarmStore(db, () => setup);
  audit = new AuditTrail(db);
  svc = new AlarmService({
    store,
    audit,
    bus,
    rules: () => (rules ? convertLegacyRules(rules) : DEFAULT_RULES),
    setup: () => setup,
    match: () => ({ timeZone: 'UTC', modeAt: () => 'day' }),
    now: () => now,
  });
});
afterEach(() => {
  svc.stop();
  db.close();
});

function raise(over: Partial<SourceEvent> = {}): Alarm {
  const r = svc.ingest(door(over));
  if (r.outcome !== 'raised') throw new Error(`expected raised, got ${r.outcome}`);
  return r.alarm;
}

describe('alarm service', () => {
  it('commits an alarm before announcing it, with links, SOP and escalation time', () => {
    let seenInDb: unknown = null;
    bus.on('alarm.raised', (a) => {
      seenInDb = db.prepare('SELECT state FROM alarms WHERE id = ?').get(a.id);
    });
    const a = raise();
    expect(seenInDb).toEqual({ state: 'new' });
    expect(a).toMatchObject({ type: 'sensor.door', priority: 2, state: 'new', count: 1, cameraIds: ['cam-a'], zone: 'lobby', ruleId: 'default-door' });
    expect(a.sop).toMatch(/door camera/);
    expect(a.ackDueAt).toBe(new Date(now + 60_000).toISOString());
    expect(a.media[0]).toEqual({
      cameraId: 'cam-a',
      snapshotUrl: `/api/media/cam-a/snapshot.jpg?at=${encodeURIComponent(new Date(now).toISOString())}`,
      from: new Date(now - 10_000).toISOString(),
      to: new Date(now + 20_000).toISOString(),
    });
    expect(audit.verify()).toMatchObject({ ok: true, records: 1 });
  });

  it('coalesces 1,000 repeats from one source into one alarm with a count', () => {
    const first = raise();
    for (let i = 1; i < 1000; i++) {
      now += 10;
      const r = svc.ingest(door());
      expect(r.outcome).toBe('coalesced');
    }
    expect(store.queue()).toHaveLength(1);
    expect(store.get(first.id)!.count).toBe(1000);
    // after the window a new alarm starts
    now += 61_000;
    expect(svc.ingest(door()).outcome).toBe('raised');
    // another source is another alarm
    expect(svc.ingest(door({ source: 'door-2' })).outcome).toBe('raised');
  });

  it('runs the life cycle, recording user, time and comment; close needs a reason', () => {
    const a = raise();
    expect(() => svc.act(a.id, 'close', guard, { reason: 'x' })).toThrow(/cannot close an alarm that is new/);
    let b = svc.act(a.id, 'acknowledge', guard, { comment: 'on it' });
    expect(b).toMatchObject({ state: 'acknowledged', claimedBy: 'gina', ackDueAt: null });
    b = svc.act(a.id, 'start', guard);
    b = svc.act(a.id, 'hold', guard, { comment: 'waiting for patrol' });
    expect(b.state).toBe('on_hold');
    b = svc.act(a.id, 'resume', guard);
    svc.comment(a.id, guard, 'patrol found nothing');
    const err = (() => {
      try {
        svc.act(a.id, 'close', guard);
      } catch (e) {
        return e as ApiError;
      }
    })();
    expect(err).toBeInstanceOf(ApiError);
    expect(err!.code).toBe('bad_request');
    b = svc.act(a.id, 'close', guard, { reason: 'false alarm: wind' });
    expect(b).toMatchObject({ state: 'closed', closeReason: 'false alarm: wind' });
    const entries = store.entries(a.id);
    expect(entries.map((e) => e.kind + ':' + (e.to ?? ''))).toEqual([
      'raised:new',
      'transition:acknowledged',
      'transition:in_progress',
      'transition:on_hold',
      'transition:in_progress',
      'comment:',
      'transition:closed',
    ]);
    expect(entries[3]).toMatchObject({ user: 'gina', comment: 'waiting for patrol', from: 'in_progress' });
    expect(entries.every((e) => e.time && e.user)).toBe(true);
    expect(() => svc.act(a.id, 'reopen', guard, { reason: 'again' })).toThrow(/supervisor/);
    expect(svc.act(a.id, 'reopen', sup, { reason: 'seen again' }).state).toBe('in_progress');
    expect(audit.verify().ok).toBe(true);
    expect(audit.list({ action: 'alarm.' }, null, 100).items.length).toBe(8);
  });

  it('lets one guard work an alarm; a supervisor takes it over', () => {
    const a = raise();
    svc.act(a.id, 'acknowledge', guard);
    expect(() => svc.act(a.id, 'start', guard2)).toThrow(/being handled by gina; ask a supervisor/);
    expect(() => svc.claim(a.id, guard2, true)).toThrow(/only a supervisor/);
    expect(() => svc.claim(a.id, sup)).toThrow(/take it over/);
    const t = svc.claim(a.id, sup, true);
    expect(t.claimedBy).toBe('sam');
    expect(store.entries(a.id).at(-1)).toMatchObject({ kind: 'takeover', user: 'sam', comment: 'taken over from gina' });
    expect(() => svc.act(a.id, 'start', guard)).toThrow(/being handled by sam/);
    svc.release(a.id, sup);
    expect(svc.act(a.id, 'start', guard2).claimedBy).toBe('gus');
  });

  it('escalates an unacknowledged alarm when its time runs out, and again later', () => {
    const heard: number[] = [];
    bus.on('alarm.escalated', (e) => heard.push(e.level));
    const a = raise({ type: 'panic', source: 'gina', sourceKey: 'panic:1' });
    expect(a.priority).toBe(1);
    now += 29_000;
    expect(svc.escalateDue()).toBe(0);
    now += 2_000;
    expect(svc.escalateDue()).toBe(1);
    expect(store.get(a.id)).toMatchObject({ escalation: 1, state: 'new' });
    now += 31_000;
    svc.escalateDue();
    expect(heard).toEqual([1, 2]);
    svc.act(a.id, 'acknowledge', guard);
    now += 600_000;
    expect(svc.escalateDue()).toBe(0);
    // by hand
    expect(svc.escalate(a.id, guard, 'need the supervisor').escalation).toBe(3);
    expect(heard).toEqual([1, 2, 3]);
  });

  it('marks an alarm resolved when its source clears; autoClose rules close it', () => {
    const a = raise({ type: 'camera.offline', source: 'cam-a' });
    const r = svc.ingest({ ...door({ type: 'camera.offline', source: 'cam-a' }), clears: true });
    expect(r.outcome).toBe('resolved');
    expect(store.get(a.id)).toMatchObject({ state: 'new', resolvedAt: new Date(now).toISOString() });
    rules = [AlarmRule.parse({ id: 'auto', name: 'auto', match: { type: 'camera.stalled' }, autoClose: true })];
    const s = raise({ type: 'camera.stalled', source: 'cam-b' });
    svc.ingest({ ...door({ type: 'camera.stalled', source: 'cam-b' }), clears: true });
    expect(store.get(s.id)).toMatchObject({ state: 'closed', closeReason: expect.stringMatching(/cleared by itself/) });
  });

  it('obeys ignore and log rules', () => {
    rules = [AlarmRule.parse({ id: 'quiet', name: 'quiet', match: { type: 'sensor.*', zone: 'lab' }, action: 'ignore' })];
    expect(svc.ingest(door({ zone: 'lab' })).outcome).toBe('ignored');
    expect(svc.ingest(door({ type: 'access.granted' })).outcome).toBe('logged');
    expect(store.queue()).toHaveLength(0);
  });

  it('pages history newest first with keyset cursors and filters', () => {
    for (let i = 0; i < 25; i++) {
      now += 1000;
      raise({ source: `s${i}`, cameraIds: i % 2 ? ['cam-odd'] : ['cam-even'] });
    }
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const page: ReturnType<AlarmStore['history']> = store.history({}, cursor, 10);
      ids.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(25);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect(store.history({ cameraId: 'cam-odd' }, null, 100).items).toHaveLength(12);
    svc.act(ids[0]!, 'acknowledge', guard);
    expect(store.history({ user: 'gina' }, null, 100).items.map((a) => a.id)).toEqual([ids[0]]);
    expect(store.history({ state: 'acknowledged' }, null, 100).items).toHaveLength(1);
    expect(store.history({ state: 'open' }, null, 100).items).toHaveLength(25);
    expect(store.history({ text: 's1' }, null, 100).items.length).toBeGreaterThan(1);
    expect(() => store.history({}, 'garbage!!', 10)).toThrow(/cursor/);
  });

  it('sorts the queue by priority, then oldest first', () => {
    raise({ source: 'a' });
    now += 1000;
    raise({ type: 'panic', source: 'b', sourceKey: 'p1' });
    now += 1000;
    raise({ source: 'c' });
    expect(store.queue().map((a) => a.source)).toEqual(['b', 'a', 'c']);
  });
});
