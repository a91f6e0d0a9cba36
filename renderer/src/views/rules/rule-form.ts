/**
 * The rule editor's state: a draft in the contract's rule shape (what
 * rules.validate, rules.add/update and rules.dryRun take), the changes the
 * editor makes to it, the server's field errors keyed by path, and the
 * one-line summaries of the list. Pure (tested in rule-form.test.ts).
 */
import type { ActionType, Rule, RuleFieldError, TriggerKind } from '../../../../main/api/rules.js';

export type Draft = {
  id?: string;
  name: string;
  enabled: boolean;
  trigger: Record<string, unknown> & { kind: TriggerKind };
  conditions: {
    modes: string[];
    schedule: { days: number[]; from: string; to: string } | null;
    labels: string[];
    minCount?: number;
    cameraIds: string[];
    zones: string[];
    sensorIds: string[];
  };
  actions: (Record<string, unknown> & { type: ActionType })[];
};

export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A new rule: "person in a zone → P2 alarm", the common case. */
export function newDraft(): Draft {
  return {
    name: '',
    enabled: true,
    trigger: { kind: 'object', phase: 'dwell' },
    conditions: { modes: [], schedule: null, labels: ['person'], cameraIds: [], zones: [], sensorIds: [] },
    actions: [{ type: 'alarm', priority: 2, coalesceSeconds: 60, coalesceBy: 'object' }],
  };
}

export function draftOf(r: Rule): Draft {
  return structuredClone(r) as unknown as Draft;
}

/** The trigger's own fields when its kind changes (and the conditions that no longer fit dropped). */
export function withTriggerKind(d: Draft, kind: TriggerKind): Draft {
  const trigger: Draft['trigger'] =
    kind === 'object'
      ? { kind, phase: 'dwell' }
      : kind === 'sensor'
        ? { kind, types: [], states: [] }
        : kind === 'access'
          ? { kind, result: 'denied', doors: [] }
          : kind === 'onvif' || kind === 'face'
            ? { kind, events: [] }
            : kind === 'health'
              ? { kind, conditions: [] }
              : { kind };
  const c = { ...d.conditions };
  if (kind !== 'object') {
    c.labels = [];
    delete c.minCount;
  }
  if (kind !== 'object' && kind !== 'sensor' && kind !== 'access' && kind !== 'any') c.zones = [];
  if (!['sensor', 'access', 'any'].includes(kind)) c.sensorIds = [];
  return { ...d, trigger, conditions: c };
}

/** An action of a type with its defaults. */
export function newAction(type: ActionType): Draft['actions'][number] {
  switch (type) {
    case 'alarm':
      return { type, priority: 2, coalesceSeconds: 60, coalesceBy: 'object' };
    case 'mqtt':
      return { type, topic: 'gatehouse/rules/event', retain: false };
    case 'webhook':
      return { type, url: '' };
    case 'relay':
      return { type, cameraId: '', token: '', active: true };
    case 'ptz':
      return { type, cameraId: '', preset: '' };
    case 'bookmark':
      return { type };
    default:
      return { type };
  }
}

/** What the server sends (no id for a new rule: it takes one from the name). */
export function toRequest(d: Draft): Record<string, unknown> {
  const out = structuredClone(d) as Record<string, unknown>;
  if (!d.id) delete out.id;
  return out;
}

/** Field errors by path; a field shows the first error at it or below it (conditions.zones[1] shows at conditions.zones). */
export function errorFor(errors: readonly RuleFieldError[], field: string): string | null {
  const e = errors.find((x) => x.field === field || x.field.startsWith(`${field}[`) || x.field.startsWith(`${field}.`));
  return e ? e.message : null;
}

/** "a, b ,c" → ["a","b","c"]. */
export function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

export function toggle<T>(list: readonly T[], v: T, on: boolean): T[] {
  return on ? (list.includes(v) ? [...list] : [...list, v]) : list.filter((x) => x !== v);
}

/** One line for the list: "person dwell 30 s in Gate (Yard) · Night, Away". */
export function whenText(
  r: Pick<Rule, 'trigger' | 'conditions'>,
  names: { camera: (id: string) => string; zone: (id: string) => string; mode: (id: string) => string },
): string {
  const t = r.trigger;
  const c = r.conditions;
  let what: string;
  switch (t.kind) {
    case 'object':
      what = `${c.labels.join('/') || 'object'} ${t.phase === 'seen' ? 'seen' : t.phase === 'enter' ? 'enters' : `dwells${t.dwellSeconds ? ` ${t.dwellSeconds} s` : ''}`}${c.zones.length ? ` in ${c.zones.map(names.zone).join(', ')}` : ''}`;
      break;
    case 'motion':
      what = 'motion';
      break;
    case 'sensor':
      what = `${t.types.join('/') || 'sensor'}${t.states.length ? ` ${t.states.join('/')}` : ''}`;
      break;
    case 'access':
      what = `badge ${t.result}${t.doors.length ? ` at ${t.doors.join(', ')}` : ''}`;
      break;
    case 'onvif':
      what = `ONVIF ${t.events.join('/') || 'event'}`;
      break;
    case 'face':
      what = `face ${t.events.join('/') || 'event'}`;
      break;
    case 'health':
      what = t.conditions.length ? t.conditions.join('/') : 'camera health';
      break;
    case 'panic':
      what = 'panic';
      break;
    default:
      what = 'any source';
  }
  const where = c.cameraIds.length ? ` (${c.cameraIds.map(names.camera).join(', ')})` : '';
  const modes = c.modes.length ? ` · ${c.modes.map(names.mode).join(', ')}` : '';
  const sched = c.schedule ? ` · ${c.schedule.from}–${c.schedule.to}` : '';
  return `${what}${where}${modes}${sched}`;
}

export function thenText(r: Pick<Rule, 'actions'>): string {
  return r.actions.map((a) => (a.type === 'alarm' ? `P${a.priority} alarm` : a.type === 'log' ? 'log only' : a.type)).join(', ');
}
