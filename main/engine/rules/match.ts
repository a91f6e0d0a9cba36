/**
 * The matcher: does a rule's trigger and its conditions fit an event? The
 * rules are tried in order and the first enabled rule that matches decides
 * (as the type-matched rules of schema 2 did). Used by the live path (the
 * alarm intake) and by the dry run, so both decide alike. Pure: the arming
 * mode at a time and the time zone come in through the context.
 */
import type { AlarmActionSpec, Rule, Trigger } from '../../api/rules.js';
import type { SourceEvent } from '../alarms/intake.js';
import { scheduleActive } from './schedule.js';
import { LEGACY_TYPES, type TriggerEvent } from './trigger.js';

export interface MatchContext {
  /** IANA zone of schedules (settings.timeZone, else the server's). */
  timeZone: string;
  /** The arming mode (id) in force at a time. */
  modeAt(ms: number): string;
}

export function triggerMatches(t: Trigger, e: TriggerEvent): boolean {
  switch (t.kind) {
    case 'object':
      if (e.kind !== 'object') return false;
      if (t.phase === 'seen') return e.phase === 'seen';
      if (t.phase === 'enter') return e.phase === 'enter';
      if (e.phase !== 'dwell') return false;
      // Without its own dwell time the rule takes the zone's dwell event; with one, the event that first
      // reaches it for this object in this zone (the detector's, or the dwell stream's; stream.ts).
      if (t.dwellSeconds === undefined) return !e.synthetic;
      return (e.dwellFrom ?? -1) < t.dwellSeconds && t.dwellSeconds <= (e.dwellSeconds ?? 0);
    case 'motion':
      return e.kind === 'motion' && e.phase === 'start' && (t.minScore === undefined || (e.score ?? 0) >= t.minScore);
    case 'sensor':
      return (
        e.kind === 'sensor' &&
        (t.types.length === 0 || (e.sensorType !== null && t.types.includes(e.sensorType))) &&
        (t.states.length === 0 || (e.state !== null && (t.states as readonly string[]).includes(e.state)))
      );
    case 'access':
      return (
        e.kind === 'access' &&
        (t.result === 'any' || (t.result === 'denied') === (e.type === 'access.denied')) &&
        (t.doors.length === 0 || (e.door !== null && t.doors.includes(e.door)))
      );
    case 'face':
      return e.kind === 'face' && (t.events.length === 0 || (e.faceEvent !== null && t.events.includes(e.faceEvent)));
    case 'onvif':
      return e.kind === 'onvif' && (t.events.length === 0 || (e.onvifEvent !== null && t.events.includes(e.onvifEvent)));
    case 'health':
      return e.kind === 'health' && (t.conditions.length === 0 || (e.health !== null && t.conditions.includes(e.health)));
    case 'panic':
      return e.kind === 'panic';
    case 'any':
      return LEGACY_TYPES.includes(e.type);
  }
}

const sameName = (a: string, b: string | null) => b !== null && a.trim().toLowerCase() === b.trim().toLowerCase();

/** The conditions of a rule at the event's time: arming mode, schedule, label, count, camera, zone, sensor. */
export function conditionsMatch(r: Rule, e: TriggerEvent, ctx: MatchContext): boolean {
  const c = r.conditions;
  if (c.labels.length && (e.label === null || !c.labels.includes(e.label))) return false;
  if (c.minCount !== undefined && (e.count ?? 1) < c.minCount) return false;
  if (c.cameraIds.length && !c.cameraIds.some((id) => e.cameraIds.includes(id) || e.source === id)) return false;
  if (c.zones.length) {
    const inZone =
      e.kind === 'object' || e.kind === 'motion'
        ? c.zones.some((z) => z === e.zoneId || sameName(z, e.zone))
        : e.zone !== null && c.zones.includes(e.zone);
    if (!inZone) return false;
  }
  if (c.sensorIds.length && (e.sensorId === null || !c.sensorIds.includes(e.sensorId))) return false;
  if (c.modes.length && !c.modes.includes(ctx.modeAt(e.time))) return false;
  return scheduleActive(c.schedule, e.time, ctx.timeZone);
}

export function matchRule(r: Rule, e: TriggerEvent, ctx: MatchContext): boolean {
  return r.enabled && triggerMatches(r.trigger, e) && conditionsMatch(r, e, ctx);
}

/** The rule that decides an event: the first enabled one that matches, or null. */
export function decide(rules: readonly Rule[], e: TriggerEvent, ctx: MatchContext): Rule | null {
  return rules.find((r) => matchRule(r, e, ctx)) ?? null;
}

export function alarmActionOf(r: Rule): AlarmActionSpec | null {
  return (r.actions.find((a) => a.type === 'alarm') as AlarmActionSpec | undefined) ?? null;
}

/** What a rule does with an event it matched, as the intake's outcome (before coalescing). */
export function actionOutcome(r: Rule): 'alarm' | 'logged' | 'ignored' {
  if (alarmActionOf(r)) return 'alarm';
  return r.actions.some((a) => a.type === 'ignore') ? 'ignored' : 'logged';
}

/**
 * Repeats with the same key count on the open alarm. Events of the sources older than rules keep their
 * own key (type + source), so they coalesce as before. Zone and motion events are keyed by the rule and,
 * by the action's `coalesceBy`, the tracked object in the zone (one alarm per person dwell), the zone, or
 * the camera. An object seen anywhere ("seen") coalesces per object, or per camera with the type + source
 * key of schema 2 (what the converted schema-2 rules use).
 */
export function coalesceKey(r: Rule, a: AlarmActionSpec, e: TriggerEvent, ev: Pick<SourceEvent, 'sourceKey' | 'type' | 'source'>): string {
  const legacy = ev.sourceKey ?? `${ev.type}:${ev.source}`;
  if (e.kind === 'motion') return `rule:${r.id}:${e.source}`;
  if (e.kind !== 'object') return legacy;
  if (e.phase === 'seen') return a.coalesceBy === 'object' ? `rule:${r.id}:${e.source}::${e.trackId ?? ''}` : legacy;
  if (a.coalesceBy === 'camera') return `rule:${r.id}:${e.source}`;
  if (a.coalesceBy === 'zone') return `rule:${r.id}:${e.source}:${e.zoneId ?? ''}`;
  return `rule:${r.id}:${e.source}:${e.zoneId ?? ''}:${e.trackId ?? ''}`;
}

/** Rule dwell times (seconds) that can apply to a zone event: the dwell stream waits for these (stream.ts). */
export function dwellThresholds(rules: readonly Rule[], z: { cameraId: string; zoneId: string; zone: string; label: string }): number[] {
  const out: number[] = [];
  for (const r of rules) {
    const t = r.trigger;
    if (!r.enabled || t.kind !== 'object' || t.phase !== 'dwell' || t.dwellSeconds === undefined) continue;
    const c = r.conditions;
    if (c.cameraIds.length && !c.cameraIds.includes(z.cameraId)) continue;
    if (c.zones.length && !c.zones.some((x) => x === z.zoneId || sameName(x, z.zone))) continue;
    if (c.labels.length && !c.labels.includes(z.label)) continue;
    out.push(t.dwellSeconds);
  }
  return out;
}
