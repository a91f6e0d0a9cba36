/**
 * Who is on duty: a contact's weekly hours and the on-call rotas, in the
 * site's time zone. Pure (no engine, no clock of its own): the escalation
 * passes the time. Also the `--duty "Mon-Fri 08:00-18:00"` text form; whose
 * turn it is in a rota is main/api/rota.ts (the console shows it too).
 */
import type { Contact, DutyWindow, Rota } from '../../api/notify.js';
import { formatWindow } from '../../api/notify-text.js';
import { rotaTurn } from '../../api/rota.js';
import { localParts } from '../util/time-zone.js';

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

export { formatWindow, parseDuty } from '../../api/notify-text.js';
export { rotaTurn } from '../../api/rota.js';
