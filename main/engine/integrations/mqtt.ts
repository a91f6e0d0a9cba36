/**
 * MQTT: sensors in, alarm state out.
 *
 * - Subscribes to `<sensorPrefix>/+` (default gatehouse/sensors/<sensor-id>) with QoS 1.
 * - Persistent session: a fixed client id and clean=false, so the broker keeps
 *   QoS 1 messages for Gatehouse while it is away and delivers them when it
 *   comes back. Each message is acknowledged (PUBACK) only after it has been
 *   committed to SQLite, so a crash redelivers rather than loses it.
 * - Reconnects by itself (every 2 s), including after a broker restart.
 * - Publishes alarm changes to `<alarmPrefix>/<id>` and escalations also to
 *   `<alarmPrefix>/escalations` (QoS 1; queued while disconnected), and each
 *   signed audit checkpoint to `<alarmPrefix>/audit/checkpoint` (retained).
 */
import crypto from 'node:crypto';
import mqtt, { type MqttClient, type IPublishPacket } from 'mqtt';
import type { Alarm, AlarmSetup, IntegrationStatus } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import type { EventBus } from '../bus.js';
import { logger, redact } from '../log.js';
import { parseSensorMessage, type SensorIngest } from './sensors.js';

const log = logger('mqtt');

export interface MqttDeps {
  url: string;
  dataDir: string;
  setup: () => AlarmSetup;
  sensors: SensorIngest;
  bus: EventBus;
  /** Connection state changed (the module pushes integrations.status). */
  onStatus: () => void;
  /** Other topics to listen to (the arming set topic), kept by the integrations module; handled before sensors. */
  topics?: () => Map<string, (payload: string) => void>;
  /** Connected (again): re-publish what must stay retained (the arming state). */
  onConnect?: () => void;
}

/** Broker URL without credentials, for logs and the status. */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return redact(url);
  }
}

export function validateBrokerUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ApiError('bad_request', `--mqtt: "${redact(url)}" is not a URL; use mqtt://HOST:PORT (for example mqtt://127.0.0.1:1883)`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:'].includes(u.protocol)) {
    throw new ApiError('bad_request', `--mqtt: ${u.protocol}// is not an MQTT URL; use mqtt://HOST:PORT or mqtts://HOST:PORT`);
  }
  return url;
}

/** A slim, stable JSON for subscribers; never carries credentials. */
export function alarmPayload(event: string, a: Alarm, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event,
    id: a.id,
    type: a.type,
    title: a.title,
    priority: a.priority,
    state: a.state,
    source: a.source,
    cameraIds: a.cameraIds,
    zone: a.zone,
    count: a.count,
    escalation: a.escalation,
    claimedBy: a.claimedBy,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    resolvedAt: a.resolvedAt,
    closedAt: a.closedAt,
    closeReason: a.closeReason,
    ...extra,
  };
}

export class MqttBridge {
  private client: MqttClient | null = null;
  private offBus: (() => void) | null = null;
  readonly clientId: string;
  private status: IntegrationStatus['mqtt'];
  private lastErrorLogged = '';
  private stopping = false;

  constructor(private readonly d: MqttDeps) {
    const cfg = d.setup().mqtt;
    this.clientId = cfg.clientId ?? `gatehouse-${crypto.createHash('sha256').update(d.dataDir).digest('hex').slice(0, 12)}`;
    this.status = {
      configured: true,
      url: publicUrl(d.url),
      connected: false,
      clientId: this.clientId,
      sensorTopic: `${cfg.sensorPrefix}/+`,
      lastError: null,
      lastMessageAt: null,
      received: 0,
      rejected: 0,
    };
  }

  snapshot(): IntegrationStatus['mqtt'] {
    return { ...this.status };
  }

  private changed(): void {
    this.d.onStatus();
  }

  start(): void {
    const cfg = this.d.setup().mqtt;
    const sensorPrefix = cfg.sensorPrefix;
    log.info(`connecting to ${this.status.url} as ${this.clientId} (persistent session, QoS 1, sensors on ${sensorPrefix}/+)`);
    const client = mqtt.connect(this.d.url, {
      clientId: this.clientId,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 2000,
      connectTimeout: 5000,
      keepalive: 30,
      resubscribe: true,
      queueQoSZero: false,
      will: { topic: `${cfg.alarmPrefix}/engine`, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.client = client;
    client.handleMessage = (packet: IPublishPacket, done: (err?: Error) => void) => {
      try {
        this.onMessage(packet, sensorPrefix);
      } catch (err) {
        log.error(`message on ${packet.topic} could not be stored; acknowledging it anyway so the session does not stall`, err);
      }
      done();
    };
    client.on('connect', (ack) => {
      this.status.connected = true;
      this.status.lastError = null;
      this.lastErrorLogged = '';
      log.info(`connected to ${this.status.url}${ack.sessionPresent ? ' (resumed the stored session)' : ''}`);
      client.subscribe(`${sensorPrefix}/+`, { qos: 1 }, (err) => {
        if (err) {
          this.status.lastError = `subscribe failed: ${err.message}`;
          log.error(`subscribing to ${sensorPrefix}/+ failed: ${err.message}`);
        }
      });
      for (const t of this.d.topics?.().keys() ?? []) this.subscribeTopic(t);
      client.publish(`${cfg.alarmPrefix}/engine`, 'online', { qos: 1, retain: true });
      this.changed();
      this.d.onConnect?.();
    });
    const down = (why: string) => {
      if (this.status.connected && !this.stopping) {
        log.warn(`lost the broker (${why}); reconnecting every 2 s, messages wait at the broker`);
        this.status.connected = false;
        this.changed();
      }
    };
    client.on('close', () => down('connection closed'));
    client.on('offline', () => down('offline'));
    client.on('error', (err) => {
      const msg = err.message || String(err);
      this.status.lastError = msg;
      if (msg !== this.lastErrorLogged) {
        this.lastErrorLogged = msg;
        log.warn(`broker ${this.status.url}: ${msg}; retrying`);
      }
    });
    this.offBus = this.attachPublisher(cfg.alarmPrefix);
  }

  /** Listen to one more topic (QoS 1); a no-op while disconnected (the connect handler subscribes them all). */
  subscribeTopic(topic: string): void {
    const c = this.client;
    if (!c?.connected) return;
    c.subscribe(topic, { qos: 1 }, (err) => {
      if (err) log.error(`subscribing to ${topic} failed: ${err.message}`);
    });
  }

  unsubscribeTopic(topic: string): void {
    if (this.client?.connected) this.client.unsubscribe(topic);
  }

  /** Publish (QoS 1; queued while the broker is away). */
  publish(topic: string, payload: string, retain = false): void {
    this.client?.publish(topic, payload, { qos: 1, retain }, (err) => {
      if (err) log.warn(`publishing ${topic} failed: ${err.message}`);
    });
  }

  private onMessage(packet: IPublishPacket, prefix: string): void {
    const topic = packet.topic;
    const handler = this.d.topics?.().get(topic);
    if (handler) {
      handler(Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : String(packet.payload));
      return;
    }
    const sensorId = topic.startsWith(prefix + '/') ? topic.slice(prefix.length + 1) : topic;
    const text = Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : String(packet.payload);
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      this.rejected(topic, 'payload is not JSON; see docs/alarms.md for the message schema');
      return;
    }
    let parsed;
    try {
      parsed = parseSensorMessage(sensorId, payload, topic);
    } catch (err) {
      this.rejected(topic, (err as Error).message);
      return;
    }
    this.d.sensors.handle(parsed.sensorId, parsed.msg, 'mqtt');
    this.status.received++;
    this.status.lastMessageAt = new Date().toISOString();
  }

  private rejected(topic: string, why: string): void {
    this.status.rejected++;
    this.d.sensors.reject();
    log.warn(`ignored a message on ${topic}: ${why}`);
  }

  /** Alarm changes out to `<alarmPrefix>/<id>`, escalations also to `<alarmPrefix>/escalations`. */
  private attachPublisher(prefix: string): () => void {
    const pub = (topic: string, body: Record<string, unknown>) => {
      this.client?.publish(topic, JSON.stringify(body), { qos: 1 }, (err) => {
        if (err) log.warn(`publishing ${topic} failed: ${err.message}`);
      });
    };
    const offs = [
      this.d.bus.on('alarm.raised', (a) => pub(`${prefix}/${a.id}`, alarmPayload('raised', a))),
      this.d.bus.on('alarm.changed', ({ alarm, entry }) =>
        pub(`${prefix}/${alarm.id}`, alarmPayload(entry ? entry.kind : 'count', alarm, entry ? { by: entry.user, comment: entry.comment, action: entry.action } : {})),
      ),
      this.d.bus.on('alarm.escalated', ({ alarm, level, reason, by }) => {
        const body = alarmPayload('escalated', alarm, { level, reason, by });
        pub(`${prefix}/${alarm.id}`, body);
        pub(`${prefix}/escalations`, body);
      }),
      // Signed audit checkpoints (docs/security.md): retained, so the broker always holds the newest one.
      this.d.bus.on('audit.checkpoint', (cp) => {
        this.client?.publish(`${prefix}/audit/checkpoint`, JSON.stringify(cp), { qos: 1, retain: true }, (err) => {
          if (err) log.warn(`publishing audit checkpoint #${cp.n} failed: ${err.message}`);
        });
      }),
    ];
    return () => offs.forEach((o) => o());
  }

  /** Publish one JSON message (QoS 1); resolves when the broker acknowledged it (queued meanwhile while it is away). */
  publishJson(topic: string, body: Record<string, unknown>): Promise<void> {
    const c = this.client;
    if (!c) return Promise.reject(new Error('the MQTT client is stopped'));
    return new Promise((resolve, reject) => {
      c.publish(topic, JSON.stringify(body), { qos: 1 }, (err) => (err ? reject(err) : resolve()));
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.offBus?.();
    this.offBus = null;
    const c = this.client;
    this.client = null;
    if (!c) return;
    const cfg = this.d.setup().mqtt;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        c.end(true, {}, () => resolve());
      }, 1500);
      if (c.connected) {
        c.publish(`${cfg.alarmPrefix}/engine`, 'offline', { qos: 1, retain: true }, () => {
          clearTimeout(t);
          c.end(false, {}, () => resolve());
        });
      } else {
        clearTimeout(t);
        c.end(true, {}, () => resolve());
      }
    });
    this.status.connected = false;
  }
}
