/**
 * The alarms module: the alarm store and service (rules, life cycle,
 * escalation) and the engine's own alarm sources (camera health, storage,
 * ONVIF, detection, clock skew), with one start and stop.
 *
 * It writes through the engine's durable connection (synchronous=FULL), the
 * one the audit trail uses too, so an alarm change and its audit record are
 * committed together and survive even a power cut. Sensors and other
 * integrations come in through `ingest()` (the AlarmIntake of intake.ts).
 */
import type { Alarm, AlarmSetup } from '../../api/alarms.js';
import type { Me } from '../../api/contract.js';
import type { AuditTrail } from '../audit/trail.js';
import type { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import { alarmSetupOf, rulesOf, settingsOf } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { logger } from '../log.js';
import { WriteQueue } from '../store/write-queue.js';
import type { EngineModule } from '../module.js';
import type { Db } from '../store/db.js';
import { zoneOrSystem } from '../util/time-zone.js';
import type { AlarmIntake, IngestResult, SourceEvent } from './intake.js';
import type { AlarmNotifyPort } from './notify-port.js';
import { AlarmService, type RuleMatch } from './service.js';
import { attachSources } from './sources.js';
import { AlarmStore } from './store.js';

const log = logger('alarms');

export interface AlarmsDeps {
  /** The durable connection (synchronous=FULL), shared with the audit trail. */
  db: Db;
  audit: AuditTrail;
  bus: EventBus;
  config: ConfigStore;
  cameras: CameraRegistry;
  /** The arming mode (id) in force at a time, for rules that name modes. */
  modeAt: (ms: number) => string;
  /** A rule decided an event: the rules module runs its other actions. */
  onMatch?: (m: RuleMatch) => void;
}

export class AlarmsModule implements EngineModule, AlarmIntake, AlarmNotifyPort {
  readonly name = 'alarms';
  readonly store: AlarmStore;
  readonly service: AlarmService;
  readonly audit: AuditTrail;
  private offSources: (() => void) | null = null;

  constructor(private readonly d: AlarmsDeps) {
    this.audit = d.audit;
    this.store = new AlarmStore(d.db, () => this.setup());
    this.service = new AlarmService({
      store: this.store,
      audit: d.audit,
      bus: d.bus,
      rules: () => rulesOf(d.config.data),
      setup: () => this.setup(),
      match: () => ({ timeZone: this.timeZone(), modeAt: d.modeAt }),
      onMatch: d.onMatch,
    });
  }

  setup(): AlarmSetup {
    return alarmSetupOf(this.d.config.data);
  }

  timeZone(): string {
    return zoneOrSystem(settingsOf(this.d.config.data).timeZone);
  }

  ingest(ev: SourceEvent): IngestResult {
    return this.service.ingest(ev);
  }

  get(id: number): Alarm | null {
    return this.store.get(id);
  }

  unacknowledged(): Alarm[] {
    return this.store.queue().filter((a) => a.state === 'new');
  }

  acknowledge(id: number, me: Me, comment: string): Alarm {
    return this.service.act(id, 'acknowledge', me, { comment });
  }

  noteNotice(id: number, comment: string, timeMs = Date.now()): void {
    const r = this.store.update(id, {}, { kind: 'notice', user: 'system', time: timeMs, comment });
    this.d.bus.emit('alarm.changed', r);
  }

  start(): void {
    if (this.offSources) return;
    this.offSources = attachSources({
      bus: this.d.bus,
      cameras: this.d.cameras,
      ingest: (ev) => this.ingestOrDefer(ev),
      clockSkewSeconds: () => this.setup().clockSkewSeconds,
    });
    this.service.start();
    log.info(`alarms ready: ${this.store.queue().length} open alarm(s)`);
  }

  stop(): void {
    if (!this.offSources) return;
    this.offSources();
    this.offSources = null;
    const { left, labels, why } = this.waiting.dispose();
    if (left) log.error(`${left} alarm source event(s) could not be written before the stop (${why}): ${labels.join('; ')}`);
    this.service.stop();
  }

  /** Source events (camera health, storage …) waiting for room on the disk or for a busy index: written, in order, as soon as a write works again. */
  private readonly waiting = new WriteQueue({ log, what: 'alarm source events', retryFullDisk: true, max: 1000 });

  /**
   * The engine's own sources have no one to redeliver them (unlike MQTT, which is acknowledged only after the
   * commit): an alarm that cannot be written because the disk is full (the very moment a "disk full" alarm
   * matters) or the index is busy is kept in memory, bounded, and written as soon as a write works again.
   * Persist before show still holds: consoles see it once it is committed.
   */
  private ingestOrDefer(ev: SourceEvent): void {
    this.waiting.run(() => this.service.ingest(ev), undefined, `"${ev.title}"`);
  }
}
