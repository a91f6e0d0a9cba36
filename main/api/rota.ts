/**
 * On-call rotas, shared by the engine, the CLI and the console (no Node
 * here): whose turn it is at an instant, and the text forms of a rota's
 * period ("12h", "24h", "1w", a number of hours). Design: docs/alarms.md
 * ("On-call escalation and notices", Rotas).
 */
import type { Rota } from './notify.js';

/** The longest period a rota may have: 90 days. */
export const MAX_PERIOD_HOURS = 24 * 90;

/** The periods the console offers as a choice (the rest is "custom"). */
export const PERIOD_CHOICES = [
  { hours: 12, label: '12 h' },
  { hours: 24, label: '24 h' },
  { hours: 168, label: '1 week' },
] as const;

export interface RotaTurn {
  /** The contact id whose turn it is. */
  member: string;
  /** Its place in the rota, 0-based. */
  index: number;
  /** When this turn began and ends (UTC ms). */
  startsMs: number;
  endsMs: number;
  /** Whose turn comes next. */
  next: string;
}

/** Whose turn it is in a rota at `atMs` (null before its first turn starts, or without members). */
export function rotaTurn(r: Pick<Rota, 'startsAt' | 'periodHours' | 'members'>, atMs: number): RotaTurn | null {
  const start = Date.parse(r.startsAt);
  if (Number.isNaN(start) || atMs < start || !r.members.length || !(r.periodHours > 0)) return null;
  const period = r.periodHours * 3_600_000;
  const n = Math.floor((atMs - start) / period);
  const index = n % r.members.length;
  return {
    member: r.members[index]!,
    index,
    startsMs: start + n * period,
    endsMs: start + (n + 1) * period,
    next: r.members[(index + 1) % r.members.length]!,
  };
}

/** "12 h", "36 h", "1 week", "2 weeks". */
export function formatPeriod(hours: number): string {
  if (hours % 168 === 0) return hours === 168 ? '1 week' : `${hours / 168} weeks`;
  return `${hours} h`;
}

/**
 * A period as the CLI takes it: "12h", "24h", "36" (hours), "2d", "1w".
 * Throws an Error that says what to write.
 */
export function parsePeriod(text: string): number {
  const t = text.trim().toLowerCase();
  const m = /^(\d{1,5})\s*(h|hours?|d|days?|w|weeks?)?$/.exec(t);
  if (!m) throw new Error(`"${text.trim()}" is not a period; write 12h, 24h, 1w, 2d or a number of hours`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'h')[0];
  const hours = unit === 'w' ? n * 168 : unit === 'd' ? n * 24 : n;
  if (hours < 1 || hours > MAX_PERIOD_HOURS)
    throw new Error(`"${text.trim()}" is ${hours} h: a turn lasts from 1 hour to 90 days (${MAX_PERIOD_HOURS} h)`);
  return hours;
}
