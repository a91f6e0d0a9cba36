/**
 * The integrations module: sensor messages in (MQTT, the webhook), alarm
 * notices out (MQTT, outbound webhooks), with one start and stop. Sensor
 * messages are committed through the engine's durable connection before
 * they reach the alarms, which they reach only through AlarmIntake
 * (alarms/intake.ts).
 */
import type http from 'node:http';
import type { AlarmSetup, IntegrationStatus } from '../../api/alarms.js';
import type { AlarmIntake } from '../alarms/intake.js';
import type { EventBus } from '../bus.js';
import { logger } from '../log.js';
import type { EngineModule } from '../module.js';
import type { Db } from '../store/db.js';
import { AccessLog } from './access-log.js';
import { MqttBridge, validateBrokerUrl } from './mqtt.js';
import { Notifier } from './notify.js';
import { SensorIngest } from './sensors.js';
import { SensorWebhook } from './webhook.js';

const log = logger('integrations');

export interface IntegrationsDeps {
  /** The durable connection (synchronous=FULL): a message is acknowledged only once committed. */
  db: Db;
  bus: EventBus;
  /** alarmSetup from the config, with defaults. */
  setup: () => AlarmSetup;
  alarms: AlarmIntake;
  /** The data dir: the MQTT client id derives from it. */
  dataDir: string;
  /** `gatehouse serve --mqtt URL`; else alarmSetup.mqtt.url from the config. */
  mqttUrl?: string | null;
}

export class IntegrationsModule implements EngineModule {
  readonly name = 'integrations';
  readonly sensors: SensorIngest;
  readonly access: AccessLog;
  readonly webhook: SensorWebhook;
  mqtt: MqttBridge | null = null;
  private notifier: Notifier | null = null;
  private started = false;

  constructor(private readonly d: IntegrationsDeps) {
    this.sensors = new SensorIngest({ db: d.db, bus: d.bus, setup: d.setup, alarms: d.alarms });
    this.access = new AccessLog(d.db, d.setup);
    this.webhook = new SensorWebhook({ setup: d.setup, sensors: this.sensors });
  }

  start(): void {
    if (this.started) return;
    this.notifier = new Notifier({ bus: this.d.bus, setup: this.d.setup });
    this.notifier.start();
    const url = this.d.mqttUrl ?? this.d.setup().mqtt.url;
    if (url) {
      validateBrokerUrl(url);
      this.mqtt = new MqttBridge({
        url,
        dataDir: this.d.dataDir,
        setup: this.d.setup,
        sensors: this.sensors,
        bus: this.d.bus,
        onStatus: () => this.d.bus.emit('integrations.status', this.status()),
      });
      this.mqtt.start();
    } else log.info('MQTT not configured (serve --mqtt URL)');
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.notifier?.stop();
    this.notifier = null;
    await this.mqtt?.stop();
    this.mqtt = null;
  }

  /** Publish a JSON message on the broker (QoS 1; resolves on PUBACK), or null without MQTT: the notices' MQTT channel. */
  mqttPublisher(): ((topic: string, body: Record<string, unknown>) => Promise<void>) | null {
    const m = this.mqtt;
    return m ? (topic, body) => m.publish(topic, body) : null;
  }

  status(): IntegrationStatus {
    const webhooks = this.d.setup().webhooks.map((w) => {
      const s = this.webhook.stats.get(w.id);
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
