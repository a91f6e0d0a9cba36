/**
 * The face core with the real models in a real worker thread, a real SQLite
 * index and a real key file: enrolment from photos (and its clear errors),
 * matching other photos of the same person, the sealed store, forget and
 * retention, and a worker crash.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FacePool } from '../../main/engine/faces/pool.js';
import { FaceStore } from '../../main/engine/faces/store.js';
import { enrolFromPhoto, EnrolError, findPhotoFaces } from '../../main/engine/faces/enrol.js';
import { matchFace } from '../../main/engine/faces/match.js';
import { FACE_PARAMS } from '../../main/engine/faces/params.js';
import { openIndex, type Db } from '../../main/engine/store/db.js';
import { KeyFileSecretBox } from '../../main/engine/config/secrets.js';
import { PHOTOS_MISSING, clm, decode, demo } from './faces-photos.js';

let dir: string;
let pool: FacePool;
let db: Db;
let store: FaceStore;

async function bestFace(input: string | Buffer) {
  const r = await pool.analyze(await decode(input), { maxFaces: 1 });
  expect(r.faces.length).toBe(1);
  return r.faces[0]!;
}

async function enrolError(p: Promise<unknown>): Promise<EnrolError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EnrolError);
    return err as EnrolError;
  }
  throw new Error('expected an EnrolError');
}

describe.skipIf(!!PHOTOS_MISSING)('face enrolment and matching (real models)', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faces-enrol-'));
    pool = new FacePool({ requestTimeoutMs: 60_000 });
    pool.start();
    expect(await pool.whenReady(120_000)).toBe(true);
    db = openIndex(path.join(dir, 'index.sqlite'));
    store = new FaceStore({ db, secrets: new KeyFileSecretBox(path.join(dir, 'secret.key')), dataDir: dir });
  });

  afterAll(async () => {
    await pool?.stop();
    db?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('enrols A from one photo; a different photo, another crop, the mirror and a brighter copy of A match A; B does not', async () => {
    const a = store.addPerson({ name: 'Nicolas Cage', badges: ['B-1001'], groups: ['staff'] });
    const r = await enrolFromPhoto(pool, store, a.id, fs.readFileSync(clm('cage.jpg')));
    expect(r.faces).toBe(1);
    expect(r.enrolment.quality).toBeGreaterThan(0.5);
    expect(r.face.grade).toBe('good');
    const gallery = store.gallery();
    expect(gallery).toHaveLength(1);

    const other = await bestFace(clm('cage2_crop.jpg')); // a different photo
    const src = await sharp(clm('cage.jpg')).metadata();
    const crop = await bestFace(await sharp(clm('cage.jpg')).extract({ left: 40, top: 60, width: src.width! - 80, height: src.height! - 150 }).png().toBuffer());
    const mirrored = await bestFace(await sharp(clm('cage.jpg')).flop().png().toBuffer());
    const brighter = await bestFace(await sharp(clm('cage.jpg')).modulate({ brightness: 1.35 }).png().toBuffer());
    for (const f of [other, crop, mirrored, brighter]) {
      const m = matchFace(f, gallery);
      expect(m, JSON.stringify(m)).toMatchObject({ match: true, personId: a.id });
      if (m.match) expect(m.distance).toBeLessThanOrEqual(FACE_PARAMS.threshold);
    }

    const b = await bestFace(clm('obama4_crop.jpg'));
    const mb = matchFace(b, gallery);
    expect(mb.match).toBe(false);
    if (!mb.match) expect(mb.reason).toBe('no-match');

    // With B enrolled too, B matches B and A still matches A.
    const pb = store.addPerson({ name: 'Barack Obama' });
    await enrolFromPhoto(pool, store, pb.id, fs.readFileSync(clm('obama4_crop.jpg')));
    expect(matchFace(other, store.gallery())).toMatchObject({ match: true, personId: a.id });
    expect(matchFace(b, store.gallery())).toMatchObject({ match: true, personId: pb.id });
    expect(store.peopleWithBadge('B-1001').map((p) => p.name)).toEqual(['Nicolas Cage']);
  });

  it('a photo with several faces lists them all with boxes and thumbnails, and asks which', async () => {
    const bytes = fs.readFileSync(demo(1));
    const found = await findPhotoFaces(pool, bytes);
    expect(found.faces).toHaveLength(3);
    for (const f of found.faces) {
      expect(f.box[2]).toBeGreaterThan(f.box[0]);
      expect(f.thumbnail.subarray(0, 2).toString('hex')).toBe('ffd8'); // JPEG
      expect(f.usable).toBe(true);
    }
    const p = store.addPerson({ name: 'Group Member' });
    const err = await enrolError(enrolFromPhoto(pool, store, p.id, bytes));
    expect(err.code).toBe('pick-a-face');
    expect(err.message).toMatch(/3 faces; say which one/);
    const ok = await enrolFromPhoto(pool, store, p.id, bytes, { face: 1 });
    expect(ok.faces).toBe(3);
    expect(ok.enrolment.personId).toBe(p.id);
  });

  it('gives clear errors for no face, a corrupt file, a tiny face and a non-image', async () => {
    const p = store.addPerson({ name: 'Nobody Yet' });
    const blank = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#4a6a8a' } }).jpeg().toBuffer();
    const none = await enrolError(enrolFromPhoto(pool, store, p.id, blank));
    expect(none.code).toBe('no-face');
    expect(none.message).toMatch(/no face was found/);

    const good = fs.readFileSync(clm('cage.jpg'));
    const corrupt = await enrolError(enrolFromPhoto(pool, store, p.id, good.subarray(0, 600)));
    expect(corrupt.code).toBe('corrupt-image');
    expect(corrupt.message).toMatch(/JPEG, PNG or WebP|decoded/);
    const junk = await enrolError(enrolFromPhoto(pool, store, p.id, Buffer.from('this is not a picture at all')));
    expect(junk.code).toBe('corrupt-image');

    // cage.jpg's face is ~350 px wide in a 500 px photo: at 90 px wide the face is ~60 px.
    const tiny = await sharp(clm('cage.jpg')).resize(90).png().toBuffer();
    const small = await enrolError(enrolFromPhoto(pool, store, p.id, tiny));
    expect(small.code).toBe('tiny-face');
    expect(small.details.sizePx).toBeLessThan(FACE_PARAMS.minEnrolPx);
    expect(small.message).toMatch(/px wide; enrolment needs at least 80 px/);
    expect(store.listPeople().find((x) => x.id === p.id)!.enrolments).toHaveLength(0);
  });

  it('stores descriptors and images sealed; forget removes the person, their enrolments and crops from the index and the disk', async () => {
    const a = store.findPerson('nicolas cage')!;
    const face = await bestFace(clm('cage2_crop.jpg'));
    const jpeg = await sharp(clm('cage2_crop.jpg')).resize(120).jpeg().toBuffer();
    const seen = store.addCrop({ cameraId: 'door', timeMs: Date.now(), trackId: 't1', personId: a.id, distance: 0.4, quality: face.quality.score, descriptor: face.descriptor, jpeg });
    const unknown = store.addCrop({ cameraId: 'door', timeMs: Date.now(), trackId: 't2', personId: null, quality: 0.5, descriptor: face.descriptor, jpeg });
    expect(store.cropImage(seen.id).equals(jpeg)).toBe(true);

    // Nothing biometric in the clear: every file under faces/ is an enc:v1 string, no JPEG bytes.
    const files = store.listFiles();
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, 'faces', f), 'utf8');
      expect(text.startsWith('enc:v1:')).toBe(true);
      expect(text.includes('JFIF')).toBe(false);
    }
    for (const row of db.prepare('SELECT descriptor FROM face_enrolments').all() as { descriptor: string }[]) expect(row.descriptor.startsWith('enc:v1:')).toBe(true);

    const before = store.listFiles();
    const aFiles = before.filter((f) => f.includes(a.id) || f.includes(seen.id));
    expect(aFiles).toHaveLength(2); // one enrolment image, one crop
    const report = store.forget('Nicolas Cage');
    expect(report).toMatchObject({ person: { id: a.id, name: 'Nicolas Cage' }, enrolments: 1, crops: 1, failed: [] });
    expect(report.files.sort()).toEqual(aFiles.map((f) => `faces/${f}`).sort());
    expect(report.bytes).toBeGreaterThan(0);
    // Gone from the index, the gallery and the disk; other people and the unknown crop stay.
    expect(store.findPerson(a.id)).toBeNull();
    expect(db.prepare('SELECT COUNT(*) AS n FROM face_enrolments WHERE person_id = ?').get(a.id)).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM face_crops WHERE person_id = ?').get(a.id)).toEqual({ n: 0 });
    expect(store.gallery().some((g) => g.personId === a.id)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'faces', 'enrol', a.id))).toBe(false);
    for (const f of aFiles) expect(fs.existsSync(path.join(dir, 'faces', f))).toBe(false);
    expect(store.listFiles()).toEqual(before.filter((f) => !aFiles.includes(f)));
    expect(store.cropImage(unknown.id).equals(jpeg)).toBe(true);
    // The same face is now unknown.
    expect(matchFace(face, store.gallery()).match).toBe(false);
  });

  it('retention removes unknown crops after the short period, and orphan files', async () => {
    const jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#888' } }).jpeg().toBuffer();
    const old = store.addCrop({ cameraId: 'door', timeMs: Date.now() - 8 * 86_400_000, personId: null, quality: 0.3, jpeg });
    const fresh = store.addCrop({ cameraId: 'door', timeMs: Date.now() - 86_400_000, personId: null, quality: 0.3, jpeg });
    fs.mkdirSync(path.join(dir, 'faces', 'crops', '2000-01-01'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'faces', 'crops', '2000-01-01', 'c_stray.jpg.sealed'), 'enc:v1:x:y:z');
    const r = store.sweep();
    expect(r.unknownCrops).toBeGreaterThanOrEqual(1);
    expect(r.orphanFiles).toBe(1);
    expect(() => store.cropImage(old.id)).toThrow(/no face crop/);
    expect(store.cropImage(fresh.id).equals(jpeg)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'faces', 'crops', '2000-01-01'))).toBe(false);
  });

  it('drops work when busy, survives a bad picture and restarts a worker that died', async () => {
    const img = await decode(clm('cage.jpg'));
    const p1 = pool.tryAnalyze(img);
    expect(p1).not.toBeNull();
    expect(pool.tryAnalyze(img)).toBeNull(); // the only worker is busy: the caller drops the crop
    expect((await p1)!.faces).toHaveLength(1);
    await expect(pool.analyze({ data: new Uint8Array(10), width: 100, height: 100, order: 'rgb' })).rejects.toThrow(/needs 30000/);

    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } | null }[] }).slots;
    await slots[0]!.worker!.terminate();
    expect(pool.readyCount()).toBe(0);
    // A request made while the worker is down waits for the restarted one.
    const r = await pool.analyze(img);
    expect(r.faces).toHaveLength(1);
    expect(pool.stats.restarts).toBeGreaterThanOrEqual(1);
  });
});
