/**
 * The escalation ladder of each priority, and which of its steps are due.
 * Pure: the escalation (escalation.ts) passes the alarm, what it reached and
 * the time.
 *
 * Level 1 is the console (and the phones subscribed to the priority), told
 * when the alarm is raised. By default level 2 (the supervisor on duty) is
 * told when the priority's acknowledgement time has run out, level 3 (the
 * site manager) after three times that; priority 5 never escalates.
 */
import { PRIORITIES, type Priority } from '../../api/alarms.js';
import type { Ladder, LadderStep, NotifySetup } from '../../api/notify.js';

export function defaultLadder(p: Priority): Ladder {
  const ack = PRIORITIES[p].ackSeconds;
  if (ack === null) return { priority: p, steps: [] };
  return {
    priority: p,
    steps: [
      { level: 2, afterSeconds: ack },
      { level: 3, afterSeconds: ack * 3 },
    ],
  };
}

/** The ladder of every priority: the configured one, else the default. */
export function effectiveLadders(setup: Pick<NotifySetup, 'ladders'>): (Ladder & { builtIn: boolean })[] {
  return ([1, 2, 3, 4, 5] as Priority[]).map((p) => {
    const own = setup.ladders?.find((l) => l.priority === p);
    return own ? { ...own, builtIn: false } : { ...defaultLadder(p), builtIn: true };
  });
}

export function ladderOf(setup: Pick<NotifySetup, 'ladders'>, p: Priority): Ladder {
  return setup.ladders?.find((l) => l.priority === p) ?? defaultLadder(p);
}

/**
 * Steps due for an unacknowledged alarm: above the level already told
 * (`reached`), and whose time since the alarm was raised has come. A manual
 * escalation (`manual`) makes the next step due at once.
 */
export function dueSteps(ladder: Ladder, raisedMs: number, reached: number, nowMs: number, manual = false): LadderStep[] {
  const ahead = ladder.steps.filter((s) => s.level > reached);
  const due = ahead.filter((s) => raisedMs + s.afterSeconds * 1000 <= nowMs);
  if (manual && !due.length && ahead.length) return [ahead[0]!];
  return due;
}

/** When the next step falls due (ms), or null when the ladder is done. */
export function nextDueMs(ladder: Ladder, raisedMs: number, reached: number): number | null {
  const s = ladder.steps.find((x) => x.level > reached);
  return s ? raisedMs + s.afterSeconds * 1000 : null;
}
