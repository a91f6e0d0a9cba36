/**
 * Export jobs in a real engine, on real recorded footage (export-footage.ts:
 * the recorder's own segment format, made faster than real time): the job
 * queue through the API (progress, ETA, the lock taken before copying, the
 * audit records with the manifest's SHA-256, the case), cancel and failure
 * leaving nothing that verifies and releasing the lock, an engine stopped
 * during an export, retention running during an export, two exports of the
 * same range at once, bad input, a job whose range ends in the future, the
 * download route, and verify of a tampered job bundle.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../main/api/contract.js';
import type { EvidenceLock, ExportJob, VerifyReport } from '../../main/api/export.js';
import { Engine } from '../../main/engine/engine.js';
import { makeFootage } from './export-footage.js';
import { prepareDataDir, serveAndLogin, tempDir, waitFor } from './recording-harness.js';

const run = promisify(execFile);
const T0 = Date.now() - 2 * 3600_000;
const OLD = Date.now() - 3 * 86400_000;

/** The engine's API as a console calls it. */
function api(engine: Engine, token: string) {
  return <T = unknown>(method: string, params: unknown = {}): Promise<T> => engine.handle(method, params, { token, peer: 'test' }) as Promise<T>;
}

async function login(engine: Engine, username = 'admin', password = 'adminadmin'): Promise<string> {
  return ((await engine.handle('auth.login', { username, password }, { peer: 'test' })) as { token: string }).token;
}

const locked = (engine: Engine, cam: string) =>
  engine.db.prepare<[string], { id: number; locked: number; start_ms: number; end_ms: number }>('SELECT id, locked, start_ms, end_ms FROM segments WHERE camera_id = ? ORDER BY start_ms').all(cam);

const leftovers = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

describe('export jobs in the engine', () => {
  let dataDir: string;
  let engine: Engine;
  let call: ReturnType<typeof api>;
  let jobs: ExportJob[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();

  const waitJob = (id: string, states: string[], ms = 60_000) =>
    waitFor(`job ${id} ${states.join('/')}`, async () => {
      const j = await call<ExportJob>('export.get', { id });
      return states.includes(j.state) ? j : null;
    }, ms, 100);

  beforeAll(async () => {
    dataDir = tempDir('export-jobs');
    await prepareDataDir(dataDir, { segmentSeconds: 2, defaultRetentionDays: null }, [
      { name: 'Gate', url: 'rtsp://127.0.0.1:9/none', enabled: false },
      { name: 'Yard', url: 'rtsp://127.0.0.1:9/none', enabled: false },
      { name: 'Lot', url: 'rtsp://127.0.0.1:9/none', enabled: false },
    ]);
    await makeFootage(dataDir, [
      { cameraId: 'gate', startMs: T0, segmentSeconds: 10, pieces: [{ seconds: 60, gapMs: 20_000, reason: 'camera_unreachable' }, { seconds: 60 }] },
      { cameraId: 'yard', startMs: T0, segmentSeconds: 10, pieces: [{ seconds: 140 }] },
      // three days old: what retention deletes once it is set to one day
      { cameraId: 'lot', startMs: OLD, segmentSeconds: 10, pieces: [{ seconds: 120 }] },
    ]);
    engine = new Engine({ dataDir, adminPassword: 'adminadmin', headless: true });
    await engine.start();
    const admin = await login(engine);
    await engine.handle('users.add', { username: 'sue', password: 'supervisor1', role: 'supervisor' }, { token: admin, peer: 'test' });
    await engine.handle('users.add', { username: 'gina', password: 'guardguard', role: 'guard' }, { token: admin, peer: 'test' });
    call = api(engine, await login(engine, 'sue', 'supervisor1'));
    engine.bus.on('export.job', (j) => jobs.push(j));
  }, 120_000);

  afterAll(async () => {
    await engine?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a supervisor exports: queued → running → done, progress, the lock before copying, verify, openssl, audit with the manifest SHA-256, the case', async () => {
    jobs = [];
    const from = iso(T0 + 15_000);
    const to = iso(T0 + 120_000);
    let lockedAtFirstCopy: number[] | null = null;
    let progressAtLock = -1;
    // the lock is announced before the bundle is started: nothing is copied yet, and the segments are locked
    const offProgress = engine.bus.on('evidence.changed', (e) => {
      if (!e.active || lockedAtFirstCopy) return;
      lockedAtFirstCopy = locked(engine, 'gate').filter((s) => s.end_ms > T0 + 15_000 && s.start_ms < T0 + 120_000).map((s) => s.locked);
      progressAtLock = engine.exports!.get(jobs.find((j) => j.state === 'running')?.id ?? '')?.progress ?? -1;
    });
    const job = await call<ExportJob>('export.create', { cameraIds: ['gate', 'yard'], from, to, reason: 'break-in at gate 2', newCase: { name: 'Gate 2 break-in', reference: 'PD-2026-117' }, zip: true, source: { kind: 'playback' } });
    expect(job.state).toMatch(/queued|running/);
    expect(job.dir).toContain(path.join(dataDir, 'exports', 'gate-2-break-in_'));
    const done = await waitJob(job.id, ['done', 'failed']);
    offProgress();
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ state: 'done', progress: 1, caseName: 'Gate 2 break-in', username: 'sue', runner: 'engine', zip: true });
    expect(fs.existsSync(done.zipPath!)).toBe(true);
    // progress went up to 1 through the phases, pushed as events
    const mine = jobs.filter((j) => j.id === job.id);
    expect(mine.map((j) => j.state)).toEqual(expect.arrayContaining(['running', 'done']));
    const fr = mine.filter((j) => j.state === 'running').map((j) => j.progress);
    for (let i = 1; i < fr.length; i++) expect(fr[i]!).toBeGreaterThanOrEqual(fr[i - 1]!);
    // the segments were locked before the first byte was copied
    expect(lockedAtFirstCopy).not.toBeNull();
    expect(lockedAtFirstCopy!.length).toBeGreaterThan(5);
    expect(lockedAtFirstCopy!.every((x) => x === 1)).toBe(true);
    expect(progressAtLock).toBe(0);
    // the lock: listed, with the manifest, visible to a guard
    const guard = api(engine, await login(engine, 'gina', 'guardguard'));
    const locks = await guard<EvidenceLock[]>('evidence.list', {});
    expect(locks).toHaveLength(1);
    expect(locks[0]).toMatchObject({ id: done.lockId, exportJob: job.id, manifestSha256: done.manifestSha256, active: true, caseName: 'Gate 2 break-in', cameraIds: ['gate', 'yard'] });
    // verify: by the job, by the path (a guard, inside exports/), openssl and sha256sum by hand
    const v = await guard<VerifyReport>('export.verify', { id: job.id });
    expect(v).toMatchObject({ ok: true, signature: 'valid', manifestSha256: done.manifestSha256, siteKey: { status: 'this-site', current: true } });
    expect((await guard<VerifyReport>('export.verify', { path: done.dir })).ok).toBe(true);
    const denied = await guard('export.verify', { path: '/etc' }).catch((e: ApiError) => e);
    expect((denied as ApiError).code).toBe('forbidden');
    await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'public-key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'], { cwd: done.dir! });
    await run('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: done.dir! });
    const manifest = JSON.parse(fs.readFileSync(path.join(done.dir!, 'manifest.json'), 'utf8')) as { reason: string; case: { name: string; reference: string }; operator: { username: string }; cameras: { id: string; gaps: { reason: string }[] }[]; files: { path: string; kind: string }[] };
    expect(manifest).toMatchObject({ reason: 'break-in at gate 2', case: { name: 'Gate 2 break-in', reference: 'PD-2026-117' }, operator: { username: 'sue' } });
    expect(manifest.cameras.find((c) => c.id === 'gate')!.gaps.map((g) => g.reason)).toContain('camera_unreachable');
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['data/events.csv', 'data/alarms.json', 'data/access-log.csv', 'data/audit.json']));
    // the audit trail: the request, the lock, the completion with the manifest SHA-256, the verify
    const audit = (await engine.handle('audit.list', { action: '', limit: 100 }, { token: await login(engine), peer: 'test' })) as { items: { action: string; actor: string; details: Record<string, unknown> }[] };
    const acts = audit.items.map((r) => r.action);
    expect(acts).toEqual(expect.arrayContaining(['export.create', 'evidence.locked', 'export.completed', 'export.verify']));
    const completed = audit.items.find((r) => r.action === 'export.completed')!;
    expect(completed).toMatchObject({ actor: 'sue', details: { jobId: job.id, manifestSha256: done.manifestSha256, caseId: done.caseId, lockId: done.lockId } });
    expect(audit.items.filter((r) => r.action === 'export.verify').every((r) => r.details.manifestSha256 === done.manifestSha256 || r.details.ok === false)).toBe(true);
    // the case collects the export and the lock
    const c = (await guard('cases.get', { id: done.caseId })) as { items: { kind: string; ref: string; export: ExportJob }[]; locks: EvidenceLock[] };
    expect(c.items).toEqual([expect.objectContaining({ kind: 'export', ref: job.id, export: expect.objectContaining({ state: 'done' }) })]);
    expect(c.locks.map((l) => l.id)).toEqual([done.lockId]);
    // only supervisors export
    expect(((await guard('export.create', { cameraIds: ['gate'], from, to, reason: 'x' }).catch((e: ApiError) => e)) as ApiError).code).toBe('forbidden');
    // recordings list shows locked: true
    const rec = (await call('recordings.list', { cameraId: 'gate', from, to })) as { segments: { locked?: boolean }[] };
    expect(rec.segments.length).toBeGreaterThan(0);
    expect(rec.segments.every((s) => s.locked === true)).toBe(true);
  }, 120_000);

  it('a supervisor may download it as a zip (audited); a guard may not', async () => {
    const { server, base, token } = await serveAndLogin(engine, 18185);
    try {
      const [job] = await call<ExportJob[]>('export.list', {});
      const r = await fetch(`${base}/api/exports/${job!.id}/download`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/zip');
      const body = Buffer.from(await r.arrayBuffer());
      expect(body.subarray(0, 4).toString('hex')).toBe('504b0304');
      const gtoken = await login(engine, 'gina', 'guardguard');
      expect((await fetch(`${base}/api/exports/${job!.id}/download`, { headers: { authorization: `Bearer ${gtoken}` } })).status).toBe(403);
      expect((await fetch(`${base}/api/exports/${job!.id}/download`)).status).toBe(401);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('refuses bad input before anything is queued, each with a clear message', async () => {
    const err = async (p: unknown) => (await call('export.create', p).catch((e: ApiError) => e)) as ApiError;
    const base = { cameraIds: ['gate'], from: iso(T0 + 10_000), to: iso(T0 + 20_000), reason: 'x' };
    expect((await err({ ...base, cameraIds: ['nope'] })).message).toMatch(/there is no camera "nope"/);
    expect((await err({ ...base, from: iso(T0 + 30_000) })).message).toMatch(/ends .* before it starts/);
    expect((await err({ ...base, from: iso(T0 - 7200_000), to: iso(T0 - 3600_000) })).message).toMatch(/nothing was recorded between/);
    expect((await err({ ...base, reason: '  ' })).message).toMatch(/give a reason/);
    expect((await err({ ...base, to: iso(Date.now() + 3600_000) })).message).toMatch(/more than 10 minutes from now/);
    // a range across a gap is fine: the gap is listed
    const pv = (await call('export.preview', { cameraIds: ['gate'], from: iso(T0), to: iso(T0 + 140_000) })) as { notes: string[]; fits: boolean };
    expect(pv.fits).toBe(true);
    expect(pv.notes.join(' ')).toMatch(/1 gap in the range/);
  });

  it('cancel: stops a running export, nothing is left that verifies, the lock is released', async () => {
    const exports = path.join(dataDir, 'exports');
    const before = leftovers(exports);
    // re-encoding both cameras is slow enough to cancel in the middle
    const job = await call<ExportJob>('export.create', { cameraIds: ['gate', 'yard'], from: iso(T0), to: iso(T0 + 140_000), reason: 'cancel me', reencode: true });
    await waitFor('re-encoding', async () => (await call<ExportJob>('export.get', { id: job.id })).phase === 'reencode', 60_000, 50);
    const lockId = (await call<ExportJob>('export.get', { id: job.id })).lockId!;
    expect(locked(engine, 'yard').every((s) => s.locked === 1)).toBe(true);
    const c = await call<ExportJob>('export.cancel', { id: job.id });
    expect(c.state).toBe('cancelled');
    expect(c.error).toMatch(/cancelled/);
    expect(leftovers(exports)).toEqual(before);
    expect(fs.existsSync(job.dir!)).toBe(false);
    const l = (await call<EvidenceLock[]>('evidence.list', { all: true })).find((x) => x.id === lockId)!;
    expect(l).toMatchObject({ active: false, releaseReason: `export ${job.id} cancelled` });
    expect(locked(engine, 'yard').some((s) => s.locked === 0)).toBe(true); // only the first export's range is still locked
    const audit = engine.durableDb.prepare<[], { action: string; details: string }>("SELECT action, details FROM audit WHERE action IN ('export.cancelled', 'evidence.released')").all();
    expect(audit.map((a) => a.action).sort()).toEqual(['evidence.released', 'export.cancelled']);
    // no ffmpeg left behind
    await waitFor('ffmpeg gone', () => !fs.readFileSync(path.join(dataDir, 'run', 'children.json'), 'utf8').includes('"export"'), 10_000);
  }, 120_000);

  it('failure at the last step (the signing key cannot be opened): nothing is left, the lock is released, the failure is audited', async () => {
    const keyFile = path.join(dataDir, 'export-keys.json');
    const good = fs.readFileSync(keyFile, 'utf8');
    const k = JSON.parse(good) as { keys: { privateKey: string | null }[] };
    k.keys[k.keys.length - 1]!.privateKey = 'enc:v1:AAAA:BBBB:CCCC';
    fs.writeFileSync(keyFile, JSON.stringify(k));
    try {
      const before = leftovers(path.join(dataDir, 'exports'));
      const job = await call<ExportJob>('export.create', { cameraIds: ['yard'], from: iso(T0), to: iso(T0 + 60_000), reason: 'fails' });
      const end = await waitJob(job.id, ['failed', 'done']);
      expect(end.state).toBe('failed');
      expect(end.error).toMatch(/cannot be opened.*rotate the key/);
      expect(leftovers(path.join(dataDir, 'exports'))).toEqual(before);
      expect((await call<EvidenceLock[]>('evidence.list', { all: true })).find((l) => l.id === end.lockId)!.active).toBe(false);
      const last = engine.durableDb.prepare<[], { action: string; details: string }>("SELECT action, details FROM audit WHERE action = 'export.failed' ORDER BY seq DESC LIMIT 1").get()!;
      expect(JSON.parse(last.details)).toMatchObject({ jobId: job.id, code: 'io' });
    } finally {
      fs.writeFileSync(keyFile, good);
    }
  }, 60_000);

  it('two exports of the same range at once: both complete and verify; each holds its own lock', async () => {
    await engine.config.update((c) => {
      c.exports = { concurrency: 2 };
    });
    const p = { cameraIds: ['gate'], from: iso(T0 + 5_000), to: iso(T0 + 50_000), reason: 'twice' };
    const [a, b] = await Promise.all([call<ExportJob>('export.create', p), call<ExportJob>('export.create', p)]);
    const [da, db] = await Promise.all([waitJob(a!.id, ['done', 'failed']), waitJob(b!.id, ['done', 'failed'])]);
    expect([da.state, db.state]).toEqual(['done', 'done']);
    expect(da.dir).not.toBe(db.dir);
    expect(da.lockId).not.toBe(db.lockId);
    for (const j of [da, db]) expect((await call<VerifyReport>('export.verify', { id: j.id })).ok).toBe(true);
    const inRange = () => locked(engine, 'gate').filter((s) => s.end_ms > T0 + 5_000 && s.start_ms < T0 + 50_000);
    // release one: the other still holds the segments; a supervisor must give a reason
    expect(((await call('evidence.unlock', { id: da.lockId }).catch((e: ApiError) => e)) as ApiError).message).toMatch(/reason/);
    await call('evidence.unlock', { id: da.lockId, reason: 'duplicate export' });
    expect(inRange().every((s) => s.locked === 1)).toBe(true);
    await call('evidence.unlock', { id: db.lockId, reason: 'duplicate export' });
    // the first test's lock still covers part of it
    const first = (await call<EvidenceLock[]>('evidence.list', {}))[0]!;
    expect(inRange().filter((s) => s.end_ms <= Date.parse(first.from)).every((s) => s.locked === 0)).toBe(true);
    const rel = engine.durableDb.prepare<[], { actor: string; details: string }>("SELECT actor, details FROM audit WHERE action = 'evidence.released' ORDER BY seq DESC LIMIT 1").get()!;
    expect(rel.actor).toBe('sue');
    expect(JSON.parse(rel.details)).toMatchObject({ lockId: db.lockId, reason: 'duplicate export', manifestSha256: db.manifestSha256 });
    await engine.config.update((c) => {
      delete c.exports;
    });
  }, 120_000);

  it('retention running during an export deletes only what no lock holds; the export completes and verifies', async () => {
    const lot = () => locked(engine, 'lot');
    const before = lot();
    const job = await call<ExportJob>('export.create', { cameraIds: ['lot'], from: iso(OLD + 40_000), to: iso(OLD + 80_000), reason: 'retention race', reencode: true });
    await waitFor('copying under its lock', async () => {
      const j = await call<ExportJob>('export.get', { id: job.id });
      return j.state === 'running' && j.lockId;
    }, 60_000, 50);
    const held = lot().filter((s) => s.locked === 1);
    expect(held.length).toBeGreaterThan(2);
    expect(held.length).toBeLessThan(before.length);
    // retention to one day while the export runs: the keeper deletes Lot's unlocked footage
    const purged = new Promise<void>((res) => engine.bus.on('storage.purged', (e) => e.cameraId === 'lot' && e.reason === 'retention' && res()));
    await engine.config.update((c) => {
      c.settings = { ...c.settings, defaultRetentionDays: 1 };
    });
    // the recorder's own retention pass (it runs every 5 minutes; run it now)
    (engine.recorder as unknown as { keeper: { tick(force: boolean): void } }).keeper.tick(true);
    await purged;
    const end = await waitJob(job.id, ['done', 'failed'], 120_000);
    expect(end.error).toBeNull();
    expect(end.state).toBe('done');
    expect((await call<VerifyReport>('export.verify', { id: job.id })).ok).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(end.dir!, 'manifest.json'), 'utf8')) as { cameras: { gaps: { reason: string }[] }[] };
    expect(manifest.cameras[0]!.gaps.filter((g) => g.reason === 'file_missing')).toEqual([]);
    // what is left of Lot is exactly what the lock holds, and its files are there
    expect(lot().map((s) => s.id)).toEqual(held.map((s) => s.id));
    for (const s of engine.recorder.list('lot', OLD - 60_000, OLD + 200_000).segments) expect(fs.existsSync(s.path)).toBe(true);
    await engine.config.update((c) => {
      c.settings = { ...c.settings, defaultRetentionDays: null };
    });
  }, 180_000);

  it('verify of a tampered job bundle names the file, and is audited as not valid', async () => {
    const [j] = (await call<ExportJob[]>('export.list', {})).filter((x) => x.state === 'done' && x.cameraIds.includes('gate'));
    const csv = path.join(j!.dir!, 'data', 'events.csv');
    fs.appendFileSync(csv, 'x');
    fs.writeFileSync(path.join(j!.dir!, 'extra.txt'), 'added');
    const v = await call<VerifyReport>('export.verify', { id: j!.id });
    expect(v.ok).toBe(false);
    expect(v.files).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'data/events.csv', status: 'changed' }), expect.objectContaining({ path: 'extra.txt', status: 'extra' })]));
    const last = engine.durableDb.prepare<[], { details: string }>("SELECT details FROM audit WHERE action = 'export.verify' ORDER BY seq DESC LIMIT 1").get()!;
    expect(JSON.parse(last.details)).toMatchObject({ ok: false, dir: j!.dir });
  });

  it('a range that ends in the future waits for its end to be recorded, then runs', async () => {
    const to = Date.now() + 1000;
    const job = await call<ExportJob>('export.create', { cameraIds: ['gate'], from: iso(T0), to: iso(to), reason: 'post-roll' });
    const w = await waitJob(job.id, ['waiting', 'running', 'done']);
    expect(w.state).toBe('waiting');
    expect(Date.parse(w.waitUntil!)).toBe(to + 7000); // segment length 2 s + 5 s
    const end = await waitJob(job.id, ['done', 'failed'], 60_000);
    expect(Date.now()).toBeGreaterThanOrEqual(to + 7000);
    expect(end.state).toBe('done');
  }, 90_000);

  it('an engine stopped during an export: the job is interrupted, nothing is left, the lock released; a queued job runs after the restart', async () => {
    const running = await call<ExportJob>('export.create', { cameraIds: ['gate', 'yard'], from: iso(T0), to: iso(T0 + 140_000), reason: 'interrupted', reencode: true });
    const queued = await call<ExportJob>('export.create', { cameraIds: ['gate'], from: iso(T0), to: iso(T0 + 30_000), reason: 'after restart' });
    await waitFor('re-encoding', async () => (await call<ExportJob>('export.get', { id: running.id })).phase === 'reencode', 60_000, 50);
    expect(leftovers(path.join(dataDir, 'exports')).some((n) => n.startsWith(`.${path.basename(running.dir!)}.`))).toBe(true);
    await engine.stop();
    engine = new Engine({ dataDir, adminPassword: 'adminadmin', headless: true });
    await engine.start();
    call = api(engine, await login(engine, 'sue', 'supervisor1'));
    const r = await call<ExportJob>('export.get', { id: running.id });
    expect(r.state).toBe('interrupted');
    expect(r.error).toMatch(/stopped during the export/);
    expect(leftovers(path.join(dataDir, 'exports')).filter((n) => n.startsWith(`.${path.basename(running.dir!)}`))).toEqual([]);
    expect(fs.existsSync(running.dir!)).toBe(false);
    expect((await call<EvidenceLock[]>('evidence.list', { all: true })).find((l) => l.id === r.lockId)!.active).toBe(false);
    expect((await waitJob(queued.id, ['done', 'failed'])).state).toBe('done');
  }, 180_000);
});
