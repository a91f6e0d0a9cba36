/**
 * The migration of schema-2 rules: every converted list decides every event as the schema-2 matcher
 * (kept here as the oracle, copied from alarms/rules.ts of schema 2) did: same rule, same action, same
 * priority, same coalescing window and key.
 */
import { describe, expect, it } from 'vitest';
import { AlarmRule, ALARM_TYPES, type AlarmType } from '../../api/alarms.js';
import { CURRENT_SCHEMA_VERSION } from '../config/schema.js';
import { parseConfigText } from '../config/store.js';
import type { SourceEvent } from '../alarms/intake.js';
import { DEFAULT_RULES } from './defaults.js';
import { convertLegacyRules } from './legacy.js';
import { actionOutcome, alarmActionOf, coalesceKey, decide } from './match.js';
import { scheduleActive } from './schedule.js';
import { triggerOf } from './trigger.js';

// ── the schema-2 matcher (oracle) ──
const OLD_DEFAULTS: [string, string, 'alarm' | 'log', number, number][] = [
  ['default-disk-full', 'disk.full', 'alarm', 1, 600],
  ['default-panic', 'panic', 'alarm', 1, 0],
  ['default-camera-offline', 'camera.offline', 'alarm', 2, 300],
  ['default-recording-failed', 'camera.recordingFailed', 'alarm', 2, 300],
  ['default-camera-stalled', 'camera.stalled', 'alarm', 3, 300],
  ['default-clock-skew', 'camera.clockSkew', 'alarm', 4, 3600],
  ['default-clock-step', 'system.clockStep', 'alarm', 3, 600],
  ['default-disk-low', 'disk.low', 'alarm', 3, 3600],
  ['default-tamper', 'onvif.tamper', 'alarm', 2, 120],
  ['default-input', 'onvif.input', 'alarm', 2, 60],
  ['default-onvif-motion', 'onvif.motion', 'log', 5, 120],
  ['default-person', 'detection.person', 'log', 4, 120],
  ['default-door', 'sensor.door', 'alarm', 2, 60],
  ['default-window', 'sensor.window', 'alarm', 2, 60],
  ['default-motion-sensor', 'sensor.motion', 'alarm', 3, 120],
  ['default-badge-denied', 'access.denied', 'alarm', 3, 60],
  ['default-badge-granted', 'access.granted', 'log', 5, 0],
  ['default-catch-all', '*', 'alarm', 3, 60],
];
const oldDefaults = OLD_DEFAULTS.map(([id, type, action, priority, coalesceSeconds]) =>
  AlarmRule.parse({ id, name: id, match: { type }, action, priority, coalesceSeconds }),
);
function typeMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}
function oldMatches(r: AlarmRule, ev: SourceEvent, tz: string): boolean {
  if (!r.enabled) return false;
  const m = r.match;
  if (!typeMatches(m.type, ev.type)) return false;
  if (m.cameraId !== undefined && !ev.cameraIds.includes(m.cameraId) && ev.source !== m.cameraId) return false;
  if (m.zone !== undefined && ev.zone !== m.zone) return false;
  if (m.sensorId !== undefined && ev.sensorId !== m.sensorId) return false;
  return scheduleActive(r.schedule, ev.time, tz);
}
function oldDecide(configured: AlarmRule[], ev: SourceEvent, tz: string): AlarmRule {
  return [...configured, ...oldDefaults].find((r) => oldMatches(r, ev, tz)) ?? oldDefaults.at(-1)!;
}

// ── events of every schema-2 type, in and out of the rules' conditions ──
const OLD_TYPES = ALARM_TYPES.filter((t) => !['detection.object', 'detection.zone', 'detection.motion', 'access.mismatch', 'face.watchlist', 'face.unknown'].includes(t)) as AlarmType[];
function events(): SourceEvent[] {
  const out: SourceEvent[] = [];
  const times = [Date.parse('2026-11-27T12:00:00Z'), Date.parse('2026-11-27T23:30:00Z'), Date.parse('2026-11-29T03:00:00Z')];
  for (const type of OLD_TYPES)
    for (const time of times)
      for (const [source, cameraIds, zone, sensorId] of [
        ['gate', ['gate'], null, null],
        ['yard', ['yard'], 'lab', null],
        ['vault-door', [], 'lobby', 'vault-door'],
        ['pir-1', ['yard'], 'lab', 'pir-1'],
      ] as [string, string[], string | null, string | null][])
        out.push({
          type,
          source,
          cameraIds,
          zone,
          sensorId,
          time,
          title: type,
          details:
            type === 'detection.person'
              ? { label: 'person', trackId: 3 }
              : type.startsWith('access.')
                ? { door: source }
                : { state: 'open' },
        });
  return out;
}

const SITE_RULES = [
  {
    id: 'lobby-day',
    name: 'Lobby door in office hours',
    match: { type: 'sensor.door', zone: 'lobby' },
    schedule: { days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' },
    action: 'log',
  },
  {
    id: 'vault',
    name: 'Vault door',
    match: { type: 'sensor.*', sensorId: 'vault-door' },
    priority: 1,
    ackSeconds: 20,
    cameraIds: ['vault-cam'],
    sop: 'Call the duty manager first.',
  },
  { id: 'gate-offline', name: 'Gate camera offline', match: { type: 'camera.offline', cameraId: 'gate' }, priority: 1 },
  { id: 'no-lab-motion', name: 'Lab motion sensors off', match: { type: 'sensor.motion', zone: 'lab' }, action: 'ignore' },
  {
    id: 'night-all',
    name: 'Everything at night',
    match: { type: '*', zone: 'lab' },
    schedule: { days: [5], from: '22:00', to: '06:00' },
    priority: 2,
    coalesceSeconds: 30,
  },
  { id: 'cams', name: 'Camera trouble', match: { type: 'camera.*', cameraId: 'yard' }, priority: 1, autoClose: true },
  { id: 'people', name: 'People', match: { type: 'detection.*' }, priority: 3, coalesceSeconds: 600 },
  { id: 'disks', name: 'Disks', match: { type: 'disk.*' }, priority: 2 },
  { id: 'access', name: 'Access', match: { type: 'access.*', sensorId: 'vault-door' }, action: 'log' },
  { id: 'off', name: 'Off', enabled: false, match: { type: 'panic' }, action: 'ignore' },
  { id: 'gone', name: 'Unknown type', match: { type: 'sensor.gate' }, priority: 1 },
  { id: 'default-panic', name: 'My panic', match: { type: 'panic' }, priority: 2 },
];

describe('migration of schema-2 rules', () => {
  it('decides every event of every source as the schema-2 rules did', () => {
    const old = SITE_RULES.map((r) => AlarmRule.parse(r));
    const converted = convertLegacyRules(SITE_RULES);
    const ctx = { timeZone: 'Europe/Berlin', modeAt: () => 'day' };
    let n = 0;
    for (const ev of events()) {
      const o = oldDecide(old, ev, 'Europe/Berlin');
      const r = decide(converted, triggerOf(ev), ctx)!;
      const where = `${ev.type} ${ev.source} ${new Date(ev.time).toISOString()}`;
      expect(r, where).not.toBeNull();
      expect(r.id.replace(/-built-in$/, ''), where).toBe(o.id);
      const a = alarmActionOf(r);
      expect(actionOutcome(r), where).toBe(o.action === 'alarm' ? 'alarm' : o.action === 'log' ? 'logged' : 'ignored');
      if (a) {
        expect(a.priority, where).toBe(o.priority);
        expect(a.coalesceSeconds, where).toBe(o.coalesceSeconds);
        expect(a.autoClose, where).toBe(o.autoClose);
        expect(a.sop, where).toBe(o.sop);
        expect(a.ackSeconds, where).toBe(o.ackSeconds);
        expect(a.cameraIds, where).toEqual(o.cameraIds ?? []);
        expect(coalesceKey(r, a, triggerOf(ev), ev), where).toBe(`${ev.type}:${ev.source}`);
      }
      n++;
    }
    expect(n).toBeGreaterThan(150);
    // the built-in rules alone decide as the schema-2 defaults did
    for (const ev of events()) {
      const o = oldDecide([], ev, 'UTC');
      expect(decide(DEFAULT_RULES, triggerOf(ev), { timeZone: 'UTC', modeAt: () => 'day' })!.id).toBe(o.id);
    }
  });

  it('keeps a built-in rule whose id a site rule took, and disables a rule of a type that never existed', () => {
    const converted = convertLegacyRules(SITE_RULES);
    expect(converted.filter((r) => r.id === 'default-panic')).toHaveLength(1);
    expect(converted.find((r) => r.id === 'default-panic-built-in')).toBeTruthy();
    const gone = converted.find((r) => r.id === 'gone')!;
    expect(gone.enabled).toBe(false);
    expect(gone.name).toMatch(/matched no event/);
  });

  it('moves a schema-2 config to schema 3: alarmRules become rules, followed by the built-in ones', () => {
    const text = JSON.stringify({ schemaVersion: 2, alarmRules: SITE_RULES.slice(0, 3), cameras: [] });
    const { config, migratedFrom } = parseConfigText('config.json', text);
    expect(migratedFrom).toBe(2);
    expect(config.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect((config as Record<string, unknown>).alarmRules).toBeUndefined();
    expect(config.rules!.map((r) => r.id)).toEqual(['lobby-day', 'vault', 'gate-offline', ...DEFAULT_RULES.map((r) => r.id)]);
    expect(config.rules![1]).toMatchObject({
      trigger: { kind: 'sensor', types: [] },
      conditions: { sensorIds: ['vault-door'] },
      actions: [{ type: 'alarm', priority: 1, ackSeconds: 20 }],
    });
    // without alarmRules: the built-in rules, nothing written
    expect(parseConfigText('config.json', JSON.stringify({ schemaVersion: 2 })).config.rules).toBeUndefined();
    // a broken old rule names its field and the fix
    expect(() =>
      parseConfigText(
        'config.json',
        JSON.stringify({ schemaVersion: 2, alarmRules: [{ id: 'x', name: 'x', match: { type: 'sensor door' } }] }),
      ),
    ).toThrow(/alarmRules\[0\]\.match\.type.*schema 2 to 3/);
  });
});
