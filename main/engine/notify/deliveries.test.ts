/**
 * The delivery queue (fake timers, in-memory SQLite): retries with the
 * configured waits and a bounded count, what the alarm's history and the audit
 * trail get, a push subscription gone (410) removed, leftovers of a stopped
 * engine failed; the acknowledge tokens; the push payload's size budget.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import sharp from 'sharp';
import { AuditTrail } from '../audit/trail.js';
import { EventBus } from '../bus.js';
import { KeyFileSecretBox } from '../config/secrets.js';
import { openIndex, type Db } from '../store/db.js';
import { AckTokens, ACK_TOKEN_TTL_MS } from './ack-tokens.js';
import { Deliveries } from './deliveries.js';
import { encodePayload, MAX_PAYLOAD_BYTES, checkEndpoint } from './push.js';
import { SendError } from './send-error.js';
import { NotifyStore } from './store.js';
import { burnMasks, thumbnails } from './thumbs.js';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';

let db: Db;
let store: NotifyStore;
let notes: string[];
let q: Deliveries;
let audit: AuditTrail;
let keyDir: string;

beforeEach(() => {
  vi.useFakeTimers();
  db = openIndex(':memory:');
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-notify-unit-'));
  store = new NotifyStore(db, new KeyFileSecretBox(path.join(keyDir, 'secret.key')));
  notes = [];
  audit = new AuditTrail(db);
  q = new Deliveries({
    store,
    bus: new EventBus(),
    alarms: {
      get: () => null,
      unacknowledged: () => [],
      acknowledge: () => {
        throw new Error('no');
      },
      noteNotice: (id, t) => notes.push(`#${id} ${t}`),
    },
    audit,
    retrySeconds: () => [1, 2],
  });
});
afterEach(() => {
  q.stop();
  db.close();
  vi.useRealTimers();
  fs.rmSync(keyDir, { recursive: true, force: true });
});

const base = {
  alarmId: 7,
  contactId: 'sam',
  recipient: 'Sam',
  channel: 'email' as const,
  target: 's…@example.org',
  level: 2,
  kind: 'escalation' as const,
};

describe('deliveries', () => {
  it('retries after each configured wait and reports the delivery', async () => {
    let calls = 0;
    const n = q.enqueue({
      notice: base,
      send: async () => {
        if (++calls < 3) throw new SendError('connection refused', 'retry');
      },
    });
    expect(n.state).toBe('sending');
    await vi.advanceTimersByTimeAsync(0);
    expect(store.notice(n.id)).toMatchObject({ state: 'retrying', attempts: 1, lastError: 'connection refused' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.notice(n.id)!.attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(store.notice(n.id)).toMatchObject({ state: 'delivered', attempts: 3 });
    expect(notes).toEqual([
      '#7 e-mail to Sam (s…@example.org), level 2: sent',
      '#7 e-mail to Sam (s…@example.org), level 2: failed: connection refused; retrying in 1 s (up to 2 more attempts)',
      '#7 e-mail to Sam (s…@example.org), level 2: delivered (attempt 3)',
    ]);
    expect(audit.list({}, null, 10).items[0]).toMatchObject({ actor: 'system', action: 'notify.delivered', target: 'alarm:7' });
  });

  it('gives up after the last wait, and at once on a permanent error', async () => {
    const a = q.enqueue({ notice: base, send: async () => Promise.reject(new SendError('down', 'retry')) });
    const b = q.enqueue({
      notice: { ...base, channel: 'mqtt', target: 't' },
      send: async () => Promise.reject(new SendError('MQTT is not configured', 'permanent')),
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.notice(a.id)).toMatchObject({ state: 'failed', attempts: 3 });
    expect(store.notice(b.id)).toMatchObject({ state: 'failed', attempts: 1 });
    expect(notes).toContain('#7 e-mail to Sam (s…@example.org), level 2: failed after 3 attempts: down');
    expect(notes).toContain('#7 MQTT to Sam (t), level 2: failed: MQTT is not configured');
  });

  it('removes a push subscription the push service says is gone', async () => {
    const gone = vi.fn();
    const n = q.enqueue({
      notice: { ...base, channel: 'push', target: 'phone' },
      send: async () => Promise.reject(new SendError('gone (HTTP 410)', 'gone', 410)),
      onGone: gone,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(gone).toHaveBeenCalledOnce();
    expect(store.notice(n.id)!.state).toBe('removed');
  });

  it('fails what a stopped engine left in flight', () => {
    const n = store.addNotice(base, Date.now());
    q.failLeftovers();
    expect(store.notice(n.id)).toMatchObject({ state: 'failed', lastError: 'the engine stopped before it was delivered' });
  });
});

describe('acknowledge tokens', () => {
  it('work once, for a short time, and are kept only as a hash', () => {
    let now = 1_000_000;
    const t = new AckTokens(db, () => now);
    const a = t.issue('gina', 3);
    expect(JSON.stringify(db.prepare('SELECT * FROM ack_tokens').all())).not.toContain(a.slice(4));
    expect(t.redeem(a)).toEqual({ ok: true, username: 'gina', alarmId: 3 });
    expect(t.redeem(a)).toEqual({ ok: false, reason: 'used' });
    const b = t.issue('gina', 4);
    now += ACK_TOKEN_TTL_MS;
    expect(t.redeem(b)).toEqual({ ok: false, reason: 'expired' });
    expect(t.redeem('gha_' + 'x'.repeat(43))).toEqual({ ok: false, reason: 'unknown' });
  });
});

describe('push payload', () => {
  it('carries the largest thumbnail that fits under the push services’ limit', async () => {
    vi.useRealTimers();
    const noise = Buffer.alloc(640 * 360 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
    const jpg = await sharp(noise, { raw: { width: 640, height: 360, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    const thumbs = await thumbnails(jpg);
    expect(thumbs.length).toBe(4);
    const p = {
      v: 1 as const,
      kind: 'raised' as const,
      title: 'P1 Critical: PANIC',
      body: 'Gate',
      camera: 'Gate',
      alarmId: 1,
      priority: 1 as const,
      level: 1,
      tag: 't',
      url: '/#/alarms?alarm=1',
      ack: 'gha_' + 'a'.repeat(43),
      time: new Date().toISOString(),
    };
    const { json, imageBytes } = encodePayload(p, thumbs);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(JSON.parse(json).image === null ? 0 : imageBytes).toBe(imageBytes);
    // a body far too long is cut, never refused
    const long = encodePayload({ ...p, body: 'x'.repeat(5000) }, []);
    expect(Buffer.byteLength(long.json)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });

  it('burns privacy masks into a snapshot that leaves the site', async () => {
    vi.useRealTimers();
    const white = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ffffff' } })
      .jpeg()
      .toBuffer();
    const masked = await burnMasks(white, [
      [
        [0, 0],
        [0.5, 0],
        [0.5, 1],
        [0, 1],
      ],
    ]);
    const { data } = await sharp(masked).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => data[(y * 100 + x) * 3]!;
    expect(px(10, 50)).toBeLessThan(20);
    expect(px(90, 50)).toBeGreaterThan(235);
    expect(await burnMasks(white, [])).toBe(white);
  });

  it('sends only to push services, or to a listed loopback host over http', () => {
    expect(() => checkEndpoint('https://fcm.googleapis.com/fcm/send/abc', [])).not.toThrow();
    expect(() => checkEndpoint('https://web.push.apple.com/QGx', [])).not.toThrow();
    expect(() => checkEndpoint('https://intranet.example/admin', [])).toThrow(/not a known push service/);
    expect(() => checkEndpoint('http://127.0.0.1:9/push', [])).toThrow(/must be https/);
    expect(() => checkEndpoint('http://127.0.0.1:9/push', ['127.0.0.1'])).not.toThrow();
    expect(() => checkEndpoint('http://10.0.0.1/push', ['10.0.0.1'])).toThrow(/must be https/);
  });
});
