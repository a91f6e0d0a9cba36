/**
 * Subscribing this browser to Web Push: the service worker's registration
 * (the PWA's own when it has one, else the minimal /sw-notify.js), the
 * browser's PushSubscription made with the server's VAPID key, and that
 * subscription sent to the server (push.subscribe). Browsers allow it only in
 * a secure context (https, or http://localhost / 127.0.0.1).
 */
import type { Priority } from '../../../main/api/alarms.js';
import type { PushSubscriptionInfo } from '../../../main/api/notify.js';
import type { ApiClient } from '../api/client.js';

/** Registered when no service worker controls the console yet. The PWA's service worker imports /sw-push.js itself. */
export const SW_FALLBACK = '/sw-notify.js';

export type PushSupport = { ok: true } | { ok: false; reason: string };

export function pushSupport(w: Window = window): PushSupport {
  if (!w.isSecureContext)
    return {
      ok: false,
      reason: 'push needs https (or the console opened on this machine as 127.0.0.1); see README, "Remote access and notifications"',
    };
  if (!('serviceWorker' in w.navigator)) return { ok: false, reason: 'this browser has no service workers' };
  if (!('PushManager' in w))
    return { ok: false, reason: 'this browser has no Web Push (on an iPhone: add the console to the home screen first)' };
  if (!('Notification' in w)) return { ok: false, reason: 'this browser cannot show notifications' };
  return { ok: true };
}

/** base64url (the VAPID public key) → bytes, as pushManager.subscribe wants it. */
export function keyBytes(b64url: string): Uint8Array<ArrayBuffer> {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64url.length % 4)) % 4);
  const s = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(s.length));
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function registration(): Promise<ServiceWorkerRegistration> {
  const existing = await navigator.serviceWorker.getRegistration('/');
  if (existing) return existing;
  await navigator.serviceWorker.register(SW_FALLBACK, { scope: '/' });
  return navigator.serviceWorker.ready;
}

/** This browser's current push subscription, if any (without asking for permission). */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupport().ok) return null;
  const reg = await navigator.serviceWorker.getRegistration('/');
  return reg ? reg.pushManager.getSubscription() : null;
}

/** Ask for permission, subscribe with the server's key, and register the subscription for the signed-in user. */
export async function subscribeThisBrowser(
  client: ApiClient,
  o: { label: string; priorities: Priority[]; cameraIds: string[] | null },
): Promise<PushSubscriptionInfo> {
  const support = pushSupport();
  if (!support.ok) throw new Error(support.reason);
  const info = await client.call('push.info', {});
  if (!info.publicKey) throw new Error(info.reason ?? 'the server cannot send push notices');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted')
    throw new Error('notifications are blocked for this site in the browser; allow them in the site settings and try again');
  const reg = await registration();
  let sub: PushSubscription;
  try {
    const old = await reg.pushManager.getSubscription();
    // a subscription made with another key (a new data dir) can't be used
    if (old) await old.unsubscribe();
    sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(info.publicKey) });
  } catch (err) {
    throw new Error(
      `the browser's push service did not give a subscription (${(err as Error).message}); it needs to reach its push service on the internet`,
    );
  }
  const json = sub.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
  return client.call('push.subscribe', {
    endpoint: json.endpoint,
    keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
    label: o.label,
    priorities: o.priorities,
    cameraIds: o.cameraIds,
  });
}

/** A label for this browser: "Chrome on Android", "Firefox on Linux". */
export function browserLabel(ua: string = navigator.userAgent): string {
  const b = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return os ? `${b} on ${os}` : b;
}
