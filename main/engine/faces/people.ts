/**
 * People operations shared by the API (faces/handlers.ts) and the CLI
 * (`gatehouse people`, `gatehouse faces`): the API shapes of people and
 * enrolments, forget with the scrub of the events that name the person,
 * search by person, and the per-camera on/off in config.json.
 */
import { ApiError } from '../../api/contract.js';
import type { FaceCameraSettings, ForgetResult, PersonEnrolmentInfo, PersonInfo, PhotoFaceInfo, FaceSearchHit } from '../../api/faces.js';
import type { ConfigFile } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import type { Db } from '../store/db.js';
import { EnrolError, grade, type EnrolCandidate, type PhotoFaces } from './enrol.js';
import { euclidean } from './match.js';
import { FACE_PARAMS } from './params.js';
import { FaceWorkerError } from './pool.js';
import { FaceStoreError, type Enrolment, type FaceStore, type Person } from './store.js';

export function enrolmentInfo(e: Enrolment): PersonEnrolmentInfo {
  return { id: e.id, quality: Math.round(e.quality * 1000) / 1000, grade: grade(e.quality), sizePx: e.sizePx, source: e.source, hasImage: e.hasImage, created: new Date(e.createdMs).toISOString() };
}

export function personInfo(store: FaceStore, p: Person): PersonInfo {
  const full = store.listPeople().find((x) => x.id === p.id);
  return {
    id: p.id,
    name: p.name,
    badges: p.badges,
    groups: p.groups,
    created: new Date(p.createdMs).toISOString(),
    updated: new Date(p.updatedMs).toISOString(),
    enrolments: (full?.enrolments ?? []).map(enrolmentInfo),
  };
}

export function listPeople(store: FaceStore): PersonInfo[] {
  return store.listPeople().map((p) => ({
    id: p.id,
    name: p.name,
    badges: p.badges,
    groups: p.groups,
    created: new Date(p.createdMs).toISOString(),
    updated: new Date(p.updatedMs).toISOString(),
    enrolments: p.enrolments.map(enrolmentInfo),
  }));
}

export function photoFaceInfo(f: EnrolCandidate): PhotoFaceInfo {
  return {
    index: f.index,
    box: f.box.map((v) => Math.round(v)) as PhotoFaceInfo['box'],
    sizePx: f.sizePx,
    quality: Math.round(f.quality.score * 1000) / 1000,
    grade: f.grade,
    usable: f.usable,
    problem: f.problem,
    thumbnail: `data:image/jpeg;base64,${f.thumbnail.toString('base64')}`,
  };
}

/** A face-store, enrolment or worker error as the API's error (a bad photo is a 400 with its message). */
export function apiErrorOf(err: unknown): unknown {
  if (err instanceof EnrolError) return new ApiError('bad_request', err.message, 'image');
  if (err instanceof FaceStoreError) return new ApiError(err.code === 'not-found' ? 'not_found' : err.code === 'duplicate' ? 'conflict' : 'bad_request', err.message);
  if (err instanceof FaceWorkerError) return new ApiError('unavailable', err.message);
  return err;
}

/** A person by id or name, or a 404 that says how to list them. */
export function personOf(store: FaceStore, ref: string): Person {
  const p = store.findPerson(ref);
  if (!p) throw new ApiError('not_found', `no person called "${ref}"; list them with "gatehouse people list"`, 'person');
  return p;
}

/**
 * Right to erasure: the person, their enrolments and crops (FaceStore.forget),
 * then their name, id and crop on every object event whose face matched them
 * (the event stays, as an unknown face with reason "forgotten").
 */
export function forgetPerson(store: FaceStore, db: Db, ref: string): ForgetResult {
  const p = personOf(store, ref);
  const report = store.forget(p.id);
  const scrub = db
    .prepare(
      `UPDATE events SET data = json_set(data, '$.face', json_object('personId', NULL, 'name', NULL, 'groups', json('[]'), 'distance', NULL, 'reason', 'forgotten',
         'quality', json_extract(data, '$.face.quality'), 'sizePx', json_extract(data, '$.face.sizePx'), 'cropId', NULL))
       WHERE kind = 'object' AND json_extract(data, '$.face.personId') = ?`,
    )
    .run(p.id);
  return { ...report, events: scrub.changes, alarms: scrubAlarms(db, p.id, p.name) };
}

/** Alarms that name the person (face alarms, badge mismatches): their id, name and images go, the alarm stays. */
function scrubAlarms(db: Db, personId: string, name: string): number {
  const rows = db.prepare("SELECT id, title, details FROM alarms WHERE details LIKE '%' || ? || '%'").all(personId) as { id: number; title: string; details: string }[];
  const upd = db.prepare('UPDATE alarms SET title = ?, details = ? WHERE id = ?');
  let n = 0;
  const scrub = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(scrub);
    if (!v || typeof v !== 'object') return v === name ? '(forgotten person)' : v;
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]));
    if (o.personId === personId) Object.assign(o, { personId: null, name: '(forgotten person)', enrolmentId: null, cropId: null });
    return o;
  };
  for (const r of rows) {
    let d: unknown;
    try {
      d = JSON.parse(r.details);
    } catch {
      continue;
    }
    const next = JSON.stringify(scrub(d));
    if (next === r.details) continue;
    upd.run(r.title.split(name).join('(forgotten person)'), next, r.id);
    n++;
  }
  return n;
}

/** A kept face crop as a search hit, with the object event whose match names the crop (null: a motion-frame face). */
function hitsOf(db: Db, crops: { id: string; cameraId: string; timeMs: number; distance: number | null }[]): FaceSearchHit[] {
  const ev = db.prepare(
    "SELECT id FROM events WHERE kind = 'object' AND camera_id = ? AND time_ms BETWEEN ? AND ? AND json_extract(data, '$.face.cropId') = ? LIMIT 1",
  );
  return crops.map((c) => {
    const row = ev.get(c.cameraId, c.timeMs - 3_600_000, c.timeMs + 1000, c.id) as { id: number } | undefined;
    return { eventId: row?.id ?? null, cameraId: c.cameraId, time: new Date(c.timeMs).toISOString(), distance: c.distance, cropId: c.id };
  });
}

/** Where the person was seen: their kept face crops, newest first, with the object event of each. */
export function searchPerson(store: FaceStore, db: Db, ref: string, q: { fromMs?: number; toMs?: number; limit?: number }): { person: { id: string; name: string }; hits: FaceSearchHit[] } {
  const p = personOf(store, ref);
  const crops = store.crops({ personId: p.id, from: q.fromMs, to: q.toMs, limit: q.limit ?? 100 });
  return { person: { id: p.id, name: p.name }, hits: hitsOf(db, crops) };
}

/** Crops looked at by one photo search at most (newest first). */
export const PHOTO_SEARCH_MAX_CROPS = 5000;

/**
 * Search by photo: the face of an uploaded photo (the only usable one, or `face`) against every kept face
 * crop in the range (matched or not, newest first, at most PHOTO_SEARCH_MAX_CROPS), hits within the match
 * threshold, newest first. The photo is not stored.
 */
export async function searchPhoto(
  find: (bytes: Uint8Array) => Promise<PhotoFaces>,
  store: FaceStore,
  db: Db,
  bytes: Uint8Array,
  q: { face?: number; fromMs?: number; toMs?: number; limit?: number },
): Promise<{ face: PhotoFaceInfo; hits: FaceSearchHit[]; searched: number }> {
  const found = await find(bytes);
  const usable = found.faces.filter((f) => f.usable);
  const face = q.face !== undefined ? found.faces.find((f) => f.index === q.face) : usable.length === 1 ? usable[0] : undefined;
  if (q.face !== undefined && !face) throw new EnrolError('pick-a-face', `the photo has ${found.faces.length} face(s); face ${q.face} does not exist`);
  if (!face) throw new EnrolError('pick-a-face', `the photo has ${usable.length} faces; say which one to search for (faces ${usable.map((f) => f.index).join(', ')})`);
  if (!face.usable || !face.descriptor) throw new EnrolError('no-descriptor', face.problem ?? 'this face cannot be compared; use a larger, frontal photo');
  const crops = store.crops({ from: q.fromMs, to: q.toMs, limit: PHOTO_SEARCH_MAX_CROPS });
  const near: { id: string; cameraId: string; timeMs: number; distance: number }[] = [];
  for (const c of crops) {
    const d = store.cropDescriptor(c.id);
    if (!d) continue;
    const dist = euclidean(face.descriptor!, d);
    if (dist <= FACE_PARAMS.threshold) near.push({ id: c.id, cameraId: c.cameraId, timeMs: c.timeMs, distance: Math.round(dist * 1000) / 1000 });
    if (near.length >= (q.limit ?? 100)) break;
  }
  return { face: photoFaceInfo(face), hits: hitsOf(db, near), searched: crops.length };
}

/** A face from an event below this quality score (grade "poor") is refused for enrolment. */
export const EVENT_ENROL_MIN_QUALITY = 0.3;

export interface EventEnrolResult {
  person: Person;
  enrolment: Enrolment;
  eventId: number;
  cropId: string;
  cameraId: string;
  timeMs: number;
  /** The person the face had been matched to when it was seen (null: unknown). */
  matchedTo: string | null;
}

/**
 * Enrol a face a camera saw: the kept face crop of an object event (`data.face.cropId`, docs/faces.md "Wiring"),
 * with the descriptor stored beside it; no worker is needed. Refused with a message that says what to do when the
 * event has no face, its crop is gone (retention, forget) or the face is too small, blurred or poor.
 */
export function enrolFromEvent(store: FaceStore, db: Db, ref: string, eventId: number, retention: { unknownDays: number; matchedDays: number }): EventEnrolResult {
  const person = personOf(store, ref);
  const row = db.prepare('SELECT id, camera_id, time_ms, kind, data FROM events WHERE id = ?').get(eventId) as { id: number; camera_id: string | null; time_ms: number; kind: string; data: string } | undefined;
  if (!row) throw new ApiError('not_found', `no event ${eventId}; events are removed with their recordings, pick a newer one`, 'eventId');
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(row.data) as Record<string, unknown>;
  } catch {
    /* no face below */
  }
  const face = row.kind === 'object' && data.face && typeof data.face === 'object' ? (data.face as Partial<Record<string, unknown>>) : null;
  if (!face) throw new ApiError('bad_request', `event ${eventId} has no face: pick a person event from a camera with face recognition on (the review list marks them with the match)`, 'eventId');
  const cropId = typeof face.cropId === 'string' ? face.cropId : null;
  const keptFor = `unknown faces are kept ${retention.unknownDays} days, matched faces ${retention.matchedDays}`;
  if (!cropId) {
    if (face.reason === 'forgotten') throw new ApiError('bad_request', `the face of event ${eventId} was erased when its person was forgotten; pick another event or upload a photo`, 'eventId');
    throw new ApiError('bad_request', `no face crop was kept for event ${eventId}; pick another event or upload a photo`, 'eventId');
  }
  const crop = store.crop(cropId);
  if (!crop) throw new ApiError('not_found', `the face crop of event ${eventId} is no longer kept (${keptFor}); pick a newer event or upload a photo`, 'eventId');
  const sizePx = typeof face.sizePx === 'number' ? face.sizePx : 0;
  if (face.reason === 'too-small' || sizePx < FACE_PARAMS.minFacePx) {
    throw new ApiError('bad_request', `the face on event ${eventId} is ${Math.round(sizePx)} px wide; enrolling needs at least ${FACE_PARAMS.minFacePx} px: pick a closer face or upload a photo`, 'eventId');
  }
  if (face.reason === 'blurred') throw new ApiError('bad_request', `the face on event ${eventId} is blurred; pick a sharper face or upload a photo`, 'eventId');
  const descriptor = store.cropDescriptor(cropId);
  if (!descriptor) throw new ApiError('bad_request', `the face on event ${eventId} could not be described (turned away or too unclear); pick a clearer, frontal face or upload a photo`, 'eventId');
  if (crop.quality < EVENT_ENROL_MIN_QUALITY) {
    throw new ApiError('bad_request', `the face on event ${eventId} is too poor to enrol (quality ${crop.quality.toFixed(2)}, at least ${EVENT_ENROL_MIN_QUALITY} needed): pick a larger, sharper, frontal face or upload a photo`, 'eventId');
  }
  let jpeg: Buffer;
  try {
    jpeg = store.cropImage(cropId);
  } catch (err) {
    throw new ApiError('not_found', `the face crop of event ${eventId} is no longer on disk (${keptFor}): ${(err as Error).message}`, 'eventId');
  }
  const enrolment = store.addEnrolment(person.id, { descriptor, quality: crop.quality, sizePx, source: 'event', jpeg });
  return { person, enrolment, eventId, cropId, cameraId: crop.cameraId, timeMs: crop.timeMs, matchedTo: crop.personId };
}

/** Face recognition is on for the camera (opt-in). */
export function facesOn(cfg: ConfigFile, cameraId: string): boolean {
  return cfg.cameras.find((c) => c.id === cameraId)?.faces?.enabled === true;
}

/** Turn face recognition on or off for a camera in config.json (the API and the CLI). */
export async function setFacesEnabled(store: ConfigStore, cameraId: string, enabled: boolean): Promise<FaceCameraSettings> {
  return store.update((cfg) => {
    const cam = cfg.cameras.find((c) => c.id === cameraId);
    if (!cam) throw new ApiError('not_found', `no camera with id "${cameraId}"; see "gatehouse cameras list"`, 'cameraId');
    cam.faces = { ...cam.faces, enabled };
    return cam.faces;
  });
}
