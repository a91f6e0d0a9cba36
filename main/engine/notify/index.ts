/**
 * The notifications module: Web Push to subscribed browsers and phones,
 * e-mail, MQTT and webhook notices to on-call contacts, the escalation
 * ladder, and the acknowledge tokens of push notifications. Everything is
 * sent in the background through the delivery queue (deliveries.ts): an
 * alarm is never held up or lost by a channel that is slow or down.
 *
 * It reaches the alarms only through AlarmNotifyPort (alarms/notify-port.ts).
 */
import type { Alarm, Priority } from '../../api/alarms.js';
import { ApiError, type Me } from '../../api/contract.js';
import type { Channel, Contact, ContactView, Notice, NotifySetup, PushSubscriptionInfo } from '../../api/notify.js';
import type { AlarmNotifyPort } from '../alarms/notify-port.js';
import type { AuditTrail } from '../audit/trail.js';
import type { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import { notifySetupOf } from '../config/schema.js';
import type { SecretBox } from '../config/secrets.js';
import type { ConfigStore } from '../config/store.js';
import { logger } from '../log.js';
import type { EngineModule } from '../module.js';
import type { Db } from '../store/db.js';
import { AckTokens } from './ack-tokens.js';
import { Deliveries } from './deliveries.js';
import { dutyOf } from './duty.js';
import { sendMail } from './email.js';
import { Escalation } from './escalation.js';
import { alarmLink, emailOf, jsonNoticeOf, maskEmail, pushTextOf, type NoticeContext } from './message.js';
import { checkEndpoint, encodePayload, openVapid, sendPush, type PushPayload } from './push.js';
import { SendError } from './send-error.js';
import { ensureVapid } from './settings.js';
import { NotifyStore, type NewNotice, type PushTarget } from './store.js';
import { burnMasks, thumbnails } from './thumbs.js';
import { postWebhook, webhookTarget } from './webhook-out.js';

const log = logger('notify');

/** Publish one JSON message on the engine's broker (QoS 1); resolves on the broker's PUBACK. */
export type MqttPublish = (topic: string, body: Record<string, unknown>) => Promise<void>;

export interface NotifyDeps {
  /** The durable connection (synchronous=FULL), shared with the alarms and the audit trail. */
  db: Db;
  bus: EventBus;
  config: ConfigStore;
  secrets: SecretBox;
  audit: AuditTrail;
  alarms: AlarmNotifyPort;
  cameras: CameraRegistry;
  /** The engine's MQTT connection, when there is one. */
  mqtt: () => MqttPublish | null;
  /** A JPEG of a camera at a time (the recorder's). */
  snapshot: (cameraId: string, atMs: number | null, maxWidth?: number) => Promise<Buffer>;
  timeZone: () => string;
  now?: () => number;
}

const MQTT_TIMEOUT_MS = 20_000;
/** Push messages wait this long at the push service for a phone that is off. */
const PUSH_TTL_SECONDS = 3600;

export class NotifyModule implements EngineModule {
  readonly name = 'notify';
  readonly store: NotifyStore;
  readonly deliveries: Deliveries;
  readonly escalation: Escalation;
  readonly ackTokens: AckTokens;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private offs: (() => void)[] = [];
  private lastSetup: unknown = null;
  /** Between start and stop: work queued with setImmediate finds the index still open. */
  private running = false;

  constructor(private readonly d: NotifyDeps) {
    this.now = d.now ?? Date.now;
    this.store = new NotifyStore(d.db, d.secrets);
    this.ackTokens = new AckTokens(d.db, this.now);
    this.deliveries = new Deliveries({
      store: this.store,
      bus: d.bus,
      alarms: d.alarms,
      audit: d.audit,
      retrySeconds: () => this.setup().retrySeconds,
      now: this.now,
    });
    this.escalation = new Escalation({
      alarms: d.alarms,
      state: this.store,
      setup: () => this.setup(),
      timeZone: d.timeZone,
      now: this.now,
      tell: (alarm, contact, level) =>
        void this.tellContact(alarm, contact, level, 'escalation').catch(
          (err: unknown) => this.running && log.error(`alarm #${alarm.id}: notices to ${contact.name} could not be queued`, err),
        ),
    });
  }

  setup(): NotifySetup {
    return notifySetupOf(this.d.config.data);
  }

  async start(): Promise<void> {
    try {
      await ensureVapid(this.d.config, this.d.secrets);
    } catch (err) {
      log.error(`the Web Push keys could not be made (${(err as Error).message}); push notices are off until the next start`);
    }
    this.deliveries.failLeftovers();
    this.running = true;
    this.lastSetup = this.d.config.data.notifications;
    this.offs = [
      this.d.bus.on('alarm.raised', (a) => setImmediate(() => this.running && this.pushRaised(a))),
      this.d.bus.on('alarm.escalated', ({ alarm, reason }) => {
        if (reason === 'manual')
          setImmediate(() => this.running && this.guard(() => this.escalation.manual(alarm.id), `escalating alarm #${alarm.id}`));
      }),
      this.d.config.onChange((c) => {
        if (c.notifications !== this.lastSetup) {
          this.lastSetup = c.notifications;
          this.d.bus.emit('notify.changed', { what: 'oncall' });
        }
      }),
    ];
    this.timer = setInterval(() => this.guard(() => this.escalation.tick(), 'the escalation check'), 1000);
    this.timer.unref();
    this.guard(() => this.escalation.tick(), 'the escalation check');
    const s = this.setup();
    log.info(
      `notifications: ${s.contacts.length} contact(s), SMTP ${s.smtp ? 'set' : 'not set'}, ${this.store.subscriptions().length} push subscription(s)`,
    );
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const o of this.offs) o();
    this.offs = [];
    this.deliveries.stop();
  }

  private lastLogged = 0;
  private guard(fn: () => unknown, what: string): void {
    try {
      fn();
    } catch (err) {
      if (Date.now() - this.lastLogged > 60_000) {
        this.lastLogged = Date.now();
        log.error(`${what} failed; retrying every second`, err);
      }
    }
  }

  // ───────────── what each notice says ─────────────

  private context(alarm: Alarm | null, kind: NoticeContext['kind'], level: number, recipient: string): NoticeContext {
    const cam = alarm?.cameraIds[0];
    return {
      alarm,
      kind,
      level,
      recipient,
      cameraName: cam ? (this.d.cameras.get(cam)?.name ?? cam) : null,
      publicUrl: this.setup().publicUrl,
      timeZone: this.d.timeZone(),
      now: this.now(),
    };
  }

  /**
   * The alarm's first camera at the alarm time (else live), with its privacy masks burned in (it leaves the
   * site); null when there is none to be had.
   */
  private async snapshotOf(alarm: Alarm | null, maxWidth: number): Promise<Buffer | null> {
    const cam = alarm?.cameraIds[0];
    if (!alarm || !cam) return null;
    const at = Date.parse(alarm.createdAt);
    let jpeg: Buffer;
    try {
      jpeg = await this.d.snapshot(cam, at, maxWidth);
    } catch {
      try {
        jpeg = await this.d.snapshot(cam, null, maxWidth); // not indexed yet: the live edge
      } catch (err) {
        log.debug(`no snapshot of ${cam} for alarm #${alarm.id}: ${(err as Error).message}`);
        return null;
      }
    }
    const masks = (this.d.config.data.cameras.find((c) => c.id === cam)?.masks ?? []).filter((m) => m.kind === 'privacy');
    try {
      return await burnMasks(
        jpeg,
        masks.map((m) => m.polygon as [number, number][]),
      );
    } catch (err) {
      // never send the unmasked picture
      log.warn(
        `alarm #${alarm.id}: the privacy masks of ${cam} could not be burned into the snapshot (${(err as Error).message}); sent without a snapshot`,
      );
      return null;
    }
  }

  // ───────────── push ─────────────

  pushInfo(): { publicKey: string | null; reason: string | null } {
    const v = this.setup().vapid;
    return v
      ? { publicKey: v.publicKey, reason: null }
      : { publicKey: null, reason: 'the server has no Web Push keys yet; restart it to make them' };
  }

  subscribe(
    me: Me,
    p: { endpoint: string; keys: { p256dh: string; auth: string }; label?: string; priorities: Priority[]; cameraIds: string[] | null },
    userAgent?: string,
  ): PushSubscriptionInfo {
    try {
      checkEndpoint(p.endpoint, this.setup().pushHosts);
    } catch (err) {
      throw new ApiError('bad_request', `push.subscribe: ${(err as Error).message}`, 'endpoint');
    }
    if (Buffer.from(p.keys.p256dh, 'base64url').length !== 65)
      throw new ApiError('bad_request', 'push.subscribe: keys.p256dh is not an uncompressed P-256 public key (65 bytes)', 'keys.p256dh');
    if (Buffer.from(p.keys.auth, 'base64url').length !== 16)
      throw new ApiError('bad_request', 'push.subscribe: keys.auth is not a 16-byte secret', 'keys.auth');
    const cameraIds = this.checkCameraIds('push.subscribe', p.cameraIds);
    const sub = this.store.addSubscription({
      username: me.username,
      endpoint: p.endpoint,
      keys: p.keys,
      label: p.label?.trim() || userAgent || 'browser',
      priorities: [...new Set(p.priorities)].sort(),
      cameraIds,
      now: this.now(),
    });
    this.d.audit.append({
      actor: me.username,
      action: 'push.subscribe',
      target: `push:${sub.id}`,
      details: { service: sub.service, label: sub.label, priorities: sub.priorities, cameraIds: sub.cameraIds },
    });
    this.d.bus.emit('notify.changed', { what: 'push' });
    return sub;
  }

  /**
   * A subscription's camera filter: null (any camera) or at least one known
   * camera, each once. Throws bad_request naming the field.
   */
  checkCameraIds(method: string, ids: string[] | null | undefined): string[] | null {
    if (ids == null) return null;
    if (!ids.length) throw new ApiError('bad_request', `${method}: pick at least one camera, or "All cameras" (null)`, 'cameraIds');
    const unknown = ids.filter((c) => !this.d.cameras.get(c));
    if (unknown.length) throw new ApiError('bad_request', `${method}: no camera ${unknown.join(', ')}`, 'cameraIds');
    return [...new Set(ids)];
  }

  /** A subscription the caller may act on: their own, or any as admin. */
  mySubscription(me: Me, id: number): PushSubscriptionInfo {
    const s = this.store.mustSubscription(id);
    if (s.username !== me.username && me.role !== 'admin')
      throw new ApiError('forbidden', `push subscription #${id} is ${s.username}'s; only they or an admin can change it`);
    return s;
  }

  removeSubscription(me: Me | null, id: number, why: string): void {
    const s = this.store.subscription(id);
    if (!s || !this.store.removeSubscription(id)) return;
    this.d.audit.append({
      actor: me?.username ?? 'system',
      action: 'push.removed',
      target: `push:${id}`,
      details: { owner: s.username, service: s.service, label: s.label, why },
    });
    this.d.bus.emit('notify.changed', { what: 'push' });
  }

  /** Every subscription whose filter takes the alarm gets a push when it is raised (level 1, beside the consoles). */
  pushRaised(alarm: Alarm): void {
    try {
      for (const t of this.store.targets()) {
        const f = t.info;
        if (!f.priorities.includes(alarm.priority)) continue;
        if (f.cameraIds && !alarm.cameraIds.some((c) => f.cameraIds!.includes(c))) continue;
        this.pushTo(t, alarm, 'raised', 1, null).catch(
          (err: unknown) => this.running && log.error(`alarm #${alarm.id}: a push notice could not be queued`, err),
        );
      }
    } catch (err) {
      if (this.running) log.error(`alarm #${alarm.id}: push notices could not be queued`, err);
    }
  }

  /** Queue one push to one subscription. */
  async pushTo(t: PushTarget, alarm: Alarm | null, kind: NoticeContext['kind'], level: number, contact: Contact | null): Promise<Notice> {
    const ctx = this.context(alarm, kind, level, contact?.name ?? t.info.username);
    const text = pushTextOf(ctx);
    const thumbs = (async () => {
      const jpg = await this.snapshotOf(alarm, 320);
      return jpg ? thumbnails(jpg) : [];
    })();
    const vapid = this.setup().vapid;
    const notice: NewNotice = {
      alarmId: alarm?.id ?? null,
      contactId: contact?.id ?? null,
      recipient: contact?.name ?? t.info.username,
      channel: 'push',
      target: `${t.info.label} (${new URL(t.info.service).host})`,
      level,
      kind,
    };
    let json: string | null = null;
    return this.deliveries.enqueue({
      notice,
      send: async () => {
        if (!vapid) throw new SendError('the server has no Web Push keys; restart it', 'permanent');
        if (json === null) {
          // the token is made once per notification, for the subscription's owner and this alarm
          const ack = alarm && alarm.state === 'new' ? this.ackTokens.issue(t.info.username, alarm.id) : null;
          const base: Omit<PushPayload, 'image'> = {
            v: 1,
            kind,
            title: text.title,
            body: text.body,
            camera: ctx.cameraName,
            alarmId: alarm?.id ?? null,
            priority: alarm?.priority ?? null,
            level,
            tag: alarm ? `gatehouse-alarm-${alarm.id}` : `gatehouse-test-${this.now()}`,
            url: alarmLink(null, alarm?.id ?? null),
            ack,
            time: new Date(this.now()).toISOString(),
          };
          json = encodePayload(base, await thumbs).json;
        }
        return sendPush(t, json, openVapid(vapid, this.d.secrets), {
          urgency: alarm && alarm.priority <= 2 ? 'high' : 'normal',
          ttlSeconds: PUSH_TTL_SECONDS,
          pushHosts: this.setup().pushHosts,
        });
      },
      onGone: () =>
        this.removeSubscription(null, t.info.id, 'the push service answered 404/410: the browser unsubscribed or the subscription expired'),
      onAttempt: (err) => (err ? this.store.subscriptionFailed(t.info.id, err.message) : this.store.subscriptionOk(t.info.id, this.now())),
    });
  }

  testSubscription(me: Me, id: number): Promise<Notice> {
    this.mySubscription(me, id);
    const t = this.store.target(id);
    if (!t)
      throw new ApiError(
        'conflict',
        `push subscription #${id} can no longer be opened (sealed with another key); remove it and subscribe again`,
      );
    return this.pushTo(t, null, 'test', 1, null);
  }

  /** notify.ack: the token from a notification acknowledges its alarm as its user, once. */
  acknowledge(token: string, peer: string): { alarmId: number; state: string; by: string } {
    const r = this.ackTokens.redeem(token);
    if (!r.ok) {
      this.d.audit.append({ actor: 'anonymous', action: 'notify.ack.refused', target: null, details: { peer, reason: r.reason } });
      const msg =
        r.reason === 'used'
          ? 'this notification was already used to acknowledge; open the console to see the alarm'
          : r.reason === 'expired'
            ? 'this notification is too old to acknowledge from; open the console to see the alarm'
            : 'this acknowledge token is not one this server made';
      throw new ApiError('unauthorized', msg);
    }
    const user = this.d.config.data.users.find((u) => u.username === r.username);
    if (!user || user.disabled) {
      this.d.audit.append({
        actor: r.username,
        action: 'notify.ack.refused',
        target: `alarm:${r.alarmId}`,
        details: { peer, reason: 'user disabled or removed' },
      });
      throw new ApiError('unauthorized', `the user ${r.username} is disabled or gone; the notification can no longer acknowledge`);
    }
    const a = this.d.alarms.acknowledge(r.alarmId, { username: user.username, role: user.role }, 'acknowledged from a push notification');
    log.info(`alarm #${a.id} acknowledged by ${user.username} from a push notification`);
    return { alarmId: a.id, state: a.state, by: user.username };
  }

  // ───────────── contacts ─────────────

  contactView(c: Contact): ContactView {
    const d = dutyOf(c, this.setup().rotas, this.now(), this.d.timeZone());
    return { ...c, onDuty: d.onDuty, dutyNote: d.note };
  }

  contact(id: string): Contact {
    const c = this.setup().contacts.find((x) => x.id === id);
    if (!c) throw new ApiError('not_found', `no contact "${id}"; see Settings → On call, or gatehouse contacts list`);
    return c;
  }

  /** Tell one contact on every channel it has; returns the notices queued. */
  async tellContact(alarm: Alarm | null, c: Contact, level: number, kind: NoticeContext['kind']): Promise<Notice[]> {
    const out: Notice[] = [];
    const base = { alarmId: alarm?.id ?? null, contactId: c.id, recipient: c.name, level, kind };
    const ctx = this.context(alarm, kind, level, c.name);
    if (c.email) {
      const to = c.email;
      const snapshot = this.snapshotOf(alarm, 640);
      const mail = emailOf(ctx);
      out.push(
        this.deliveries.enqueue({
          notice: { ...base, channel: 'email', target: maskEmail(to) },
          send: async () => {
            const jpeg = await snapshot;
            return sendMail(this.setup().smtp, this.d.secrets, {
              to,
              ...mail,
              snapshot: jpeg ? { filename: `alarm-${alarm!.id}-${alarm!.cameraIds[0]}.jpg`, jpeg } : null,
            });
          },
        }),
      );
    }
    if (c.username) {
      const targets = this.store.targets(c.username);
      if (!targets.length)
        out.push(
          this.noChannel(
            base,
            'push',
            c.username,
            `${c.username} has no browser or phone subscribed to push (Settings → Notifications on their device)`,
          ),
        );
      for (const t of targets) out.push(await this.pushTo(t, alarm, kind, level, c));
    }
    if (c.mqttTopic) {
      const topic = c.mqttTopic;
      const body = jsonNoticeOf(ctx);
      out.push(
        this.deliveries.enqueue({
          notice: { ...base, channel: 'mqtt', target: topic },
          send: () => this.publishMqtt(topic, body),
        }),
      );
    }
    if (c.webhookUrl) {
      const url = c.webhookUrl;
      const body = jsonNoticeOf(ctx);
      out.push(
        this.deliveries.enqueue({
          notice: { ...base, channel: 'webhook', target: webhookTarget(url) },
          send: () => postWebhook(url, body),
        }),
      );
    }
    return out;
  }

  private noChannel(base: Omit<NewNotice, 'channel' | 'target'>, channel: Channel, target: string, why: string): Notice {
    return this.deliveries.enqueue({
      notice: { ...base, channel, target },
      send: async () => Promise.reject(new SendError(why, 'permanent')),
    });
  }

  private async publishMqtt(topic: string, body: Record<string, unknown>): Promise<void> {
    const pub = this.d.mqtt();
    if (!pub) throw new SendError('MQTT is not configured (gatehouse serve --mqtt URL, or alarmSetup.mqtt.url)', 'permanent');
    let t: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        pub(topic, body),
        new Promise<never>((_, reject) => {
          t = setTimeout(
            () =>
              reject(
                new SendError(
                  `the broker did not acknowledge within ${MQTT_TIMEOUT_MS / 1000} s; the message stays queued in the MQTT client and goes out when the broker is back`,
                  'permanent',
                ),
              ),
            MQTT_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(t);
    }
  }

  testContact(id: string): Promise<Notice[]> {
    return this.tellContact(null, this.contact(id), 1, 'test');
  }

  /** smtp.test: one attempt now, and the server's answer. */
  async testSmtp(to: string): Promise<{ ok: true; message: string }> {
    const ctx = this.context(null, 'test', 1, to);
    try {
      const answer = await sendMail(this.setup().smtp, this.d.secrets, { to, ...emailOf(ctx) });
      return { ok: true, message: `the SMTP server accepted the test e-mail to ${to}: ${answer}` };
    } catch (err) {
      throw new ApiError(err instanceof SendError && err.kind === 'permanent' ? 'bad_request' : 'unavailable', (err as Error).message);
    }
  }
}
