/**
 * The sensor webhook over real HTTP, the guard workflow through the API
 * (claims, take-over, roles), and the audit trail checked by the real CLI,
 * including a tampered row.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessEntry, Alarm, Page } from '../../main/api/alarms.js';
import { startEngine, tempDir, waitFor, type TestEngine } from './alarms-support.js';
import { cliSync } from './recording-harness.js';
import { expectLogErrors } from '../support/log-guard.js';

let e: TestEngine;
let dir: string;
let hook: string;

const cli = (...args: string[]) => cliSync(dir, args);

const post = (body: unknown, token: string | null = hook, raw = false) =>
  fetch(`${e.url}/api/webhook/sensors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: raw ? (body as string) : JSON.stringify(body),
  });

beforeAll(async () => {
  dir = tempDir('webhook');
  e = await startEngine(dir);
  // the CLI creates the integration while the server runs; the server picks it up
  const r = cli('alarms', 'webhook', 'add', 'Access control');
  expect(r.code, r.out).toBe(0);
  hook = /Bearer (\S+)/.exec(r.out)![1]!;
  await waitFor('the webhook config reloaded', () => e.engine.alarms!.setup().webhooks.length === 1, 10_000);
});
afterAll(async () => {
  await e?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sensor webhook', () => {
  it('rejects missing and wrong tokens with 401', async () => {
    const none = await post({ sensor: 'd1', type: 'door', state: 'open' }, null);
    expect(none.status).toBe(401);
    expect((await none.json()).error.message).toMatch(/missing token/);
    const wrong = await post({ sensor: 'd1', type: 'door', state: 'open' }, 'ghw_wrong');
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.message).toMatch(/unknown or disabled webhook token/);
  });

  it('rejects malformed bodies with 400 naming the problem, and takes nothing of a bad batch', async () => {
    const bad = await post('{"sensor":', hook, true);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/not valid JSON/);
    const schema = await post({ messages: [{ sensor: 'd1', type: 'door', state: 'open' }, { sensor: 'd2', type: 'door', state: 'ajar' }] });
    expect(schema.status).toBe(400);
    expect((await schema.json()).error.message).toMatch(/messages\[1\]: state/);
    expect(e.engine.alarms!.store.queue().some((a) => a.source === 'd1')).toBe(false);
    const get = await fetch(`${e.url}/api/webhook/sensors`, { headers: { authorization: `Bearer ${hook}` } });
    expect(get.status).toBe(400);
  });

  it('accepts sensor messages: alarms, and badge reads in the access log', async () => {
    const r = await post({
      messages: [
        { sensor: 'front-door', type: 'door', state: 'forced' },
        { sensor: 'reader-1', type: 'badge.denied', badge: '0042', door: 'front', person: 'J. Doe', reason: 'expired' },
        { sensor: 'reader-1', type: 'badge.granted', badge: '0007', door: 'front', direction: 'in' },
      ],
    });
    expect(r.status).toBe(202);
    const body = (await r.json()) as { accepted: number; results: { outcome: string; alarmId: number | null }[] };
    expect(body.accepted).toBe(3);
    expect(body.results.map((x) => x.outcome)).toEqual(['raised', 'raised', 'logged']);
    const log = await e.rpc<Page<AccessEntry>>('access.search', { door: 'front' }, e.token);
    expect(log.body.items.map((x) => [x.badge, x.granted])).toEqual([
      ['0007', true],
      ['0042', false],
    ]);
    expect(log.body.items[1]!.alarmId).toBe(body.results[1]!.alarmId);
    const cliLog = cli('alarms', 'access', '--badge', '0042', '--json');
    expect(JSON.parse(cliLog.out)).toHaveLength(1);
  });
});

describe('guard workflow over the API', () => {
  it('lets one guard claim an alarm, refuses another, and lets a supervisor take it over', async () => {
    for (const [u, role] of [
      ['gina', 'guard'],
      ['gus', 'guard'],
      ['sam', 'supervisor'],
    ] as const) {
      expect((await e.rpc('users.add', { username: u, password: `${u}-password-1`, role }, e.token)).status).toBe(200);
    }
    const tok = async (u: string) => ((await e.rpc<{ token: string }>('auth.login', { username: u, password: `${u}-password-1` })).body.token);
    const [gina, gus, sam] = [await tok('gina'), await tok('gus'), await tok('sam')];
    const panic = await e.rpc<Alarm>('alarms.panic', { comment: 'intruder in the yard' }, gina);
    expect(panic.status).toBe(200);
    const id = panic.body.id;
    expect((await e.rpc<Alarm>('alarms.transition', { id, action: 'acknowledge' }, gina)).body.claimedBy).toBe('gina');
    const refused = await e.rpc<{ error: { code: string; message: string } }>('alarms.transition', { id, action: 'start' }, gus);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/being handled by gina/);
    expect((await e.rpc('alarms.claim', { id, takeover: true }, gus)).status).toBe(403);
    expect((await e.rpc<Alarm>('alarms.claim', { id, takeover: true }, sam)).body.claimedBy).toBe('sam');
    const noReason = await e.rpc<{ error: { message: string } }>('alarms.transition', { id, action: 'close' }, sam);
    expect(noReason.status).toBe(400);
    expect((await e.rpc<Alarm>('alarms.transition', { id, action: 'close', reason: 'police arrived' }, sam)).body.state).toBe('closed');
    const hist = await e.rpc<Page<Alarm>>('alarms.history', { filter: { user: 'gina' } }, sam);
    expect(hist.body.items.map((a) => a.id)).toContain(id);
    expect((await e.rpc('audit.list', {}, gina)).status).toBe(403);
    expect((await e.rpc('alarms.mute', { seconds: 30 }, gina)).status).toBe(200);
  });

  it('lists alarms from the CLI while the server runs', () => {
    const r = cli('alarms', 'list', '--state', 'all', '--json');
    expect(r.code, r.out).toBe(0);
    const list = JSON.parse(r.out) as Alarm[];
    expect(list.length).toBeGreaterThanOrEqual(3);
    expect(list[0]).toHaveProperty('state');
    expect(cli('alarms', 'list', '--state', 'bogus').code).toBe(2);
  });
});

describe('audit trail', () => {
  // The tampered row below makes the engine refuse its shutdown checkpoint, as it should (docs/security.md).
  expectLogErrors(/audit checkpoint refused: audit record \d+ does not check out/);
  it('records logins, user and config changes, alarm actions and mutes; verifies; finds a tampered row', async () => {
    expect((await e.rpc('settings.update', { patch: { stallSeconds: 15 } }, e.token)).status).toBe(200);
    const wrong = await e.rpc('auth.login', { username: 'gina', password: 'not-her-password' });
    expect(wrong.status).toBe(401);
    const page = await e.rpc<Page<{ seq: number; action: string; actor: string; details: Record<string, unknown> }>>('audit.list', { limit: 500 }, e.token);
    const actions = new Set(page.body.items.map((r) => r.action));
    for (const a of ['auth.login', 'auth.login.failed', 'users.add', 'settings.update', 'alarm.raised', 'alarm.acknowledge', 'alarm.takeover', 'alarm.close', 'alarms.mute']) {
      expect(actions, a).toContain(a);
    }
    expect(JSON.stringify(page.body.items)).not.toMatch(/password-1/);

    const ok = cli('audit', 'verify');
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/Audit trail OK: \d+ record/);

    // Tamper with one row behind the engine's back (the triggers have to go first).
    const target = page.body.items.find((r) => r.action === 'settings.update')!;
    const db = new Database(path.join(dir, 'index.sqlite'));
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare(`UPDATE audit SET details = json_set(details, '$.params.patch.stallSeconds', 300) WHERE seq = ?`).run(target.seq);
    db.close();
    const bad = cli('audit', 'verify');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`FAILED at record ${target.seq} (tampered)`);
    const json = JSON.parse(cli('audit', 'verify', '--json').out);
    expect(json.firstBad).toMatchObject({ seq: target.seq, problem: 'tampered' });
    const api = await e.rpc<{ ok: boolean; firstBad: { seq: number } }>('audit.verify', {}, e.token);
    expect(api.body).toMatchObject({ ok: false, firstBad: { seq: target.seq } });
  });
});
