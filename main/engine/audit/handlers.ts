/**
 * audit.* request handlers, and the audit module: it owns the trail and
 * records, from outside the concerns, every finished call that changes
 * something (hook.ts) and every PTZ action (its bus event). Concerns that
 * must commit an audit record with their own change (the alarms) get the
 * trail itself.
 */
import type { EventBus } from '../bus.js';
import type { ModuleConcern, OnCall } from '../concern.js';
import { logger } from '../log.js';
import type { EngineModule } from '../module.js';
import type { Db } from '../store/db.js';
import { auditForCall, auditForPtz } from './hook.js';
import { AuditTrail } from './trail.js';

const log = logger('audit');

export interface AuditDeps {
  /** The durable connection (synchronous=FULL), shared with the alarms so their records commit together. */
  db: Db;
  bus: EventBus;
  /** Hear of every finished API call. */
  onCall: OnCall;
}

export class AuditModule implements EngineModule {
  readonly name = 'audit';
  readonly trail: AuditTrail;
  private offs: (() => void)[] = [];

  constructor(private readonly d: AuditDeps) {
    this.trail = new AuditTrail(d.db);
  }

  start(): void {
    if (this.offs.length) return;
    this.offs.push(
      this.d.onCall((c) => {
        try {
          const rec = auditForCall(c);
          if (rec) this.trail.append(rec);
        } catch (err) {
          log.error(`could not audit ${c.method}`, err);
        }
      }),
      this.d.bus.on('ptz.action', (e) => {
        try {
          this.trail.append(auditForPtz(e));
        } catch (err) {
          log.error('could not audit a PTZ action', err);
        }
      }),
    );
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }
}

export function auditConcern(d: AuditDeps): ModuleConcern<AuditModule> {
  const audit = new AuditModule(d);
  return {
    module: audit,
    handlers: {
      'audit.list': (p) => audit.trail.list(p, p.cursor, p.limit),
      'audit.verify': () => audit.trail.verify(),
    },
  };
}
