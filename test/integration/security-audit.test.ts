/**
 * Issue 18, security item 5 (and the file modes of item 6), with real parts:
 * an engine with MQTT (mosquitto) and a notify receiver signs audit
 * checkpoints and publishes them (file outside the data dir, MQTT retained,
 * webhook); CLI commands that change something are audited as the OS user in
 * the same chain, with the server running and without; and the real SQLite
 * file is tampered with the way an attacker would (edit a record and
 * recompute every later hash and the head; delete the last record and fix
 * the head; drop the index's checkpoints too), checked by the real
 * `gatehouse audit verify` and its exit codes.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditCheckpoint, AuditRecord, Page } from '../../main/api/alarms.js';
import { recordHash } from '../../main/engine/audit/trail.js';
import { mqttClient, startBroker, startEngine, tempDir, waitFor, type Broker, type TestEngine } from './alarms-support.js';
import { cliSync } from './recording-harness.js';
import { expectLogErrors } from '../support/log-guard.js';

const OS_ACTOR = `os:${os.userInfo().username}`;
let root: string;
let dir: string;
let outside: string;
let cpFile: string;
let broker: Broker;
let e: TestEngine | null = null;
let receiver: http.Server;
const received: unknown[] = [];

const cli = (args: string[], input?: string) => cliSync(dir, args, { input, timeoutMs: 90_000 });

const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

/** Read the trail straight from the file (works with the engine stopped). */
function records(): AuditRecord[] {
  const db = new Database(path.join(dir, 'index.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT * FROM audit ORDER BY seq').all() as any[]).map((r) => ({ ...r, details: JSON.parse(r.details) }));
  } finally {
    db.close();
  }
}

async function start(): Promise<TestEngine> {
  e = await startEngine(dir, { mqttUrl: broker.url });
  return e;
}
const fileCheckpoints = (): AuditCheckpoint[] =>
  fs.existsSync(cpFile) ? fs.readFileSync(cpFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditCheckpoint) : [];

async function stop(): Promise<void> {
  const before = fileCheckpoints().length;
  await e?.stop();
  e = null;
  // The shutdown checkpoint is posted to the notify target as the engine stops: let it arrive before
  // the next CLI call blocks this process (spawnSync) and the receiver with it.
  const made = fileCheckpoints().slice(before);
  for (const cp of made) await waitFor(`checkpoint #${cp.n} at the notify target`, () => received.some((b) => (b as { checkpoint?: AuditCheckpoint }).checkpoint?.n === cp.n));
  if (made.length) await new Promise((r) => setTimeout(r, 300)); // and its answer back at the engine's client
}

beforeAll(async () => {
  root = tempDir('security-audit');
  dir = path.join(root, 'data');
  outside = path.join(root, 'elsewhere');
  cpFile = path.join(outside, 'gatehouse-checkpoints.jsonl');
  broker = await startBroker();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  // The site manager's settings: a checkpoint file outside the data dir, and a notify target that archives checkpoints.
  fs.mkdirSync(dir, { recursive: true });
  const port = (receiver.address() as { port: number }).port;
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      schemaVersion: 2,
      security: { auditCheckpointFile: cpFile, auditCheckpointMinutes: 10 },
      alarmSetup: { notify: [{ url: `http://127.0.0.1:${port}/archive`, events: ['checkpoint'], token: null }] },
    }),
    { mode: 0o644 },
  );
  await start();
});

afterAll(async () => {
  await stop();
  await broker?.close();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  fs.rmSync(root, { recursive: true, force: true });
});

describe('signed checkpoints, published off the data dir', () => {
  it('signs one, appends it to the file outside the data dir, retains it on MQTT and posts it to the notify target', async () => {
    const eng = e!;
    expect((await eng.rpc('settings.update', { patch: { stallSeconds: 15 } }, eng.token)).status).toBe(200);
    await waitFor('MQTT connected', () => eng.engine.integrations?.mqtt?.snapshot().connected);
    const cp = eng.engine.audit!.checkpoint('test')!;
    expect(cp).toMatchObject({ type: 'gatehouse.audit.checkpoint', reason: 'test', key: expect.stringMatching(/^SHA256:/) });
    const lines = fs.readFileSync(cpFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditCheckpoint);
    expect(lines.at(-1)).toEqual(cp);
    expect(mode(cpFile)).toBe('600');
    // A subscriber that comes later still gets the newest checkpoint: it is retained.
    const sub = await mqttClient(broker.url);
    try {
      const got = new Promise<AuditCheckpoint>((resolve) => sub.on('message', (_t, m) => resolve(JSON.parse(m.toString()))));
      sub.subscribe('gatehouse/alarms/audit/checkpoint', { qos: 1 });
      expect(await got).toEqual(cp);
    } finally {
      sub.end(true);
    }
    await waitFor('the notify target got it', () => received.some((b) => (b as { checkpoint?: AuditCheckpoint }).checkpoint?.n === cp.n));
    expect(received.find((b) => (b as { checkpoint?: AuditCheckpoint }).checkpoint?.n === cp.n)).toEqual({ event: 'checkpoint', sender: 'gatehouse', checkpoint: cp });
    const v = await eng.rpc<{ ok: boolean; checkpoints: { newest: { n: number } } }>('audit.verify', {}, eng.token);
    expect(v.body).toMatchObject({ ok: true, checkpoints: { newest: { n: cp.n } } });
  });

  it('keeps the data dir for its owner: the folder 0700, config, keys and index 0600', () => {
    expect(mode(dir)).toBe('700');
    for (const f of ['config.json', 'secret.key', 'index.sqlite', 'index.sqlite-wal', 'index.sqlite-shm', 'export-keys.json']) {
      expect(mode(path.join(dir, f)), f).toBe('600');
    }
  });
});

describe('CLI changes are audited as the OS user, in the same chain', () => {
  it('with the server running', async () => {
    const eng = e!;
    expect(cli(['users', 'add', '--username', 'cli-guard', '--password-stdin', '--role', 'guard'], 'cli-guard-password\n').code).toBe(0);
    const cam = cli(['cameras', 'add', '--name', 'Yard', '--url', 'rtsp://127.0.0.1:9/yard', '--json']);
    expect(cam.code, cam.out).toBe(0);
    expect(cli(['cameras', 'remove', 'Yard']).code).toBe(0);
    const hook = cli(['alarms', 'webhook', 'add', 'Gate reader']);
    expect(hook.code, hook.out).toBe(0);
    expect(cli(['alarms', 'webhook', 'remove', 'gate-reader']).code).toBe(0);
    // the engine writes between and after the CLI's records: one chain
    expect((await eng.rpc('settings.update', { patch: { stallSeconds: 16 } }, eng.token)).status).toBe(200);
    const page = await eng.rpc<Page<AuditRecord>>('audit.list', { actor: OS_ACTOR, limit: 50 }, eng.token);
    expect(page.body.items.map((r) => `${r.action} ${r.target}`).reverse()).toEqual([
      'users.add username:cli-guard',
      `cameras.add cameraId:${JSON.parse(cam.stdout).id}`,
      `cameras.remove cameraId:${JSON.parse(cam.stdout).id}`,
      'integrations.addWebhook name:Gate reader',
      'integrations.removeWebhook gate-reader',
    ]);
    expect(page.body.items[0]!.details).toMatchObject({ via: 'cli', host: os.hostname() });
    expect(JSON.stringify(page.body.items)).not.toContain('cli-guard-password');
    const v = cli(['audit', 'verify']);
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(/ok {4} {2}chain: \d+ record\(s\)/);
  });

  it('without a server: the record is written and a checkpoint signed at once', async () => {
    await stop();
    const before = records().length;
    const r = cli(['users', 'reset-password', '--username', 'cli-guard', '--password-stdin'], 'cli-guard-password-2\n');
    expect(r.code, r.out).toBe(0);
    const rebuilt = cli(['index', 'rebuild']);
    expect(rebuilt.code, rebuilt.out).toBe(0);
    const after = records();
    expect(after.slice(before).map((x) => `${x.actor} ${x.action}`)).toEqual([`${OS_ACTOR} users.resetPassword`, `${OS_ACTOR} index.rebuild`]);
    const v = JSON.parse(cli(['audit', 'verify', '--json']).stdout);
    expect(v).toMatchObject({ ok: true, checkpoints: { newest: { seq: after.length }, uncovered: 0 } });
    const fileLines = fs.readFileSync(cpFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditCheckpoint);
    expect(fileLines.at(-1)).toMatchObject({ reason: 'cli', seq: after.length });
  });
});

describe('tampering with the real index file', () => {
  const index = () => path.join(dir, 'index.sqlite');
  let pristine: string;

  /** An attacker with write access: change record `seq`, recompute every later hash and the head. */
  function rewrite(seq: number, patch: Record<string, unknown>): void {
    const db = new Database(index());
    db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
    const rows = db.prepare('SELECT * FROM audit WHERE seq >= ? ORDER BY seq').all(seq) as any[];
    let prev = rows[0].prev_hash as string;
    for (const r of rows) {
      const details = r.seq === seq ? { ...JSON.parse(r.details), ...patch } : JSON.parse(r.details);
      const hash = recordHash(prev, { seq: r.seq, timeMs: r.time_ms, actor: r.actor, action: r.action, target: r.target, details });
      db.prepare('UPDATE audit SET details = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(JSON.stringify(details), prev, hash, r.seq);
      prev = hash;
    }
    db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(rows.at(-1).seq, prev);
    db.close();
  }

  beforeAll(() => {
    pristine = path.join(root, 'pristine.sqlite');
    const db = new Database(index());
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    fs.copyFileSync(index(), pristine);
  });
  const restore = () => {
    for (const ext of ['-wal', '-shm']) fs.rmSync(index() + ext, { force: true });
    fs.copyFileSync(pristine, index());
  };

  it('an edited record with every later hash and the head recomputed: the chain passes, the checkpoint does not', () => {
    const target = records().find((r) => r.action === 'settings.update')!;
    rewrite(target.seq, { params: { patch: { stallSeconds: 300 } } });
    const r = cli(['audit', 'verify']);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/ok {4} {2}chain: /);
    expect(r.out).toMatch(/FAILED {2}checkpoints \(index\): .*checkpoint #\d+ \(index, signed .*\) signed record \d+ with hash/);
    expect(r.out).toMatch(/Audit trail FAILED at record \d+ \(checkpoint_mismatch\)/);
    const json = JSON.parse(cli(['audit', 'verify', '--json']).stdout);
    expect(json).toMatchObject({ ok: false, firstBad: { problem: 'checkpoint_mismatch' } });
    expect(json.checks.map((c: { check: string; ok: boolean }) => `${c.check} ${c.ok}`)).toEqual(['chain true', 'checkpoints false']);
  });

  it('the engine refuses to sign over the tampered trail (and says so in its log)', async () => {
    expectLogErrors(/audit checkpoint refused: the audit trail no longer matches checkpoint #\d+ \(records 1–\d+\); not signing/);
    const eng = await start();
    expect(eng.engine.audit!.checkpoint('test')).toBeNull();
    const v = await eng.rpc<{ ok: boolean; firstBad: { problem: string } }>('audit.verify', {}, eng.token);
    expect(v.body).toMatchObject({ ok: false, firstBad: { problem: 'checkpoint_mismatch' } });
    await stop();
  });

  it('the last record deleted and the head fixed: the checkpoint covers a record that is gone', () => {
    restore();
    expect(cli(['audit', 'verify']).code).toBe(0);
    const db = new Database(index());
    db.exec('DROP TRIGGER audit_no_delete');
    const last = db.prepare('SELECT MAX(seq) AS s FROM audit').get() as { s: number };
    db.prepare('DELETE FROM audit WHERE seq = ?').run(last.s);
    const prev = db.prepare('SELECT seq, hash FROM audit WHERE seq = ?').get(last.s - 1) as { seq: number; hash: string };
    db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(prev.seq, prev.hash);
    db.close();
    const r = cli(['audit', 'verify']);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`Audit trail FAILED at record ${last.s} (checkpoint_missing_records)`);
    expect(r.out).toMatch(new RegExp(`covers records 1–${last.s}, but the trail ends at record ${last.s - 1}`));
  });

  it("with the index's checkpoints deleted too, only the external copy shows it: audit verify --checkpoints FILE", () => {
    restore();
    const target = records().find((r) => r.actor === OS_ACTOR && r.action === 'cameras.remove')!;
    rewrite(target.seq, { name: 'nothing to see' });
    const db = new Database(index());
    db.exec('DROP TRIGGER audit_checkpoints_no_delete');
    db.prepare('DELETE FROM audit_checkpoints').run();
    db.close();
    const fooled = cli(['audit', 'verify']);
    expect(fooled.code, fooled.out).toBe(0); // the data dir alone can't tell
    const r = cli(['audit', 'verify', '--checkpoints', cpFile]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`FAILED  checkpoints (${cpFile})`);
    expect(r.out).toMatch(/is not in the index: checkpoints were deleted from it/);
    const json = JSON.parse(cli(['audit', 'verify', '--checkpoints', cpFile, '--json']).stdout);
    expect(json.ok).toBe(false);
    // A file with something else in it is a usage error, not a pass.
    fs.writeFileSync(path.join(root, 'junk.txt'), 'hello\n');
    expect(cli(['audit', 'verify', '--checkpoints', path.join(root, 'junk.txt')]).code).toBe(2);
  });

  it('the untouched trail verifies against the external copy too', () => {
    restore();
    const r = cli(['audit', 'verify', '--checkpoints', cpFile]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Audit trail OK: .*signed up to record \d+/);
  });
});

describe('file modes', () => {
  it('tightens a data dir left world-readable, at the next start, with a log line', async () => {
    fs.chmodSync(dir, 0o755);
    for (const f of ['config.json', 'secret.key', 'index.sqlite']) fs.chmodSync(path.join(dir, f), 0o644);
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (lines.push(String(s)), write.call(process.stderr, s))) as typeof process.stderr.write;
    try {
      await start();
    } finally {
      process.stderr.write = write;
    }
    expect(mode(dir)).toBe('700');
    for (const f of ['config.json', 'secret.key', 'index.sqlite']) expect(mode(path.join(dir, f)), f).toBe('600');
    expect(lines.join('')).toMatch(/tightened file modes: .*config\.json was mode 0644; now 0600/);
    await stop();
  });
});
