/**
 * Storage limits: a small quota deletes the oldest footage while recording
 * goes on; a small volume (a real tmpfs) that fills up gets an emergency
 * purge (storage.lowSpace, storage.purged) and, when ffmpeg hits ENOSPC,
 * the camera shows disk_full and then records again. Locked segments are
 * never deleted.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import type { Engine } from '../../main/engine/engine.js';
import type { CameraState } from '../../main/api/contract.js';
import { sleep, startEngine, tempDir, waitFor } from './recording-harness.js';

const MOUNT = '/tmp/rec-quota';

function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    fs.mkdirSync(MOUNT, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', MOUNT]);
    return true;
  } catch {
    return false;
  }
}

describe('storage limits', () => {
  let rtsp: RtspFixture;
  beforeAll(async () => {
    rtsp = await startRtspServer({ port: 18040, mounts: { '/cam1': {}, '/cam2': {} } });
  });
  afterAll(async () => {
    await rtsp?.close();
  });

  it('a small quota deletes the oldest footage first, never a locked segment, and recording goes on', async () => {
    const dataDir = tempDir('quota');
    let engine: Engine | null = null;
    try {
      // vtest is ~86 kB/s: a 1.2 MB quota holds ~14 s of footage
      engine = await startEngine(dataDir, { segmentSeconds: 2, quotaGb: 0.0012 }, [{ name: 'Lot', url: rtsp.url('/cam1') }]);
      const purged: { segments: number; reason: string }[] = [];
      engine.bus.on('storage.purged', (e) => purged.push(e));
      const list = () => engine!.recorder.list('lot', 0, Date.now() + 1000).segments;
      await waitFor('first segments', () => list().length >= 2, 40_000);
      const first = list()[0]!;
      engine.db.prepare('UPDATE segments SET locked = 1 WHERE path LIKE ?').run(`%${path.basename(first.path)}`);
      await waitFor('a quota purge', () => purged.some((p) => p.reason === 'quota'), 60_000);
      const t = Date.now();
      await waitFor('segments recorded after the purge', () => list().filter((s) => Date.parse(s.start) > t).length >= 3, 30_000);
      const segs = list();
      expect(segs[0]!.path).toBe(first.path); // locked: kept
      expect(fs.existsSync(first.path)).toBe(true);
      expect(Date.parse(segs[1]!.start) - Date.parse(first.end)).toBeGreaterThan(5_000); // the oldest unlocked ones went
      const status = engine.recorder.storage();
      expect(status.quotaBytes).toBe(1_200_000);
      expect(status.lockedBytes).toBe(first.bytes);
      expect(status.usedBytes).toBeLessThanOrEqual(1_200_000 + 400_000);
      expect(status.cameras[0]).toMatchObject({ cameraId: 'lot', lockedBytes: first.bytes });
      expect(status.cameras[0]!.bytesPerDay).toBeGreaterThan(0);
      expect(status.forecastDays).not.toBeNull();
      expect(engine.cameras.info('lot')!.status.state).toBe('recording');
    } finally {
      await engine?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a full volume: emergency purge, disk_full while ffmpeg cannot write, then recording resumes', async (ctx) => {
    // While the index's volume is full the camera.status alarm can't be committed: it waits in memory and is
    // written once the emergency purge makes room (found by the log guard; no ERROR line may appear).
    if (!canMount()) {
      ctx.skip();
      return;
    }
    let engine: Engine | null = null;
    try {
      const dataDir = path.join(MOUNT, 'data');
      fs.mkdirSync(dataDir);
      engine = await startEngine(dataDir, { segmentSeconds: 2, lowSpaceGb: 0.1 }, [
        { name: 'A', url: rtsp.url('/cam1') },
        { name: 'B', url: rtsp.url('/cam2') },
      ]);
      const seen: string[] = [];
      const states = new Set<CameraState>();
      engine.bus.onAny((e, d) => {
        seen.push(e);
        if (e === 'camera.status') states.add((d as { status: { state: CameraState } }).status.state);
      });
      const list = (id: string) => engine!.recorder.list(id, 0, Date.now() + 1000).segments;
      await waitFor('footage to purge', () => list('a').length >= 10 && list('b').length >= 10, 90_000);
      const oldest = list('a')[0]!;
      // something else fills the disk, and for a moment takes whatever is freed, so ffmpeg runs out of space
      let n = 0;
      const fill = () => {
        const chunk = Buffer.alloc(16 * 1024);
        for (;;) {
          try {
            fs.appendFileSync(path.join(MOUNT, `ballast-${n % 4}`), chunk);
          } catch {
            return;
          }
          n++;
        }
      };
      fill();
      const filledAt = Date.now();
      const filler = setInterval(fill, 20);
      try {
        await waitFor('disk_full', () => states.has('disk_full') || Date.now() - filledAt > 1500, 5_000, 20);
      } finally {
        clearInterval(filler);
      }
      await waitFor('disk_full', () => states.has('disk_full'), 20_000);
      const msg = (id: string) => engine!.cameras.info(id)!.status;
      expect([msg('a'), msg('b')].some((s) => s.state === 'disk_full' && /disk is full/.test(s.message))).toBe(true);
      await waitFor('storage.lowSpace', () => seen.includes('storage.lowSpace'), 30_000);
      await waitFor('an emergency purge', () => seen.includes('storage.purged'), 30_000);
      await waitFor('the oldest footage deleted', () => !fs.existsSync(oldest.path), 30_000);
      // recording goes on: both cameras record new segments after the disk filled
      await waitFor(
        'new segments after the fill',
        () => list('a').some((s) => Date.parse(s.start) > filledAt + 2000) && list('b').some((s) => Date.parse(s.start) > filledAt + 2000),
        90_000,
      );
      await waitFor(
        'both recording',
        () => engine!.cameras.info('a')!.status.state === 'recording' && engine!.cameras.info('b')!.status.state === 'recording',
        60_000,
      );
      // the alarms of the full disk were written once there was room, none lost
      await waitFor('the disk.full alarm', () => engine!.alarms!.store.queue().some((a) => a.type === 'disk.full'), 30_000);
      // the index is consistent with the disk
      for (const id of ['a', 'b']) for (const s of list(id)) expect(fs.existsSync(s.path), s.path).toBe(true);
      await sleep(500);
    } finally {
      await engine?.stop();
      try {
        execFileSync('umount', [MOUNT]);
      } catch {
        execFileSync('umount', ['-l', MOUNT]);
      }
      fs.rmSync(MOUNT, { recursive: true, force: true });
    }
  });
});
