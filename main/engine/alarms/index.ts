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
import type { AlarmSetup } from '../../api/alarms.js';
import type { AuditTrail } from '../audit/trail.js';
import type { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import { alarmSetupOf, rulesOf, settingsOf } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { logger } from '../log.js';
import type { EngineModule } from '../module.js';
import type { Db } from '../store/db.js';
import { zoneOrSystem } from '../util/time-zone.js';
import type { AlarmIntake, IngestResult, SourceEvent } from './intake.js';
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

export class AlarmsModule implements EngineModule, AlarmIntake {
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

  start(): void {
    if (this.offSources) return;
    this.offSources = attachSources({
      bus: this.d.bus,
      cameras: this.d.cameras,
      ingest: (ev) => void this.service.ingest(ev),
      clockSkewSeconds: () => this.setup().clockSkewSeconds,
    });
    this.service.start();
    log.info(`alarms ready: ${this.store.queue().length} open alarm(s)`);
  }

  stop(): void {
    if (!this.offSources) return;
    this.offSources();
    this.offSources = null;
    this.service.stop();
  }
}
