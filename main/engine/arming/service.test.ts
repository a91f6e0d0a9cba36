import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/contract.js';
import { AuditTrail } from '../audit/trail.js';
import { EventBus } from '../bus.js';
import type { ConfigFile } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { openIndex, type Db } from '../store/db.js';
import { ArmingService } from './service.js';

let db: Db;
let now: number;
let cfg: ConfigFile;
let svc: ArmingService;
let bus: EventBus;
const published: [string, string][] = [];

beforeEach(() => {
  db = openIndex(':memory:');
  now = Date.parse('2026-11-27T20:00:00Z'); // Friday 21:00 in Berlin
  cfg = {
    schemaVersion: 3,
    cameras: [],
    users: [],
    layouts: [],
    settings: {},
    arming: {
      modes: [
        { id: 'day', name: 'Day', guardSwitchable: true },
        { id: 'night', name: 'Night', guardSwitchable: true },
        { id: 'away', name: 'Away', guardSwitchable: false },
      ],
      initial: 'day',
      schedule: [
        { mode: 'night', days: [1, 2, 3, 4, 5], at: '22:00' },
        { mode: 'day', days: [1, 2, 3, 4, 5, 6], at: '06:00' },
      ],
      mqtt: { enabled: true, setTopic: 'gatehouse/arming/set', stateTopic: 'gatehouse/arming/state' },
    },
  };
  const config = { data: cfg, onChange: () => () => undefined } as unknown as ConfigStore;
  bus = new EventBus();
  published.length = 0;
  const link = {
    subscribe: () => () => undefined,
    publish: (t: string, p: string) => void published.push([t, p]),
    onMqttConnect: () => () => undefined,
  };
  svc = new ArmingService({
    db,
    audit: new AuditTrail(db),
    bus,
    config,
    timeZone: () => 'Europe/Berlin',
    mqtt: () => link,
    identify: () => null,
    now: () => now,
  });
});
afterEach(() => {
  svc.stop();
  db.close();
});

describe('the arming service', () => {
  it('switches by schedule when a scheduled time passes; a later manual switch holds until the next one', () => {
    // started on Friday 21:00 after Friday 06:00 "day": day is already in force (the initial mode), nothing recorded
    svc.start();
    expect(svc.mode().id).toBe('day');
    expect(svc.history(10)).toHaveLength(0);
    expect(svc.status(null).next).toEqual({ mode: 'night', at: '2026-11-27T21:00:00.000Z' });
    now = Date.parse('2026-11-27T21:00:01Z');
    (svc as unknown as { tick(): void }).tick();
    expect(svc.mode().id).toBe('night');
    expect(svc.history(1)[0]).toMatchObject({ actor: 'schedule', via: 'schedule', previous: 'day', peer: '22:00 on 1,2,3,4,5' });
    // a supervisor arms Away at 23:00; the schedule does not undo it
    now = Date.parse('2026-11-27T22:00:00Z');
    svc.switchTo('Away', { actor: 'sam', role: 'supervisor', via: 'console', peer: '10.0.0.5' });
    now = Date.parse('2026-11-28T04:00:00Z');
    (svc as unknown as { tick(): void }).tick();
    expect(svc.mode().id).toBe('away');
    // Saturday 06:00 Berlin: day
    now = Date.parse('2026-11-28T05:00:30Z');
    (svc as unknown as { tick(): void }).tick();
    expect(svc.mode().id).toBe('day');
    // the mode at a past time, for rules of events that happened then
    expect(svc.modeAt(Date.parse('2026-11-27T21:30:00Z'))).toBe('night');
    expect(svc.modeAt(Date.parse('2026-11-27T22:30:00Z'))).toBe('away');
    expect(svc.modeAt(Date.parse('2026-11-27T12:00:00Z'))).toBe('day');
    expect(svc.timeline(now)(Date.parse('2026-11-28T00:00:00Z'))).toBe('away');
    // each switch: audited, pushed, published retained
    expect(published.map(([, p]) => JSON.parse(p).mode)).toEqual(['day', 'night', 'away', 'day']);
  });

  it('keeps guards to guard-switchable modes; a switch to the mode in force records nothing', () => {
    svc.start();
    expect(() => svc.switchTo('away', { actor: 'gina', role: 'guard', via: 'console', peer: null })).toThrow(ApiError);
    expect(() => svc.switchTo('Holiday', { actor: 'gina', role: 'guard', via: 'console', peer: null })).toThrow(/no arming mode "Holiday"/);
    svc.switchTo('DAY', { actor: 'gina', role: 'guard', via: 'console', peer: null });
    expect(svc.history(10)).toHaveLength(0);
    const st = svc.switchTo('night', { actor: 'gina', role: 'guard', via: 'console', peer: null });
    expect(st).toMatchObject({ mode: { id: 'night' }, by: 'gina', via: 'console', allowed: ['day', 'night'] });
  });
});
