import { describe, expect, it } from 'vitest';
import { AlarmRule } from '../../api/alarms.js';
import type { SourceEvent } from './intake.js';
import { DEFAULT_RULES, decide, effectiveRules, scheduleActive, typeMatches } from './rules.js';

const ev = (over: Partial<SourceEvent> = {}): SourceEvent => ({
  type: 'sensor.door',
  source: 'door-1',
  title: 'Door open',
  cameraIds: [],
  zone: null,
  time: Date.parse('2026-11-27T12:00:00Z'), // a Friday
  ...over,
});

describe('alarm rules', () => {
  it('matches exact types, prefixes and *', () => {
    expect(typeMatches('sensor.door', 'sensor.door')).toBe(true);
    expect(typeMatches('sensor.*', 'sensor.window')).toBe(true);
    expect(typeMatches('sensor.*', 'camera.offline')).toBe(false);
    expect(typeMatches('*', 'panic')).toBe(true);
  });

  it('has a default for every source with sensible priorities', () => {
    const d = (e: Partial<SourceEvent>) => decide(DEFAULT_RULES, ev(e), 'UTC');
    expect(d({ type: 'panic' }).priority).toBe(1);
    expect(d({ type: 'disk.full' }).priority).toBe(1);
    expect(d({ type: 'camera.offline' }).priority).toBe(2);
    expect(d({ type: 'sensor.door' }).action).toBe('alarm');
    expect(d({ type: 'access.granted' }).action).toBe('log');
    expect(d({ type: 'onvif.motion' }).action).toBe('log');
    expect(d({ type: 'sensor.door' }).sop).toMatch(/door camera/);
  });

  it('tries configured rules first, first match wins, then the defaults', () => {
    const rules = effectiveRules([
      AlarmRule.parse({ id: 'lobby-day', name: 'Lobby door by day', match: { type: 'sensor.door', zone: 'lobby' }, schedule: { from: '07:00', to: '19:00' }, action: 'log' }),
      AlarmRule.parse({ id: 'lobby', name: 'Lobby door', match: { type: 'sensor.door', zone: 'lobby' }, priority: 1, sop: 'Call the lobby desk' }),
    ]);
    expect(decide(rules, ev({ zone: 'lobby' }), 'UTC').action).toBe('log');
    const night = decide(rules, ev({ zone: 'lobby', time: Date.parse('2026-11-27T23:00:00Z') }), 'UTC');
    expect(night.rule.id).toBe('lobby');
    expect(night.priority).toBe(1);
    expect(night.sop).toBe('Call the lobby desk');
    expect(decide(rules, ev({ zone: 'yard' }), 'UTC').rule.id).toBe('default-door');
  });

  it('matches camera and sensor ids', () => {
    const rules = effectiveRules([AlarmRule.parse({ id: 'gate-cam', name: 'Gate camera offline', match: { type: 'camera.offline', cameraId: 'gate' }, priority: 1 })]);
    expect(decide(rules, ev({ type: 'camera.offline', source: 'gate', cameraIds: ['gate'] }), 'UTC').priority).toBe(1);
    expect(decide(rules, ev({ type: 'camera.offline', source: 'yard', cameraIds: ['yard'] }), 'UTC').priority).toBe(2);
  });

  it('evaluates schedules in the given time zone, across midnight, by weekday', () => {
    const night = { days: [5], from: '22:00', to: '06:00' }; // Friday night
    // Friday 23:00 in Berlin = 22:00Z
    expect(scheduleActive(night, Date.parse('2026-11-27T22:30:00Z'), 'Europe/Berlin')).toBe(true);
    // Saturday 03:00 Berlin belongs to Friday's window
    expect(scheduleActive(night, Date.parse('2026-11-28T02:00:00Z'), 'Europe/Berlin')).toBe(true);
    // Saturday 23:00 is not Friday night
    expect(scheduleActive(night, Date.parse('2026-11-28T22:30:00Z'), 'Europe/Berlin')).toBe(false);
    // Friday noon: outside
    expect(scheduleActive(night, Date.parse('2026-11-27T11:00:00Z'), 'Europe/Berlin')).toBe(false);
    // from == to means the whole day
    expect(scheduleActive({ days: [0], from: '00:00', to: '00:00' }, Date.parse('2026-11-29T15:00:00Z'), 'UTC')).toBe(true);
    expect(scheduleActive(null, 0, 'UTC')).toBe(true);
  });

  it('rejects malformed rules with a clear message', () => {
    const r = AlarmRule.safeParse({ id: 'x', name: 'x', match: { type: 'sensor door' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/alarm type/);
    expect(AlarmRule.safeParse({ id: 'x', name: 'x', match: { type: '*' }, schedule: { from: '25:00' } }).success).toBe(false);
  });
});
