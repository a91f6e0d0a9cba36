/**
 * The alarms module: alarm service, sources, sensor integrations (MQTT,
 * webhook, outbound notices) and the audit trail, with one start and stop.
 *
 * It writes through its own SQLite connection with synchronous=FULL, so an
 * alarm, an acknowledgement or an audit record that was committed survives
 * even a power cut, not only a crash.
 */
import type http from 'node:http';
import { AlarmSetup, type AlarmRule, type IntegrationStatus } from '../../api/alarms.js';
import type { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import type { ConfigFile } from '../config/schema.js';
import { settingsOf } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { logger } from '../log.js';
import type { EngineModule } from '../module.js';
import type { DataPaths } from '../paths.js';
import { openIndex, type Db } from '../store/db.js';
import { auditForCall, auditForPtz, type CallInfo } from '../audit/hook.js';
import { AuditTrail } from '../audit/trail.js';
import { MqttBridge, validateBrokerUrl } from '../integrations/mqtt.js';
import { Notifier } from '../integrations/notify.js';
import { SensorIngest } from '../integrations/sensors.js';
import { SensorWebhook } from '../integrations/webhook.js';
import { AlarmService } from './service.js';
import { attachSources } from './sources.js';
import { AlarmStore } from './store.js';

const log = logger('alarms');

export interface AlarmsDeps {
  paths: DataPaths;
  bus: EventBus;
  config: ConfigStore;
  cameras: CameraRegistry;
  /** `gatehouse serve --mqtt URL`; else alarmSetup.mqtt.url from the config. */
  mqttUrl?: string | null;
  /** Register for every finished API call (the audit trail records the mutations). */
  onCall: (fn: (c: CallInfo) => void) => () => void;
}

const setupCache = new WeakMap<object, AlarmSetup>();
const NO_SETUP = {};
/** The alarm setup of a config, with defaults filled in (parsed once per config object). */
export function alarmSetupOf(cfg: ConfigFile): AlarmSetup {
  const raw = cfg.alarmSetup ?? NO_SETUP;
  let s = setupCache.get(raw as object);
  if (!s) {
    s = AlarmSetup.parse(raw);
    setupCache.set(raw as object, s);
  }
  return s;
}
export function alarmRulesOf(cfg: ConfigFile): AlarmRule[] | undefined {
  return cfg.alarmRules;
}

export class AlarmsModule implements EngineModule {
  readonly name = 'alarms';
  db!: Db;
  store!: AlarmStore;
  audit!: AuditTrail;
  service!: AlarmService;
  sensors!: SensorIngest;
  webhook!: SensorWebhook;
  mqtt: MqttBridge | null = null;
  private notifier: Notifier | null = null;
  private offs: (() => void)[] = [];
  private started = false;

  constructor(private readonly d: AlarmsDeps) {}

  setup(): AlarmSetup {
    return alarmSetupOf(this.d.config.data);
  }

  timeZone(): string {
    return settingsOf(this.d.config.data).timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  }

  start(): void {
    if (this.started) return;
    this.db = openIndex(this.d.paths.index);
    this.db.pragma('synchronous = FULL');
    this.store = new AlarmStore(this.db, () => this.setup());
    this.audit = new AuditTrail(this.db);
    this.service = new AlarmService({
      store: this.store,
      audit: this.audit,
      bus: this.d.bus,
      rules: () => alarmRulesOf(this.d.config.data),
      setup: () => this.setup(),
      timeZone: () => this.timeZone(),
    });
    this.sensors = new SensorIngest({ db: this.db, bus: this.d.bus, setup: () => this.setup(), ingest: (ev) => this.service.ingest(ev) });
    this.webhook = new SensorWebhook({ setup: () => this.setup(), sensors: this.sensors });

    this.offs.push(
      this.d.onCall((c) => {
        try {
          const rec = auditForCall(c);
          if (rec) this.audit.append(rec);
        } catch (err) {
          log.error(`could not audit ${c.method}`, err);
        }
      }),
      attachSources({
        bus: this.d.bus,
        cameras: this.d.cameras,
        ingest: (ev) => void this.service.ingest(ev),
        clockSkewSeconds: () => this.setup().clockSkewSeconds,
        onPtz: (data) => this.audit.append(auditForPtz(data)),
      }),
    );
    this.service.start();
    this.notifier = new Notifier({ bus: this.d.bus, setup: () => this.setup() });
    this.notifier.start();

    const url = this.d.mqttUrl ?? this.setup().mqtt.url;
    if (url) {
      validateBrokerUrl(url);
      this.mqtt = new MqttBridge({
        url,
        dataDir: this.d.paths.root,
        setup: () => this.setup(),
        sensors: this.sensors,
        bus: this.d.bus,
        onStatus: () => this.d.bus.emit('integrations.status', this.status()),
      });
      this.mqtt.start();
    }
    const open = this.store.queue().length;
    log.info(`alarms ready: ${open} open alarm(s)${url ? '' : '; MQTT not configured (serve --mqtt URL)'}`);
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const o of this.offs) o();
    this.offs = [];
    this.service.stop();
    this.notifier?.stop();
    await this.mqtt?.stop();
    this.mqtt = null;
    try {
      this.db.close();
    } catch {
      /* already closed */
    }
  }

  status(): IntegrationStatus {
    const webhooks = this.setup().webhooks.map((w) => {
      const s = this.webhook?.stats.get(w.id);
      return { id: w.id, name: w.name, disabled: w.disabled, lastUsedAt: s?.lastUsedAt ?? null, received: s?.received ?? 0, rejected: s?.rejected ?? 0 };
    });
    const mqtt: IntegrationStatus['mqtt'] = this.mqtt?.snapshot() ?? {
      configured: false,
      url: null,
      connected: false,
      clientId: null,
      sensorTopic: null,
      lastError: null,
      lastMessageAt: null,
      received: 0,
      rejected: 0,
    };
    return { mqtt, webhooks };
  }

  /** `POST /api/webhook/sensors`, called by the HTTP transport (no session: the bearer token is the integration's). */
  handleWebhook(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    return this.webhook.handle(req, res);
  }
}
