/**
 * The narrow way in to the alarms: what any source (sensor integrations
 * today, more later) hands over, and what became of it. Sources depend on
 * this file only, never on the alarm service or store, so the arrows run one
 * way: integrations → alarms/intake ← alarms/service.
 */
import type { Alarm, AlarmType } from '../../api/alarms.js';

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
}

/** What the rules made of a source event. */
export type IngestResult =
  | { outcome: 'raised'; alarm: Alarm }
  | { outcome: 'coalesced'; alarm: Alarm }
  | { outcome: 'resolved'; alarm: Alarm | null }
  | { outcome: 'logged'; ruleId: string }
  | { outcome: 'ignored'; ruleId: string };

export interface AlarmIntake {
  /**
   * A source event through the rules: raise, count a repeat, resolve, log or
   * ignore. Committed (with its audit record) before it returns.
   */
  ingest(ev: SourceEvent): IngestResult;
}
