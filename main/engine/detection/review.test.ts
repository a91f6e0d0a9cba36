import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openIndex, type Db } from '../store/db.js';
import { ReviewStore } from './review.js';
import { snapshotFile, writeAtomic } from './snapshots.js';

let dir: string;
let db: Db;
let review: ReviewStore;
const T0 = Date.parse('2026-03-01T10:00:00Z');

function object(cam: string, t: number, label: string, zones: { id: string; name: string }[] = [], snapshot?: unknown): number {
  const data = { label, score: 0.8, box: [0.1, 0.1, 0.2, 0.4], trackId: t % 1000, start: new Date(t).toISOString(), end: null, zones, snapshot };
  return Number(db.prepare("INSERT INTO events (camera_id, time_ms, kind, source, data) VALUES (?, ?, 'object', 'detector', ?)").run(cam, t, JSON.stringify(data)).lastInsertRowid);
}
function alarmFor(objectEventId: number): number {
  return Number(
    db
      .prepare("INSERT INTO alarms (type, title, priority, state, source, source_key, created_ms, updated_ms, last_ms, details) VALUES ('detection.zone', 'Person in zone', 2, 'new', 'gate', 'k', ?, ?, ?, ?)")
      .run(T0, T0, T0, JSON.stringify({ objectEventId })).lastInsertRowid,
  );
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
  db = openIndex(path.join(dir, 'index.sqlite'));
  review = new ReviewStore(db, dir);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('review list', () => {
  it('lists object events newest first, filters, pages, splits alerts from detections, marks reviewed', () => {
    const door = { id: 'z_door1', name: 'Door' };
    const a = object('gate', T0 + 1000, 'person', [door]);
    const b = object('gate', T0 + 2000, 'vehicle');
    const c = object('yard', T0 + 3000, 'person');
    db.prepare("INSERT INTO events (camera_id, time_ms, kind, source, data) VALUES ('gate', ?, 'zone', 'detector', '{}')").run(T0 + 1500);
    const alarm = alarmFor(a);
    const all = review.list({}, null, 10);
    expect(all.items.map((i) => i.id)).toEqual([c, b, a]);
    expect(all.items[2]).toMatchObject({ label: 'person', zones: [door], alert: true, alarmIds: [alarm], reviewed: null, snapshot: false });
    expect(review.list({ kind: 'alerts' }, null, 10).items.map((i) => i.id)).toEqual([a]);
    expect(review.list({ kind: 'detections' }, null, 10).items.map((i) => i.id)).toEqual([c, b]);
    expect(review.list({ cameraId: 'gate', label: 'person' }, null, 10).items.map((i) => i.id)).toEqual([a]);
    expect(review.list({ zoneIds: ['z_door1'] }, null, 10).items.map((i) => i.id)).toEqual([a]);
    expect(review.list({ zoneIds: [] }, null, 10).items).toEqual([]);
    expect(review.list({ fromMs: T0 + 1500, toMs: T0 + 2500 }, null, 10).items.map((i) => i.id)).toEqual([b]);
    const p1 = review.list({}, null, 2);
    expect(p1.items).toHaveLength(2);
    expect(review.list({}, p1.nextCursor, 2).items.map((i) => i.id)).toEqual([a]);
    expect(review.mark([a, b], true, 'guard1', T0 + 9000)).toBe(2);
    expect(review.mark([a], true, 'guard2')).toBe(0); // already: who and when stay
    expect(review.list({ reviewed: true }, null, 10).items.map((i) => [i.id, i.reviewed?.by])).toEqual([[b, 'guard1'], [a, 'guard1']]);
    expect(review.mark([b], false, 'guard1')).toBe(1);
    expect(review.list({ reviewed: false }, null, 10).items.map((i) => i.id)).toEqual([c, b]);
    expect(() => review.mark([a, 99999], true, 'guard1')).toThrow(/no object event 99999/);
  });

  it('serves the best-shot crop as a data URL, and says why when there is none', async () => {
    const rel = snapshotFile('gate', 1, T0);
    await writeAtomic(dir, rel, Buffer.from([0xff, 0xd8, 0xff]));
    const id = object('gate', T0, 'person', [], { file: rel, width: 10, height: 20, time: new Date(T0).toISOString(), quality: 0.5 });
    const s = review.snapshot(id);
    expect(s.dataUrl).toBe('data:image/jpeg;base64,/9j/');
    expect(s).toMatchObject({ width: 10, height: 20, quality: 0.5 });
    const none = object('gate', T0 + 1, 'person');
    expect(() => review.snapshot(none)).toThrow(/has no snapshot/);
    const evil = object('gate', T0 + 2, 'person', [], { file: '../config.json', width: 1, height: 1, time: '', quality: 0 });
    expect(() => review.snapshot(evil)).toThrow(/has no snapshot/);
    expect(() => review.snapshot(424242)).toThrow(/no object event 424242/);
  });
});
