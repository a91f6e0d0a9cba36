/**
 * audit.* request handlers, and the audit module: it owns the trail and
 * records, from outside the concerns, every finished call that changes
 * something (hook.ts) and every PTZ action (its bus event). Concerns that
 * must commit an audit record with their own change (the alarms) get the
 * trail itself.
 */
import type { EventBus } from '../bus.js';
import type { ModuleConcern, OnCall } from '../concern.js';
import type { SecuritySetup } from '../config/schema.js';
import { logger } from '../log.js';
import type { EngineModule } from '../module.js';
import type { Db } from '../store/db.js';
import { appendCheckpointFile, AuditCheckpoints, type CheckpointKey, type CheckpointSigner } from './checkpoints.js';
import { auditForCall, auditForPtz } from './hook.js';
import { AuditTrail } from './trail.js';
import { verifyAudit } from './verify.js';
import type { AuditCheckpoint } from '../../api/alarms.js';

const log = logger('audit');
const TICK_MS = 30_000;

export interface AuditDeps {
  /** The durable connection (synchronous=FULL), shared with the alarms so their records commit together. */
  db: Db;
  bus: EventBus;
  /** Hear of every finished API call. */
  onCall: OnCall;
  /** The site key (keys/site-key.ts): signs checkpoints; its public keys, retired ones too, verify them. */
  siteKey?: { signer(): CheckpointSigner; publicKeys(): CheckpointKey[] };
  /** security.* of the config: the checkpoint interval and file. */
  security?: () => Pick<SecuritySetup, 'auditCheckpointMinutes' | 'auditCheckpointFile'>;
}

export class AuditModule implements EngineModule {
  readonly name = 'audit';
  readonly trail: AuditTrail;
  readonly checkpoints: AuditCheckpoints;
  private offs: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastMadeAt = 0;
  private lastFailure = '';

  constructor(private readonly d: AuditDeps) {
    this.trail = new AuditTrail(d.db);
    this.checkpoints = new AuditCheckpoints(d.db);
  }

  start(): void {
    if (this.offs.length) return;
    this.offs.push(
      this.d.onCall((c) => {
        try {
          const rec = auditForCall(c);
          for (const r of Array.isArray(rec) ? rec : rec ? [rec] : []) this.trail.append(r);
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
    if (this.d.siteKey) {
      // Records written while no engine ran (the CLI, a crash before the last checkpoint) are sealed now.
      this.checkpoint('start');
      this.lastMadeAt = Date.now();
      this.timer = setInterval(() => {
        const minutes = this.d.security?.().auditCheckpointMinutes ?? 10;
        if (Date.now() - this.lastMadeAt >= minutes * 60_000) {
          this.lastMadeAt = Date.now();
          this.checkpoint('periodic');
        }
      }, TICK_MS);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const off of this.offs.splice(0)) off();
    // What was recorded since the engine's pre-stop checkpoint (it ran before the integrations stopped).
    if (this.d.siteKey) this.checkpoint('shutdown');
  }

  /**
   * Sign a checkpoint now if the trail grew since the last one, keep it in the
   * index, append it to the checkpoint file and announce it (the integrations
   * publish it). Never throws: a failure is logged (an error when the trail
   * does not verify, which is what an attacker's edit looks like).
   */
  checkpoint(reason: string): AuditCheckpoint | null {
    if (!this.d.siteKey) return null;
    let cp: AuditCheckpoint | null;
    try {
      cp = this.checkpoints.make(this.d.siteKey.signer(), reason);
      this.lastFailure = '';
    } catch (err) {
      const msg = (err as Error).message;
      if (msg !== this.lastFailure) {
        this.lastFailure = msg;
        if (/not signing/.test(msg)) log.error(`audit checkpoint refused: ${msg}`);
        else log.warn(`could not sign an audit checkpoint: ${msg}`);
      }
      return null;
    }
    if (!cp) return null;
    const file = this.d.security?.().auditCheckpointFile ?? null;
    if (file) {
      try {
        appendCheckpointFile(file, cp);
      } catch (err) {
        log.warn(`could not append audit checkpoint #${cp.n} to ${file}: ${(err as Error).message}; it is kept in the index`);
      }
    }
    log.info(`audit checkpoint #${cp.n} signed (${reason}): records 1–${cp.seq}, key ${cp.key.slice(0, 23)}…`);
    this.d.bus.emit('audit.checkpoint', cp);
    return cp;
  }

  /** The chain and every checkpoint in the index. */
  verify() {
    return verifyAudit(this.d.db, { keys: this.d.siteKey?.publicKeys() ?? [], trail: this.trail });
  }
}

export function auditConcern(d: AuditDeps): ModuleConcern<AuditModule> {
  const audit = new AuditModule(d);
  return {
    module: audit,
    handlers: {
      'audit.list': (p) => audit.trail.list(p, p.cursor, p.limit),
      'audit.verify': () => audit.verify(),
    },
  };
}
