/**
 * `gatehouse faces`: face recognition on or off per camera (opt-in, kept in
 * config.json `cameras[].faces.enabled`; a running server applies it within a
 * second) and its status. The live part of the status (are the faces big
 * enough, faces analysed and matched) comes from the running server, which
 * writes run/faces-status.json every 2 s; without a server it shows the settings
 * and the people enrolled. Changes are audited as os:<login>.
 *
 *   faces set CAMERA --on|--off
 *   faces status [CAMERA] [--json]
 *   faces search (--person NAME | --image FILE [--face N]) [--from TIME] [--to TIME] [--json]
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../api/contract.js';
import type { FaceSearchHit, FacesStatus } from '../../api/faces.js';
import { FACES_STATUS_FILE_MS } from '../../engine/faces/handlers.js';
import { FACE_PARAMS } from '../../engine/faces/params.js';
import { searchPerson, searchPhoto, setFacesEnabled } from '../../engine/faces/people.js';
import { EnrolError, findPhotoFaces } from '../../engine/faces/enrol.js';
import { FacePool } from '../../engine/faces/pool.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, parseTime, table, type Command } from '../args.js';
import { openConfig, runningServer } from '../offline.js';
import { auditCli, cameraOf } from './detection-common.js';
import { openFaceStore } from './people.js';

const USAGE = `Usage:
  gatehouse faces set CAMERA --on|--off [--data DIR]
  gatehouse faces status [CAMERA] [--json] [--data DIR]
  gatehouse faces search (--person NAME | --image FILE [--face N]) [--from TIME] [--to TIME] [--json] [--data DIR]

Face recognition is off on every camera until an admin turns it on. It looks at the person tracks of object
detection (which must be on for the camera) and, on door cameras, at frames with motion. Enrol people with
"gatehouse people". What is kept and for how long: docs/privacy.md. Works with or without a running server.`;

async function set(argv: string[]): Promise<number> {
  const a = parse(argv, 'gatehouse faces set CAMERA --on|--off [--data DIR]', { ...dataOption, on: { type: 'boolean' }, off: { type: 'boolean' } }, [
    { flag: '--on, --off', help: 'turn face recognition on or off for the camera' },
    dataHelp,
  ], true);
  if (!a) return 0;
  if (a.positionals.length !== 1) throw new CliError(`give exactly one camera (name or id)\n${USAGE}`);
  if (!!a.values.on === !!a.values.off) throw new CliError('give --on or --off');
  const enabled = !!a.values.on;
  const { store, paths } = await openConfig(dataDirOf(a.values));
  const cam = cameraOf(store.data, a.positionals[0]!);
  try {
    await setFacesEnabled(store, cam.id, enabled);
  } catch (err) {
    if (err instanceof ApiError) throw new CliError(err.message, err.code === 'not_found' ? 3 : 2);
    throw err;
  }
  auditCli(paths, 'faces.setEnabled', `cameraId:${cam.id}`, { enabled, via: 'cli' });
  console.log(`Face recognition on "${cam.name}": ${enabled ? 'on' : 'off'}.`);
  if (enabled && cam.detection?.enabled === false) console.log(`Object detection is off on "${cam.name}": turn it on too ("gatehouse detection set ${cam.name} --on"), faces come from its person tracks.`);
  if (enabled) console.log(`Faces seen are kept as sealed crops: unknown ones for ${FACE_PARAMS.unknownCropDays} days, matched ones for ${FACE_PARAMS.matchedCropDays} days (docs/privacy.md).`);
  if (runningServer(paths)) console.log('The running server applies it within a second.');
  return 0;
}

function liveStatus(root: string, pid: number): { at: string; status: FacesStatus } | null {
  try {
    const j = JSON.parse(fs.readFileSync(path.join(root, 'run', 'faces-status.json'), 'utf8')) as { pid: number; at: string; status: FacesStatus };
    if (j.pid !== pid || Date.now() - Date.parse(j.at) > 5 * FACES_STATUS_FILE_MS) return null;
    return j;
  } catch {
    return null;
  }
}

async function status(argv: string[]): Promise<number> {
  const a = parse(argv, 'gatehouse faces status [CAMERA] [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [{ flag: '--json', help: 'print JSON' }, dataHelp], true);
  if (!a) return 0;
  const { store, paths, secrets } = await openConfig(dataDirOf(a.values));
  const only = a.positionals[0] ? cameraOf(store.data, a.positionals[0]).id : undefined;
  const server = runningServer(paths);
  const live = server ? liveStatus(paths.root, server.pid) : null;
  const { faces, close } = openFaceStore(paths, secrets);
  let people;
  try {
    people = faces.listPeople();
  } finally {
    close();
  }
  const byId = new Map((live?.status.cameras ?? []).map((c) => [c.cameraId, c]));
  const rows = store.data.cameras
    .filter((c) => !only || c.id === only)
    .map((c) => ({ cameraId: c.id, name: c.name, enabled: c.faces?.enabled === true, detection: c.detection?.enabled, live: byId.get(c.id) ?? null }));
  const enrolments = people.reduce((n, p) => n + p.enrolments.length, 0);
  const retention = { unknownDays: FACE_PARAMS.unknownCropDays, matchedDays: FACE_PARAMS.matchedCropDays };
  if (a.values.json) {
    console.log(JSON.stringify({ running: !!live, at: live?.at ?? null, ready: live?.status.ready ?? false, people: people.length, enrolments, retention, workers: live?.status.workers ?? null, cameras: rows }, null, 2));
    return 0;
  }
  console.log(`${people.length} people, ${enrolments} enrolled face(s). Unknown face crops are kept ${retention.unknownDays} days, matched ones ${retention.matchedDays} days.`);
  if (live) {
    const w = live.status.workers;
    console.log(`Face worker: ${live.status.ready ? 'ready' : 'not started (starts when a camera has faces on or a face is enrolled)'}, ${w.analysed} analysed, ${w.dropped} dropped (busy), ${w.errors} error(s), ${w.restarts} restart(s)${w.error ? `; ${w.error}` : ''}`);
  } else console.log(server ? 'The server is starting: settings only.' : 'No server is running on this data dir: settings only (start one with "gatehouse serve").');
  console.log(
    table(
      ['CAMERA', 'FACES', 'SIZE', 'ANALYSED', 'MATCHED', 'DROPPED', 'NOTE'],
      rows.map((r) => [
        r.name,
        r.enabled ? 'on' : 'off',
        r.live ? `${r.live.capability.state}${r.live.capability.medianFacePx !== null ? ` (~${Math.round(r.live.capability.medianFacePx)} px)` : ''}` : '-',
        r.live ? String(r.live.analysed) : '-',
        r.live ? String(r.live.matched) : '-',
        r.live ? String(r.live.dropped) : '-',
        r.enabled ? (r.live?.capability.message ?? (r.detection === false ? 'object detection is off on this camera: turn it on' : '')) : '',
      ]),
    ),
  );
  return 0;
}

/** Where was this person (or the person in this photo) seen: kept face crops, newest first. Audited as faces.search. */
async function search(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse faces search (--person NAME | --image FILE [--face N]) [--from TIME] [--to TIME] [--json] [--data DIR]',
    { ...dataOption, person: { type: 'string' }, image: { type: 'string' }, face: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
    [
      { flag: '--person NAME', help: 'a person by name or id' },
      { flag: '--image FILE', help: 'or a photo of the person (not stored); --face N picks one of several faces' },
      { flag: '--from TIME, --to TIME', help: 'ISO 8601, now, or relative (-1h, -2d); default: all the kept crops' },
      { flag: '--json', help: 'print JSON' },
      dataHelp,
    ],
  );
  if (!a) return 0;
  if (!!a.values.person === !!a.values.image) throw new CliError(`give --person NAME or --image FILE\n${USAGE}`);
  const fromMs = a.values.from ? parseTime(a.values.from as string, '--from') : undefined;
  const toMs = a.values.to ? parseTime(a.values.to as string, '--to') : undefined;
  const face = a.values.face !== undefined ? Number(a.values.face) : undefined;
  if (face !== undefined && (!Number.isInteger(face) || face < 0)) throw new CliError(`--face: "${String(a.values.face)}" is not a face number (0, 1, …)`);
  const { paths, secrets } = await openConfig(dataDirOf(a.values));
  const { faces: store, db, close } = openFaceStore(paths, secrets);
  let out: { person?: { id: string; name: string }; hits: FaceSearchHit[]; searched?: number };
  let pool: FacePool | null = null;
  try {
    if (a.values.person) out = searchPerson(store, db, a.values.person as string, { fromMs, toMs, limit: 500 });
    else {
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(a.values.image as string);
      } catch (err) {
        throw new CliError(`cannot read ${String(a.values.image)}: ${(err as Error).message}`);
      }
      pool = new FacePool({ requestTimeoutMs: 60_000 });
      pool.start();
      if (!(await pool.whenReady(120_000))) throw new CliError('the face models could not be loaded; reinstall Gatehouse', 1);
      const p = pool;
      out = await searchPhoto((b) => findPhotoFaces(p, b), store, db, bytes, { face, fromMs, toMs, limit: 500 });
    }
  } catch (err) {
    if (err instanceof EnrolError) throw new CliError(err.message, 2);
    if (err instanceof ApiError) throw new CliError(err.message, err.code === 'not_found' ? 3 : 2);
    throw err;
  } finally {
    await pool?.stop();
    close();
  }
  auditCli(paths, 'faces.search', out.person ? `person:${out.person.id}` : null, {
    by: out.person ? 'person' : 'photo',
    ...(out.person ? { name: out.person.name } : {}),
    from: a.values.from ?? null,
    to: a.values.to ?? null,
    hits: out.hits.length,
    via: 'cli',
  });
  if (a.values.json) {
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }
  const cams = new Map((await openConfig(dataDirOf(a.values))).store.data.cameras.map((c) => [c.id, c.name]));
  if (!out.hits.length) console.log(`Not seen${out.person ? ` (${out.person.name})` : ''} in the kept face crops (unknown faces are kept ${FACE_PARAMS.unknownCropDays} days, matched ones ${FACE_PARAMS.matchedCropDays}).`);
  else console.log(table(['TIME', 'CAMERA', 'DISTANCE', 'EVENT', 'CROP'], out.hits.map((h) => [h.time, cams.get(h.cameraId) ?? h.cameraId, h.distance === null ? '-' : h.distance.toFixed(2), h.eventId === null ? '-' : String(h.eventId), h.cropId])));
  return 0;
}

export const facesCommand: Command = {
  name: 'faces',
  summary: 'face recognition on or off per camera, and its status (works with or without a running server)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'set') return set(rest);
    if (sub === 'status') return status(rest);
    if (sub === 'search') return search(rest);
    throw new CliError(`unknown subcommand "faces ${sub}"\n${USAGE}`);
  },
};
