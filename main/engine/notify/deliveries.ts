/**
 * The delivery queue: every notice is a row in `notices`, sent in the
 * background (never on the alarm's path), retried after each wait of
 * `retrySeconds` when an attempt fails, and given up after the last. Each
 * step is written to the notice's row, pushed to consoles (`notify.notice`),
 * and, for a notice about an alarm, told in the alarm's history ("e-mail to
 * Sam (s…@example.org), level 2: sent" … "delivered" / "failed, retrying in
 * 5 s" / "failed after 4 attempts: …"). The final outcome of a notice about
 * an alarm is audited (actor system). A notice left in flight by a stopped
 * engine is marked failed at the next start.
 */
import type { Notice } from '../../api/notify.js';
import type { AlarmNotifyPort } from '../alarms/notify-port.js';
import type { AuditTrail } from '../audit/trail.js';
import type { EventBus } from '../bus.js';
import { logger } from '../log.js';
import { CHANNEL_LABEL } from './message.js';
import { asSendError, type SendError } from './send-error.js';
import type { NewNotice, NotifyStore } from './store.js';

const log = logger('notify');

export interface Job {
  notice: NewNotice;
  /** One attempt; resolves with what the other end said, throws a SendError. */
  send: (attempt: number) => Promise<unknown>;
  /** Push: the subscription is gone (404/410): remove it. */
  onGone?: () => void;
  /** After each attempt (push: the subscription's last success or error). */
  onAttempt?: (err: SendError | null) => void;
}

export interface DeliveriesDeps {
  store: NotifyStore;
  bus: EventBus;
  alarms: AlarmNotifyPort;
  audit: AuditTrail;
  retrySeconds: () => number[];
  now?: () => number;
}

export class Deliveries {
  private timers = new Set<NodeJS.Timeout>();
  private inFlight = new Set<Promise<void>>();
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly d: DeliveriesDeps) {
    this.now = d.now ?? Date.now;
  }

  /** At start: notices a previous run left in flight are failed (their content was not kept). */
  failLeftovers(): void {
    for (const n of this.d.store.unfinished()) {
      const done = this.d.store.setNotice(
        n.id,
        { state: 'failed', attempts: n.attempts, lastError: 'the engine stopped before it was delivered' },
        this.now(),
      );
      this.tell(done, 'failed: the engine stopped before it was delivered');
    }
  }

  /** Queue a notice: its row is written and "sent" told at once; the attempts run in the background. */
  enqueue(job: Job): Notice {
    const n = this.d.store.addNotice(job.notice, this.now());
    this.tell(n, 'sent');
    this.schedule(n.id, job, 1, 0);
    return n;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Resolves when nothing is being sent right now (tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private schedule(id: number, job: Job, attempt: number, delayMs: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      const p = this.attempt(id, job, attempt).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }, delayMs);
    t.unref();
    this.timers.add(t);
  }

  private async attempt(id: number, job: Job, attempt: number): Promise<void> {
    if (this.stopped) return;
    let err: SendError | null = null;
    try {
      await job.send(attempt);
    } catch (e) {
      err = asSendError(e);
    }
    if (this.stopped) return;
    try {
      job.onAttempt?.(err);
      const now = this.now();
      if (!err) {
        const n = this.d.store.setNotice(id, { state: 'delivered', attempts: attempt }, now);
        this.tell(n, attempt > 1 ? `delivered (attempt ${attempt})` : 'delivered', true);
        return;
      }
      if (err.kind === 'gone') {
        job.onGone?.();
        const n = this.d.store.setNotice(id, { state: 'removed', attempts: attempt, lastError: err.message }, now);
        this.tell(n, `${err.message}; the subscription was removed`, true);
        return;
      }
      const waits = this.d.retrySeconds();
      const wait = err.kind === 'retry' ? waits[attempt - 1] : undefined;
      if (wait === undefined) {
        const n = this.d.store.setNotice(id, { state: 'failed', attempts: attempt, lastError: err.message }, now);
        this.tell(n, `failed${attempt > 1 ? ` after ${attempt} attempts` : ''}: ${err.message}`, true);
        log.warn(`notice #${id} (${n.channel} to ${n.recipient}) failed: ${err.message}`);
        return;
      }
      const n = this.d.store.setNotice(
        id,
        { state: 'retrying', attempts: attempt, lastError: err.message, nextMs: now + wait * 1000 },
        now,
      );
      // the first failure is told in the history; later ones only in the notice's row (and the final outcome)
      if (attempt === 1) this.tell(n, `failed: ${err.message}; retrying in ${wait} s (up to ${waits.length} more attempts)`);
      else this.push(n);
      log.warn(`notice #${id} (${n.channel} to ${n.recipient}) attempt ${attempt} failed: ${err.message}; retrying in ${wait} s`);
      this.schedule(id, job, attempt + 1, wait * 1000);
    } catch (e) {
      // the index closed under us (engine stopping) or a write failed: nothing to tell anyone
      if (!this.stopped) log.error(`notice #${id}: recording its outcome failed`, e);
    }
  }

  private push(n: Notice): void {
    this.d.bus.emit('notify.notice', n);
  }

  /** The notice's step: to consoles, to the alarm's history, and its final outcome to the audit trail. */
  private tell(n: Notice, what: string, final = false): void {
    this.push(n);
    if (n.alarmId === null) return;
    const line = `${CHANNEL_LABEL[n.channel]} to ${n.recipient} (${n.target})${n.level > 1 ? `, level ${n.level}` : ''}: ${what}`;
    try {
      this.d.alarms.noteNotice(n.alarmId, line);
      if (final && n.state !== 'removed') {
        this.d.audit.append({
          actor: 'system',
          action: n.state === 'delivered' ? 'notify.delivered' : 'notify.failed',
          target: `alarm:${n.alarmId}`,
          details: {
            notice: n.id,
            recipient: n.recipient,
            contact: n.contactId,
            channel: n.channel,
            target: n.target,
            level: n.level,
            attempts: n.attempts,
            error: n.lastError,
          },
        });
      }
    } catch (err) {
      log.warn(`alarm #${n.alarmId}: the notice could not be written to its history (${(err as Error).message})`);
    }
  }
}
