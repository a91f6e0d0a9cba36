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
  /** Hear of config changes (a broker URL set in the console or the CLI takes effect at once). */
  onConfigChange?: (fn: () => void) => () => void;
}

export class IntegrationsModule implements EngineModule {
  readonly name = 'integrations';
  readonly sensors: SensorIngest;
  readonly access: AccessLog;
  readonly webhook: SensorWebhook;
  mqtt: MqttBridge | null = null;
  private notifier: Notifier | null = null;
  private started = false;
  private mqttUrlInUse: string | null = null;
  private offConfig: (() => void) | null = null;
  private restarting: Promise<void> = Promise.resolve();
  /** Topics other concerns listen to (the arming set topic), across bridge restarts. */
  private readonly topics = new Map<string, (payload: string) => void>();
  private readonly connectHooks = new Set<() => void>();

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
      this.startBridge(url);
    } else log.info('MQTT not configured (serve --mqtt URL)');
    this.offConfig = this.d.onConfigChange?.(() => this.reconfigure()) ?? null;
    this.started = true;
  }

  private startBridge(url: string): void {
    this.mqttUrlInUse = url;
    this.mqtt = new MqttBridge({
      url,
      dataDir: this.d.dataDir,
      setup: this.d.setup,
      sensors: this.sensors,
      bus: this.d.bus,
      onStatus: () => this.d.bus.emit('integrations.status', this.status()),
      topics: () => this.topics,
      onConnect: () => {
        for (const h of this.connectHooks) h();
      },
    });
    this.mqtt.start();
  }

  /** The broker URL in the config changed (and `serve --mqtt` does not override it): reconnect. */
  private reconfigure(): void {
    if (this.d.mqttUrl || !this.started) return;
    const url = this.d.setup().mqtt.url;
    if ((url ?? null) === this.mqttUrlInUse) return;
    this.restarting = this.restarting.then(async () => {
      await this.mqtt?.stop();
      this.mqtt = null;
      this.mqttUrlInUse = null;
      if (!this.started) return;
      if (url) {
        try {
          validateBrokerUrl(url);
          log.info(`broker URL changed: connecting to ${url.replace(/\/\/[^@/]*@/, '//')}`);
          this.startBridge(url);
        } catch (err) {
          log.error(`the broker URL in the alarm setup is not usable: ${(err as Error).message}`);
        }
      } else log.info('broker URL removed: MQTT off');
      this.d.bus.emit('integrations.status', this.status());
    });
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.offConfig?.();
    this.offConfig = null;
    this.notifier?.stop();
    this.notifier = null;
    await this.restarting;
    await this.mqtt?.stop();
    this.mqtt = null;
  }

  /** Publish a JSON message on the broker (QoS 1; resolves on PUBACK), or null without MQTT: the notices' MQTT channel. */
  mqttPublisher(): ((topic: string, body: Record<string, unknown>) => Promise<void>) | null {
    if (!this.mqtt) return null;
    // the client in use at send time: a broker change in the alarm setup replaces it
    return (topic, body) => (this.mqtt ? this.mqtt.publishJson(topic, body) : Promise.reject(new Error('MQTT is no longer configured')));
  }

  /** Listen to an MQTT topic (kept across reconnects and broker changes); returns the unsubscribe. */
  subscribe(topic: string, handler: (payload: string) => void): () => void {
    this.topics.set(topic, handler);
    this.mqtt?.subscribeTopic(topic);
    return () => {
      if (this.topics.get(topic) !== handler) return;
      this.topics.delete(topic);
      this.mqtt?.unsubscribeTopic(topic);
    };
  }

  /** Publish on MQTT (QoS 1), if a broker is configured; `onConnect` hooks re-publish after a reconnect. */
  publish(topic: string, payload: string, opts: { retain?: boolean } = {}): boolean {
    if (!this.mqtt) return false;
    this.mqtt.publish(topic, payload, !!opts.retain);
    return true;
  }

  /** Run after every (re)connection to the broker. */
  onMqttConnect(fn: () => void): () => void {
    this.connectHooks.add(fn);
    return () => this.connectHooks.delete(fn);
  }

  /** POST a notice to one of the configured notice URLs (a rule's webhook action); false if it is not configured. */
  sendNotice(url: string, body: Record<string, unknown>): boolean {
    return this.notifier?.send(url, body) ?? false;
  }

  /** The broker URL in use (`serve --mqtt` or the alarm setup), or null. */
  mqttUrl(): { url: string | null; overridden: boolean } {
    return { url: this.mqttUrlInUse, overridden: !!this.d.mqttUrl };
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
