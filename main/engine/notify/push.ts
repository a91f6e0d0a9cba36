/**
 * Web Push (RFC 8030/8291/8292): the VAPID keys, which push services we send
 * to, the payload (under the 4 KB a push service takes), and one send. The
 * `web-push` library encrypts (aes128gcm) and signs the VAPID JWT; the POST
 * itself goes through fetch with a timeout, so that a hanging push service
 * never holds anything up.
 *
 * The payload carries a small JPEG of the alarm as a data URL (no link back
 * to the server: an image URL would need a credential in it, and a phone on
 * the road may not reach the site), shrunk until the whole payload fits.
 */
import os from 'node:os';
import webpush from 'web-push';
import type { Priority } from '../../api/alarms.js';
import type { NotifySetup } from '../../api/notify.js';
import type { SecretBox } from '../config/secrets.js';
import { SendError } from './send-error.js';

/** Plaintext limit: a push message is at most 4096 bytes, less the aes128gcm header (86), the tag (16) and the padding delimiter. */
export const MAX_PAYLOAD_BYTES = 3993;
const PUSH_TIMEOUT_MS = 10_000;

/** The browsers' push services. Others (a self-hosted one, a test one on 127.0.0.1) go in notifications.pushHosts. */
export const KNOWN_PUSH_HOSTS = [
  'fcm.googleapis.com',
  'android.googleapis.com',
  'updates.push.services.mozilla.com',
  '*.push.services.mozilla.com',
  '*.push.apple.com',
  '*.notify.windows.com',
];

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/^\[|\]$/g, '');
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return p.startsWith('*.') ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : h === p;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1)$/;

/**
 * Throws a SendError (permanent) unless the endpoint is one we may POST to:
 * https to a browser push service or a host in pushHosts; plain http only to
 * a loopback host listed in pushHosts (a test push service). A subscription
 * must not turn the server into a way to reach other hosts on the site's
 * network.
 */
export function checkEndpoint(endpoint: string, pushHosts: string[]): void {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new SendError('the push endpoint is not a URL', 'permanent');
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const listed = pushHosts.some((p) => hostMatches(p, host));
  const known = KNOWN_PUSH_HOSTS.some((p) => hostMatches(p, host));
  if (u.protocol === 'https:' && (known || listed)) return;
  if (u.protocol === 'http:' && listed && LOOPBACK.test(host)) return;
  if (u.protocol !== 'https:') throw new SendError(`the push endpoint must be https:// (got ${u.protocol}//${host})`, 'permanent');
  throw new SendError(
    `${host} is not a known push service; an administrator can add it to "notifications.pushHosts" in config.json if it is the site's own push service`,
    'permanent',
  );
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/** Make VAPID keys for config.notifications.vapid (the private key sealed). */
export function newVapid(secrets: SecretBox, subject?: string): NonNullable<NotifySetup['vapid']> {
  const k = webpush.generateVAPIDKeys();
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'localhost';
  return {
    publicKey: k.publicKey,
    privateKeySealed: secrets.seal(k.privateKey),
    subject: subject ?? `mailto:gatehouse@${host}`,
    createdAt: new Date().toISOString(),
  };
}

export function openVapid(v: NonNullable<NotifySetup['vapid']>, secrets: SecretBox): VapidKeys {
  return { publicKey: v.publicKey, privateKey: secrets.open(v.privateKeySealed), subject: v.subject };
}

/** What the service worker (renderer/public/sw-push.js) reads. Keep in step with it. */
export interface PushPayload {
  v: 1;
  kind: 'raised' | 'escalation' | 'test';
  title: string;
  body: string;
  /** The alarm's first camera, by name. */
  camera: string | null;
  alarmId: number | null;
  priority: Priority | null;
  level: number;
  /** Notifications with the same tag replace each other (one per alarm). */
  tag: string;
  /** Opened on a click: the console, at the alarm. */
  url: string;
  /** A small JPEG as a data URL, or null. */
  image: string | null;
  /** The single-use acknowledge token (ack-tokens.ts), or null. */
  ack: string | null;
  time: string;
}

/** The payload as JSON, with the biggest thumbnail of `thumbs` (largest first) that fits; none if none fits. */
export function encodePayload(p: Omit<PushPayload, 'image'>, thumbs: Buffer[]): { json: string; imageBytes: number } {
  const bare = JSON.stringify({ ...p, image: null });
  if (Buffer.byteLength(bare) > MAX_PAYLOAD_BYTES) {
    // titles are short; cut the body rather than fail
    const over = Buffer.byteLength(bare) - MAX_PAYLOAD_BYTES + 1;
    return encodePayload({ ...p, body: p.body.slice(0, Math.max(0, p.body.length - over - 1)) + '…' }, thumbs);
  }
  for (const t of thumbs) {
    const image = `data:image/jpeg;base64,${t.toString('base64')}`;
    const json = JSON.stringify({ ...p, image });
    if (Buffer.byteLength(json) <= MAX_PAYLOAD_BYTES) return { json, imageBytes: t.length };
  }
  return { json: bare, imageBytes: 0 };
}

export interface PushSubscriptionKeys {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * Encrypt and POST one message. Resolves on 201 (or any 2xx); rejects with a
 * SendError: `gone` for 404/410 (the browser unsubscribed: remove it),
 * `permanent` for other client errors, `retry` for timeouts, network errors,
 * 429 and 5xx.
 */
export async function sendPush(
  sub: PushSubscriptionKeys,
  json: string,
  vapid: VapidKeys,
  o: { urgency: 'high' | 'normal'; ttlSeconds: number; pushHosts: string[]; fetchImpl?: typeof fetch; timeoutMs?: number },
): Promise<number> {
  checkEndpoint(sub.endpoint, o.pushHosts);
  let req: ReturnType<typeof webpush.generateRequestDetails>;
  try {
    req = webpush.generateRequestDetails(sub, json, {
      vapidDetails: { subject: vapid.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
      TTL: o.ttlSeconds,
      urgency: o.urgency,
      contentEncoding: 'aes128gcm',
    });
  } catch (err) {
    throw new SendError(`the message could not be encrypted for this subscription: ${(err as Error).message}`, 'permanent');
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = String(v);
  delete headers['Content-Length']; // fetch sets it
  let res: Response;
  try {
    res = await (o.fetchImpl ?? fetch)(req.endpoint, {
      method: 'POST',
      headers,
      body: req.body ? new Uint8Array(req.body) : undefined,
      signal: AbortSignal.timeout(o.timeoutMs ?? PUSH_TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error;
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${(o.timeoutMs ?? PUSH_TIMEOUT_MS) / 1000} s`
        : ((e.cause as Error | undefined)?.message ?? e.message);
    throw new SendError(`the push service did not answer: ${why}`, 'retry');
  }
  const text = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ').trim();
  if (res.ok) return res.status;
  const detail = `HTTP ${res.status}${text ? `: ${text}` : ''}`;
  if (res.status === 404 || res.status === 410)
    throw new SendError(`the push service says the subscription is gone (${detail})`, 'gone', res.status);
  if (res.status === 429 || res.status >= 500 || res.status === 408)
    throw new SendError(`the push service refused for now (${detail})`, 'retry', res.status);
  throw new SendError(`the push service refused the message (${detail})`, 'permanent', res.status);
}
