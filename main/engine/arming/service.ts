/**
 * Arming modes (Day / Night / Away, or the site's own): which one is in
 * force, switching with the role matrix (guards only to guard-switchable
 * modes), the schedule, MQTT (`gatehouse/arming/set` in, the retained state
 * on `gatehouse/arming/state` out) and the arming webhook. Every switch is
 * one arming_changes row committed with its audit record (who, what, from
 * where) before anyone hears of it. A switch the CLI wrote while the server
 * runs is picked up within half a second (max(id) poll).
 */
import type http from 'node:http';
import { ApiError, roleRank, type Me, type Role } from '../../api/contract.js';
import type { ArmingChange, ArmingMode, ArmingSetup, ArmingStatus } from '../../api/rules.js';
import type { AuditTrail } from '../audit/trail.js';
import type { EventBus } from '../bus.js';
import { armingOf } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { logger } from '../log.js';
import type { EngineModule } from '../module.js';
import type { Db } from '../store/db.js';
import { lastScheduled, nextScheduled } from './schedule.js';
import { ArmingStore, modeTimeline, type Who } from './store.js';

export type { Who } from './store.js';
import { handleArmingWebhook, type WebhookIdentify } from './webhook.js';

const log = logger('arming');
const POLL_MS = 500;

/** What the arming needs of the MQTT link (the integrations module). */
export interface MqttLink {
  /** Handle messages on a topic (kept across reconnects); returns the unsubscribe. */
  subscribe(topic: string, handler: (payload: string) => void): () => void;
  publish(topic: string, payload: string, opts: { retain: boolean }): void;
  /** Run after every (re)connection to the broker. */
  onMqttConnect(fn: () => void): () => void;
}

/** Find a mode by id or name (any case). */
export function findMode(setup: ArmingSetup, ref: string): ArmingMode | undefined {
  const k = ref.trim().toLowerCase();
  return setup.modes.find((m) => m.id === k) ?? setup.modes.find((m) => m.name.toLowerCase() === k);
}

export function modeOf(setup: ArmingSetup, id: string): ArmingMode {
  return setup.modes.find((m) => m.id === id) ?? { id, name: `${id} (no longer defined)`, guardSwitchable: false };
}

/** May this role switch to this mode? Guards: modes marked guard-switchable; supervisors and admins: any. */
export function maySwitch(role: Role | null, mode: ArmingMode): boolean {
  return role === null || roleRank[role] >= roleRank.supervisor || mode.guardSwitchable;
}

/**
 * Switch the mode: check the mode and the role, then commit the row and its audit record in one
 * transaction. Returns null when that mode is already in force (nothing recorded). Used by the server
 * and by `gatehouse arming set` without one.
 */
export function recordSwitch(
  store: ArmingStore,
  audit: AuditTrail,
  setup: ArmingSetup,
  ref: string,
  who: Who,
  nowMs: number,
): { mode: ArmingMode; change: ArmingChange | null } {
  const mode = findMode(setup, ref);
  if (!mode) throw new ApiError('not_found', `no arming mode "${ref}"; the modes are ${setup.modes.map((m) => m.name).join(', ')}`, 'mode');
  if (!maySwitch(who.role, mode)) {
    const allowed = setup.modes.filter((m) => m.guardSwitchable).map((m) => m.name);
    throw new ApiError(
      'forbidden',
      `${mode.name} can be set by a supervisor; guards may switch to ${allowed.length ? allowed.join(', ') : 'no mode'}`,
      'mode',
    );
  }
  return store.db.transaction(() => {
    const previous = store.latest()?.mode ?? setup.initial;
    if (previous === mode.id) return { mode, change: null };
    const change = store.insert({ timeMs: nowMs, mode: mode.id, previous, actor: who.actor, via: who.via, peer: who.peer });
    audit.append({
      actor: who.actor,
      action: 'arming.switch',
      target: `mode:${mode.id}`,
      details: { from: previous, to: mode.id, name: mode.name, via: who.via, peer: who.peer },
      time: nowMs,
    });
    return { mode, change };
  })();
}

export interface ArmingDeps {
  /** The durable connection (synchronous=FULL), shared with the audit trail. */
  db: Db;
  audit: AuditTrail;
  bus: EventBus;
  config: ConfigStore;
  timeZone: () => string;
  /** The MQTT link, once the integrations module exists. */
  mqtt: () => MqttLink | null;
  /** Which webhook integration a bearer token is, and what it may do. */
  identify: () => WebhookIdentify | null;
  now?: () => number;
}

export class ArmingService implements EngineModule {
  readonly name = 'arming';
  readonly store: ArmingStore;
  private now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private seenId = 0;
  private current: ArmingChange | null = null;
  private offMqtt: (() => void) | null = null;
  private mqttTopics = '';
  private offConfig: (() => void) | null = null;
  private offConnect: (() => void) | null = null;
  private lastWarn = '';

  constructor(private readonly d: ArmingDeps) {
    this.store = new ArmingStore(d.db);
    this.now = d.now ?? Date.now;
  }

  setup(): ArmingSetup {
    return armingOf(this.d.config.data);
  }

  /** The mode in force now. */
  mode(): ArmingMode {
    const s = this.setup();
    return modeOf(s, this.current?.mode ?? s.initial);
  }

  /** The mode (id) in force at a time: the live rules use the event's time. */
  modeAt(ms: number): string {
    const s = this.setup();
    if (!this.current) return s.initial;
    if (ms >= Date.parse(this.current.time)) return this.current.mode;
    return this.store.at(ms)?.mode ?? s.initial;
  }

  /** The mode at any time up to `toMs`, for the dry run (one query). */
  timeline(toMs: number): (ms: number) => string {
    return modeTimeline(this.store.upTo(toMs), this.setup().initial);
  }

  status(me: Me | null): ArmingStatus {
    const s = this.setup();
    const c = this.current;
    const next = nextScheduled(s.schedule, this.now(), this.d.timeZone());
    return {
      mode: this.mode(),
      since: c?.time ?? null,
      by: c?.actor ?? null,
      via: c?.via ?? null,
      modes: s.modes,
      allowed: s.modes.filter((m) => maySwitch(me?.role ?? null, m)).map((m) => m.id),
      schedule: s.schedule,
      next: next ? { mode: next.mode, at: new Date(next.atMs).toISOString() } : null,
      mqtt: { ...s.mqtt },
    };
  }

  history(limit: number): ArmingChange[] {
    return this.store.recent(limit);
  }

  /** Switch the mode (console, MQTT, webhook, schedule). Throws not_found / forbidden. */
  switchTo(ref: string, who: Who): ArmingStatus {
    const r = recordSwitch(this.store, this.d.audit, this.setup(), ref, who, this.now());
    if (r.change) this.applied([r.change]);
    return this.status(who.role ? { username: who.actor, role: who.role } : null);
  }

  /** Switches committed (here or by the CLI): remember, log, tell the consoles and MQTT. */
  private applied(changes: ArmingChange[]): void {
    for (const c of changes) {
      if (c.id <= this.seenId) continue;
      this.seenId = c.id;
      this.current = c;
      log.info(`arming mode ${c.previous ?? '?'} → ${c.mode} by ${c.actor} (${c.via}${c.peer ? `, ${c.peer}` : ''})`);
      this.emit(c);
    }
  }

  private emit(change: ArmingChange | null): void {
    const { allowed: _allowed, ...status } = this.status(null);
    void _allowed;
    this.d.bus.emit('arming.changed', { status, change });
    this.publishState();
  }

  private publishState(): void {
    const s = this.setup();
    const link = this.d.mqtt();
    if (!link || !s.mqtt.enabled) return;
    const m = this.mode();
    const c = this.current;
    link.publish(
      s.mqtt.stateTopic,
      JSON.stringify({ mode: m.id, name: m.name, since: c?.time ?? null, by: c?.actor ?? null, via: c?.via ?? null }),
      { retain: true },
    );
  }

  /** A mode name (or {"mode": "..."}) on the set topic. */
  private onMqtt(topic: string, payload: string): void {
    let ref = payload.trim();
    if (ref.startsWith('{')) {
      try {
        const j = JSON.parse(ref) as { mode?: unknown };
        ref = typeof j.mode === 'string' ? j.mode : '';
      } catch {
        ref = '';
      }
    }
    if (!ref) {
      log.warn(
        `ignored a message on ${topic}: send a mode name (${this.setup()
          .modes.map((m) => m.name)
          .join(', ')}) or {"mode":"Night"}`,
      );
      return;
    }
    try {
      this.switchTo(ref, { actor: 'mqtt', role: null, via: 'mqtt', peer: topic });
    } catch (err) {
      log.warn(`ignored a message on ${topic}: ${(err as Error).message}`);
    }
  }

  private linkMqtt(): void {
    const s = this.setup();
    const key = s.mqtt.enabled ? `${s.mqtt.setTopic}|${s.mqtt.stateTopic}` : '';
    if (key === this.mqttTopics) return;
    this.offMqtt?.();
    this.offMqtt = null;
    this.mqttTopics = key;
    const link = this.d.mqtt();
    if (!link || !s.mqtt.enabled) return;
    const topic = s.mqtt.setTopic;
    this.offMqtt = link.subscribe(topic, (payload) => this.onMqtt(topic, payload));
    this.publishState();
  }

  /** The switch the schedule asks for: its latest time passed after the last switch. */
  private checkSchedule(): void {
    const s = this.setup();
    if (!s.schedule.length) return;
    const now = this.now();
    const due = lastScheduled(s.schedule, now, this.d.timeZone());
    if (!due) return;
    const lastMs = this.current ? Date.parse(this.current.time) : -Infinity;
    if (due.atMs <= lastMs || (this.current?.mode ?? s.initial) === due.mode) return;
    try {
      this.switchTo(due.mode, { actor: 'schedule', role: null, via: 'schedule', peer: `${due.entry.at} on ${due.entry.days.join(',')}` });
    } catch (err) {
      const msg = `scheduled switch to "${due.mode}" failed: ${(err as Error).message}`;
      if (msg !== this.lastWarn) log.warn(msg);
      this.lastWarn = msg;
    }
  }

  private tick(): void {
    try {
      if (this.store.maxId() > this.seenId) this.applied(this.store.after(this.seenId));
      this.checkSchedule();
    } catch (err) {
      const msg = (err as Error).message;
      if (msg !== this.lastWarn) log.error(`arming check failed: ${msg}`);
      this.lastWarn = msg;
    }
  }

  start(): void {
    if (this.timer) return;
    this.current = this.store.latest();
    this.seenId = this.current?.id ?? 0;
    this.linkMqtt();
    this.offConnect = this.d.mqtt()?.onMqttConnect(() => this.publishState()) ?? null;
    let setupKey = JSON.stringify(this.setup());
    this.offConfig = this.d.config.onChange(() => {
      const key = JSON.stringify(this.setup());
      if (key === setupKey) return;
      setupKey = key;
      this.linkMqtt();
      this.emit(null);
    });
    this.checkSchedule();
    this.timer = setInterval(() => this.tick(), POLL_MS);
    this.timer.unref();
    log.info(`arming mode: ${this.mode().name}`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.offConfig?.();
    this.offConfig = null;
    this.offMqtt?.();
    this.offMqtt = null;
    this.offConnect?.();
    this.offConnect = null;
    this.mqttTopics = '';
  }

  /** `POST /api/webhook/arming` (bearer token of a webhook integration with the "arming" scope). */
  handleWebhook(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    return handleArmingWebhook(req, res, {
      identify: () => this.d.identify(),
      switchTo: (ref, who) => this.switchTo(ref, who),
      modes: () => this.setup().modes,
    });
  }
}
