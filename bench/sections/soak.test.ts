import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM JavaScript without type declarations
import { holesWhileUp, keepEvidence, logFindings, percentile, slope } from './soak.mjs';

describe('soak arithmetic', () => {
  it('fits the slope per hour by least squares', () => {
    expect(slope([[0, 100], [0.5, 101], [1, 102]])).toBeCloseTo(2);
    expect(slope([[0, 5], [1, 5], [2, 5]])).toBe(0);
    expect(slope([[0, 1]])).toBeNull();
    expect(slope([[1, 1], [1, 2]])).toBeNull();
  });

  it('finds what the segments miss while a camera was up, less the allowance after each return', () => {
    // up [0, 100) and [200, 300); allowance 10 after each start
    const up = [
      [0, 100],
      [200, 300],
    ];
    const segs = [
      [5, 60],
      [60, 100],
      [212, 250],
      [260, 300],
    ];
    const r = holesWhileUp(up, segs, 10, 0);
    expect(r.requiredMs).toBe(180);
    // [210, 212) is a hole (the camera resumed 2 later than the allowance), [250, 260) another
    expect(r.holes).toEqual([
      { start: 210, end: 212 },
      { start: 250, end: 260 },
    ]);
    expect(r.lostMs).toBe(12);
    // holes shorter than minMs are not counted
    expect(holesWhileUp(up, segs, 10, 5).lostMs).toBe(10);
    // nothing recorded at all: every required ms is lost
    expect(holesWhileUp(up, [], 10, 0).lostMs).toBe(180);
  });

  it('takes percentiles by rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(Number.isNaN(percentile([], 99))).toBe(true);
  });

  it('counts what the engine log says about indexing trouble', () => {
    const log = [
      '2026-12-06T17:42:57.600Z ERROR [recording] cam26/main: could not close segment 52 SqliteError: database is locked',
      '2026-12-06T17:43:00.000Z WARN  [recording] the index is busy (another process has held its write lock for over 5 s: database is locked); index writes wait and are retried every second',
      '2026-12-06T17:56:28.000Z WARN  [recording] cam32/main: no progress for 12 s: killing ffmpeg (pid 4242)',
      '2026-12-06T17:57:00.000Z INFO  [recording] cam32/main: recording H.264 768×576 10 fps',
    ].join('\n');
    expect(logFindings(log)).toEqual({ errors: 1, couldNotClose: 1, indexBusy: 1, droppedNoFragment: 0, stallKills: 1 });
  });

  it('keeps the log, the index, the journals and the media files around a hole', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-evidence-'));
    const data = path.join(base, 'data');
    const hour = path.join(data, 'recordings', 'c_1', '2026-12-06', '17');
    fs.mkdirSync(hour, { recursive: true });
    fs.mkdirSync(path.join(data, 'recordings', 'c_1', '.incoming'));
    fs.writeFileSync(path.join(base, 'serve.log'), 'log');
    fs.writeFileSync(path.join(data, 'index.sqlite'), 'db');
    fs.writeFileSync(path.join(data, 'recordings', 'c_1', 'journal.jsonl'), '{}');
    fs.writeFileSync(path.join(hour, '20261206T174237511Z_abc.mp4'), 'near');
    fs.writeFileSync(path.join(hour, '20261206T170000000Z_abc.mp4'), 'far');
    const dest = keepEvidence(base, data, [{ dir: 'c_1', holes: [{ start: '2026-12-06T17:42:47.511Z', seconds: 10 }] }]);
    try {
      expect(fs.readFileSync(path.join(dest, 'serve.log'), 'utf8')).toBe('log');
      expect(fs.existsSync(path.join(dest, 'index.sqlite'))).toBe(true);
      expect(fs.existsSync(path.join(dest, 'recordings/c_1/2026-12-06/17/20261206T174237511Z_abc.mp4'))).toBe(true);
      expect(fs.existsSync(path.join(dest, 'recordings/c_1/2026-12-06/17/20261206T170000000Z_abc.mp4'))).toBe(false);
      expect(fs.existsSync(path.join(dest, 'recordings/c_1/journal.jsonl'))).toBe(true);
      expect(JSON.parse(fs.readFileSync(path.join(dest, 'files.json'), 'utf8'))).toHaveLength(3);
    } finally {
      fs.rmSync(dest, { recursive: true, force: true });
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
