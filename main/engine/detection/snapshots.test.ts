import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { openIndex } from '../store/db.js';
import { considerShot, cropRegion, encodeShot, sharpness, snapshotFile, sweepSnapshots, writeAtomic } from './snapshots.js';

const W = 100;
const H = 80;
/** A grey frame with a sharp checkerboard (or a flat patch) at x 40-60, y 20-60. */
function frame(sharpPatch: boolean): Uint8Array {
  const f = new Uint8Array(W * H * 3).fill(100);
  for (let y = 20; y < 60; y++)
    for (let x = 40; x < 60; x++) {
      const v = sharpPatch ? ((x + y) % 2 ? 250 : 10) : 130;
      f.fill(v, (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
  return f;
}
const box: [number, number, number, number] = [0.4, 0.25, 0.6, 0.75];

let dir: string | null = null;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('best shot per object', () => {
  it('scores sharpness, keeps the best of score × size × sharpness, and skips frames that cannot win', () => {
    expect(sharpness(frame(true), W, 40, 20, 20, 40)).toBeGreaterThan(sharpness(frame(false), W, 40, 20, 20, 40));
    const blurry = considerShot(null, { score: 0.9, box, frame: frame(false), w: W, h: H, timeMs: 1 })!;
    expect(blurry.quality).toBe(0);
    const sharp1 = considerShot(blurry, { score: 0.6, box, frame: frame(true), w: W, h: H, timeMs: 2 })!;
    expect(sharp1.quality).toBeGreaterThan(0);
    expect(sharp1.timeMs).toBe(2);
    // lower score, same picture: not better
    expect(considerShot(sharp1, { score: 0.5, box, frame: frame(true), w: W, h: H, timeMs: 3 })).toBeNull();
    // the crop is the box with a margin, inside the frame, as RGB
    const r = cropRegion(box, W, H);
    expect(r).toMatchObject({ x: 32, y: 10, w: 36, h: 60 });
    expect(sharp1.width).toBe(36);
    expect(sharp1.rgb.length).toBe(36 * 60 * 3);
  });

  it('writes a JPEG scaled up for small objects, atomically, under snapshots/objects/<camera>/<day>/', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shots-'));
    const shot = considerShot(null, { score: 0.9, box, frame: frame(true), w: W, h: H, timeMs: Date.parse('2026-03-01T10:00:00Z') })!;
    const { jpeg, width, height } = await encodeShot(shot);
    expect(height).toBeGreaterThanOrEqual(240);
    const meta = await sharp(jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', width, height]);
    const rel = snapshotFile('gate', 42, shot.timeMs);
    expect(rel).toBe(path.join('snapshots', 'objects', 'gate', '2026-03-01', '42.jpg'));
    await writeAtomic(dir, rel, jpeg);
    expect(fs.readdirSync(path.dirname(path.join(dir, rel)))).toEqual(['42.jpg']);
  });

  it('the sweep deletes crops whose object event is gone', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shots-'));
    const db = openIndex(path.join(dir, 'index.sqlite'));
    try {
      const day = Date.parse('2026-03-02T10:00:00Z');
      const keep = Number(db.prepare("INSERT INTO events (camera_id, time_ms, kind, source, data) VALUES ('gate', ?, 'object', 'detector', '{}')").run(day).lastInsertRowid);
      for (const [id, t] of [[keep, day], [keep + 1, day], [7, day - 86_400_000]] as const) await writeAtomic(dir, snapshotFile('gate', id, t), Buffer.from('x'));
      expect(sweepSnapshots(dir, db)).toBe(2);
      expect(fs.readdirSync(path.join(dir, 'snapshots', 'objects', 'gate'))).toEqual(['2026-03-02']);
      expect(fs.readdirSync(path.join(dir, 'snapshots', 'objects', 'gate', '2026-03-02'))).toEqual([`${keep}.jpg`]);
    } finally {
      db.close();
    }
  });
});
