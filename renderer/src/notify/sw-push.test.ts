/**
 * The service worker's push handlers (renderer/public/sw-push.js), run
 * against a fake service-worker scope: a push shows the alarm with an
 * Acknowledge action; Acknowledge POSTs the token to notify.ack (JSON, no
 * cookie, not in the URL) and says how it went; a click opens the console.
 */
import { describe, expect, it, vi } from 'vitest';
import swSource from '../../public/sw-push.js?raw';
import { browserLabel, keyBytes } from './push-client.js';

type Listener = (e: unknown) => void;

function fakeScope(fetchImpl: (url: string, init: RequestInit) => Promise<Response>) {
  const listeners = new Map<string, Listener>();
  const shown: { title: string; options: Record<string, unknown> }[] = [];
  const opened: string[] = [];
  const scope = {
    location: { origin: 'https://nvr.example.org' },
    addEventListener: (t: string, fn: Listener) => listeners.set(t, fn),
    registration: {
      showNotification: vi.fn(async (title: string, options: Record<string, unknown>) => void shown.push({ title, options })),
    },
    clients: { matchAll: async () => [], openWindow: async (u: string) => void opened.push(u) },
    fetch: vi.fn(fetchImpl),
  };
  new Function('self', swSource)(scope);
  const fire = async (type: string, e: Record<string, unknown>) => {
    let wait: Promise<unknown> = Promise.resolve();
    listeners.get(type)!({ ...e, waitUntil: (p: Promise<unknown>) => (wait = p) });
    await wait;
  };
  return { scope, shown, opened, fire };
}

const payload = {
  v: 1,
  kind: 'raised',
  title: 'P1 Critical: PANIC',
  body: 'Gate',
  camera: 'Gate',
  alarmId: 12,
  priority: 1,
  level: 1,
  tag: 'gatehouse-alarm-12',
  url: '/#/alarms?alarm=12',
  image: 'data:image/jpeg;base64,/9j/',
  ack: 'gha_token',
  time: '2026-03-02T10:00:00Z',
};

describe('sw-push.js', () => {
  it('shows a pushed alarm with its snapshot and an Acknowledge action', async () => {
    const s = fakeScope(async () => new Response('{}'));
    await s.fire('push', { data: { json: () => payload } });
    expect(s.shown[0]!.title).toBe('P1 Critical: PANIC');
    expect(s.shown[0]!.options).toMatchObject({
      body: 'Gate',
      tag: 'gatehouse-alarm-12',
      image: payload.image,
      requireInteraction: true,
      data: { ack: 'gha_token', alarmId: 12 },
    });
    expect((s.shown[0]!.options.actions as { action: string }[]).map((a) => a.action)).toEqual(['ack', 'open']);
    await s.fire('push', { data: { json: () => ({ v: 2 }) } });
    await s.fire('push', { data: null });
    expect(s.shown).toHaveLength(1);
  });

  it('acknowledges with the token in a JSON POST body, without cookies, and says so', async () => {
    const s = fakeScope(async () => new Response(JSON.stringify({ alarmId: 12, state: 'acknowledged', by: 'gina' }), { status: 200 }));
    const close = vi.fn();
    await s.fire('notificationclick', {
      action: 'ack',
      notification: { data: { ack: 'gha_token', url: payload.url, title: payload.title }, close },
    });
    expect(close).toHaveBeenCalled();
    const [url, init] = s.scope.fetch.mock.calls[0]!;
    expect(url).toBe('/api/rpc/notify.ack');
    expect(init).toMatchObject({ method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(init.body as string)).toEqual({ token: 'gha_token' });
    expect(s.shown[0]).toMatchObject({ title: 'Acknowledged #12', options: { body: 'by gina: P1 Critical: PANIC' } });
  });

  it('says why when the acknowledgement is refused, and a plain click opens the console at the alarm', async () => {
    const s = fakeScope(
      async () => new Response(JSON.stringify({ error: { message: 'this notification was already used' } }), { status: 401 }),
    );
    await s.fire('notificationclick', { action: 'ack', notification: { data: { ack: 'gha_token', url: payload.url }, close: () => {} } });
    expect(s.shown[0]).toMatchObject({ title: 'Not acknowledged', options: { body: expect.stringMatching(/already used/) } });
    await s.fire('notificationclick', { action: '', notification: { data: { url: payload.url }, close: () => {} } });
    expect(s.opened).toEqual(['https://nvr.example.org/#/alarms?alarm=12']);
  });
});

describe('push client helpers', () => {
  it('decodes the VAPID key and names the browser', () => {
    expect(Array.from(keyBytes('AQID_-8'))).toEqual([1, 2, 3, 255, 239]);
    expect(browserLabel('Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36')).toBe('Chrome on Android');
    expect(browserLabel('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe('Firefox on Linux');
  });
});
