/**
 * The guard queue as pure functions: sort by priority then age (oldest
 * first), apply pushed events, pick what to announce. No React here.
 */
import type { Alarm } from '../../../../main/api/alarms.js';

export function compareQueue(a: Alarm, b: Alarm): number {
  return a.priority - b.priority || Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id;
}

/** Insert or replace an alarm; closed alarms leave the queue. Returns a new sorted array. */
export function upsert(queue: readonly Alarm[], a: Alarm): Alarm[] {
  const rest = queue.filter((x) => x.id !== a.id);
  if (a.state === 'closed') return rest;
  const cur = queue.find((x) => x.id === a.id);
  // never go back to an older version of an alarm (events can cross a reload)
  if (cur && Date.parse(cur.updatedAt) > Date.parse(a.updatedAt) && cur.count >= a.count) return [...queue];
  rest.push(a);
  return rest.sort(compareQueue);
}

export function sortQueue(list: readonly Alarm[]): Alarm[] {
  return list.filter((a) => a.state !== 'closed').sort(compareQueue);
}

/** Alarms nobody has acknowledged yet, most urgent first. */
export function unacknowledged(queue: readonly Alarm[]): Alarm[] {
  return queue.filter((a) => a.state === 'new');
}

/** Seconds until an alarm escalates (negative when overdue), or null. */
export function secondsToEscalation(a: Alarm, now: number): number | null {
  if (!a.ackDueAt || a.state !== 'new') return null;
  return Math.round((Date.parse(a.ackDueAt) - now) / 1000);
}

/** Which index to keep selected after the queue changed: the same alarm if still there. */
export function keepSelection(prev: readonly Alarm[], next: readonly Alarm[], index: number): number {
  const id = prev[index]?.id;
  if (id !== undefined) {
    const i = next.findIndex((a) => a.id === id);
    if (i >= 0) return i;
  }
  return Math.min(index, Math.max(0, next.length - 1));
}

export const STATE_TEXT: Record<Alarm['state'], string> = {
  new: 'New',
  acknowledged: 'Acknowledged',
  in_progress: 'In progress',
  on_hold: 'On hold',
  closed: 'Closed',
};

/** Quick close reasons: Alt+1–5 in the close dialog, or 1–5 on the reason buttons. */
export const CLOSE_REASONS = ['False alarm', 'Resolved on site', 'Authorised activity', 'Test', 'Duplicate'] as const;

/**
 * Which quick reason (0-based) a key picks, or null. In the text field only
 * Alt+digit picks: a digit typed there is part of what the guard writes
 * ("2 guards checked the gate"), stored exactly. Elsewhere a plain digit
 * picks too. `code` covers layouts where Alt+digit types another character.
 */
export function quickReasonKey(e: { key: string; code?: string; altKey?: boolean; ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean }, inTextField: boolean): number | null {
  if (e.ctrlKey || e.metaKey || e.shiftKey) return null;
  const digit = /^Digit([1-5])$/.exec(e.code ?? '')?.[1] ?? (/^[1-5]$/.test(e.key) ? e.key : null);
  if (!digit) return null;
  if (inTextField && !e.altKey) return null;
  return Number(digit) - 1;
}

/** A datetime-local field's value (browser time zone) as ISO 8601, or undefined when empty or invalid. */
export function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const t = new Date(local).getTime();
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
