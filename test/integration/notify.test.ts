/**
 * Notifications with real parts: a real engine and HTTP server, a real camera
 * (the GStreamer RTSP fixture) for the snapshot, a real SMTP server
 * (smtp-server, STARTTLS with a test CA, a user and password), a push service
 * on 127.0.0.1 whose messages the test decrypts with the subscription's keys
 * (RFC 8291, test/support/web-push-receiver.ts), webhook receivers, and the
 * CLI. The escalation ladder runs on the real clock with short times.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, AlarmEntry, AuditRecord, Page } from '../../main/api/alarms.js';
import type { Notice, PushSubscriptionInfo } from '../../main/api/notify.js';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import { expectLogErrors } from '../support/log-guard.js';
import { browserKeys, decryptPush, startPushService, type BrowserKeys, type PushService } from '../support/web-push-receiver.js';
import { freePort, startEngine, tempDir, waitFor, type TestEngine } from './alarms-support.js';
import { cliSync } from './recording-harness.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
let e: TestEngine;
let dir: string;
let rtsp: RtspFixture;
let push: PushService;
let smtp: SMTPServer;
let smtpPort: number;
let hooks: http.Server;
let hookUrl: string;
const hookHits: { path: string; body: string }[] = [];
const mails: { from: string; to: string[]; raw: string; user: string | undefined; secure: boolean }[] = [];
let caFile: string;
let camId: string;
let gina: string;
let ginaKeys: BrowserKeys;

/** The CLI without blocking this process (the SMTP server it talks to runs here). */
function cliAsync(args: string[], input?: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main/cli/gatehouse.ts'), ...args, '--data', dir], {
      cwd: ROOT,
      env: { ...process.env, GATEHOUSE_LOG: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** A mail's text with folded header lines joined. */
const unfold = (raw: string) => raw.replace(/\r?\n[ \t]+/g, ' ');

/** Quoted-printable decoded (the text parts of a mail). */
const qp = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

const cli = (...args: string[]) => cliSync(dir, args);

const call = <T>(method: string, params: unknown = {}, token = e.token) =>
  e.engine.handle(method, params, { token, peer: 'test' }) as Promise<T>;

/** The push messages sent to one endpoint path, decrypted. */
const pushesTo = (p: string, k: BrowserKeys) =>
  push.received
    .filter((r) => r.path === p)
    .map((r) => ({ headers: r.headers, payload: JSON.parse(decryptPush(r.body, k)) as Record<string, unknown> }));

beforeAll(async () => {
  dir = tempDir('notify');
  // a CA-less self-signed certificate for 127.0.0.1: the SMTP server's, trusted through --ca
  caFile = path.join(dir, '..', `${path.basename(dir)}-smtp-cert.pem`);
  const keyFile = `${caFile}.key`;
  const ossl = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      caFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { encoding: 'utf8' },
  );
  expect(ossl.status, ossl.stderr).toBe(0);
  smtpPort = await freePort();
  smtp = new SMTPServer({
    key: fs.readFileSync(keyFile),
    cert: fs.readFileSync(caFile),
    logger: false,
    onAuth(auth, _s, cb) {
      if (auth.username === 'mailer' && auth.password === 'mail-pass-1') cb(null, { user: 'mailer' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
          secure: session.secure,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', r));
  push = await startPushService();
  hooks = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hookHits.push({ path: req.url ?? '/', body });
      if (req.url === '/hang') return; // never answers
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  rtsp = await startRtspServer({ mounts: { '/gate': {} } });

  e = await startEngine(dir);
  await e.engine.config.update((c) => {
    c.notifications = {
      ...(c.notifications as object),
      pushHosts: ['127.0.0.1'],
      retrySeconds: [1, 1],
      publicUrl: 'https://nvr.example.org:8780',
    } as typeof c.notifications;
  });
  const cam = await call<{ id: string }>('cameras.add', { name: 'Gate', url: rtsp.url('/gate') });
  camId = cam.id;
  await call('users.add', { username: 'gina', password: 'gina-password-1', role: 'guard' });
  gina = (await call<{ token: string }>('auth.login', { username: 'gina', password: 'gina-password-1' }, '')).token;
  ginaKeys = browserKeys();
  await waitFor('recording', () => e.engine.cameras.info(camId)?.status.state === 'recording', 60_000, 250);
}, 180_000);

afterAll(async () => {
  await e?.stop();
  await rtsp?.close();
  await push?.close();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  hooks?.closeAllConnections();
  hooks?.close();
  for (const f of [caFile, `${caFile}.key`]) if (f) fs.rmSync(f, { force: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('Web Push', () => {
  it('makes VAPID keys at first start, with the private key sealed', () => {
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
      notifications: { vapid: { publicKey: string; privateKeySealed: string } };
    };
    expect(cfg.notifications.vapid.publicKey).toMatch(/^B[A-Za-z0-9_-]{80,}$/);
    expect(cfg.notifications.vapid.privateKeySealed).toMatch(/^enc:v1:/);
  });

  it('refuses endpoints that are not push services, and malformed keys', async () => {
    const k = browserKeys();
    await expect(
      call('push.subscribe', { endpoint: 'https://intranet.example/x', keys: { p256dh: k.p256dh, auth: k.auth } }, gina),
    ).rejects.toThrow(/not a known push service/);
    await expect(call('push.subscribe', { endpoint: `${push.url}/x`, keys: { p256dh: 'AAAA', auth: k.auth } }, gina)).rejects.toThrow(
      /p256dh/,
    );
  });

  it('sends a test push that the subscription’s keys decrypt (aes128gcm, VAPID)', async () => {
    const sub = await call<PushSubscriptionInfo>(
      'push.subscribe',
      { endpoint: `${push.url}/gina-phone`, keys: { p256dh: ginaKeys.p256dh, auth: ginaKeys.auth }, label: 'Gina phone', priorities: [1] },
      gina,
    );
    expect(sub).toMatchObject({ username: 'gina', label: 'Gina phone', service: push.url, priorities: [1], cameraIds: null });
    const n = await call<Notice>('push.test', { id: sub.id }, gina);
    const done = await waitFor('delivered', () => (e.engine.notify!.store.notice(n.id)?.state === 'delivered' ? true : null), 20_000);
    expect(done).toBe(true);
    const [msg] = pushesTo('/gina-phone', ginaKeys);
    expect(msg!.headers['content-encoding']).toBe('aes128gcm');
    expect(String(msg!.headers.authorization)).toMatch(
      new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${e.engine.notify!.setup().vapid!.publicKey}$`),
    );
    expect(msg!.payload).toMatchObject({ v: 1, kind: 'test', title: 'Gatehouse test notice', ack: null });
    // a guard sees only their own; another guard can't remove it
    expect((await call<PushSubscriptionInfo[]>('push.list', {}, gina)).map((s) => s.id)).toEqual([sub.id]);
    await expect(call('push.list', { all: true }, gina)).rejects.toThrow(/only an admin/);
    expect((await call<PushSubscriptionInfo[]>('push.list', { all: true })).length).toBe(1);
  });

  it('pushes a raised alarm with its camera, a snapshot and an Acknowledge token that works once, as that user', async () => {
    const before = push.received.length;
    const a = await call<Alarm>('alarms.panic', { cameraId: camId, comment: 'gate forced' });
    await waitFor('the alarm push', () => (push.received.length > before ? true : null), 30_000);
    const msg = pushesTo('/gina-phone', ginaKeys).at(-1)!;
    expect(msg.headers.urgency).toBe('high');
    const p = msg.payload as { title: string; camera: string; image: string; ack: string; alarmId: number; url: string; kind: string };
    expect(p).toMatchObject({ kind: 'raised', alarmId: a.id, camera: 'Gate', url: `/#/alarms?alarm=${a.id}` });
    expect(p.title).toMatch(/P1 Critical: PANIC raised by admin at Gate/);
    expect(p.image).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThanOrEqual(3993);
    expect(p.ack).toMatch(/^gha_[\w-]{43}$/);

    // the service worker's POST: same origin, JSON, no cookie
    const ack = (token: string) =>
      fetch(`${e.url}/api/rpc/notify.ack`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: e.url },
        body: JSON.stringify({ token }),
      });
    const r1 = await ack(p.ack);
    expect(r1.status).toBe(200);
    expect(await r1.json()).toEqual({ alarmId: a.id, state: 'acknowledged', by: 'gina' });
    const acked = (await call<{ alarm: Alarm; entries: AlarmEntry[] }>('alarms.get', { id: a.id })).alarm;
    expect(acked).toMatchObject({ state: 'acknowledged', claimedBy: 'gina' });
    const r2 = await ack(p.ack);
    expect(r2.status).toBe(401);
    expect((await r2.json()).error.message).toMatch(/already used/);
    expect((await ack('gha_' + 'A'.repeat(43))).status).toBe(401);
    const audit = await call<Page<AuditRecord>>('audit.list', { action: 'alarm.acknowledge' });
    expect(audit.items[0]).toMatchObject({
      actor: 'gina',
      target: `alarm:${a.id}`,
      details: { comment: 'acknowledged from a push notification' },
    });
    const refused = await call<Page<AuditRecord>>('audit.list', { action: 'notify.ack.refused' });
    expect(refused.items.map((x) => x.details.reason)).toEqual(['unknown', 'used']);
    // the token is nowhere in the trail
    const trail = await call<Page<AuditRecord>>('audit.list', { limit: 500 });
    expect(JSON.stringify(trail.items)).not.toContain(p.ack.slice(4));
    // and the history says the push went out
    const entries = (await call<{ entries: AlarmEntry[] }>('alarms.get', { id: a.id })).entries;
    expect(entries.filter((x) => x.kind === 'notice').map((x) => x.comment)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^push to gina \(Gina phone \(127\.0\.0\.1:\d+\)\): sent$/),
        expect.stringMatching(/: delivered$/),
      ]),
    );
  });

  it('removes a subscription whose push service answers 410', async () => {
    const k = browserKeys();
    push.statusFor.set('/gone', 410);
    const sub = await call<PushSubscriptionInfo>(
      'push.subscribe',
      { endpoint: `${push.url}/gone`, keys: { p256dh: k.p256dh, auth: k.auth } },
      gina,
    );
    const n = await call<Notice>('push.test', { id: sub.id }, gina);
    await waitFor('removed', () => (e.engine.notify!.store.notice(n.id)?.state === 'removed' ? true : null), 20_000);
    expect((await call<PushSubscriptionInfo[]>('push.list', {}, gina)).map((s) => s.id)).not.toContain(sub.id);
    const audit = await call<Page<AuditRecord>>('audit.list', { action: 'push.removed' });
    expect(audit.items[0]).toMatchObject({ actor: 'system', target: `push:${sub.id}`, details: { owner: 'gina' } });
  });
});

describe('e-mail and the on-call ladder', () => {
  it('sets the SMTP server from the CLI (password from stdin, sealed) and sends a test e-mail over STARTTLS with the given CA', async () => {
    const set = await cliAsync(
      [
        'smtp',
        'set',
        '--url',
        `smtp://127.0.0.1:${smtpPort}`,
        '--from',
        'gatehouse@example.org',
        '--user',
        'mailer',
        '--password-stdin',
        '--tls',
        'starttls',
        '--ca',
        caFile,
      ],
      'mail-pass-1\n',
    );
    expect(set.code, set.out).toBe(0);
    const cfg = fs.readFileSync(path.join(dir, 'config.json'), 'utf8');
    expect(cfg).not.toContain('mail-pass-1');
    expect(cfg).toMatch(/"passwordSealed": "enc:v1:/);
    // without the CA the server's certificate is not trusted
    await e.engine.config.update((c) => {
      c.notifications!.smtp!.caFile = null;
    });
    const untrusted = await cliAsync(['smtp', 'test', '--to', 'ops@example.org']);
    expect(untrusted.code).toBe(1);
    expect(untrusted.out).toMatch(/certificate|self[- ]signed/i);
    await e.engine.config.update((c) => {
      c.notifications!.smtp!.caFile = caFile;
    });
    const t = await cliAsync(['smtp', 'test', '--to', 'ops@example.org']);
    expect(t.code, t.out).toBe(0);
    expect(t.out).toMatch(/accepted the test e-mail to ops@example.org/);
    const m = mails.at(-1)!;
    expect(m).toMatchObject({ from: 'gatehouse@example.org', to: ['ops@example.org'], user: 'mailer', secure: true });
    expect(unfold(m.raw)).toMatch(/Subject: \[Gatehouse\] Gatehouse test notice/);
  });

  it('refuses a contact with no channel, from the API and the CLI', async () => {
    await expect(call('contacts.add', { name: 'Nobody' })).rejects.toThrow(/at least one channel/);
    const r = cli('contacts', 'add', '--name', 'Nobody');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/at least one channel: an e-mail address, a user \(push\), an MQTT topic or a webhook URL/);
  });

  it('climbs the ladder on the real clock: e-mail with the snapshot at level 2, the webhook at level 3, until acknowledged', async () => {
    await e.engine.config.data; // the CLI's changes are loaded
    await waitFor('smtp reloaded', () => (e.engine.notify!.setup().smtp ? true : null), 10_000);
    const add = cli(
      'contacts',
      'add',
      '--name',
      'Sam Supervisor',
      '--email',
      'sam@example.org',
      '--priorities',
      '1,2',
      '--level',
      '2',
      '--duty',
      'daily 00:00-00:00',
    );
    expect(add.code, add.out).toBe(0);
    await call('contacts.add', { name: 'Site Manager', webhookUrl: `${hookUrl}/manager`, level: 3 });
    await call('oncall.set', {
      ladders: [
        {
          priority: 1,
          steps: [
            { level: 2, afterSeconds: 2 },
            { level: 3, afterSeconds: 4 },
          ],
        },
      ],
    });
    const list = cli('contacts', 'list');
    expect(list.out).toMatch(/sam-supervisor\s+Sam Supervisor/);

    const mailsBefore = mails.length;
    const a = await call<Alarm>('alarms.panic', { cameraId: camId });
    expect(a.state).toBe('new');
    const mail = await waitFor('the level-2 e-mail', () => mails.slice(mailsBefore).find((m) => m.to.includes('sam@example.org')), 30_000);
    expect(unfold(mail.raw)).toMatch(/Subject: \[Gatehouse\] P1 Critical, not acknowledged: PANIC raised by admin at Gate/);
    expect(qp(mail.raw)).toContain(`https://nvr.example.org:8780/#/alarms?alarm=${a.id}`);
    // the snapshot is attached: a JPEG part
    const part = /Content-Type: image\/jpeg;[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(mail.raw);
    expect(part, 'a JPEG attachment').toBeTruthy();
    expect(Buffer.from(part![1]!.replace(/\s+/g, ''), 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const hook = await waitFor(
      'the level-3 webhook',
      () => hookHits.find((h) => h.path === '/manager' && h.body.includes(`"id":${a.id}`)),
      30_000,
    );
    expect(JSON.parse(hook.body)).toMatchObject({
      event: 'notice',
      kind: 'escalation',
      level: 3,
      recipient: 'Site Manager',
      alarm: { id: a.id, priority: 1 },
    });
    await waitFor(
      'delivered',
      () => (e.engine.notify!.store.history(a.id, null, 50).items.filter((n) => n.state === 'delivered').length >= 2 ? true : null),
      20_000,
    );

    const entries = (await call<{ entries: AlarmEntry[] }>('alarms.get', { id: a.id })).entries
      .filter((x) => x.kind === 'notice')
      .map((x) => x.comment);
    expect(entries).toEqual(
      expect.arrayContaining([
        'e-mail to Sam Supervisor (s…@example.org), level 2: sent',
        'e-mail to Sam Supervisor (s…@example.org), level 2: delivered',
        expect.stringMatching(/^webhook to Site Manager \(http:\/\/127\.0\.0\.1:\d+\), level 3: delivered$/),
      ]),
    );
    // acknowledged: nothing more
    await call('alarms.transition', { id: a.id, action: 'acknowledge' });
    const hits = hookHits.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(hookHits.length).toBe(hits);
    const notices = await call<Page<Notice>>('notify.history', { alarmId: a.id });
    expect(notices.items.map((n) => [n.channel, n.level, n.state]).sort()).toEqual(
      [
        ['email', 2, 'delivered'],
        ['push', 1, 'delivered'],
        ['webhook', 3, 'delivered'],
      ].sort(),
    );
  });

  it('retries an SMTP server that is down, reports the failure, and the alarm is not held up', async () => {
    expectLogErrors(); // warnings only: a failed notice is not an engine error
    const dead = await freePort();
    await call('smtp.set', { url: `smtp://127.0.0.1:${dead}`, tls: 'none' });
    const [n] = await call<Notice[]>('contacts.test', { id: 'sam-supervisor' });
    expect(n).toMatchObject({ channel: 'email', state: 'sending', kind: 'test' });
    const a = await call<Alarm>('alarms.panic', { comment: 'while the mail server is down' });
    expect(a.state).toBe('new');
    const failed = await waitFor(
      'failed after the retries',
      () => {
        const x = e.engine.notify!.store.notice(n!.id);
        return x?.state === 'failed' ? x : null;
      },
      30_000,
    );
    expect(failed.attempts).toBe(3);
    expect(failed.lastError).toMatch(new RegExp(`SMTP server 127\\.0\\.0\\.1:${dead} refused the connection`));
    await expect(call('smtp.test', { to: 'ops@example.org' })).rejects.toThrow(/refused the connection/);
  });

  it('cuts off a webhook that hangs and retries it', async () => {
    const c = await call<{ id: string }>('contacts.add', { name: 'Hanging pager', webhookUrl: `${hookUrl}/hang`, level: 4 });
    const [n] = await call<Notice[]>('contacts.test', { id: c.id });
    const retrying = await waitFor(
      'timed out',
      () => {
        const x = e.engine.notify!.store.notice(n!.id);
        return x && x.attempts >= 1 ? x : null;
      },
      20_000,
    );
    expect(retrying.state).toBe('retrying');
    expect(retrying.lastError).toBe('the webhook did not answer within 5 s');
    const r = cli('contacts', 'remove', c.id);
    expect(r.code, r.out).toBe(0);
  });
});
