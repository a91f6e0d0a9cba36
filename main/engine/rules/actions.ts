/**
 * A rule's actions besides the alarm (which the alarm intake raises and
 * commits itself): bookmark the moment, publish on MQTT, POST to a
 * configured notice URL, drive an ONVIF relay (optionally a pulse), move a
 * PTZ camera to a preset, or write a log line. They run after the event
 * and its alarm are committed, never block the intake, and a failure is
 * logged (once a minute per rule and action) without stopping the others.
 * A repeat counted on an open alarm does not repeat them.
 */
import type { Me } from '../../api/contract.js';
import type { RuleAction } from '../../api/rules.js';
import type { RuleMatch } from '../alarms/service.js';
import { logger } from '../log.js';
import { describeTrigger } from './trigger.js';

const log = logger('rules');

/** What the actions reach (each a port onto another concern, wired by the engine). */
export interface ActionPorts {
  bookmark(me: Me, p: { cameraIds: string[]; time: string; note: string }): void;
  publish(topic: string, payload: string, retain: boolean): boolean;
  notice(url: string, body: Record<string, unknown>): boolean;
  relay(me: Me, cameraId: string, token: string, active: boolean): Promise<void>;
  ptz(me: Me, cameraId: string, preset: string): Promise<void>;
}

/** The JSON a rule's MQTT and webhook actions send. */
export function matchPayload(m: RuleMatch): Record<string, unknown> {
  const alarm = m.result.outcome === 'raised' || m.result.outcome === 'coalesced' ? m.result.alarm : null;
  return {
    event: 'rule',
    rule: { id: m.rule.id, name: m.rule.name },
    outcome: m.result.outcome,
    time: new Date(m.event.time).toISOString(),
    type: m.event.type,
    title: m.event.title,
    what: describeTrigger(m.trigger),
    cameraIds: m.event.cameraIds,
    zone: m.event.zone,
    objectEventId: m.trigger.objectEventId,
    alarm: alarm ? { id: alarm.id, priority: alarm.priority, state: alarm.state, count: alarm.count } : null,
  };
}

export class ActionRunner {
  private lastLogged = new Map<string, number>();
  private timers = new Set<NodeJS.Timeout>();

  constructor(private readonly ports: () => ActionPorts | null) {}

  private warn(key: string, msg: string): void {
    const now = Date.now();
    if (now - (this.lastLogged.get(key) ?? 0) < 60_000) return;
    this.lastLogged.set(key, now);
    if (this.lastLogged.size > 500) this.lastLogged.clear();
    log.warn(msg);
  }

  run(m: RuleMatch): void {
    if (m.result.outcome === 'coalesced' || m.result.outcome === 'resolved') return;
    const ports = this.ports();
    m.rule.actions.forEach((a, i) => {
      if (a.type === 'alarm' || a.type === 'ignore') return;
      if (a.type === 'log') {
        // the event is kept in its own log (events, sensor messages); the built-in log-only rules see every
        // ONVIF motion and badge read, so this line is for debugging only
        log.debug(`rule "${m.rule.name}": ${describeTrigger(m.trigger)} at ${new Date(m.event.time).toISOString()} (log only)`);
        return;
      }
      if (!ports) return this.warn(`${m.rule.id}:${i}`, `rule ${m.rule.id}: ${a.type} action skipped, the engine is not fully started`);
      try {
        this.one(m, a, i, ports);
      } catch (err) {
        this.warn(`${m.rule.id}:${i}`, `rule ${m.rule.id}: ${a.type} action failed: ${(err as Error).message}`);
      }
    });
  }

  private one(m: RuleMatch, a: RuleAction, i: number, ports: ActionPorts): void {
    const me: Me = { username: `rule:${m.rule.id}`, role: 'admin' };
    const key = `${m.rule.id}:${i}`;
    const fail = (err: unknown) => this.warn(key, `rule ${m.rule.id}: ${a.type} action failed: ${(err as Error).message}`);
    switch (a.type) {
      case 'bookmark': {
        if (!m.event.cameraIds.length)
          return this.warn(
            key,
            `rule ${m.rule.id}: no camera to bookmark for ${m.event.type} from ${m.event.source} (map the sensor or door to a camera)`,
          );
        ports.bookmark(me, {
          cameraIds: m.event.cameraIds,
          time: new Date(Math.min(m.event.time, Date.now())).toISOString(),
          note: a.note ?? `${m.rule.name}: ${m.event.title}`,
        });
        return;
      }
      case 'mqtt':
        if (!ports.publish(a.topic, JSON.stringify(matchPayload(m)), a.retain))
          this.warn(key, `rule ${m.rule.id}: no MQTT broker configured; nothing published on ${a.topic}`);
        return;
      case 'webhook':
        if (!ports.notice(a.url, matchPayload(m)))
          this.warn(key, `rule ${m.rule.id}: ${a.url} is no longer a notice URL of the alarm setup`);
        return;
      case 'relay': {
        ports.relay(me, a.cameraId, a.token, a.active).then(() => {
          if (!a.seconds) return;
          const t = setTimeout(() => {
            this.timers.delete(t);
            ports.relay(me, a.cameraId, a.token, !a.active).catch(fail);
          }, a.seconds * 1000);
          t.unref();
          this.timers.add(t);
        }, fail);
        return;
      }
      case 'ptz':
        ports.ptz(me, a.cameraId, a.preset).catch(fail);
        return;
      default:
        return;
    }
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
