import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteSegments, selectOldest, type Candidate } from '../recording/retention.js';
import { openIndex, type Db } from '../store/db.js';
import { CaseStore } from '../cases/store.js';
import { EvidenceLocks } from './locks.js';

let db: Db;
const T = Date.UTC(2026, 10, 26, 8, 0, 0);
const S = 10_000;

function addSegments(cam: string, n: number, start = T): void {
  const ins = db.prepare('INSERT INTO segments (camera_id, start_ms, end_ms, bytes, path, codec, width, height, run_id, locked, salvaged, init_hash) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, ?, 0, 0, NULL)');
  for (let i = 0; i < n; i++) ins.run(cam, start + i * S, start + (i + 1) * S, 1000, `${cam}/seg-${i}.mp4`, 'run1');
}
const lockedOf = (cam: string) => db.prepare<[string], { id: number; start_ms: number; locked: number }>('SELECT id, start_ms, locked FROM segments WHERE camera_id = ? ORDER BY start_ms').all(cam).map((r) => r.locked);

beforeEach(() => {
  db = openIndex(':memory:');
  addSegments('gate', 10);
  addSegments('yard', 10);
});
afterEach(() => db.close());

describe('evidence locks', () => {
  it('locks exactly the segments overlapping the range, of the chosen cameras, in the same transaction as `within`', () => {
    const locks = new EvidenceLocks(db);
    const r = locks.lock({ cameraIds: ['gate'], fromMs: T + 15_000, toMs: T + 30_000, username: 'sue', reason: 'break-in' }, () => lockedOf('gate'));
    // seen from inside the transaction: already locked
    expect(r.within).toEqual([0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(r.lock).toMatchObject({ cameraIds: ['gate'], segments: 3, bytes: 3000, active: true, username: 'sue', reason: 'break-in' });
    expect(lockedOf('yard').every((x) => x === 0)).toBe(true);
    expect(locks.list()).toHaveLength(1);
    expect(locks.list({ cameraId: 'yard' })).toHaveLength(0);
    expect(locks.list({ cameraId: 'gate', fromMs: T + 40_000 })).toHaveLength(0);
  });

  it('a segment stays locked until the last lock covering it is released; a release keeps its record', () => {
    const locks = new EvidenceLocks(db);
    const a = locks.lock({ cameraIds: ['gate', 'yard'], fromMs: T, toMs: T + 25_000, username: 'sue', reason: 'a' }).lock;
    const b = locks.lock({ cameraIds: ['gate'], fromMs: T + 20_000, toMs: T + 45_000, username: 'sue', reason: 'b' }).lock;
    expect(lockedOf('gate')).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    locks.release(a.id, 'boss', 'case closed');
    expect(lockedOf('gate')).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(lockedOf('yard').every((x) => x === 0)).toBe(true);
    const rel = locks.get(a.id)!;
    expect(rel).toMatchObject({ active: false, releasedBy: 'boss', releaseReason: 'case closed' });
    expect(locks.list().map((l) => l.id)).toEqual([b.id]);
    expect(locks.list({ all: true })).toHaveLength(2);
    // releasing twice changes nothing
    expect(locks.release(a.id, 'x', 'y').releasedBy).toBe('boss');
    locks.release(b.id, 'boss', 'done');
    expect(lockedOf('gate').every((x) => x === 0)).toBe(true);
    expect(() => locks.release(999, 'x', 'y')).toThrow(/no evidence lock 999/);
  });

  it('retention and quota purges skip locked segments', () => {
    const locks = new EvidenceLocks(db);
    locks.lock({ cameraIds: ['gate'], fromMs: T, toMs: T + 5_000, username: 'sue', reason: 'a' });
    const rows = db.prepare<[], { id: number; camera_id: string; start_ms: number; end_ms: number; bytes: number; locked: number }>('SELECT * FROM segments').all();
    const cands: Candidate[] = rows.map((r) => ({ id: r.id, cameraId: r.camera_id, startMs: r.start_ms, endMs: r.end_ms, bytes: r.bytes, locked: !!r.locked }));
    expect(selectOldest(cands, 5000).some((c) => c.locked)).toBe(false);
    // even when asked to delete it, the delete transaction re-checks the flag
    const first = rows.find((r) => r.camera_id === 'gate' && r.start_ms === T)!;
    const dels = deleteSegments(db, '/nonexistent', [first.id, rows.find((r) => r.camera_id === 'yard')!.id]);
    expect(dels).toEqual([{ cameraId: 'yard', segments: 1, bytes: 1000 }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM segments WHERE id = ?').get(first.id)).toEqual({ n: 1 });
  });

  it('names its case', () => {
    const cases = new CaseStore(db);
    const c = cases.create({ name: 'Gate 2', reference: 'PD-7' }, 'sue');
    const l = new EvidenceLocks(db).lock({ cameraIds: ['gate'], fromMs: T, toMs: T + 1, username: 'sue', reason: 'a', caseId: c.id, exportJob: 'x_abcdef' }).lock;
    expect(l).toMatchObject({ caseId: c.id, caseName: 'Gate 2', exportJob: 'x_abcdef' });
    new EvidenceLocks(db).setManifest(l.id, 'ab'.repeat(32));
    expect(new EvidenceLocks(db).list({ caseId: c.id })[0]!.manifestSha256).toBe('ab'.repeat(32));
  });
});

describe('cases', () => {
  it('create, unique names, update, close, items of every kind, counts', () => {
    const cases = new CaseStore(db);
    const c = cases.create({ name: ' Gate 2 break-in ', notes: 'night' }, 'sue', 1000);
    expect(c).toMatchObject({ name: 'Gate 2 break-in', reference: null, notes: 'night', createdBy: 'sue', closedAt: null, counts: { export: 0, bookmark: 0, note: 0 } });
    expect(() => cases.create({ name: 'gate 2 BREAK-IN' }, 'sue')).toThrow(/exists already/);
    expect(cases.findOrCreate('GATE 2 break-in', 'bob').id).toBe(c.id);
    cases.addItem({ caseId: c.id, kind: 'export', ref: 'x_123456' }, 'sue');
    cases.addItem({ caseId: c.id, kind: 'export', ref: 'x_123456' }, 'sue'); // once
    cases.addItem({ caseId: c.id, kind: 'bookmark', ref: 'b_42' }, 'sue');
    const note = cases.addItem({ caseId: c.id, kind: 'note', text: 'called police' }, 'sue');
    expect(() => cases.addItem({ caseId: c.id, kind: 'bookmark' }, 'sue')).toThrow(/needs the bookmark's id/);
    expect(() => cases.addItem({ caseId: 99, kind: 'note', text: 'x' }, 'sue')).toThrow(/no case 99/);
    expect(cases.get(c.id)!.counts).toEqual({ export: 1, bookmark: 1, note: 1 });
    cases.removeItem(note.id);
    expect(cases.items(c.id).map((i) => i.kind)).toEqual(['export', 'bookmark']);
    const u = cases.update(c.id, { reference: 'PD-7', closed: true }, 5000);
    expect(u).toMatchObject({ reference: 'PD-7', closedAt: new Date(5000).toISOString() });
    expect(cases.list()).toHaveLength(0);
    expect(cases.list({ closed: true })).toHaveLength(1);
    expect(cases.update(c.id, { closed: false }).closedAt).toBeNull();
  });
});
