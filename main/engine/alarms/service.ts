/**
 * The alarm service: turns source events into alarms through the rules,
 * coalesces repeats, runs the life cycle, claims and escalation. Each change
 * and its audit record are committed in one transaction before any console
 * hears of it (persist before you show).
 */
import { PRIORITIES, type Alarm, type AlarmAction, type AlarmEntry, type AlarmSetup, type Priority } from '../../api/alarms.js';
import { ApiError, roleRank, type Me } from '../../api/contract.js';
import type { AlarmActionSpec, Rule } from '../../api/rules.js';
import type { EventBus } from '../bus.js';
import { logger } from '../log.js';
import type { AuditTrail } from '../audit/trail.js';
import { DEFAULT_SOPS } from '../rules/defaults.js';
import { actionOutcome, alarmActionOf, coalesceKey, decide, type MatchContext } from '../rules/match.js';
import { triggerOf, type TriggerEvent } from '../rules/trigger.js';
import type { AlarmIntake, IngestResult, SourceEvent } from './intake.js';
import { ACTION_ROLE, TRANSITIONS, transition } from './state-machine.js';
import type { AlarmStore, EntryInput } from './store.js';

const log = logger('alarms');

/** Escalations stop adding levels after this many. */
export const MAX_ESCALATION = 3;
/** Repeat counts reach consoles at most this often per alarm. */
const COUNT_PUSH_MS = 250;

/** A rule decided an event: what the rules module's actions (bookmark, MQTT, relay, ...) hear of, after the commit. */
export interface RuleMatch {
  rule: Rule;
  trigger: TriggerEvent;
  event: SourceEvent;
  result: IngestResult;
}

export interface AlarmServiceDeps {
  store: AlarmStore;
  audit: AuditTrail;
  bus: EventBus;
  /** The rules in the order they are tried (the site's, else the built-in ones). */
  rules: () => readonly Rule[];
  setup: () => AlarmSetup;
  /** The time zone of schedules and the arming mode at a time. */
  match: () => MatchContext;
  /** A rule decided an event (raised, counted, logged or dropped it). */
  onMatch?: (m: RuleMatch) => void;
  now?: () => number;
}

export class AlarmService implements AlarmIntake {
  private now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private pendingPush = new Map<number, NodeJS.Timeout>();

  constructor(private readonly d: AlarmServiceDeps) {
    this.now = d.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.escalateDue(), 1000);
    this.timer.unref();
    this.escalateDue();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const t of this.pendingPush.values()) clearTimeout(t);
    this.pendingPush.clear();
  }

  private tx<T>(fn: () => T): T {
    return this.d.store.db.transaction(fn)();
  }

  private ackDue(action: AlarmActionSpec, priority: Priority, fromMs: number): number | null {
    const secs = action.ackSeconds !== undefined ? action.ackSeconds : PRIORITIES[priority].ackSeconds;
    return secs === null ? null : fromMs + secs * 1000;
  }

  /**
   * A source event through the rules (the first enabled rule whose trigger and conditions match decides):
   * raise, count a repeat, resolve, log or ignore. The rule's other actions run after the commit (onMatch).
   */
  ingest(ev: SourceEvent, user = 'system', comment: string | null = null): IngestResult {
    const trigger = triggerOf(ev);
    const rules = this.d.rules();
    if (ev.clears) return { outcome: 'resolved', alarm: this.resolve(ev.sourceKey ?? `${ev.type}:${ev.source}`, ev.time, rules) };
    const rule = decide(rules, trigger, this.d.match());
    if (!rule) return { outcome: 'ignored', ruleId: null };
    const result = this.apply(rule, trigger, ev, user, comment);
    if (this.d.onMatch) {
      try {
        this.d.onMatch({ rule, trigger, event: ev, result });
      } catch (err) {
        log.error(`rule ${rule.id}: its actions failed to start`, err);
      }
    }
    return result;
  }

  private apply(rule: Rule, trigger: TriggerEvent, ev: SourceEvent, user: string, comment: string | null): IngestResult {
    const what = actionOutcome(rule);
    if (what !== 'alarm') return { outcome: what, ruleId: rule.id };
    const action = alarmActionOf(rule)!;
    const sourceKey = coalesceKey(rule, action, trigger, ev);
    const window = action.coalesceSeconds * 1000;
    if (window > 0) {
      const open = this.d.store.openForSource(sourceKey, ev.time - window);
      if (open) {
        const alarm = this.d.store.bump(open.id, 1, ev.time);
        this.pushCount(alarm);
        return { outcome: 'coalesced', alarm };
      }
    }
    const cameraIds = [...new Set([...ev.cameraIds, ...action.cameraIds])];
    const priority = action.priority as Priority;
    const sop = action.sop ?? this.d.setup().sops?.[ev.type] ?? DEFAULT_SOPS[ev.type];
    const title = action.title ?? ev.title;
    const { alarm, entry } = this.tx(() => {
      const r = this.d.store.insert({
        type: ev.type,
        title,
        priority,
        source: ev.source,
        sourceKey,
        cameraIds,
        zone: ev.zone,
        ruleId: rule.id,
        time: ev.time,
        ackDueMs: this.ackDue(action, priority, this.now()),
        sop,
        details: ev.details ?? {},
        user,
        comment,
      });
      this.d.audit.append({
        actor: user,
        action: 'alarm.raised',
        target: `alarm:${r.alarm.id}`,
        details: { type: ev.type, priority, source: ev.source, rule: rule.id, cameras: cameraIds, comment },
        time: ev.time,
      });
      return r;
    });
    log.info(`alarm #${alarm.id} P${priority} ${alarm.title}`);
    this.d.bus.emit('alarm.raised', alarm);
    void entry;
    return { outcome: 'raised', alarm };
  }

  /** Repeat counts are committed at once but pushed to consoles at most every 250 ms. */
  private pushCount(a: Alarm): void {
    if (this.pendingPush.has(a.id)) return;
    const t = setTimeout(() => {
      this.pendingPush.delete(a.id);
      const cur = this.d.store.get(a.id);
      if (cur) this.d.bus.emit('alarm.changed', { alarm: cur, entry: null });
    }, COUNT_PUSH_MS);
    t.unref();
    this.pendingPush.set(a.id, t);
  }

  /** The source cleared: mark its open alarm resolved (closing it if its rule says so and nobody took it yet). */
  private resolve(sourceKey: string, timeMs: number, rules: readonly Rule[]): Alarm | null {
    const open = this.d.store.openAnyForSource(sourceKey);
    if (!open || open.resolvedAt) return open;
    const rule = rules.find((r) => r.id === open.ruleId);
    const autoClose = !!(rule && alarmActionOf(rule)?.autoClose) && open.state === 'new';
    const r = this.tx(() => {
      const res = this.d.store.update(
        open.id,
        autoClose
          ? { resolved_ms: timeMs, state: 'closed', closed_ms: timeMs, close_reason: 'cleared by itself before anyone acknowledged it', ack_due_ms: null }
          : { resolved_ms: timeMs },
        autoClose
          ? { kind: 'transition', action: 'close', from: open.state, to: 'closed', user: 'system', time: timeMs, comment: 'source cleared; closed by rule' }
          : { kind: 'resolved', user: 'system', time: timeMs, comment: 'source cleared' },
      );
      this.d.audit.append({ actor: 'system', action: autoClose ? 'alarm.close' : 'alarm.resolved', target: `alarm:${open.id}`, details: { sourceKey }, time: timeMs });
      return res;
    });
    this.d.bus.emit('alarm.changed', r);
    return r.alarm;
  }

  private checkClaim(a: Alarm, me: Me): void {
    if (a.claimedBy && a.claimedBy !== me.username) {
      const how = roleRank[me.role] >= roleRank.supervisor ? 'take it over first (T)' : 'ask a supervisor to take it over';
      throw new ApiError('conflict', `alarm #${a.id} is being handled by ${a.claimedBy}; ${how}`);
    }
  }

  private commit(a: Alarm, set: Parameters<AlarmStore['update']>[1], entry: EntryInput, audit: { action: string; details: Record<string, unknown> }): { alarm: Alarm; entry: AlarmEntry | null } {
    const r = this.tx(() => {
      const res = this.d.store.update(a.id, set, entry, { state: a.state });
      this.d.audit.append({ actor: entry.user, action: audit.action, target: `alarm:${a.id}`, details: audit.details, time: entry.time });
      return res;
    });
    this.d.bus.emit('alarm.changed', r);
    return r;
  }

  /** Move an alarm through its life cycle. */
  act(id: number, action: AlarmAction, me: Me, input: { comment?: string; reason?: string } = {}): Alarm {
    const a = this.d.store.mustGet(id);
    if (roleRank[me.role] < roleRank[ACTION_ROLE[action]]) {
      throw new ApiError('forbidden', `${action} needs the ${ACTION_ROLE[action]} role; you are ${me.role}`);
    }
    if (action !== 'reopen') this.checkClaim(a, me);
    const t = transition(a.state, action, { reason: input.reason });
    if (!t.ok) throw new ApiError(TRANSITIONS[a.state][action] === null ? 'conflict' : 'bad_request', `alarm #${id}: ${t.message}`, TRANSITIONS[a.state][action] === null ? undefined : 'reason');
    const now = this.now();
    const set: Parameters<AlarmStore['update']>[1] = { state: t.to };
    if (action === 'acknowledge') {
      set.ack_due_ms = null;
      if (!a.claimedBy) set.claimed_by = me.username;
    } else if (action === 'close') {
      set.closed_ms = now;
      set.close_reason = input.reason!.trim();
      set.ack_due_ms = null;
    } else if (action === 'reopen') {
      set.closed_ms = null;
      set.close_reason = null;
      set.claimed_by = me.username;
    } else if (!a.claimedBy) {
      set.claimed_by = me.username;
    }
    const comment = [action === 'close' || action === 'reopen' ? input.reason?.trim() : undefined, input.comment?.trim()].filter(Boolean).join(' — ') || null;
    return this.commit(
      a,
      set,
      { kind: 'transition', action, from: a.state, to: t.to, user: me.username, time: now, comment },
      { action: `alarm.${action}`, details: { from: a.state, to: t.to, comment: input.comment ?? null, reason: input.reason ?? null } },
    ).alarm;
  }

  comment(id: number, me: Me, text: string): Alarm {
    const a = this.d.store.mustGet(id);
    const now = this.now();
    return this.commit(a, {}, { kind: 'comment', user: me.username, time: now, comment: text.trim() }, { action: 'alarm.comment', details: { comment: text.trim() } }).alarm;
  }

  claim(id: number, me: Me, takeover = false): Alarm {
    const a = this.d.store.mustGet(id);
    if (a.state === 'closed') throw new ApiError('conflict', `alarm #${id} is closed; a supervisor can reopen it`);
    if (a.claimedBy === me.username) return a;
    const now = this.now();
    if (a.claimedBy) {
      if (!takeover) this.checkClaim(a, me);
      if (roleRank[me.role] < roleRank.supervisor) {
        throw new ApiError('forbidden', `only a supervisor can take alarm #${id} over from ${a.claimedBy}`);
      }
      return this.commit(
        a,
        { claimed_by: me.username },
        { kind: 'takeover', user: me.username, time: now, comment: `taken over from ${a.claimedBy}` },
        { action: 'alarm.takeover', details: { from: a.claimedBy } },
      ).alarm;
    }
    return this.commit(a, { claimed_by: me.username }, { kind: 'claim', user: me.username, time: now }, { action: 'alarm.claim', details: {} }).alarm;
  }

  release(id: number, me: Me): Alarm {
    const a = this.d.store.mustGet(id);
    if (!a.claimedBy) return a;
    if (a.claimedBy !== me.username && roleRank[me.role] < roleRank.supervisor) {
      throw new ApiError('forbidden', `alarm #${id} is ${a.claimedBy}'s; only they or a supervisor can release it`);
    }
    return this.commit(a, { claimed_by: null }, { kind: 'release', user: me.username, time: this.now() }, { action: 'alarm.release', details: { from: a.claimedBy } }).alarm;
  }

  /** Escalate: by hand (E) or when the acknowledgement time ran out. */
  escalate(id: number, by: Me | null, comment: string | null = null): Alarm {
    const a = this.d.store.mustGet(id);
    if (a.state === 'closed') throw new ApiError('conflict', `alarm #${id} is closed; there is nothing to escalate`);
    const now = this.now();
    const level = a.escalation + 1;
    const user = by?.username ?? 'system';
    let nextDue: number | null = null;
    if (!by && a.state === 'new' && level < MAX_ESCALATION) {
      const secs = PRIORITIES[a.priority].ackSeconds;
      nextDue = secs === null ? null : now + secs * 1000;
    }
    const set: Parameters<AlarmStore['update']>[1] = { escalation: level };
    if (!by) set.ack_due_ms = nextDue;
    const r = this.commit(
      a,
      set,
      { kind: 'escalated', user, time: now, comment: comment ?? (by ? `escalated to supervisors` : `not acknowledged in time: escalated to level ${level}`) },
      { action: 'alarm.escalated', details: { level, reason: by ? 'manual' : 'timeout', comment } },
    );
    log.warn(`alarm #${id} escalated to level ${level} (${by ? `by ${user}` : 'not acknowledged in time'})`);
    this.d.bus.emit('alarm.escalated', { alarm: r.alarm, level, reason: by ? 'manual' : 'timeout', by: user });
    return r.alarm;
  }

  /** Escalate every unacknowledged alarm whose time has come. */
  escalateDue(): number {
    let n = 0;
    try {
      for (const a of this.d.store.due(this.now())) {
        try {
          this.escalate(a.id, null);
          n++;
        } catch (err) {
          if (!(err instanceof ApiError)) this.logThrottled(`escalating alarm #${a.id} failed`, err);
        }
      }
    } catch (err) {
      this.logThrottled('escalation check failed; retrying every second', err);
    }
    return n;
  }

  private lastLogged = new Map<string, number>();
  /** The same failure (a full disk, say) is logged once a minute, not every second. */
  private logThrottled(msg: string, err: unknown): void {
    const key = `${msg}|${(err as Error)?.message ?? String(err)}`;
    const now = Date.now();
    if (now - (this.lastLogged.get(key) ?? 0) < 60_000) return;
    this.lastLogged.set(key, now);
    if (this.lastLogged.size > 100) this.lastLogged.clear();
    log.error(msg, err);
  }

  mute(me: Me, seconds: number): { until: string } {
    const until = new Date(this.now() + seconds * 1000).toISOString();
    this.d.audit.append({ actor: me.username, action: 'alarms.mute', target: null, details: { seconds, until } });
    log.info(`${me.username} muted alarm sounds for ${seconds} s`);
    return { until };
  }
}
