/**
 * The recorder indexes a segment while another process (a CLI command) holds the index's write lock.
 *
 * In WAL mode a deferred transaction that reads and then writes does not wait for the lock: it failed at once with
 * SQLITE_BUSY, the segment's file was already in place and its row was never written (the hour soak lost one 10 s
 * segment of a steady camera that way, with no gap row). Now every index transaction begins IMMEDIATE, so it waits
 * for the busy timeout; and a write that still finds the index busy is queued and retried, never dropped.
 * Real SQLite file, a real second process holding the lock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openIndex, type Db } from '../../main/engine/store/db.js';
import { Timeline, type NewSegment } from '../../main/engine/recording/timeline.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'index-busy-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A second process that takes the write lock (BEGIN IMMEDIATE, as a CLI write does), holds it for `holdMs`, commits. */
function holdWriteLock(file: string, holdMs: number): Promise<{ child: ChildProcess; done: Promise<number | null> }> {
  const code = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO arming_changes (time_ms, mode, actor, via) VALUES (?, 'home', 'cli:test', 'cli')").run(Date.now());
    process.stdout.write('locked\\n');
    const until = Date.now() + Number(process.argv[2]);
    while (Date.now() < until) {}
    db.exec('COMMIT');
    db.close();`;
  const child = spawn(process.execPath, ['-e', code, file, String(holdMs)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const done = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve({ child, done });
    });
    child.on('exit', (c) => reject(new Error(`the lock holder exited (${c}) before taking the lock`)));
  });
}

function seg(cameraId: string, startMs: number, runId: string): NewSegment {
  return { cameraId, startMs, endMs: startMs + 10_000, bytes: 1000, path: `${cameraId}/${startMs}_${runId}.mp4`, codec: 'avc1.640028', width: 768, height: 576, runId, salvaged: false, initHash: null };
}

function rows(db: Db, cameraId: string): number[] {
  return db.prepare<[string], { start_ms: number }>('SELECT start_ms FROM segments WHERE camera_id = ? ORDER BY start_ms').all(cameraId).map((r) => r.start_ms);
}

it('a segment closed while a CLI process holds the write lock waits for it and is indexed', async () => {
  const file = path.join(dir, 'wait.sqlite');
  const db = openIndex(file);
  const timeline = new Timeline(db, (id) => path.join(dir, `${id}.journal`));
  const t0 = Date.parse('2026-12-06T12:00:00Z');
  timeline.addSegment(seg('cam1', t0, 'r1'));
  const holder = await holdWriteLock(file, 700);
  // reads first (the camera's last segment), then writes: before the fix this threw SQLITE_BUSY at once
  const r = timeline.addSegment(seg('cam1', t0 + 10_000, 'r1'));
  expect(r.id).toBeGreaterThan(0);
  expect(await holder.done).toBe(0);
  expect(rows(db, 'cam1')).toEqual([t0, t0 + 10_000]);
  expect(db.prepare('SELECT COUNT(*) AS n FROM gaps').get()).toEqual({ n: 0 });
  timeline.dispose();
  db.close();
}, 60_000);

it('a write that finds the index busy past the timeout is queued, retried, and lands in order', async () => {
  const file = path.join(dir, 'retry.sqlite');
  const db = openIndex(file);
  db.pragma('busy_timeout = 100'); // the holder keeps the lock far longer than this
  const timeline = new Timeline(db, (id) => path.join(dir, `${id}.journal`));
  const t0 = Date.parse('2026-12-06T12:00:00Z');
  timeline.addSegment(seg('cam1', t0, 'r1'));
  const holder = await holdWriteLock(file, 1500);
  expect(timeline.addSegment(seg('cam1', t0 + 10_000, 'r1')).id).toBe(-1); // queued, not lost
  expect(timeline.noteDown('cam1', 'camera_unreachable', t0 + 20_000)).toBeNull(); // queued behind it
  expect(timeline.deferredWrites).toBe(2);
  expect(await holder.done).toBe(0);
  // the retry timer (every second) writes both once the lock is free
  for (let i = 0; i < 50 && timeline.deferredWrites > 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(timeline.deferredWrites).toBe(0);
  expect(rows(db, 'cam1')).toEqual([t0, t0 + 10_000]);
  expect(db.prepare('SELECT start_ms, end_ms, reason FROM gaps').all()).toEqual([{ start_ms: t0 + 20_000, end_ms: null, reason: 'camera_unreachable' }]);
  timeline.dispose();
  db.close();
}, 60_000);
