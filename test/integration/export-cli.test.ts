/**
 * `gatehouse export create/list`, `evidence list/unlock`, `masks add/list/remove`
 * and `recordings list --json` as a user runs them (the real CLI through
 * tsx), on real recorded footage, without a server and with a running
 * `gatehouse serve` on the same data dir: a CLI export locks its footage in
 * the shared index, the server lists the job and the lock, and a mask added
 * from the CLI reaches the running server within a second or so.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceLock, ExportJob } from '../../main/api/export.js';
import type { CameraMask } from '../../main/api/masks.js';
import { makeFootage } from './export-footage.js';
import { cliArgs, exited, prepareDataDir, serveChild, tempDir, waitFor } from './recording-harness.js';
import { repoRoot } from '../fixtures/media.js';

const run = promisify(execFile);
const T0 = Date.now() - 3 * 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const PORT = 18186;

/** The CLI; resolves with its exit code and output (never throws on a non-zero exit). */
async function gh(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, cliArgs(...args), { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

describe('export, evidence and masks from the command line', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDir('export-cli');
    await prepareDataDir(dataDir, { segmentSeconds: 10 }, [
      { name: 'Gate', url: 'rtsp://127.0.0.1:9/none', enabled: false },
      { name: 'Yard', url: 'rtsp://127.0.0.1:9/none', enabled: false },
    ]);
    await makeFootage(dataDir, [
      { cameraId: 'gate', startMs: T0, pieces: [{ seconds: 40, gapMs: 15_000, reason: 'stall' }, { seconds: 40 }] },
      { cameraId: 'yard', startMs: T0, pieces: [{ seconds: 90 }] },
    ]);
  }, 120_000);
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('without a server: create (default reason, a case by name, zip), list, the lock, recordings list --json, verify, openssl', async () => {
    const r = await gh('export', 'create', '--camera', 'Gate,yard', `--from=${iso(T0 + 5_000)}`, `--to=${iso(T0 + 80_000)}`, '--case', 'Lot 4 theft', '--zip', '--json', '--data', dataDir);
    expect(r.code, r.err).toBe(0);
    const job = JSON.parse(r.out) as ExportJob;
    const user = os.userInfo().username;
    expect(job).toMatchObject({ state: 'done', runner: 'cli', username: `os:${user}`, reason: `exported from the command line by ${user}`, caseName: 'Lot 4 theft', cameraIds: ['gate', 'yard'], zip: true });
    expect(fs.existsSync(job.zipPath!)).toBe(true);
    const v = await gh('export', 'verify', job.dir!, '--data', dataDir);
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(/this site's current export key/);
    // the .zip, checked as it is (nothing unzipped): the same verdict; a cut-short copy is NOT VALID and says why
    const vz = await gh('export', 'verify', job.zipPath!, '--data', dataDir);
    expect(vz.code, vz.out + vz.err).toBe(0);
    expect(vz.out).toContain(`manifest.json SHA-256: ${job.manifestSha256}`);
    expect(vz.out).toContain(`VALID: ${job.zipPath} is unchanged since it was signed.`);
    const zj = JSON.parse((await gh('export', 'verify', job.zipPath!, '--json', '--data', dataDir)).out) as { ok: boolean; files: { path: string; status: string }[] };
    expect(zj.ok).toBe(true);
    expect(zj.files.map((f) => f.path)).toEqual(expect.arrayContaining(['SHA256SUMS', 'public-key.pem', 'index.html']));
    const cutDir = tempDir('export-cli-cut');
    const cut = path.join(cutDir, 'cut.zip');
    fs.writeFileSync(cut, fs.readFileSync(job.zipPath!).subarray(0, 4096));
    const vc = await gh('export', 'verify', cut, '--data', dataDir);
    expect(vc.code, vc.err).toBe(1);
    expect(vc.out).toMatch(/cannot be read as a zip: .*cut short/);
    expect(vc.out).toMatch(/NOT VALID/);
    fs.rmSync(cutDir, { recursive: true, force: true });
    await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'public-key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'], { cwd: job.dir! });
    const manifest = JSON.parse(fs.readFileSync(path.join(job.dir!, 'manifest.json'), 'utf8')) as { cameras: { id: string; gaps: { reason: string }[] }[] };
    expect(manifest.cameras.find((c) => c.id === 'gate')!.gaps.map((g) => g.reason)).toContain('stall');

    const list = JSON.parse((await gh('export', 'list', '--json', '--data', dataDir)).out) as ExportJob[];
    expect(list.map((j) => j.id)).toContain(job.id);
    expect((await gh('export', 'list', '--data', dataDir)).out).toMatch(new RegExp(`${job.id}\\s+done`));
    const locks = JSON.parse((await gh('evidence', 'list', '--json', '--data', dataDir)).out) as EvidenceLock[];
    expect(locks).toEqual([expect.objectContaining({ id: job.lockId, exportJob: job.id, manifestSha256: job.manifestSha256, active: true })]);
    const rec = JSON.parse((await gh('recordings', 'list', '--camera', 'Gate', `--from=${iso(T0 + 5_000)}`, `--to=${iso(T0 + 80_000)}`, '--json', '--data', dataDir)).out) as { segments: { locked: boolean }[] };
    expect(rec.segments.length).toBeGreaterThan(3);
    expect(rec.segments.every((s) => s.locked === true)).toBe(true);
    const outside = JSON.parse((await gh('recordings', 'list', '--camera', 'Yard', `--from=${iso(T0 + 85_000)}`, `--to=${iso(T0 + 200_000)}`, '--json', '--data', dataDir)).out) as { segments: { locked: boolean }[] };
    expect(outside.segments.some((s) => s.locked === false)).toBe(true);
    // the audit trail has the lock and the export, with the manifest's SHA-256, and the verify
    const audit = JSON.parse((await gh('audit', 'list', '--action', 'e', '--json', '--data', dataDir)).out) as { action: string; details: { manifestSha256?: string } }[];
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['evidence.locked', 'export.completed', 'export.verify']));
    expect(audit.find((a) => a.action === 'export.completed')!.details.manifestSha256).toBe(job.manifestSha256);
    expect((await gh('audit', 'verify', '--data', dataDir)).code).toBe(0);
  }, 120_000);

  it('bad input: unknown camera, --from after --to, no footage, a range larger than the free space; each says what to do', async () => {
    const unknown = await gh('export', 'create', '--camera', 'Nope', `--from=${iso(T0)}`, `--to=${iso(T0 + 60_000)}`, '--data', dataDir);
    expect(unknown.code).toBe(3);
    expect(unknown.err).toMatch(/there is no camera "Nope"; see the camera list/);
    const swapped = await gh('export', 'create', '--camera', 'Gate', `--from=${iso(T0 + 60_000)}`, `--to=${iso(T0)}`, '--data', dataDir);
    expect(swapped.code).toBe(2);
    expect(swapped.err).toMatch(/is after --to .*swap them/);
    const empty = await gh('export', 'create', '--camera', 'Gate', `--from=${iso(T0 - 7200_000)}`, `--to=${iso(T0 - 3600_000)}`, '--data', dataDir);
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/nothing was recorded between .* by Gate; choose another range/);
    const noReason = await gh('export', 'create', '--camera', 'Gate', `--from=${iso(T0)}`, `--to=${iso(T0 + 60_000)}`, '--reason', ' ', '--data', dataDir);
    expect(noReason.code).toBe(2);
    // larger than the free space of --out (a real small tmpfs): refused before copying, with the estimate
    const mnt = fs.mkdtempSync('/tmp/export-cli-small-');
    let mounted = false;
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
      mounted = true;
    } catch {
      /* not root: skip this part */
    }
    try {
      if (mounted) {
        const big = await gh('export', 'create', '--camera', 'Gate,Yard', `--from=${iso(T0)}`, `--to=${iso(T0 + 90_000)}`, '--out', mnt, '--data', dataDir);
        expect(big.code).toBe(2);
        expect(big.err).toMatch(/this export needs about \d+\.\d\d GiB and .* has \d+\.\d\d GiB free; free some space/);
        expect(fs.readdirSync(mnt)).toEqual([]);
      }
    } finally {
      if (mounted) await run('umount', [mnt]).catch(() => run('umount', ['-l', mnt]));
      fs.rmSync(mnt, { recursive: true, force: true });
    }
    // nothing of these was queued or locked
    const list = JSON.parse((await gh('export', 'list', '--json', '--data', dataDir)).out) as ExportJob[];
    expect(list).toHaveLength(1);
  }, 120_000);

  it('Ctrl+C during an export: nothing is kept, the lock is released, exit 130', async () => {
    const child = spawn(process.execPath, cliArgs('export', 'create', '--camera', 'Gate,Yard', `--from=${iso(T0)}`, `--to=${iso(T0 + 90_000)}`, '--reencode', '--reason', 'interrupt me', '--data', dataDir), {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // wait until it runs (its lock is taken), then interrupt it like Ctrl+C
    await waitFor('the CLI job running', async () => {
      const l = JSON.parse((await gh('export', 'list', '--json', '--data', dataDir)).out) as ExportJob[];
      return l.find((j) => j.reason === 'interrupt me' && j.state === 'running' && j.lockId);
    }, 60_000, 200);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code, out).toBe(130);
    expect(out).toMatch(/cancelled; nothing was kept/);
    const job = (JSON.parse((await gh('export', 'list', '--json', '--data', dataDir)).out) as ExportJob[]).find((j) => j.reason === 'interrupt me')!;
    expect(job.state).toBe('cancelled');
    expect(fs.readdirSync(path.join(dataDir, 'exports')).filter((n) => n.includes(path.basename(job.dir!)))).toEqual([]);
    const locks = JSON.parse((await gh('evidence', 'list', '--all', '--json', '--data', dataDir)).out) as EvidenceLock[];
    expect(locks.find((l) => l.exportJob === job.id)!.active).toBe(false);
  }, 120_000);

  it('evidence unlock needs a reason, and releases the lock', async () => {
    const [lock] = JSON.parse((await gh('evidence', 'list', '--json', '--data', dataDir)).out) as EvidenceLock[];
    const no = await gh('evidence', 'unlock', String(lock!.id), '--data', dataDir);
    expect(no.code).toBe(2);
    expect(no.err).toMatch(/--reason is required/);
    const ok = await gh('evidence', 'unlock', String(lock!.id), '--reason', 'case closed by the police', '--data', dataDir);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/released/);
    expect(JSON.parse((await gh('evidence', 'list', '--json', '--data', dataDir)).out)).toEqual([]);
    const again = await gh('evidence', 'unlock', String(lock!.id), '--reason', 'x', '--data', dataDir);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already released/);
  }, 60_000);

  it('masks from the CLI: add (validated), list, remove', async () => {
    const bad = await gh('masks', 'add', 'Gate', '--kind', 'privacy', '--polygon', '0.1,0.1 0.4,0.4 0.4,0.1 0.1,0.4', '--data', dataDir);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--polygon: the polygon crosses itself/);
    expect((await gh('masks', 'add', 'Gate', '--kind', 'zone', '--polygon', '0.1,0.1 0.4,0.1 0.4,0.4', '--data', dataDir)).err).toMatch(/--kind must be one of privacy, motion, object/);
    expect((await gh('masks', 'add', 'Gate', '--kind', 'motion', '--polygon', '0.1,0.1 0.4;0.1 0.4,0.4', '--data', dataDir)).err).toMatch(/point 2 "0.4;0.1" is not x,y/);
    const add = await gh('masks', 'add', 'Gate', '--kind', 'motion', '--polygon', '0.1,0.1 0.4,0.1 0.4,0.4', '--name', 'tree', '--json', '--data', dataDir);
    expect(add.code, add.err).toBe(0);
    const m = JSON.parse(add.out) as CameraMask;
    expect(m).toMatchObject({ cameraId: 'gate', kind: 'motion', name: 'tree', polygon: [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4]] });
    expect(JSON.parse((await gh('masks', 'list', 'Gate', '--json', '--data', dataDir)).out)).toEqual([m]);
    expect((await gh('masks', 'remove', m.id, '--data', dataDir)).code).toBe(0);
    expect(JSON.parse((await gh('masks', 'list', '--json', '--data', dataDir)).out)).toEqual([]);
    expect((await gh('masks', 'remove', m.id, '--data', dataDir)).code).toBe(3);
    // both changes are in the audit trail, by the OS account that ran them
    const audit = JSON.parse((await gh('audit', 'list', '--action', 'masks', '--json', '--data', dataDir)).out) as { actor: string; action: string }[];
    expect(audit.map((r) => r.action).sort()).toEqual(['masks.add', 'masks.remove']);
    for (const r of audit) expect(r.actor).toMatch(/^os:/);
  }, 60_000);

  it('with a running server: the CLI exports, the server lists the job and the lock; a CLI mask reaches the server', async () => {
    const { child, logFile } = serveChild(dataDir, PORT);
    try {
      const base = `http://127.0.0.1:${PORT}`;
      await waitFor('the server', async () => (await fetch(`${base}/api/health`).catch(() => null))?.ok, 60_000);
      const token = ((await (await fetch(`${base}/api/rpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'adminadmin' }) })).json()) as { token: string }).token;
      const rpc = async <T>(method: string, params: unknown = {}) => {
        const r = await fetch(`${base}/api/rpc/${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(params) });
        const body = (await r.json()) as T & { error?: { message: string } };
        if (!r.ok) throw new Error(body.error?.message);
        return body;
      };
      const r = await gh('export', 'create', '--camera', 'Yard', `--from=${iso(T0 + 10_000)}`, `--to=${iso(T0 + 50_000)}`, '--reason', 'with a server', '--json', '--data', dataDir);
      expect(r.code, r.err).toBe(0);
      const job = JSON.parse(r.out) as ExportJob;
      expect(job.state).toBe('done');
      const jobs = await rpc<ExportJob[]>('export.list', {});
      expect(jobs.find((j) => j.id === job.id)).toMatchObject({ runner: 'cli', state: 'done', manifestSha256: job.manifestSha256 });
      expect((await rpc<EvidenceLock[]>('evidence.list', {})).map((l) => l.exportJob)).toContain(job.id);
      expect((await rpc<{ ok: boolean }>('export.verify', { id: job.id })).ok).toBe(true);
      // the first test's .zip, through the API, read in place
      const zipped = jobs.find((j) => j.zipPath && j.state === 'done')!;
      const viaZip = await rpc<{ ok: boolean; dir: string; manifest: { cameras: string[] } | null }>('export.verify', { path: zipped.zipPath });
      expect(viaZip).toMatchObject({ ok: true, dir: zipped.zipPath });
      expect(viaZip.manifest?.cameras.length).toBeGreaterThan(0); // the cameras the manifest names, by name
      // a privacy mask added from the CLI is the server's within a second or so (its config watch)
      const add = await gh('masks', 'add', 'Yard', '--kind', 'privacy', '--polygon', '0,0 0.3,0 0.3,0.3 0,0.3', '--json', '--data', dataDir);
      expect(add.code, add.err).toBe(0);
      const m = JSON.parse(add.out) as CameraMask;
      await waitFor('the server sees the mask', async () => (await rpc<CameraMask[]>('masks.list', { cameraId: 'yard' })).some((x) => x.id === m.id), 5_000, 100);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
      if (process.env.GATEHOUSE_TEST_KEEP_LOGS) console.log(fs.readFileSync(logFile, 'utf8'));
    }
  }, 180_000);
});
