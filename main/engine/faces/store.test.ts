import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openIndex, type Db } from '../store/db.js';
import type { SecretBox } from '../config/secrets.js';
import { FaceStore, FaceStoreError } from './store.js';

/** A stand-in SecretBox (unit test): reversible, tagged, so sealing is visible. The real one is in faces-enrol.test.ts. */
const box: SecretBox = { kind: 'test', seal: (p) => `enc:v1:test:${Buffer.from(p).toString('hex')}`, open: (s) => Buffer.from(s.replace('enc:v1:test:', ''), 'hex').toString() };

let dir: string;
let db: Db;
let store: FaceStore;
let now = 1_700_000_000_000;
const desc = (v: number): Float32Array => new Float32Array(128).fill(v);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'face-store-'));
  db = openIndex(path.join(dir, 'index.sqlite'));
  store = new FaceStore({ db, secrets: box, dataDir: dir, now: () => now });
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('FaceStore', () => {
  it('adds people with unique names, badges and groups, and finds them by id, name or badge', () => {
    const a = store.addPerson({ name: ' Ann Lee ', badges: ['B1', 'B1', ' B2 '], groups: ['staff'] });
    expect(a).toMatchObject({ name: 'Ann Lee', badges: ['B1', 'B2'], groups: ['staff'] });
    expect(() => store.addPerson({ name: 'ann lee' })).toThrow(FaceStoreError);
    expect(() => store.addPerson({ name: '  ' })).toThrow(/needs a name/);
    expect(store.findPerson('ANN LEE')!.id).toBe(a.id);
    expect(store.findPerson(a.id)!.name).toBe('Ann Lee');
    expect(store.peopleWithBadge('B2').map((p) => p.id)).toEqual([a.id]);
    expect(store.peopleWithBadge('B3')).toEqual([]);
    expect(store.updatePerson(a.id, { groups: ['watchlist'] }).groups).toEqual(['watchlist']);
  });

  it('seals descriptors, serves them decrypted in the gallery, and refreshes the gallery after writes', () => {
    const a = store.addPerson({ name: 'A' });
    expect(store.gallery()).toEqual([]);
    const e = store.addEnrolment(a.id, { descriptor: desc(0.25), quality: 0.8, sizePx: 140 });
    const row = db.prepare('SELECT descriptor FROM face_enrolments WHERE id = ?').get(e.id) as { descriptor: string };
    expect(row.descriptor.startsWith('enc:v1:')).toBe(true);
    const g = store.gallery();
    expect(g).toHaveLength(1);
    expect(g[0]!.descriptor[5]).toBeCloseTo(0.25);
    expect(store.gallery()).toBe(g); // cached
    store.removeEnrolment(e.id);
    expect(store.gallery()).toEqual([]);
    expect(() => store.addEnrolment(a.id, { descriptor: [1, 2, 3], quality: 1, sizePx: 100 })).toThrow(/128 numbers/);
    expect(() => store.addEnrolment('p_nobody', { descriptor: desc(0), quality: 1, sizePx: 100 })).toThrow(/no person/);
    expect(store.listPeople()[0]!.enrolments).toEqual([]);
  });

  it('forget reports exactly what it removed and leaves other people and unknown crops', () => {
    const a = store.addPerson({ name: 'A' });
    const b = store.addPerson({ name: 'B' });
    const jpeg = new Uint8Array([0xff, 0xd8, 1, 2, 3]);
    store.addEnrolment(a.id, { descriptor: desc(0.1), quality: 0.9, sizePx: 120, jpeg });
    store.addEnrolment(a.id, { descriptor: desc(0.2), quality: 0.7, sizePx: 100 });
    store.addEnrolment(b.id, { descriptor: desc(0.3), quality: 0.7, sizePx: 100, jpeg });
    const ca = store.addCrop({ cameraId: 'c', timeMs: now, personId: a.id, distance: 0.3, quality: 0.5, jpeg });
    const cu = store.addCrop({ cameraId: 'c', timeMs: now, personId: null, quality: 0.5, jpeg });
    const r = store.forget('a');
    expect(r).toMatchObject({ person: { id: a.id, name: 'A' }, enrolments: 2, crops: 1, failed: [] });
    expect(r.files).toHaveLength(2);
    expect(r.files.some((f) => f.includes(ca.id))).toBe(true);
    expect(store.gallery().map((g) => g.personId)).toEqual([b.id]);
    expect(store.crops().map((c) => c.id)).toEqual([cu.id]);
    expect(Buffer.from(store.cropImage(cu.id))).toEqual(Buffer.from(jpeg));
    expect(() => store.forget('A')).toThrow(/no person called/);
  });

  it('sweeps unmatched crops after 7 days and matched ones after 30', () => {
    const a = store.addPerson({ name: 'A' });
    const jpeg = new Uint8Array([1]);
    const day = 86_400_000;
    store.addCrop({ cameraId: 'c', timeMs: now - 8 * day, personId: null, quality: 0, jpeg });
    const keepU = store.addCrop({ cameraId: 'c', timeMs: now - 6 * day, personId: null, quality: 0, jpeg });
    store.addCrop({ cameraId: 'c', timeMs: now - 31 * day, personId: a.id, quality: 0, jpeg });
    const keepM = store.addCrop({ cameraId: 'c', timeMs: now - 8 * day, personId: a.id, quality: 0, jpeg });
    const r = store.sweep();
    expect(r).toMatchObject({ unknownCrops: 1, matchedCrops: 1, orphanFiles: 0 });
    expect(store.crops().map((c) => c.id).sort()).toEqual([keepU.id, keepM.id].sort());
    expect(store.listFiles()).toHaveLength(2);
    now += 30 * day;
    expect(store.sweep()).toMatchObject({ unknownCrops: 1, matchedCrops: 1 });
    expect(store.listFiles()).toEqual([]);
  });
});
