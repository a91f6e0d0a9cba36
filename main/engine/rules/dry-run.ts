/**
 * The dry run: what would this rule have done over a range of stored
 * events? The stored records (records.ts) go through the same steps as the
 * live path: the dwell stream (stream.ts), the same source events
 * (events.ts, alarms/sources.ts, integrations/sensors.ts), the same matcher
 * (match.ts) with the arming mode in force at each event's time, and the
 * same coalescing (a repeat within the alarm action's window of the last
 * one counts on it). The list says, per match, which alarm it would have
 * raised, whether it would have been counted on the one before, and whether
 * an earlier rule takes the event first.
 *
 * Assumptions: an alarm stays open through its coalescing window (live, a
 * guard closing it in between makes the next repeat a new alarm); camera
 * health and panic are replayed from their alarm rows (one per alarm, as
 * coalesced by the rules of the time).
 */
import type { AlarmSetup, Priority } from '../../api/alarms.js';
import type { DryRunItem, DryRunResult, Rule } from '../../api/rules.js';
import type { SourceEvent } from '../alarms/intake.js';
import type { Db } from '../store/db.js';
import { motionSourceEvent, zoneSourceEvent } from './events.js';
import { actionOutcome, alarmActionOf, coalesceKey, decide, dwellThresholds, matchRule, type MatchContext } from './match.js';
import { readRecords, type RecordInput, type RecordRef } from './records.js';
import { DwellStream } from './stream.js';
import { cameraOf, describeTrigger, triggerOf } from './trigger.js';

export interface DryRunInput {
  db: Db;
  /** The rule list with the rule under test in its place (store.ts placeRule). */
  rules: readonly Rule[];
  rule: Rule;
  setup: AlarmSetup;
  cameraName: (id: string) => string | null;
  timeZone: string;
  /** The arming mode at a time (from arming_changes). */
  modeAt: (ms: number) => string;
  fromMs: number;
  toMs: number;
  limit: number;
}

/** Source events of one stored record, through the dwell stream (zones) as live. Leaves and motion ends raise nothing. */
export function sourceEventsOf(
  input: RecordInput,
  stream: DwellStream,
  cameraName: (id: string) => string | null,
): { ev: SourceEvent; ref: RecordRef | null }[] {
  const name = (id: string) => cameraName(id) ?? id;
  if (input.kind === 'zone')
    return stream
      .feed(input.zone)
      .filter((z) => z.phase !== 'leave')
      .map((z) => ({ ev: zoneSourceEvent(z, name(z.cameraId)), ref: z.synthetic ? null : input.ref }));
  const due = stream.advance(input.ms).map((z) => ({ ev: zoneSourceEvent(z, name(z.cameraId)), ref: null }));
  if (input.kind === 'motion')
    return input.motion.phase === 'start'
      ? [...due, { ev: motionSourceEvent(input.motion, name(input.motion.cameraId)), ref: input.ref }]
      : due;
  return [...due, { ev: input.ev, ref: input.ref }];
}

export function dryRun(d: DryRunInput): DryRunResult {
  const maxDwell = Math.max(
    0,
    ...d.rules.flatMap((r) => (r.trigger.kind === 'object' && r.trigger.dwellSeconds ? [r.trigger.dwellSeconds] : [])),
  );
  const { inputs, truncated } = readRecords(d.db, {
    fromMs: d.fromMs,
    toMs: d.toMs,
    zoneLookbackMs: Math.min(24 * 3600_000, (maxDwell + 3600) * 1000),
    sensorLookbackMs: (d.setup.entryGraceSeconds + 5) * 1000,
    setup: d.setup,
    cameraName: d.cameraName,
  });
  const ctx: MatchContext = { timeZone: d.timeZone, modeAt: d.modeAt };
  const stream = new DwellStream((z) => dwellThresholds(d.rules, z));
  const action = alarmActionOf(d.rule);
  const outcomeOf = actionOutcome(d.rule);
  const last = new Map<string, number>();
  const items: DryRunItem[] = [];
  const res: DryRunResult = {
    ruleId: d.rule.id,
    from: new Date(d.fromMs).toISOString(),
    to: new Date(d.toMs).toISOString(),
    matched: 0,
    alarms: 0,
    coalesced: 0,
    shadowed: 0,
    scanned: 0,
    items,
    truncated,
  };
  const consider = (ev: SourceEvent, ref: RecordRef | null) => {
    if (ev.time < d.fromMs || ev.time >= d.toMs || ev.clears) return;
    const trig = triggerOf(ev);
    if (!matchRule(d.rule, trig, ctx)) return;
    res.matched++;
    const first = decide(d.rules, trig, ctx);
    const shadowedBy = first && first.id !== d.rule.id ? first.id : null;
    let outcome: DryRunItem['outcome'] = outcomeOf === 'alarm' ? 'raised' : outcomeOf;
    if (shadowedBy) res.shadowed++;
    else if (action) {
      const key = coalesceKey(d.rule, action, trig, ev);
      const prev = last.get(key);
      const window = action.coalesceSeconds * 1000;
      if (window > 0 && prev !== undefined && prev >= ev.time - window) {
        outcome = 'coalesced';
        res.coalesced++;
        last.set(key, Math.max(prev, ev.time));
      } else {
        res.alarms++;
        last.set(key, ev.time);
      }
    }
    if (items.length < d.limit)
      items.push({
        time: new Date(ev.time).toISOString(),
        cameraId: cameraOf(trig) ?? (ev.source && d.cameraName(ev.source) !== null ? ev.source : null),
        what: describeTrigger(trig),
        type: ev.type,
        title: action?.title ?? ev.title,
        priority: action ? (action.priority as Priority) : null,
        outcome,
        shadowedBy,
        ref,
        objectEventId: trig.objectEventId,
      });
    else res.truncated = true;
  };
  for (const input of inputs) {
    if (input.ms >= d.fromMs) res.scanned++;
    for (const { ev, ref } of sourceEventsOf(input, stream, d.cameraName)) consider(ev, ref);
  }
  for (const z of stream.advance(d.toMs - 1)) consider(zoneSourceEvent(z, d.cameraName(z.cameraId) ?? z.cameraId), null);
  return res;
}
