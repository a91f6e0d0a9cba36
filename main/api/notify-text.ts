/**
 * Text forms of on-call settings, shared by the CLI and the console (no Node
 * here): duty hours ("Mon-Fri 08:00-18:00; Sat 09:00-13:00") and a ladder's
 * steps ("2 after 1m, 3 after 5m").
 */
import type { DutyWindow, LadderStep } from './notify.js';

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "Mon-Fri 08:00-18:00", "Sat,Sun 00:00-00:00" (all day), "daily 22:00-06:00". */
export function formatWindow(w: DutyWindow): string {
  const days = [...w.days].sort((a, b) => a - b);
  let d: string;
  if (days.length === 7) d = 'daily';
  else {
    // runs of consecutive days: Mon-Fri
    const parts: string[] = [];
    for (let i = 0; i < days.length;) {
      let j = i;
      while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
      parts.push(
        j - i >= 2
          ? `${DAY_NAMES[days[i]!]}-${DAY_NAMES[days[j]!]}`
          : days
              .slice(i, j + 1)
              .map((x) => DAY_NAMES[x])
              .join(','),
      );
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
    for (const t of [from, to])
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(t)) throw new Error(`duty "${part}": ${t} is not a time of day (00:00 to 23:59)`);
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

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** "30s", "2m", "1h30m" → seconds. */
export function parseDuration(s: string): number {
  const t = s.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  if (!/^(\d+[smh])+$/.test(t)) throw new Error(`"${s.trim()}" is not a time; write 30s, 2m or 1h30m`);
  let n = 0;
  for (const m of t.matchAll(/(\d+)([smh])/g)) n += Number(m[1]) * UNIT[m[2]!]!;
  return n;
}

export function formatDuration(sec: number): string {
  if (sec % 3600 === 0) return `${sec / 3600}h`;
  if (sec >= 3600) return `${Math.floor(sec / 3600)}h${formatDuration(sec % 3600)}`;
  if (sec % 60 === 0) return `${sec / 60}m`;
  if (sec > 60) return `${Math.floor(sec / 60)}m${sec % 60}s`;
  return `${sec}s`;
}

/** "2 after 1m, 3 after 5m" (or "" for none) → steps, in order. */
export function parseLadder(text: string): LadderStep[] {
  const steps: LadderStep[] = [];
  for (const raw of text.split(/[,;]/)) {
    const part = raw.trim();
    if (!part) continue;
    const m = /^(?:level\s*|l)?(\d)\s+after\s+(\S+)$/i.exec(part);
    if (!m) throw new Error(`"${part}": write each step as LEVEL after TIME, e.g. "2 after 1m, 3 after 5m"`);
    steps.push({ level: Number(m[1]), afterSeconds: parseDuration(m[2]!) });
  }
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]!.level <= steps[i - 1]!.level || steps[i]!.afterSeconds <= steps[i - 1]!.afterSeconds) {
      throw new Error('each step needs a higher level and a later time than the one before');
    }
  }
  if (steps.some((s) => s.level < 2 || s.level > 9)) throw new Error('levels run from 2 to 9 (level 1 is the console)');
  return steps;
}

export function formatLadder(steps: LadderStep[]): string {
  return steps.map((s) => `${s.level} after ${formatDuration(s.afterSeconds)}`).join(', ');
}
