/**
 * The engine's one time-zone module: local calendar and clock fields of an
 * instant in an IANA zone, UTC offsets and local day boundaries, all from
 * Intl (so 23- and 25-hour days around DST changes come out right).
 *
 * Units are in the names: instants and offsets are `…Ms` (milliseconds since
 * the Unix epoch, UTC), lengths carry their unit. Calendar fields (year,
 * month 1–12, day, hour, minute, second, weekday 0 = Sunday) are plain
 * numbers. Storage is UTC everywhere; a zone is only applied here.
 */

/** The zone of the machine the engine runs on. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The configured zone (settings.timeZone), else the machine's. */
export function zoneOrSystem(timeZone: string | null | undefined): string {
  return timeZone ?? systemTimeZone();
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError for an unknown time zone. */
export function checkTimeZone(timeZone: string): void {
  formatter(timeZone);
}

export interface LocalParts {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  /** 0–23. */
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Local wall-clock fields of an instant in a time zone. */
export function localParts(atMs: number, timeZone: string): LocalParts {
  const p: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const x of formatter(timeZone).formatToParts(new Date(atMs))) {
    if (x.type === 'weekday') p.weekday = WEEKDAYS.indexOf(x.value);
    else if (x.type === 'hour') p.hour = Number(x.value) % 24;
    else if (x.type === 'year' || x.type === 'month' || x.type === 'day' || x.type === 'minute' || x.type === 'second') p[x.type] = Number(x.value);
  }
  return p;
}

/** UTC offset of a time zone at an instant, ms (positive east of Greenwich). */
export function utcOffsetMs(atMs: number, timeZone: string): number {
  const l = localParts(atMs, timeZone);
  const asUtcMs = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtcMs - Math.floor(atMs / 1000) * 1000;
}

/**
 * The instant the wall clock in `timeZone` shows year-month-day hour:minute.
 * A wall time that occurs twice (autumn) gives one of the two; one skipped by
 * a spring-forward change gives the instant the jump lands near it.
 */
export function localTimeToUtcMs(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const wallMs = Date.UTC(year, month - 1, day, hour, minute);
  let t = wallMs - utcOffsetMs(wallMs, timeZone);
  // refine: the offset at the guess can differ from the offset at the answer
  t = wallMs - utcOffsetMs(t, timeZone);
  return wallMs - utcOffsetMs(t, timeZone);
}

/** The instant a local calendar day starts (the first existing local time on or after 00:00), ms. */
export function startOfLocalDayMs(year: number, month: number, day: number, timeZone: string): number {
  const guessUtcMs = Date.UTC(year, month - 1, day);
  let t = guessUtcMs - utcOffsetMs(guessUtcMs, timeZone);
  // refine twice: the offset at the guess can differ from the offset at the answer
  t = guessUtcMs - utcOffsetMs(t, timeZone);
  t = guessUtcMs - utcOffsetMs(t, timeZone);
  const l = localParts(t, timeZone);
  if (l.year !== year || l.month !== month || l.day !== day) {
    // midnight does not exist (a DST jump at 00:00): the day starts at the jump
    if (Date.UTC(l.year, l.month - 1, l.day) < guessUtcMs) {
      // t is still on the previous day: walk forward to the first instant of the day
      let lo = t;
      let hi = t + 3 * 3600_000;
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2);
        const p = localParts(mid, timeZone);
        if (Date.UTC(p.year, p.month - 1, p.day) < guessUtcMs) lo = mid;
        else hi = mid;
      }
      t = hi;
    }
  }
  return t;
}

/** The calendar day after (year, month, day), as plain fields (no zone involved). */
export function nextCalendarDay(year: number, month: number, day: number): { year: number; month: number; day: number } {
  const next = new Date(Date.UTC(year, month - 1, day + 1));
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}
