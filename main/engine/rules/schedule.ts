/**
 * Weekly windows of rules (AlarmSchedule) in the site's time zone. Pure.
 */
import type { AlarmSchedule } from '../../api/alarms.js';
import { localParts } from '../util/time-zone.js';

/** Minutes since midnight of an HH:MM time of day. */
export const minuteOfDayOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Is the schedule active at `atMs` (local wall-clock time in `timeZone`)? A window that runs past midnight
 * belongs to the day it starts on (Fri 22:00–06:00 covers Saturday 03:00). `from` = `to` is the whole day.
 * Wall-clock based, so a window keeps its local hours across DST changes (a 22:00–06:00 window is 7 h
 * long on the night clocks go forward, 9 h on the night they go back).
 */
export function scheduleActive(s: AlarmSchedule | null, atMs: number, timeZone: string): boolean {
  if (!s) return true;
  const local = localParts(atMs, timeZone);
  const weekday = local.weekday;
  const minuteOfDay = local.hour * 60 + local.minute;
  const fromMinute = minuteOfDayOf(s.from);
  const toMinute = minuteOfDayOf(s.to);
  if (fromMinute === toMinute) return s.days.includes(weekday);
  if (fromMinute < toMinute) return s.days.includes(weekday) && minuteOfDay >= fromMinute && minuteOfDay < toMinute;
  // past midnight
  if (minuteOfDay >= fromMinute) return s.days.includes(weekday);
  if (minuteOfDay < toMinute) return s.days.includes((weekday + 6) % 7);
  return false;
}
