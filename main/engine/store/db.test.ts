/**
 * Opening a damaged index with { recover: true }: the file is moved aside and
 * a fresh index is created (real SQLite files, damaged the ways disks and
 * people damage them). Without recover the error stays an error.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { indexRecovery, isCorruption, openIndex } from './db.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** An index with some rows, closed cleanly (WAL checkpointed into the main file). */
function goodIndex(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-db-'));
  dirs.push(dir);
  const file = path.join(dir, 'index.sqlite');
  const db = openIndex(file);
  const ins = db.prepare(
    'INSERT INTO segments (camera_id, start_ms, end_ms, bytes, path, codec, width, height, run_id, locked, salvaged, init_hash) VALUES (?, ?, ?, 1000, ?, NULL, NULL, NULL, ?, 0, 0, NULL)',
  );
  for (let i = 0; i < 2000; i++) ins.run('cam', 1_800_000_000_000 + i * 10_000, 1_800_000_000_000 + i * 10_000 + 10_000, `cam/x/${i}.mp4`, 'run1');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

function damage(file: string, at: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, bytes, 0, bytes.length, at);
  fs.closeSync(fd);
}

const cases: [string, (file: string) => void][] = [
  ['a garbage header', (f) => damage(f, 0, Buffer.alloc(100, 0x5a))],
  ['a truncated file', (f) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2) + 123)],
  ['a malformed schema page (fails on the first query)', (f) => damage(f, 100, Buffer.alloc(3000, 0xa5))],
  ['a damaged data page (found by quick_check)', (f) => damage(f, Math.floor(fs.statSync(f).size / 4096 / 2) * 4096, Buffer.alloc(4096, 0xff))],
];

describe('openIndex with recover', () => {
  for (const [name, hurt] of cases) {
    it(`moves ${name} aside and starts a fresh index`, () => {
      const file = goodIndex();
      hurt(file);
      expect(() => {
        const db = openIndex(file);
        try {
          db.prepare('SELECT COUNT(*) FROM segments').get();
          const qc = db.pragma('quick_check', { simple: true });
          if (qc !== 'ok') throw new Error(`database disk image is malformed (${String(qc)})`);
        } finally {
          db.close();
        }
      }, 'the damage is real').toThrow();
      const db = openIndex(file, { recover: true });
      try {
        const r = indexRecovery(db)!;
        expect(r.kind).toBe('damaged');
        expect(r.movedTo).toMatch(/index\.sqlite\.corrupt-\d{8}T\d{6}Z$/);
        expect(fs.existsSync(r.movedTo!)).toBe(true);
        expect((db.prepare('SELECT COUNT(*) AS n FROM segments').get() as { n: number }).n).toBe(0);
        db.prepare("INSERT INTO gaps (camera_id, start_ms, end_ms, reason) VALUES ('cam', 1, 2, 'unknown')").run();
      } finally {
        db.close();
      }
      // the fresh index opens cleanly next time
      const again = openIndex(file, { recover: true });
      expect(indexRecovery(again)).toBeNull();
      again.close();
    });
  }

  it('a missing index: fresh, with a stale write-ahead log moved aside', () => {
    const file = goodIndex();
    fs.rmSync(file);
    fs.writeFileSync(`${file}-wal`, Buffer.alloc(5000, 1));
    const db = openIndex(file, { recover: true });
    expect(indexRecovery(db)).toMatchObject({ kind: 'missing', movedTo: null });
    db.close();
    expect(fs.readdirSync(path.dirname(file)).some((n) => /^index\.sqlite\.corrupt-.*-wal$/.test(n))).toBe(true);
  });

  it('a healthy index is left alone, and other errors are not "corruption"', () => {
    const file = goodIndex();
    const db = openIndex(file, { recover: true });
    expect(indexRecovery(db)).toBeNull();
    expect((db.prepare('SELECT COUNT(*) AS n FROM segments').get() as { n: number }).n).toBe(2000);
    db.close();
    expect(isCorruption(new Error('SQLITE_BUSY: database is locked'))).toBe(false);
    expect(isCorruption(Object.assign(new Error('x'), { code: 'SQLITE_NOTADB' }))).toBe(true);
  });
});
