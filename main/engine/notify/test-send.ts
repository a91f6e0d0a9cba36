/**
 * One test notice to one contact, sent now, one attempt per channel, with the
 * answer of each: what `gatehouse contacts test` does when it runs on its own
 * (the engine's contacts.test goes through the delivery queue instead).
 */
import mqtt from 'mqtt';
import type { Contact, NotifySetup } from '../../api/notify.js';
import type { SecretBox } from '../config/secrets.js';
import { sendMail } from './email.js';
import { emailOf, jsonNoticeOf, maskEmail, pushTextOf, type NoticeContext } from './message.js';
import { encodePayload, openVapid, sendPush } from './push.js';
import type { PushTarget } from './store.js';
import { postWebhook, webhookTarget } from './webhook-out.js';

export interface TestResult {
  channel: string;
  target: string;
  ok: boolean;
  message: string;
}

export async function sendTestNow(
  c: Contact,
  d: { setup: NotifySetup; secrets: SecretBox; timeZone: string; pushTargets: PushTarget[]; mqttUrl: string | null },
): Promise<TestResult[]> {
  const ctx: NoticeContext = {
    alarm: null,
    kind: 'test',
    level: 1,
    recipient: c.name,
    cameraName: null,
    publicUrl: d.setup.publicUrl,
    timeZone: d.timeZone,
    now: Date.now(),
  };
  const out: TestResult[] = [];
  const run = async (channel: string, target: string, fn: () => Promise<unknown>) => {
    try {
      const r = await fn();
      out.push({ channel, target, ok: true, message: typeof r === 'string' ? r : typeof r === 'number' ? `HTTP ${r}` : 'delivered' });
    } catch (err) {
      out.push({ channel, target, ok: false, message: (err as Error).message });
    }
  };
  if (c.email) await run('e-mail', maskEmail(c.email), () => sendMail(d.setup.smtp, d.secrets, { to: c.email!, ...emailOf(ctx) }));
  if (c.username) {
    if (!d.pushTargets.length)
      out.push({ channel: 'push', target: c.username, ok: false, message: `${c.username} has no browser or phone subscribed to push` });
    for (const t of d.pushTargets) {
      await run('push', `${t.info.label} (${new URL(t.info.service).host})`, async () => {
        if (!d.setup.vapid) throw new Error('the server has no Web Push keys yet; start it once to make them');
        const text = pushTextOf(ctx);
        const { json } = encodePayload(
          {
            v: 1,
            kind: 'test',
            ...text,
            camera: null,
            alarmId: null,
            priority: null,
            level: 1,
            tag: `gatehouse-test-${Date.now()}`,
            url: '/#/alarms',
            ack: null,
            time: new Date().toISOString(),
          },
          [],
        );
        return sendPush(t, json, openVapid(d.setup.vapid, d.secrets), { urgency: 'normal', ttlSeconds: 600, pushHosts: d.setup.pushHosts });
      });
    }
  }
  if (c.mqttTopic) {
    await run('MQTT', c.mqttTopic, async () => {
      if (!d.mqttUrl) throw new Error('MQTT is not configured (alarmSetup.mqtt.url in config.json)');
      const client = await mqtt.connectAsync(d.mqttUrl, {
        connectTimeout: 5000,
        reconnectPeriod: 0,
        clientId: `gatehouse-cli-${process.pid}`,
      });
      try {
        await client.publishAsync(c.mqttTopic!, JSON.stringify(jsonNoticeOf(ctx)), { qos: 1 });
        return 'acknowledged by the broker';
      } finally {
        await client.endAsync();
      }
    });
  }
  if (c.webhookUrl) await run('webhook', webhookTarget(c.webhookUrl), () => postWebhook(c.webhookUrl!, jsonNoticeOf(ctx)));
  return out;
}
