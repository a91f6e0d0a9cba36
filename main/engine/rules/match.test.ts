import { describe, expect, it } from 'vitest';
import { Rule, type RuleInput } from '../../api/rules.js';
import type { SourceEvent } from '../alarms/intake.js';
import { DEFAULT_RULES } from './defaults.js';
import { actionOutcome, alarmActionOf, coalesceKey, decide, dwellThresholds, matchRule, type MatchContext } from './match.js';
import { scheduleActive } from './schedule.js';
import { triggerOf } from './trigger.js';

const FRIDAY_NOON = Date.parse('2026-11-27T12:00:00Z');
const ev = (over: Partial<SourceEvent> = {}): SourceEvent => ({
  type: 'sensor.door',
  source: 'door-1',
  sensorId: 'door-1',
  title: 'Door open',
  cameraIds: [],
  zone: null,
  time: FRIDAY_NOON,
  details: { type: 'door', state: 'open' },
  ...over,
});
const zoneEv = (over: Partial<NonNullable<SourceEvent['trigger']>> = {}, e: Partial<SourceEvent> = {}): SourceEvent => ({
  type: 'detection.zone',
  source: 'yard',
  title: 'Person in Gate',
  cameraIds: ['yard'],
  zone: 'Gate',
  time: FRIDAY_NOON,
  trigger: {
    zoneId: 'z-gate',
    phase: 'dwell',
    label: 'person',
    count: 1,
    trackId: 7,
    objectEventId: 70,
    dwellSeconds: 5,
    dwellFrom: -1,
    synthetic: false,
    ...over,
  },
  ...e,
});
const rule = (r: Partial<RuleInput>): Rule =>
  Rule.parse({ id: 'r', name: 'r', trigger: { kind: 'object' }, actions: [{ type: 'alarm', priority: 2 }], ...r });
const ctx = (mode = 'day', timeZone = 'UTC'): MatchContext => ({ timeZone, modeAt: () => mode });
const m = (r: Rule, e: SourceEvent, c = ctx()) => matchRule(r, triggerOf(e), c);

describe('the built-in rules', () => {
  it('decide every source as the type-matched defaults did', () => {
    const d = (e: Partial<SourceEvent>) => decide(DEFAULT_RULES, triggerOf(ev(e)), ctx())!;
    const prio = (e: Partial<SourceEvent>) => alarmActionOf(d(e))?.priority ?? null;
    expect(prio({ type: 'panic' })).toBe(1);
    expect(prio({ type: 'disk.full' })).toBe(1);
    expect(prio({ type: 'camera.offline' })).toBe(2);
    expect(prio({ type: 'onvif.tamper' })).toBe(2);
    expect(prio({ type: 'sensor.motion' })).toBe(3);
    expect(prio({ type: 'access.denied' })).toBe(3);
    expect(actionOutcome(d({ type: 'sensor.door' }))).toBe('alarm');
    expect(actionOutcome(d({ type: 'access.granted' }))).toBe('logged');
    expect(actionOutcome(d({ type: 'onvif.motion' }))).toBe('logged');
    expect(actionOutcome(d({ type: 'detection.person', details: { label: 'person' } }))).toBe('logged');
    // a vehicle seen anywhere, or a zone event: no built-in rule (no alarm)
    expect(decide(DEFAULT_RULES, triggerOf(ev({ type: 'detection.object', details: { label: 'vehicle' } })), ctx())).toBeNull();
    expect(decide(DEFAULT_RULES, triggerOf(zoneEv()), ctx())).toBeNull();
  });
});

describe('triggers', () => {
  it("object: dwell (the zone's, or the rule's own), enter, seen", () => {
    const dwell = rule({ trigger: { kind: 'object', phase: 'dwell' } });
    expect(m(dwell, zoneEv())).toBe(true);
    expect(m(dwell, zoneEv({ phase: 'enter', dwellSeconds: 0 }))).toBe(false);
    expect(m(dwell, zoneEv({ synthetic: true, dwellSeconds: 30, dwellFrom: 5 }))).toBe(false);
    const long = rule({ trigger: { kind: 'object', phase: 'dwell', dwellSeconds: 30 } });
    expect(m(long, zoneEv({ dwellSeconds: 5 }))).toBe(false);
    expect(m(long, zoneEv({ synthetic: true, dwellSeconds: 30, dwellFrom: 5 }))).toBe(true);
    // the real dwell event covers a rule dwell it passed; once only
    expect(m(long, zoneEv({ dwellSeconds: 45, dwellFrom: -1 }))).toBe(true);
    expect(m(long, zoneEv({ synthetic: true, dwellSeconds: 60, dwellFrom: 45 }))).toBe(false);
    expect(m(rule({ trigger: { kind: 'object', phase: 'enter' } }), zoneEv({ phase: 'enter' }))).toBe(true);
    const seen = rule({ trigger: { kind: 'object', phase: 'seen' }, conditions: { labels: ['vehicle'] } });
    expect(m(seen, ev({ type: 'detection.object', source: 'yard', cameraIds: ['yard'], details: { label: 'vehicle', trackId: 3 } }))).toBe(
      true,
    );
    expect(m(seen, ev({ type: 'detection.person', source: 'yard', cameraIds: ['yard'], details: { label: 'person' } }))).toBe(false);
  });

  it('sensor types and states, access results and doors, onvif events, health conditions, panic, motion', () => {
    expect(m(rule({ trigger: { kind: 'sensor', types: ['door'], states: ['forced'] } }), ev({ details: { state: 'forced' } }))).toBe(true);
    expect(m(rule({ trigger: { kind: 'sensor', types: ['door'], states: ['forced'] } }), ev())).toBe(false);
    expect(m(rule({ trigger: { kind: 'sensor', types: ['window'] } }), ev())).toBe(false);
    const denied = ev({ type: 'access.denied', source: 'front', details: { door: 'front' } });
    expect(m(rule({ trigger: { kind: 'access', result: 'denied', doors: ['front'] } }), denied)).toBe(true);
    expect(m(rule({ trigger: { kind: 'access', result: 'granted' } }), denied)).toBe(false);
    expect(m(rule({ trigger: { kind: 'access', result: 'any', doors: ['back'] } }), denied)).toBe(false);
    expect(m(rule({ trigger: { kind: 'onvif', events: ['tamper'] } }), ev({ type: 'onvif.tamper', source: 'yard' }))).toBe(true);
    expect(m(rule({ trigger: { kind: 'onvif', events: ['tamper'] } }), ev({ type: 'onvif.motion', source: 'yard' }))).toBe(false);
    expect(m(rule({ trigger: { kind: 'health', conditions: ['offline', 'stalled'] } }), ev({ type: 'camera.stalled' }))).toBe(true);
    expect(m(rule({ trigger: { kind: 'health', conditions: ['offline'] } }), ev({ type: 'disk.low' }))).toBe(false);
    expect(m(rule({ trigger: { kind: 'panic' } }), ev({ type: 'panic' }))).toBe(true);
    const motion = ev({ type: 'detection.motion', source: 'yard', cameraIds: ['yard'], trigger: { phase: 'start', score: 0.2 } });
    expect(m(rule({ trigger: { kind: 'motion', minScore: 0.1 } }), motion)).toBe(true);
    expect(m(rule({ trigger: { kind: 'motion', minScore: 0.5 } }), motion)).toBe(false);
    // "any" is what a schema-2 "*" matched: not zones, not software motion
    expect(m(rule({ trigger: { kind: 'any' } }), ev({ type: 'camera.offline' }))).toBe(true);
    expect(m(rule({ trigger: { kind: 'any' } }), zoneEv())).toBe(false);
    expect(m(rule({ trigger: { kind: 'any' } }), motion)).toBe(false);
  });
});

describe('conditions', () => {
  it("arming modes: the mode in force at the event's time", () => {
    const night = rule({ conditions: { modes: ['night', 'away'] } });
    expect(m(night, zoneEv(), ctx('night'))).toBe(true);
    expect(m(night, zoneEv(), ctx('away'))).toBe(true);
    expect(m(night, zoneEv(), ctx('day'))).toBe(false);
    const at = Date.parse('2026-11-27T22:00:00Z');
    const c: MatchContext = { timeZone: 'UTC', modeAt: (ms) => (ms >= at ? 'night' : 'day') };
    expect(m(night, zoneEv({}, { time: at - 1 }), c)).toBe(false);
    expect(m(night, zoneEv({}, { time: at }), c)).toBe(true);
    expect(m(rule({}), zoneEv(), ctx('anything'))).toBe(true);
  });

  it('labels, minimum count, cameras, zones by id or name, sensors', () => {
    expect(m(rule({ conditions: { labels: ['vehicle'] } }), zoneEv())).toBe(false);
    expect(m(rule({ conditions: { labels: ['person'] } }), zoneEv())).toBe(true);
    expect(m(rule({ conditions: { minCount: 2 } }), zoneEv({ count: 1 }))).toBe(false);
    expect(m(rule({ conditions: { minCount: 2 } }), zoneEv({ count: 3 }))).toBe(true);
    expect(m(rule({ conditions: { cameraIds: ['gate'] } }), zoneEv())).toBe(false);
    expect(m(rule({ conditions: { cameraIds: ['gate', 'yard'] } }), zoneEv())).toBe(true);
    expect(m(rule({ conditions: { zones: ['z-gate'] } }), zoneEv())).toBe(true);
    expect(m(rule({ conditions: { zones: ['gate'] } }), zoneEv())).toBe(true);
    expect(m(rule({ conditions: { zones: ['loading bay'] } }), zoneEv())).toBe(false);
    // sensor zones are the sensor's configured zone, as in schema 2
    const s = rule({ trigger: { kind: 'sensor' }, conditions: { zones: ['lobby'], sensorIds: ['door-1'] } });
    expect(m(s, ev({ zone: 'lobby' }))).toBe(true);
    expect(m(s, ev({ zone: 'yard' }))).toBe(false);
    expect(m(s, ev({ zone: 'lobby', sensorId: 'door-2' }))).toBe(false);
  });

  it("schedules in the site's zone, across midnight, by weekday, and across DST", () => {
    const night = { days: [5], from: '22:00', to: '06:00' }; // Friday night
    expect(scheduleActive(night, Date.parse('2026-11-27T22:30:00Z'), 'Europe/Berlin')).toBe(true); // Fri 23:30
    expect(scheduleActive(night, Date.parse('2026-11-28T02:00:00Z'), 'Europe/Berlin')).toBe(true); // Sat 03:00 belongs to Friday
    expect(scheduleActive(night, Date.parse('2026-11-28T22:30:00Z'), 'Europe/Berlin')).toBe(false); // Sat 23:30
    expect(scheduleActive(night, Date.parse('2026-11-27T11:00:00Z'), 'Europe/Berlin')).toBe(false);
    expect(scheduleActive({ days: [0], from: '00:00', to: '00:00' }, Date.parse('2026-11-29T15:00:00Z'), 'UTC')).toBe(true);
    expect(scheduleActive(null, 0, 'UTC')).toBe(true);
    // Saturday 28 March 2026 22:00 – Sunday 06:00 in Berlin; clocks go forward at 02:00 on Sunday (CET → CEST)
    const sat = { days: [6], from: '22:00', to: '06:00' };
    expect(scheduleActive(sat, Date.parse('2026-03-28T21:30:00Z'), 'Europe/Berlin')).toBe(true); // 22:30 CET
    expect(scheduleActive(sat, Date.parse('2026-03-29T00:59:00Z'), 'Europe/Berlin')).toBe(true); // 01:59 CET
    expect(scheduleActive(sat, Date.parse('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(true); // 03:00 CEST (02:xx skipped)
    expect(scheduleActive(sat, Date.parse('2026-03-29T03:59:00Z'), 'Europe/Berlin')).toBe(true); // 05:59 CEST
    expect(scheduleActive(sat, Date.parse('2026-03-29T04:00:00Z'), 'Europe/Berlin')).toBe(false); // 06:00 CEST: 7 h that night
    // the night clocks go back (25 October 2026, 03:00 CEST → 02:00 CET): 9 h, still ending at 06:00 local
    const sat2 = { days: [6], from: '22:00', to: '06:00' };
    expect(scheduleActive(sat2, Date.parse('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe(true); // 02:30 CEST
    expect(scheduleActive(sat2, Date.parse('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe(true); // 02:30 CET (again)
    expect(scheduleActive(sat2, Date.parse('2026-10-25T04:59:00Z'), 'Europe/Berlin')).toBe(true); // 05:59 CET
    expect(scheduleActive(sat2, Date.parse('2026-10-25T05:00:00Z'), 'Europe/Berlin')).toBe(false); // 06:00 CET
  });

  it('the first enabled matching rule decides; a disabled one is skipped', () => {
    const a = rule({ id: 'a', enabled: false });
    const b = rule({ id: 'b', conditions: { modes: ['night'] } });
    const c = rule({ id: 'c', actions: [{ type: 'log' }] });
    expect(decide([a, b, c], triggerOf(zoneEv()), ctx('night'))!.id).toBe('b');
    expect(decide([a, b, c], triggerOf(zoneEv()), ctx('day'))!.id).toBe('c');
  });
});

describe('coalescing keys', () => {
  it('one alarm per object and zone by default; per zone or camera when asked; sources of schema 2 keep type + source', () => {
    const r = rule({ id: 'yard-night' });
    const a = alarmActionOf(r)!;
    const t = triggerOf(zoneEv());
    const e = zoneEv();
    expect(coalesceKey(r, a, t, e)).toBe('rule:yard-night:yard:z-gate:7');
    expect(coalesceKey(r, { ...a, coalesceBy: 'zone' }, t, e)).toBe('rule:yard-night:yard:z-gate');
    expect(coalesceKey(r, { ...a, coalesceBy: 'camera' }, t, e)).toBe('rule:yard-night:yard');
    const door = ev();
    expect(coalesceKey(r, a, triggerOf(door), door)).toBe('sensor.door:door-1');
    const person = ev({ type: 'detection.person', source: 'yard', details: { label: 'person', trackId: 4 } });
    expect(coalesceKey(r, { ...a, coalesceBy: 'camera' }, triggerOf(person), person)).toBe('detection.person:yard');
  });

  it('dwell thresholds: rules with their own dwell that can apply to a zone event', () => {
    const rules = [
      rule({ id: 'a', trigger: { kind: 'object', phase: 'dwell', dwellSeconds: 30 }, conditions: { zones: ['Gate'] } }),
      rule({ id: 'b', trigger: { kind: 'object', phase: 'dwell', dwellSeconds: 60 }, conditions: { cameraIds: ['other'] } }),
      rule({ id: 'c', trigger: { kind: 'object', phase: 'dwell', dwellSeconds: 90 }, conditions: { labels: ['vehicle'] } }),
      rule({ id: 'd', trigger: { kind: 'object', phase: 'dwell' } }),
    ];
    expect(dwellThresholds(rules, { cameraId: 'yard', zoneId: 'z-gate', zone: 'Gate', label: 'person' })).toEqual([30]);
  });
});
