/**
 * Who is on duty: a contact's weekly hours and the on-call rotas, in the
 * site's time zone. Pure (no engine, no clock of its own): the escalation
 * passes the time. Also the `--duty "Mon-Fri 08:00-18:00"` text form.
 */
import type { Contact, DutyWindow, Rota } from '../../api/notify.js';
import { localParts } from '../util/time-zone.js';

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Is the window open at `atMs`? `from` > `to` runs past midnight and belongs to the day it starts; `from` = `to` is all day. */
export function windowOpen(w: DutyWindow, atMs: number, timeZone: string): boolean {
  const l = localParts(atMs, timeZone);
  const m = l.hour * 60 + l.minute;
  const from = minuteOf(w.from);
  const to = minuteOf(w.to);
  if (from === to) return w.days.includes(l.weekday);
  if (from < to) return w.days.includes(l.weekday) && m >= from && m < to;
  if (m >= from) return w.days.includes(l.weekday);
  if (m < to) return w.days.includes((l.weekday + 6) % 7);
  return false;
}

/** Whose turn it is in a rota at `atMs` (null before it starts). */
export function rotaTurn(r: Rota, atMs: number): { member: string; index: number; endsMs: number } | null {
  const start = Date.parse(r.startsAt);
  if (atMs < start || !r.members.length) return null;
  const period = r.periodHours * 3_600_000;
  const n = Math.floor((atMs - start) / period);
  const index = n % r.members.length;
  return { member: r.members[index]!, index, endsMs: start + (n + 1) * period };
}

export interface DutyState {
  onDuty: boolean;
  /** In words, for Settings and the alarm's history. */
  note: string;
}

/**
 * A contact is on duty when it is enabled, inside one of its weekly windows
 * (none = always), and, if it is a member of any rota, it is its turn in one
 * of them.
 */
export function dutyOf(c: Contact, rotas: Rota[], atMs: number, timeZone: string): DutyState {
  if (!c.enabled) return { onDuty: false, note: 'disabled' };
  const mine = rotas.filter((r) => r.members.includes(c.id));
  let rotaNote = '';
  if (mine.length) {
    const turn = mine.map((r) => ({ r, t: rotaTurn(r, atMs) })).find((x) => x.t?.member === c.id);
    if (!turn) {
      const names = mine.map((r) => {
        const t = rotaTurn(r, atMs);
        return t ? `${r.name}: ${t.member}'s turn` : `${r.name}: starts ${new Date(Date.parse(r.startsAt)).toISOString().slice(0, 16)}Z`;
      });
      return { onDuty: false, note: `not their turn (${names.join('; ')})` };
    }
    rotaNote = `rota ${turn.r.name}: their turn (${turn.t!.index + 1} of ${turn.r.members.length})`;
  }
  if (c.duty.length && !c.duty.some((w) => windowOpen(w, atMs, timeZone))) {
    return { onDuty: false, note: `off duty (hours ${c.duty.map(formatWindow).join(', ')})` };
  }
  const hours = c.duty.length ? `hours ${c.duty.map(formatWindow).join(', ')}` : 'always';
  return { onDuty: true, note: rotaNote ? `${rotaNote}; ${hours}` : hours };
}

/** "Mon-Fri 08:00-18:00", "Sat,Sun 00:00-00:00" (all day), "daily 22:00-06:00". */
export function formatWindow(w: DutyWindow): string {
  const days = [...w.days].sort((a, b) => a - b);
  let d: string;
  if (days.length === 7) d = 'daily';
  else {
    // runs of consecutive days: Mon-Fri
    const parts: string[] = [];
    for (let i = 0; i < days.length; ) {
      let j = i;
      while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
      parts.push(j - i >= 2 ? `${DAY_NAMES[days[i]!]}-${DAY_NAMES[days[j]!]}` : days.slice(i, j + 1).map((x) => DAY_NAMES[x]).join(','));
      i = j + 1;
    }
    d = parts.join(',');
  }
  return `${d} ${w.from}-${w.to}`;
}

const FULL_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
function dayIndex(s: string): number {
  const t = s.trim().toLowerCase();
  const i = t.length >= 3 ? FULL_DAYS.findIndex((d) => d.startsWith(t)) : -1;
  if (i < 0) throw new Error(`"${s.trim()}" is not a day; use Mon, Tue, Wed, Thu, Fri, Sat, Sun`);
  return i;
}

/**
 * Parse duty hours: windows separated by ";", each "DAYS HH:MM-HH:MM" where
 * DAYS is "daily", "weekdays", "weekends", a day, a range (Mon-Fri) or a
 * comma list (Sat,Sun). Throws an Error that says what is wrong.
 */
export function parseDuty(text: string): DutyWindow[] {
  const out: DutyWindow[] = [];
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (!part) continue;
    const m = /^(.+?)\s+(\d{1,2}:\d\d)\s*-\s*(\d{1,2}:\d\d)$/.exec(part);
    if (!m) throw new Error(`duty "${part}": write it as DAYS HH:MM-HH:MM, e.g. "Mon-Fri 08:00-18:00" or "daily 22:00-06:00"`);
    const pad = (t: string) => (t.length === 4 ? `0${t}` : t);
    const from = pad(m[2]!);
    const to = pad(m[3]!);
    for (const t of [from, to]) if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(t)) throw new Error(`duty "${part}": ${t} is not a time of day (00:00 to 23:59)`);
    const daysText = m[1]!.trim();
    const lower = daysText.toLowerCase();
    let days: number[];
    if (lower === 'daily' || lower === 'every day') days = [0, 1, 2, 3, 4, 5, 6];
    else if (lower === 'weekdays') days = [1, 2, 3, 4, 5];
    else if (lower === 'weekends') days = [0, 6];
    else {
      const set = new Set<number>();
      for (const item of daysText.split(',')) {
        const [a, b] = item.split('-');
        if (b === undefined) set.add(dayIndex(a!));
        else {
          const s = dayIndex(a!);
          const e = dayIndex(b);
          for (let d = s; ; d = (d + 1) % 7) {
            set.add(d);
            if (d === e) break;
          }
        }
      }
      days = [...set].sort((x, y) => x - y);
    }
    out.push({ days, from, to });
  }
  if (!out.length) throw new Error('duty: give at least one window, e.g. "Mon-Fri 08:00-18:00"');
  return out;
}
