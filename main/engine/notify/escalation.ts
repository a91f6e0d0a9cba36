/**
 * The on-call escalation: while an alarm stays unacknowledged, it climbs its
 * priority's ladder (ladder.ts). At each step the contacts of that level who
 * take the alarm's priority and are on duty (duty.ts) are told on every
 * channel they have. If nobody of that level is on duty, the alarm's history
 * says so (and the next step still comes at its time). A guard's manual
 * escalation (E) tells the next level at once. How far each alarm climbed is
 * kept in SQLite, so a restart neither repeats nor skips a step.
 *
 * The clock is passed in (`now`), so the unit tests drive it by hand.
 */
import type { Alarm } from '../../api/alarms.js';
import type { Contact, NotifySetup } from '../../api/notify.js';
import type { AlarmNotifyPort } from '../alarms/notify-port.js';
import { logger } from '../log.js';
import { dutyOf } from './duty.js';
import { dueSteps, ladderOf } from './ladder.js';

const log = logger('notify');

export interface LadderState {
  ladderLevels(alarmIds: number[]): Map<number, number>;
  setLadderLevel(alarmId: number, level: number, now: number): void;
}

export interface EscalationDeps {
  alarms: Pick<AlarmNotifyPort, 'unacknowledged' | 'get' | 'noteNotice'>;
  state: LadderState;
  setup: () => NotifySetup;
  timeZone: () => string;
  now: () => number;
  /** Tell one contact about an alarm at a level (queues the notices; never throws for a channel's failure). */
  tell: (alarm: Alarm, contact: Contact, level: number) => void;
}

/** The contacts of a level for a priority, and who of them is on duty. */
export function contactsAt(
  setup: NotifySetup,
  level: number,
  priority: number,
  atMs: number,
  timeZone: string,
): { onDuty: Contact[]; offDuty: Contact[] } {
  const onDuty: Contact[] = [];
  const offDuty: Contact[] = [];
  for (const c of setup.contacts) {
    if (c.level !== level) continue;
    if (c.priorities.length && !c.priorities.includes(priority as Contact['priorities'][number])) continue;
    (dutyOf(c, setup.rotas, atMs, timeZone).onDuty ? onDuty : offDuty).push(c);
  }
  return { onDuty, offDuty };
}

export class Escalation {
  constructor(private readonly d: EscalationDeps) {}

  /** Climb every unacknowledged alarm whose next step has come. Returns the steps taken. */
  tick(): number {
    const open = this.d.alarms.unacknowledged();
    if (!open.length) return 0;
    const setup = this.d.setup();
    const levels = this.d.state.ladderLevels(open.map((a) => a.id));
    const now = this.d.now();
    let n = 0;
    for (const a of open) {
      const steps = dueSteps(ladderOf(setup, a.priority), Date.parse(a.createdAt), levels.get(a.id) ?? 1, now);
      for (const s of steps) {
        this.step(a, s.level, setup, now, false);
        n++;
      }
    }
    return n;
  }

  /** A guard escalated by hand: tell the next level now (if the ladder has one left). */
  manual(alarmId: number): boolean {
    const a = this.d.alarms.get(alarmId);
    if (!a || a.state === 'closed') return false;
    const setup = this.d.setup();
    const now = this.d.now();
    const reached = this.d.state.ladderLevels([a.id]).get(a.id) ?? 1;
    const [next] = dueSteps(ladderOf(setup, a.priority), Date.parse(a.createdAt), reached, now, true);
    if (!next) return false;
    this.step(a, next.level, setup, now, true);
    return true;
  }

  private step(a: Alarm, level: number, setup: NotifySetup, now: number, manual: boolean): void {
    // written first: a failing channel must not make the next tick tell the same level again
    this.d.state.setLadderLevel(a.id, level, now);
    const { onDuty, offDuty } = contactsAt(setup, level, a.priority, now, this.d.timeZone());
    if (!onDuty.length) {
      const why = offDuty.length
        ? `${offDuty.map((c) => c.name).join(', ')} ${offDuty.length === 1 ? 'is' : 'are'} off duty`
        : `no contact has level ${level} for P${a.priority}`;
      this.d.alarms.noteNotice(
        a.id,
        `level ${level}${manual ? ' (escalated by hand)' : ''}: nobody to tell: ${why}; see Settings → On call`,
        now,
      );
      log.warn(`alarm #${a.id} reached level ${level} but nobody is on duty there (${why})`);
      return;
    }
    log.info(`alarm #${a.id} P${a.priority}: level ${level}${manual ? ' (by hand)' : ''}: telling ${onDuty.map((c) => c.name).join(', ')}`);
    for (const c of onDuty) {
      try {
        this.d.tell(a, c, level);
      } catch (err) {
        log.error(`alarm #${a.id}: telling ${c.name} failed`, err);
      }
    }
  }
}
