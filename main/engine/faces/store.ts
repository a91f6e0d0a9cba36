/**
 * The face store: people, their enrolled faces and the face crops cameras
 * saw. Rows in the SQLite index (tables face_people, face_enrolments,
 * face_crops; see store/migrations.ts), images in files under
 * <data>/faces/. Descriptors and images are sealed at rest with the data
 * dir's SecretBox (AES-256-GCM, the `enc:v1` format camera passwords use):
 * nothing biometric is on disk in the clear. See docs/privacy.md.
 *
 *   <data>/faces/enrol/<personId>/<enrolmentId>.jpg.sealed   enrolment face crops
 *   <data>/faces/crops/<YYYY-MM-DD>/<cropId>.jpg.sealed      faces seen by cameras
 *
 * Rows are written first and files after (a crash leaves an orphan file,
 * which the sweep deletes); deletions go rows first, files after, for the
 * same reason. `forget()` returns exactly what it removed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';
import type { SecretBox } from '../config/secrets.js';
import type { GalleryEntry } from './match.js';
import { FACE_PARAMS } from './params.js';

export const DESCRIPTOR_LENGTH = 128;

export interface Person {
  id: string;
  name: string;
  badges: string[];
  groups: string[];
  createdMs: number;
  updatedMs: number;
}

export interface Enrolment {
  id: string;
  personId: string;
  quality: number;
  sizePx: number;
  source: 'photo' | 'event';
  hasImage: boolean;
  createdMs: number;
}

export interface PersonSummary extends Person {
  enrolments: Enrolment[];
}

export interface FaceCrop {
  id: string;
  cameraId: string;
  timeMs: number;
  trackId: string | null;
  personId: string | null;
  distance: number | null;
  quality: number;
  bytes: number;
}

export interface ForgetReport {
  person: { id: string; name: string };
  enrolments: number;
  crops: number;
  /** Files deleted, relative to the data dir. */
  files: string[];
  bytes: number;
  /** Files that could not be deleted now (the sweep retries them as orphans). */
  failed: string[];
}

export interface SweepReport {
  unknownCrops: number;
  matchedCrops: number;
  orphanFiles: number;
  bytes: number;
}

/** A clear, user-facing error from the store (unknown person, duplicate name, bad descriptor). */
export class FaceStoreError extends Error {
  constructor(
    readonly code: 'not-found' | 'duplicate' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

export interface FaceStoreOptions {
  db: Db;
  secrets: SecretBox;
  /** The data dir; files go under <dataDir>/faces. */
  dataDir: string;
  now?: () => number;
}

interface PersonRow {
  id: string;
  name: string;
  badges: string;
  groups: string;
  created_ms: number;
  updated_ms: number;
}

interface EnrolmentRow {
  id: string;
  person_id: string;
  descriptor: string;
  quality: number;
  size_px: number;
  source: 'photo' | 'event';
  file: string | null;
  created_ms: number;
}

interface CropRow {
  id: string;
  camera_id: string;
  time_ms: number;
  track_id: string | null;
  person_id: string | null;
  distance: number | null;
  quality: number;
  descriptor: string | null;
  file: string;
  bytes: number;
}

const newId = (prefix: string): string => `${prefix}_${crypto.randomBytes(8).toString('hex')}`;

/** Seal bytes with the SecretBox (base64 inside `enc:v1`). */
export function sealBytes(box: SecretBox, data: Uint8Array): string {
  return box.seal(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'));
}

export function openBytes(box: SecretBox, sealed: string): Buffer {
  return Buffer.from(box.open(sealed), 'base64');
}

export function sealDescriptor(box: SecretBox, d: ArrayLike<number>): string {
  if (d.length !== DESCRIPTOR_LENGTH) throw new FaceStoreError('invalid', `a face descriptor has ${DESCRIPTOR_LENGTH} numbers, got ${d.length}`);
  const f = Float32Array.from(d);
  for (const v of f) if (!Number.isFinite(v)) throw new FaceStoreError('invalid', 'a face descriptor must hold finite numbers');
  return sealBytes(box, new Uint8Array(f.buffer));
}

export function openDescriptor(box: SecretBox, sealed: string): Float32Array {
  const b = openBytes(box, sealed);
  if (b.length !== DESCRIPTOR_LENGTH * 4) throw new Error('a stored face descriptor has the wrong size');
  const out = new Float32Array(DESCRIPTOR_LENGTH);
  new Uint8Array(out.buffer).set(b);
  return out;
}

function cleanList(v: string[] | undefined, what: string): string[] {
  const out = [...new Set((v ?? []).map((s) => String(s).trim()).filter(Boolean))];
  for (const s of out) if (s.length > 64) throw new FaceStoreError('invalid', `${what} "${s.slice(0, 20)}…" is longer than 64 characters`);
  return out;
}

export class FaceStore {
  readonly root: string;
  private readonly db: Db;
  private readonly box: SecretBox;
  private readonly now: () => number;
  private galleryCache: { version: number; entries: GalleryEntry[] } | null = null;
  private localWrites = 0;

  constructor(opts: FaceStoreOptions) {
    this.db = opts.db;
    this.box = opts.secrets;
    this.root = path.join(opts.dataDir, 'faces');
    this.now = opts.now ?? Date.now;
  }

  // ---- people ----------------------------------------------------------

  addPerson(p: { name: string; badges?: string[]; groups?: string[] }): Person {
    const name = String(p.name ?? '').trim();
    if (!name) throw new FaceStoreError('invalid', 'a person needs a name');
    if (name.length > 120) throw new FaceStoreError('invalid', 'a name is at most 120 characters');
    if (this.findPerson(name)) throw new FaceStoreError('duplicate', `there is already a person called "${name}"; pick another name or enrol more faces for them`);
    const t = this.now();
    const row: PersonRow = { id: newId('p'), name, badges: JSON.stringify(cleanList(p.badges, 'badge id')), groups: JSON.stringify(cleanList(p.groups, 'group')), created_ms: t, updated_ms: t };
    this.db.prepare('INSERT INTO face_people (id, name, badges, groups, created_ms, updated_ms) VALUES (@id, @name, @badges, @groups, @created_ms, @updated_ms)').run(row);
    this.changed();
    return toPerson(row);
  }

  updatePerson(id: string, patch: { name?: string; badges?: string[]; groups?: string[] }): Person {
    const cur = this.person(id);
    const name = patch.name !== undefined ? String(patch.name).trim() : cur.name;
    if (!name) throw new FaceStoreError('invalid', 'a person needs a name');
    const other = this.findPerson(name);
    if (other && other.id !== id) throw new FaceStoreError('duplicate', `there is already a person called "${name}"`);
    const badges = JSON.stringify(patch.badges ? cleanList(patch.badges, 'badge id') : cur.badges);
    const groups = JSON.stringify(patch.groups ? cleanList(patch.groups, 'group') : cur.groups);
    this.db.prepare('UPDATE face_people SET name = ?, badges = ?, groups = ?, updated_ms = ? WHERE id = ?').run(name, badges, groups, this.now(), id);
    this.changed();
    return this.person(id);
  }

  /** A person by id; throws not-found. */
  person(id: string): Person {
    const row = this.db.prepare('SELECT * FROM face_people WHERE id = ?').get(id) as PersonRow | undefined;
    if (!row) throw new FaceStoreError('not-found', `no person with id ${id}`);
    return toPerson(row);
  }

  /** A person by id or (case-insensitive) name, or null. */
  findPerson(idOrName: string): Person | null {
    const row = this.db.prepare('SELECT * FROM face_people WHERE id = ? OR name = ? COLLATE NOCASE').get(idOrName, idOrName) as PersonRow | undefined;
    return row ? toPerson(row) : null;
  }

  /** People holding a badge id (for badge × face checks). */
  peopleWithBadge(badge: string): Person[] {
    const rows = this.db.prepare("SELECT p.* FROM face_people p, json_each(p.badges) b WHERE b.value = ? ORDER BY p.name").all(badge) as PersonRow[];
    return rows.map(toPerson);
  }

  /** Every person with their enrolments (no descriptors, no images), by name. */
  listPeople(): PersonSummary[] {
    const people = (this.db.prepare('SELECT * FROM face_people ORDER BY name COLLATE NOCASE').all() as PersonRow[]).map(toPerson);
    const enr = this.db.prepare('SELECT id, person_id, quality, size_px, source, file, created_ms FROM face_enrolments ORDER BY created_ms').all() as EnrolmentRow[];
    const by = new Map<string, Enrolment[]>();
    for (const e of enr) {
      const list = by.get(e.person_id) ?? [];
      list.push(toEnrolment(e));
      by.set(e.person_id, list);
    }
    return people.map((p) => ({ ...p, enrolments: by.get(p.id) ?? [] }));
  }

  // ---- enrolments ------------------------------------------------------

  /** Add an enrolled face: the descriptor (sealed in the row) and, optionally, a JPEG face crop (sealed file). */
  addEnrolment(personId: string, e: { descriptor: ArrayLike<number>; quality: number; sizePx: number; source?: 'photo' | 'event'; jpeg?: Uint8Array }): Enrolment {
    this.person(personId);
    const id = newId('e');
    const file = e.jpeg ? path.posix.join('enrol', personId, `${id}.jpg.sealed`) : null;
    const row: EnrolmentRow = {
      id,
      person_id: personId,
      descriptor: sealDescriptor(this.box, e.descriptor),
      quality: clampQ(e.quality),
      size_px: Math.round(e.sizePx * 10) / 10,
      source: e.source ?? 'photo',
      file,
      created_ms: this.now(),
    };
    this.db.prepare('INSERT INTO face_enrolments (id, person_id, descriptor, quality, size_px, source, file, created_ms) VALUES (@id, @person_id, @descriptor, @quality, @size_px, @source, @file, @created_ms)').run(row);
    if (file && e.jpeg) this.writeSealed(file, e.jpeg);
    this.changed();
    return toEnrolment(row);
  }

  removeEnrolment(id: string): { files: string[] } {
    const row = this.db.prepare('SELECT * FROM face_enrolments WHERE id = ?').get(id) as EnrolmentRow | undefined;
    if (!row) throw new FaceStoreError('not-found', `no enrolment with id ${id}`);
    this.db.prepare('DELETE FROM face_enrolments WHERE id = ?').run(id);
    this.changed();
    const files: string[] = [];
    if (row.file && this.unlink(row.file).ok) files.push(`faces/${row.file}`);
    return { files };
  }

  /** The decrypted enrolment crop (JPEG), or null when none was kept. */
  enrolmentImage(id: string): Buffer | null {
    const row = this.db.prepare('SELECT file FROM face_enrolments WHERE id = ?').get(id) as { file: string | null } | undefined;
    if (!row) throw new FaceStoreError('not-found', `no enrolment with id ${id}`);
    return row.file ? this.readSealed(row.file) : null;
  }

  /**
   * Every enrolled descriptor, decrypted, for matching. Cached; re-read when
   * this store wrote or another connection (the CLI) committed a change.
   */
  gallery(): GalleryEntry[] {
    const version = (this.db.pragma('data_version', { simple: true }) as number) * 1_000_000 + this.localWrites;
    if (this.galleryCache?.version === version) return this.galleryCache.entries;
    const rows = this.db.prepare('SELECT id, person_id, descriptor FROM face_enrolments').all() as Pick<EnrolmentRow, 'id' | 'person_id' | 'descriptor'>[];
    const entries = rows.map((r) => ({ personId: r.person_id, enrolmentId: r.id, descriptor: openDescriptor(this.box, r.descriptor) }));
    this.galleryCache = { version, entries };
    return entries;
  }

  // ---- crops seen by cameras -------------------------------------------

  /** Keep a face crop a camera saw (matched or not), sealed. The retention sweep removes it later. */
  addCrop(c: { cameraId: string; timeMs: number; trackId?: string | null; personId?: string | null; distance?: number | null; quality: number; descriptor?: ArrayLike<number> | null; jpeg: Uint8Array }): FaceCrop {
    const id = newId('c');
    const day = new Date(c.timeMs).toISOString().slice(0, 10);
    const file = path.posix.join('crops', day, `${id}.jpg.sealed`);
    const sealed = sealBytes(this.box, c.jpeg);
    const row: CropRow = {
      id,
      camera_id: c.cameraId,
      time_ms: Math.round(c.timeMs),
      track_id: c.trackId ?? null,
      person_id: c.personId ?? null,
      distance: c.distance ?? null,
      quality: clampQ(c.quality),
      descriptor: c.descriptor ? sealDescriptor(this.box, c.descriptor) : null,
      file,
      bytes: Buffer.byteLength(sealed),
    };
    this.db.prepare('INSERT INTO face_crops (id, camera_id, time_ms, track_id, person_id, distance, quality, descriptor, file, bytes) VALUES (@id, @camera_id, @time_ms, @track_id, @person_id, @distance, @quality, @descriptor, @file, @bytes)').run(row);
    this.writeRaw(file, sealed);
    return toCrop(row);
  }

  crops(q: { personId?: string | null; cameraId?: string; from?: number; to?: number; limit?: number } = {}): FaceCrop[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.personId !== undefined) {
      where.push(q.personId === null ? 'person_id IS NULL' : 'person_id = ?');
      if (q.personId !== null) args.push(q.personId);
    }
    if (q.cameraId) {
      where.push('camera_id = ?');
      args.push(q.cameraId);
    }
    if (q.from !== undefined) {
      where.push('time_ms >= ?');
      args.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('time_ms < ?');
      args.push(q.to);
    }
    const sql = `SELECT * FROM face_crops ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY time_ms DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, Math.min(10_000, q.limit ?? 500)) as CropRow[]).map(toCrop);
  }

  /** One kept crop, or null when retention or a forget removed it. */
  crop(id: string): FaceCrop | null {
    const row = this.db.prepare('SELECT * FROM face_crops WHERE id = ?').get(id) as CropRow | undefined;
    return row ? toCrop(row) : null;
  }

  cropImage(id: string): Buffer {
    const row = this.db.prepare('SELECT file FROM face_crops WHERE id = ?').get(id) as { file: string } | undefined;
    if (!row) throw new FaceStoreError('not-found', `no face crop with id ${id} (deleted by retention or forget?)`);
    return this.readSealed(row.file);
  }

  cropDescriptor(id: string): Float32Array | null {
    const row = this.db.prepare('SELECT descriptor FROM face_crops WHERE id = ?').get(id) as { descriptor: string | null } | undefined;
    if (!row) throw new FaceStoreError('not-found', `no face crop with id ${id}`);
    return row.descriptor ? openDescriptor(this.box, row.descriptor) : null;
  }

  // ---- erasure and retention -------------------------------------------

  /**
   * Right to erasure: delete the person, every enrolment (descriptor and
   * image) and every face crop matched to them, rows first, then files.
   * Returns exactly what was removed. Other records that name the person
   * (events, alarms) are the caller's to scrub (docs/faces.md "Wiring").
   */
  forget(idOrName: string): ForgetReport {
    const p = this.findPerson(idOrName);
    if (!p) throw new FaceStoreError('not-found', `no person called "${idOrName}"`);
    const { enr, crops } = this.db.transaction(() => {
      const enr = this.db.prepare('SELECT id, file FROM face_enrolments WHERE person_id = ?').all(p.id) as { id: string; file: string | null }[];
      const crops = this.db.prepare('SELECT id, file FROM face_crops WHERE person_id = ?').all(p.id) as { id: string; file: string }[];
      this.db.prepare('DELETE FROM face_enrolments WHERE person_id = ?').run(p.id);
      this.db.prepare('DELETE FROM face_crops WHERE person_id = ?').run(p.id);
      this.db.prepare('DELETE FROM face_people WHERE id = ?').run(p.id);
      return { enr, crops };
    })();
    this.changed();
    const report: ForgetReport = { person: { id: p.id, name: p.name }, enrolments: enr.length, crops: crops.length, files: [], bytes: 0, failed: [] };
    for (const f of [...enr.map((e) => e.file), ...crops.map((c) => c.file)]) {
      if (!f) continue;
      const r = this.unlink(f);
      if (r.ok) {
        report.files.push(`faces/${f}`);
        report.bytes += r.bytes;
      } else report.failed.push(`faces/${f}`);
    }
    fs.rmSync(path.join(this.root, 'enrol', p.id), { recursive: true, force: true });
    return report;
  }

  /**
   * Retention: delete unmatched crops older than `unknownDays` and matched
   * ones older than `matchedDays`, then any file under faces/ that no row
   * names (left by a crash or a failed delete).
   */
  sweep(opts: { unknownDays?: number; matchedDays?: number } = {}): SweepReport {
    const day = 86_400_000;
    const now = this.now();
    const unknownBefore = now - (opts.unknownDays ?? FACE_PARAMS.unknownCropDays) * day;
    const matchedBefore = now - (opts.matchedDays ?? FACE_PARAMS.matchedCropDays) * day;
    const old = this.db.transaction(() => {
      const rows = this.db
        .prepare('SELECT id, file, person_id FROM face_crops WHERE (person_id IS NULL AND time_ms < ?) OR (person_id IS NOT NULL AND time_ms < ?)')
        .all(unknownBefore, matchedBefore) as { id: string; file: string; person_id: string | null }[];
      const del = this.db.prepare('DELETE FROM face_crops WHERE id = ?');
      for (const r of rows) del.run(r.id);
      return rows;
    })();
    const report: SweepReport = { unknownCrops: 0, matchedCrops: 0, orphanFiles: 0, bytes: 0 };
    for (const r of old) {
      if (r.person_id) report.matchedCrops++;
      else report.unknownCrops++;
      report.bytes += this.unlink(r.file).bytes;
    }
    // Orphans: files no row names.
    const known = new Set<string>([
      ...(this.db.prepare('SELECT file FROM face_crops').all() as { file: string }[]).map((r) => r.file),
      ...(this.db.prepare('SELECT file FROM face_enrolments WHERE file IS NOT NULL').all() as { file: string }[]).map((r) => r.file),
    ]);
    for (const rel of this.listFiles()) {
      if (known.has(rel)) continue;
      const r = this.unlink(rel);
      if (r.ok) {
        report.orphanFiles++;
        report.bytes += r.bytes;
      }
    }
    this.pruneEmptyDirs();
    return report;
  }

  /** Every file under faces/, relative to it (posix separators). */
  listFiles(): string[] {
    const out: string[] = [];
    const walk = (dir: string, rel: string): void => {
      let ents: fs.Dirent[];
      try {
        ents = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of ents) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(path.join(dir, e.name), r);
        else if (e.isFile() && !e.name.endsWith('.tmp')) out.push(r);
      }
    };
    walk(this.root, '');
    return out;
  }

  // ---- files -----------------------------------------------------------

  private changed(): void {
    this.localWrites++;
    this.galleryCache = null;
  }

  private writeSealed(rel: string, data: Uint8Array): void {
    this.writeRaw(rel, sealBytes(this.box, data));
  }

  private writeRaw(rel: string, text: string): void {
    const file = path.join(this.root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  private readSealed(rel: string): Buffer {
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.root, rel), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FaceStoreError('not-found', `the image file faces/${rel} is missing`);
      throw err;
    }
    return openBytes(this.box, text);
  }

  private unlink(rel: string): { ok: boolean; bytes: number } {
    const file = path.join(this.root, rel);
    try {
      const st = fs.statSync(file);
      fs.unlinkSync(file);
      return { ok: true, bytes: st.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, bytes: 0 };
      return { ok: false, bytes: 0 };
    }
  }

  private pruneEmptyDirs(): void {
    for (const top of ['crops', 'enrol']) {
      const dir = path.join(this.root, top);
      let ents: string[];
      try {
        ents = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const e of ents) {
        const d = path.join(dir, e);
        try {
          if (fs.statSync(d).isDirectory() && fs.readdirSync(d).length === 0) fs.rmdirSync(d);
        } catch {
          /* raced with a writer: leave it */
        }
      }
    }
  }
}

function clampQ(q: number): number {
  return Number.isFinite(q) ? Math.round(Math.max(0, Math.min(1, q)) * 1000) / 1000 : 0;
}

function toPerson(r: PersonRow): Person {
  return { id: r.id, name: r.name, badges: JSON.parse(r.badges) as string[], groups: JSON.parse(r.groups) as string[], createdMs: r.created_ms, updatedMs: r.updated_ms };
}

function toEnrolment(r: Pick<EnrolmentRow, 'id' | 'person_id' | 'quality' | 'size_px' | 'source' | 'file' | 'created_ms'>): Enrolment {
  return { id: r.id, personId: r.person_id, quality: r.quality, sizePx: r.size_px, source: r.source, hasImage: !!r.file, createdMs: r.created_ms };
}

function toCrop(r: CropRow): FaceCrop {
  return { id: r.id, cameraId: r.camera_id, timeMs: r.time_ms, trackId: r.track_id, personId: r.person_id, distance: r.distance, quality: r.quality, bytes: r.bytes };
}
