/**
 * The narrow way in to the alarms: what any source (sensor integrations
 * today, more later) hands over, and what became of it. Sources depend on
 * this file only, never on the alarm service or store, so the arrows run one
 * way: integrations → alarms/intake ← alarms/service.
 */
import type { Alarm, AlarmType } from '../../api/alarms.js';

/**
 * Facts a source states itself for the rules (detection zones, software motion), beyond what its type,
 * source and details say; see rules/trigger.ts.
 */
export interface SourceFacts {
  zoneId?: string | null;
  phase?: string | null;
  label?: string | null;
  count?: number | null;
  trackId?: number | null;
  objectEventId?: number | null;
  dwellSeconds?: number | null;
  dwellFrom?: number | null;
  synthetic?: boolean;
  score?: number | null;
}

/** A happening from any source, before the rules decide what it becomes. */
export interface SourceEvent {
  type: AlarmType;
  /** Camera id, sensor id, door, user or "storage". */
  source: string;
  /** Repeats with the same key coalesce; default `${type}:${source}`. */
  sourceKey?: string;
  title: string;
  cameraIds: string[];
  zone: string | null;
  sensorId?: string | null;
  /** Milliseconds since the epoch. */
  time: number;
  details?: Record<string, unknown>;
  /** The condition ended (camera back, door closed): resolve the open alarm instead of raising one. */
  clears?: boolean;
  /** Facts for the rules that the type and details do not carry (zones, software motion). */
  trigger?: SourceFacts;
}

/** What the rules made of a source event. */
export type IngestResult =
  | { outcome: 'raised'; alarm: Alarm }
  | { outcome: 'coalesced'; alarm: Alarm }
  | { outcome: 'resolved'; alarm: Alarm | null }
  | { outcome: 'logged'; ruleId: string }
  /** Dropped by a rule, or (ruleId null) no rule matched. */
  | { outcome: 'ignored'; ruleId: string | null };

export interface AlarmIntake {
  /**
   * A source event through the rules: raise, count a repeat, resolve, log or
   * ignore. Committed (with its audit record) before it returns.
   */
  ingest(ev: SourceEvent): IngestResult;
}
