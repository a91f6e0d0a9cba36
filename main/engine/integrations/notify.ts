/**
 * Outbound notices: POST a JSON body to each URL in alarmSetup.notify for
 * the events it asks for (escalations by default), so a supervisor's pager
 * or chat bridge hears about an alarm nobody acknowledged; and, to targets
 * that ask for "checkpoint", each signed audit checkpoint. Retries with
 * back-off; never blocks the alarm path.
 */
import type { Alarm, AlarmSetup } from '../../api/alarms.js';
import type { EventBus } from '../bus.js';
import { logger, redact } from '../log.js';
import { alarmPayload } from './mqtt.js';

const log = logger('notify');
const TIMEOUT_MS = 5000;
const RETRIES = [1000, 5000, 20000];

export interface NotifyDeps {
  bus: EventBus;
  setup: () => AlarmSetup;
  fetchImpl?: typeof fetch;
}

export class Notifier {
  private offs: (() => void)[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  sent = 0;
  failed = 0;

  constructor(private readonly d: NotifyDeps) {}

  start(): void {
    this.stopped = false;
    this.offs = [
      this.d.bus.on('alarm.raised', (a) => this.fire('raised', a, {})),
      this.d.bus.on('alarm.escalated', ({ alarm, level, reason, by }) => this.fire('escalated', alarm, { level, reason, by })),
      this.d.bus.on('alarm.changed', ({ alarm, entry }) => {
        if (entry?.kind === 'transition' && entry.to === 'closed') this.fire('closed', alarm, { by: entry.user, reason: alarm.closeReason });
      }),
      // Signed audit checkpoints, to targets that ask for "checkpoint": an archive off this machine.
      this.d.bus.on('audit.checkpoint', (cp) => {
        const targets = this.d.setup().notify.filter((n) => n.events.includes('checkpoint'));
        const body = JSON.stringify({ event: 'checkpoint', sender: 'gatehouse', checkpoint: cp });
        for (const t of targets) void this.post(t.url, t.token, body, 0);
      }),
    ];
  }

  stop(): void {
    this.stopped = true;
    for (const o of this.offs) o();
    this.offs = [];
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private fire(event: 'raised' | 'escalated' | 'closed', a: Alarm, extra: Record<string, unknown>): void {
    const targets = this.d.setup().notify.filter((n) => n.events.includes(event));
    if (!targets.length) return;
    const body = JSON.stringify({ ...alarmPayload(event, a, extra), sender: 'gatehouse' });
    for (const t of targets) void this.post(t.url, t.token, body, 0);
  }

  /** POST a notice that is not an alarm change (a rule's webhook action) to a configured URL, with its token and retries. */
  send(url: string, body: Record<string, unknown>): boolean {
    const target = this.d.setup().notify.find((n) => n.url === url);
    if (!target) return false;
    void this.post(url, target.token, JSON.stringify({ ...body, sender: 'gatehouse' }), 0);
    return true;
  }

  private async post(url: string, token: string | null, body: string, attempt: number): Promise<void> {
    if (this.stopped) return;
    const f = this.d.fetchImpl ?? fetch;
    try {
      const res = await f(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'gatehouse', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.sent++;
    } catch (err) {
      const delay = RETRIES[attempt];
      if (delay === undefined || this.stopped) {
        this.failed++;
        log.error(`notice to ${redact(url)} failed after ${attempt + 1} attempts: ${(err as Error).message}`);
        return;
      }
      log.warn(`notice to ${redact(url)} failed (${(err as Error).message}); retrying in ${delay / 1000} s`);
      const t = setTimeout(() => {
        this.timers.delete(t);
        void this.post(url, token, body, attempt + 1);
      }, delay);
      t.unref();
      this.timers.add(t);
    }
  }
}
