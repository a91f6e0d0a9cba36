/**
 * Rules of config schema 2 (`alarmRules`, matched on alarm types: "sensor.door", "sensor.*", "*") turned into
 * rules of schema 3 (trigger → conditions → actions). Each converted rule matches exactly the events the old
 * one matched and does the same with them, and the built-in rules follow them as before, so a site raises the
 * same alarms after the upgrade. Pure; used by the config migration (config/schema.ts) and `alarms.setRules`.
 */
import { AlarmRule, ALARM_TYPES, type AlarmType } from '../../api/alarms.js';
import { HEALTH_TYPES, Rule, type HealthCondition, type RuleInput, type Trigger } from '../../api/rules.js';
import { DEFAULT_RULES } from './defaults.js';

const HEALTH_OF = Object.fromEntries(Object.entries(HEALTH_TYPES).map(([c, t]) => [t, c])) as Partial<Record<AlarmType, HealthCondition>>;

/** The trigger (and label condition) that matches exactly one alarm type of schema 2; null for none. */
function triggerOfType(type: string): { trigger: Trigger; labels?: string[] } | null {
  if (!(ALARM_TYPES as readonly string[]).includes(type)) return null;
  const t = type as AlarmType;
  const health = HEALTH_OF[t];
  if (health) return { trigger: { kind: 'health', conditions: [health] } };
  switch (t) {
    case 'onvif.motion':
    case 'onvif.tamper':
    case 'onvif.input':
      return { trigger: { kind: 'onvif', events: [t.slice(6) as 'motion'] } };
    case 'sensor.door':
    case 'sensor.window':
    case 'sensor.motion':
      return { trigger: { kind: 'sensor', types: [t.slice(7) as 'door'], states: [] } };
    case 'access.denied':
      return { trigger: { kind: 'access', result: 'denied', doors: [] } };
    case 'access.granted':
      return { trigger: { kind: 'access', result: 'granted', doors: [] } };
    case 'panic':
      return { trigger: { kind: 'panic' } };
    case 'detection.person':
      return { trigger: { kind: 'object', phase: 'seen' }, labels: ['person'] };
    default:
      // types that did not exist in schema 2 (detection.zone, ...) were never matched by a schema-2 rule
      return null;
  }
}

/** The trigger for a schema-2 type pattern: an exact type, a prefix "sensor.*", or "*". */
export function triggerOfPattern(pattern: string): { trigger: Trigger; labels?: string[] } | null {
  if (pattern === '*') return { trigger: { kind: 'any' } };
  if (!pattern.endsWith('.*')) return triggerOfType(pattern);
  const prefix = pattern.slice(0, -1);
  switch (prefix) {
    case 'sensor.':
      return { trigger: { kind: 'sensor', types: [], states: [] } };
    case 'access.':
      return { trigger: { kind: 'access', result: 'any', doors: [] } };
    case 'onvif.':
      return { trigger: { kind: 'onvif', events: [] } };
    case 'camera.':
      return { trigger: { kind: 'health', conditions: ['offline', 'stalled', 'recordingFailed', 'clockSkew'] } };
    case 'disk.':
      return { trigger: { kind: 'health', conditions: ['diskLow', 'diskFull'] } };
    case 'system.':
      return { trigger: { kind: 'health', conditions: ['clockStep'] } };
    case 'detection.':
      return { trigger: { kind: 'object', phase: 'seen' }, labels: ['person'] };
    default:
      return null;
  }
}

/** One schema-2 rule in the schema-3 shape. A pattern that matched no type becomes a disabled rule (it matched nothing). */
export function convertLegacyRule(old: AlarmRule): Rule {
  const t = triggerOfPattern(old.match.type);
  const actions: RuleInput['actions'] =
    old.action === 'log'
      ? [{ type: 'log' }]
      : old.action === 'ignore'
        ? [{ type: 'ignore' }]
        : [
            {
              type: 'alarm',
              priority: old.priority,
              coalesceSeconds: old.coalesceSeconds,
              // schema 2 counted every repeat of a type from one source (a camera's people too) on one alarm
              coalesceBy: 'camera',
              autoClose: old.autoClose,
              cameraIds: old.cameraIds ?? [],
              ...(old.ackSeconds !== undefined ? { ackSeconds: old.ackSeconds } : {}),
              ...(old.sop !== undefined ? { sop: old.sop } : {}),
            },
          ];
  return Rule.parse({
    id: old.id,
    name: t ? old.name : `${old.name} (matched no event: type "${old.match.type}")`.slice(0, 80),
    enabled: t ? old.enabled : false,
    trigger: t?.trigger ?? { kind: 'panic' },
    conditions: {
      schedule: old.schedule,
      labels: t?.labels ?? [],
      cameraIds: old.match.cameraId !== undefined ? [old.match.cameraId] : [],
      zones: old.match.zone !== undefined ? [old.match.zone] : [],
      sensorIds: old.match.sensorId !== undefined ? [old.match.sensorId] : [],
    },
    actions,
  } satisfies RuleInput);
}

/**
 * A schema-2 rule list (tried before the built-in rules) as one schema-3 list: the converted rules, then
 * the built-in rules. A built-in rule whose id a site rule took is kept under another id.
 */
export function convertLegacyRules(old: unknown[]): Rule[] {
  const converted = AlarmRule.array().parse(old).map(convertLegacyRule);
  const taken = new Set(converted.map((r) => r.id));
  const defaults = DEFAULT_RULES.map((r) => {
    if (!taken.has(r.id)) return r;
    let id = `${r.id}-built-in`;
    for (let i = 2; taken.has(id); i++) id = `${r.id}-built-in-${i}`;
    taken.add(id);
    return { ...r, id };
  });
  return [...converted, ...defaults];
}
