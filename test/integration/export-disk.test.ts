/**
 * Exports and evidence locks against a real full disk (a small tmpfs, as
 * recording-quota.test.ts does; skipped where mounting is not allowed):
 *
 *  - a real engine records two RTSP-fixture cameras on a 20 MB tmpfs with a
 *    quota; a supervisor locks the first footage of one camera; quota purges
 *    and, once the disk is filled, emergency purges delete the oldest
 *    footage, never the locked segments; an export while the disk is full is
 *    refused before copying, with the estimate; once space is back the
 *    locked range exports and verifies;
 *  - the disk filling up while an export writes: the job fails with a clear
 *    message, nothing is left, the lock is released.
 *
 * Also: privacy masks burned into an export (only the masked camera is
 * re-encoded; the manifest says so; the masked pixels are black).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../main/api/contract.js';
import type { EvidenceLock, ExportJob, VerifyReport } from '../../main/api/export.js';
import type { Engine } from '../../main/engine/engine.js';
import { AuditTrail } from '../../main/engine/audit/trail.js';
import { ExportService } from '../../main/engine/export/service.js';
import { openConfig } from '../../main/cli/offline.js';
import { openIndex } from '../../main/engine/store/db.js';
import { ffmpegPath } from '../fixtures/media.js';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import { makeFootage } from './export-footage.js';
import { prepareDataDir, startEngine, tempDir, waitFor } from './recording-harness.js';

const run = promisify(execFile);

function mountTmpfs(dir: string, size: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    return true;
  } catch {
    return false;
  }
}
function umount(dir: string): void {
  try {
    execFileSync('umount', [dir]);
  } catch {
    try {
      execFileSync('umount', ['-l', dir]);
    } catch {
      /* not mounted */
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Fill a volume with a ballast file until it is full (ENOSPC); returns its path. */
function fill(dir: string, leaveBytes = 0): string {
  const file = path.join(dir, `ballast-${process.pid}`);
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    const free = fs.statfsSync(dir).bavail * fs.statfsSync(dir).bsize;
    if (free <= leaveBytes) break;
    try {
      fs.appendFileSync(file, free - leaveBytes < chunk.length ? chunk.subarray(0, Math.max(1, free - leaveBytes)) : chunk);
    } catch {
      break;
    }
  }
  return file;
}

async function login(engine: Engine): Promise<string> {
  return ((await engine.handle('auth.login', { username: 'admin', password: 'adminadmin' }, { peer: 'test' })) as { token: string }).token;
}

describe('evidence locks and exports on a full disk', () => {
  let rtsp: RtspFixture;
  beforeAll(async () => {
    rtsp = await startRtspServer({ mounts: { '/cam1': {}, '/cam2': {} } });
  });
  afterAll(async () => {
    await rtsp?.close();
  });

  it('locked segments survive quota and full-disk purges on a real tmpfs; an export on the full disk is refused before copying; afterwards it verifies', async (ctx) => {
    const MNT = '/tmp/export-lock-quota';
    if (!mountTmpfs(MNT, '20m')) {
      ctx.skip();
      return;
    }
    let engine: Engine | null = null;
    try {
      const dataDir = path.join(MNT, 'data');
      fs.mkdirSync(dataDir);
      // ~86 kB/s per camera: the 45 % quota (9 MB) fills in under a minute
      engine = await startEngine(dataDir, { segmentSeconds: 2, quotaPercent: 45, lowSpaceGb: 0.1 }, [
        { name: 'A', url: rtsp.url('/cam1') },
        { name: 'B', url: rtsp.url('/cam2') },
      ]);
      const purges: string[] = [];
      engine.bus.on('storage.purged', (e) => purges.push(e.reason));
      const list = (id: string) => engine!.recorder.list(id, 0, Date.now() + 1000).segments;
      await waitFor('a few segments of A', () => list('a').length >= 4, 60_000);
      const first = list('a').slice(0, 3);
      const token = await login(engine);
      const lock = (await engine.handle('evidence.lock', { cameraIds: ['a'], from: first[0]!.start, to: new Date(Date.parse(first[2]!.end) - 1).toISOString(), reason: 'incident in lot A' }, { token, peer: 'test' })) as EvidenceLock;
      expect(lock.segments).toBe(3);
      const fourth = list('a')[3]!;
      await waitFor('a quota purge', () => purges.includes('quota'), 120_000);
      const stillThere = () => first.every((s) => fs.existsSync(s.path) && list('a').some((x) => x.path === s.path));
      expect(stillThere()).toBe(true);
      // the oldest unlocked footage of A goes, the locked segments before it stay
      await waitFor("A's oldest unlocked segment purged", () => !fs.existsSync(fourth.path), 120_000);
      expect(stillThere()).toBe(true);
      expect(list('a').slice(0, 3).map((s) => s.path)).toEqual(first.map((s) => s.path));

      // now the disk fills up: emergency purges, never the locked segments
      const ballast = fill(MNT);
      await waitFor('an emergency purge', () => purges.includes('emergency'), 60_000);
      expect(stillThere()).toBe(true);
      // an export while the disk is full is refused before anything is copied, with the estimate
      fill(MNT);
      const before = fs.readdirSync(engine.paths.exports);
      const err = (await engine
        .handle('export.create', { cameraIds: ['a'], from: lock.from, to: lock.to, reason: 'needs space' }, { token, peer: 'test' })
        .catch((e: ApiError) => e)) as ApiError;
      expect(err.code).toBe('bad_request');
      expect(err.message).toMatch(/this export needs about \d+\.\d\d GiB and .* has \d+\.\d\d GiB free; free some space/);
      expect(fs.readdirSync(engine.paths.exports)).toEqual(before);

      // space back: the locked range exports (to a bigger disk: an export keeps 64 MiB spare, more than this
      // whole tmpfs) with the engine's own service and index, and verifies
      fs.rmSync(ballast, { force: true });
      const out = tempDir('export-lock-out');
      try {
        const { store } = await openConfig(dataDir);
        const s = new ExportService({ db: engine.durableDb, paths: engine.paths, config: () => store.data, secrets: engine.secrets, audit: new AuditTrail(engine.durableDb), ffmpeg: () => null, runner: 'engine' });
        const job = await s.create({ cameraIds: ['a'], from: lock.from, to: lock.to, reason: 'after the purge' }, { username: 'admin' }, { outDir: out, wait: false });
        const done = await s.run(job.id, { username: 'admin' });
        expect(done.error).toBeNull();
        expect(((await engine.handle('export.verify', { path: done.dir }, { token, peer: 'test' })) as VerifyReport).ok).toBe(true);
        const m = JSON.parse(fs.readFileSync(path.join(done.dir!, 'manifest.json'), 'utf8')) as { files: { kind: string; sourceSegments?: number[] }[] };
        expect(m.files.find((f) => f.kind === 'video')!.sourceSegments).toHaveLength(3);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
      expect(stillThere()).toBe(true);
    } finally {
      await engine?.stop();
      umount(MNT);
    }
  }, 360_000);

  it('the disk filling up while an export writes: the job fails with a clear message, nothing is left, the lock is released', async (ctx) => {
    const MNT = '/tmp/export-fill';
    if (!mountTmpfs(MNT, '100m')) {
      ctx.skip();
      return;
    }
    const dataDir = tempDir('export-fill');
    try {
      const t0 = Date.now() - 3600_000;
      await prepareDataDir(dataDir, {}, [
        { name: 'Gate', url: 'rtsp://127.0.0.1:9/x', enabled: false },
        { name: 'Yard', url: 'rtsp://127.0.0.1:9/x', enabled: false },
      ]);
      await makeFootage(dataDir, [
        { cameraId: 'gate', startMs: t0, pieces: [{ seconds: 80 }] },
        { cameraId: 'yard', startMs: t0, pieces: [{ seconds: 80 }] },
      ]);
      const { store, paths, secrets } = await openConfig(dataDir);
      const db = openIndex(paths.index);
      try {
        const s = new ExportService({ db, paths, config: () => store.data, secrets, audit: new AuditTrail(db), ffmpeg: () => ffmpegPath(), runner: 'cli:1' });
        const job = await s.create(
          { cameraIds: ['gate', 'yard'], from: new Date(t0).toISOString(), to: new Date(t0 + 80_000).toISOString(), reason: 'disk fills' },
          { username: 'sue' },
          { outDir: MNT },
        );
        let filled = false;
        const end = await s.run(job.id, { username: 'sue' }, {
          onProgress: (p) => {
            // something else takes the space while the first clip is being copied
            if (p.phase === 'copy' && !filled) {
              filled = true;
              fill(MNT, 64 * 1024);
            }
          },
        });
        expect(filled).toBe(true);
        expect(end.state).toBe('failed');
        expect(end.errorCode).toBe('no_space');
        expect(end.error).toMatch(/the disk filled up while .*free some space and export again \(nothing was kept\)/);
        expect(fs.readdirSync(MNT).filter((n) => !n.startsWith('ballast-'))).toEqual([]);
        expect(s.locks.get(end.lockId!)!.active).toBe(false);
        expect(db.prepare('SELECT COUNT(*) AS n FROM segments WHERE locked = 1').get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
    } finally {
      umount(MNT);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('privacy masks are burned into the export: only the masked camera is re-encoded, the manifest says so, the pixels are black', async () => {
    const dataDir = tempDir('export-masks');
    let engine: Engine | null = null;
    try {
      const t0 = Date.now() - 3600_000;
      await prepareDataDir(dataDir, {}, [
        { name: 'Gate', url: 'rtsp://127.0.0.1:9/x', enabled: false },
        { name: 'Yard', url: 'rtsp://127.0.0.1:9/x', enabled: false },
      ]);
      await makeFootage(dataDir, [
        { cameraId: 'gate', startMs: t0, pieces: [{ seconds: 20 }] },
        { cameraId: 'yard', startMs: t0, pieces: [{ seconds: 20 }] },
      ]);
      const { Engine: E } = await import('../../main/engine/engine.js');
      engine = new E({ dataDir, adminPassword: 'adminadmin', headless: true });
      await engine.start();
      const token = await login(engine);
      const call = <T>(m: string, p: unknown) => engine!.handle(m, p, { token, peer: 'test' }) as Promise<T>;
      await call('masks.add', { cameraId: 'yard', kind: 'privacy', name: 'window', polygon: [[0.5, 0], [1, 0], [1, 0.5], [0.5, 0.5]] });
      await call('masks.add', { cameraId: 'gate', kind: 'motion', polygon: [[0, 0], [0.2, 0], [0.2, 0.2]] }); // not a privacy mask: no re-encode
      const job = await call<ExportJob>('export.create', { cameraIds: ['gate', 'yard'], from: new Date(t0).toISOString(), to: new Date(t0 + 18_000).toISOString(), reason: 'masked' });
      expect(job.maskedCameras).toEqual(['yard']);
      const done = await waitFor('the export', async () => {
        const j = await call<ExportJob>('export.get', { id: job.id });
        return j.state === 'done' || j.state === 'failed' ? j : null;
      }, 120_000);
      expect(done.error).toBeNull();
      const m = JSON.parse(fs.readFileSync(path.join(done.dir!, 'manifest.json'), 'utf8')) as {
        cameras: { id: string; privacyMasks: number }[];
        files: { kind: string; path: string; camera?: { id: string }; reencoded?: boolean; reencodeReasons?: string[]; burnedIn?: { privacyMasks: number } | null }[];
      };
      const vid = (id: string) => m.files.find((f) => f.kind === 'video' && f.camera?.id === id)!;
      expect(vid('yard')).toMatchObject({ reencoded: true, reencodeReasons: ['privacy-mask'], burnedIn: { privacyMasks: 1 } });
      expect(vid('gate')).toMatchObject({ reencoded: false, reencodeReasons: [] });
      expect(m.cameras.find((c) => c.id === 'yard')!.privacyMasks).toBe(1);
      // the masked quarter of a frame is black, the rest is not
      const px = async (crop: string) => {
        const { stdout } = await run(ffmpegPath(), ['-v', 'error', '-ss', '5', '-i', path.join(done.dir!, vid('yard').path), '-frames:v', '1', '-vf', `crop=${crop},format=gray`, '-f', 'rawvideo', '-'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
        const b = stdout as unknown as Buffer;
        return b.reduce((a, v) => a + v, 0) / b.length;
      };
      // (below the burned-in watermark, which is drawn over the top edge)
      expect(await px('iw/2-8:ih/4:iw/2+4:ih/4-8')).toBeLessThan(20);
      expect(await px('iw/2:ih/2:0:ih/2')).toBeGreaterThan(40);
      expect(((await call<VerifyReport>('export.verify', { id: job.id })).ok)).toBe(true);
    } finally {
      await engine?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
