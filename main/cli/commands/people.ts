/**
 * `gatehouse people`: the people face recognition knows, their enrolled
 * faces, and the right to erasure. Works on the data dir's index directly,
 * with or without a running server (a running server sees the change at its
 * next match). Enrolment runs the face models in a worker thread of this
 * process. Every change is audited as os:<login> (faces.enrol, faces.forget,
 * people.add); photos are never written to the audit trail or the log.
 *
 *   people add --name NAME [--badge ID]... [--group staff|visitor|watchlist]...
 *   people enrol NAME --image FILE [--image FILE]... [--face N]
 *   people enrol NAME --event ID   (the kept face crop of an object event)
 *   people list [--json]
 *   people forget NAME [--json]
 */
import fs from 'node:fs';
import { PERSON_GROUPS } from '../../api/faces.js';
import { KeyFileSecretBox } from '../../engine/config/secrets.js';
import { EnrolError, enrolFromPhoto, findPhotoFaces } from '../../engine/faces/enrol.js';
import { enrolFromEvent, forgetPerson, listPeople } from '../../engine/faces/people.js';
import { FACE_PARAMS } from '../../engine/faces/params.js';
import { FacePool } from '../../engine/faces/pool.js';
import { FaceStore, FaceStoreError } from '../../engine/faces/store.js';
import type { DataPaths } from '../../engine/paths.js';
import { openIndex } from '../../engine/store/db.js';
import { ApiError } from '../../api/contract.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, table, type Command } from '../args.js';
import { openConfig, runningServer } from '../offline.js';
import { auditCli } from './detection-common.js';

const USAGE = `Usage:
  gatehouse people add --name NAME [--badge ID]... [--group staff|visitor|watchlist]... [--data DIR]
  gatehouse people enrol NAME --image FILE [--image FILE]... [--face N] [--data DIR]
  gatehouse people enrol NAME --event ID [--data DIR]
  gatehouse people list [--json] [--data DIR]
  gatehouse people forget NAME [--json] [--data DIR]

Enrolment photos: JPEG, PNG or WebP, the face at least 80 px wide, looking at the camera. A photo with several
people: the command lists the faces; run it again with --face N. --event ID enrols the face a camera saw on that
object event (its kept face crop; the review list and "gatehouse faces search" give event ids). Descriptors and face images are sealed with the
site key. "forget" removes the person, their descriptors, photos and face crops, and their name on events.`;

/** The face store of a data dir (its own index connection: close it). */
export function openFaceStore(paths: DataPaths, secrets: KeyFileSecretBox): { faces: FaceStore; db: ReturnType<typeof openIndex>; close: () => void } {
  const db = openIndex(paths.index);
  return { faces: new FaceStore({ db, secrets, dataDir: paths.root }), db, close: () => db.close() };
}

function many(v: unknown): string[] {
  return Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : [];
}

function storeError(err: unknown): never {
  if (err instanceof FaceStoreError) throw new CliError(err.message, err.code === 'not-found' ? 3 : 2);
  if (err instanceof ApiError) throw new CliError(err.message, err.code === 'not_found' ? 3 : 2);
  throw err;
}

async function add(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse people add --name NAME [--badge ID]... [--group G]... [--json] [--data DIR]',
    { ...dataOption, name: { type: 'string' }, badge: { type: 'string', multiple: true }, group: { type: 'string', multiple: true }, json: { type: 'boolean' } },
    [
      { flag: '--name NAME', help: 'the person\'s name (unique)' },
      { flag: '--badge ID', help: 'a badge id of theirs (repeat for several): badge × face checks' },
      { flag: '--group G', help: `${PERSON_GROUPS.join(', ')} (repeat for several); watchlist raises an alarm with a face rule` },
      { flag: '--json', help: 'print the person as JSON' },
      dataHelp,
    ],
  );
  if (!a) return 0;
  const name = typeof a.values.name === 'string' ? a.values.name.trim() : '';
  if (!name) throw new CliError(`give the person's name with --name\n${USAGE}`);
  const groups = many(a.values.group).map((g) => g.trim().toLowerCase());
  for (const g of groups) if (!(PERSON_GROUPS as readonly string[]).includes(g)) throw new CliError(`--group: "${g}" is not a group; use ${PERSON_GROUPS.join(', ')}`);
  const { paths, secrets } = await openConfig(dataDirOf(a.values));
  const { faces, close } = openFaceStore(paths, secrets);
  let person;
  try {
    person = faces.addPerson({ name, badges: many(a.values.badge), groups });
  } catch (err) {
    storeError(err);
  } finally {
    close();
  }
  auditCli(paths, 'people.add', `person:${person.id}`, { name: person.name, badges: person.badges, groups: person.groups, via: 'cli' });
  if (a.values.json) console.log(JSON.stringify(person, null, 2));
  else console.log(`Added "${person.name}" (${person.id})${person.badges.length ? `, badge ${person.badges.join(', ')}` : ''}${person.groups.length ? `, ${person.groups.join(', ')}` : ''}. Enrol a face: gatehouse people enrol "${person.name}" --image FILE`);
  return 0;
}

async function enrol(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse people enrol NAME (--image FILE [--image FILE]... [--face N] | --event ID) [--data DIR]',
    { ...dataOption, image: { type: 'string', multiple: true }, face: { type: 'string' }, event: { type: 'string' } },
    [
      { flag: '--image FILE', help: 'a photo of the person (JPEG, PNG, WebP); repeat for several' },
      { flag: '--face N', help: 'which face, when the photo has several (the command lists them)' },
      { flag: '--event ID', help: 'enrol the face a camera saw on this object event (its kept face crop)' },
      dataHelp,
    ],
    true,
  );
  if (!a) return 0;
  if (a.positionals.length !== 1) throw new CliError(`give exactly one person (name or id)\n${USAGE}`);
  if (a.values.event !== undefined) return enrolEvent(a.positionals[0]!, String(a.values.event), many(a.values.image).length > 0 || a.values.face !== undefined, dataDirOf(a.values));
  const images = many(a.values.image);
  if (!images.length) throw new CliError('give at least one photo with --image FILE');
  let face: number | undefined;
  if (a.values.face !== undefined) {
    face = Number(a.values.face);
    if (!Number.isInteger(face) || face < 0) throw new CliError(`--face: "${String(a.values.face)}" is not a face number (0, 1, …)`);
    if (images.length > 1) throw new CliError('--face picks a face of one photo: give a single --image with it');
  }
  const photos = images.map((f) => {
    try {
      return { file: f, bytes: fs.readFileSync(f) };
    } catch (err) {
      throw new CliError(`cannot read ${f}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  });
  const { paths, secrets } = await openConfig(dataDirOf(a.values));
  const { faces, close } = openFaceStore(paths, secrets);
  const person = faces.findPerson(a.positionals[0]!);
  if (!person) {
    close();
    throw new CliError(`no person called "${a.positionals[0]}"; add them first: gatehouse people add --name "${a.positionals[0]}"`, 3);
  }
  const pool = new FacePool({ requestTimeoutMs: 60_000 });
  pool.start();
  let failed = 0;
  try {
    if (!(await pool.whenReady(120_000))) throw new CliError(`the face models could not be loaded${pool.lastError ? `: ${pool.lastError}` : ''}; reinstall Gatehouse`, 1);
    for (const p of photos) {
      try {
        const r = await enrolFromPhoto(pool, faces, person.id, p.bytes, { face });
        auditCli(paths, 'faces.enrol', `person:${person.id}`, {
          name: person.name,
          enrolmentId: r.enrolment.id,
          quality: Math.round(r.enrolment.quality * 1000) / 1000,
          sizePx: r.enrolment.sizePx,
          facesInPhoto: r.faces,
          source: 'photo',
          via: 'cli',
        });
        console.log(`${p.file}: enrolled "${person.name}" (face ${r.face.sizePx} px wide, quality ${r.face.quality.score.toFixed(2)}, ${r.face.grade})${r.faces > 1 ? `, face ${r.face.index} of ${r.faces}` : ''}.`);
      } catch (err) {
        if (!(err instanceof EnrolError)) throw err;
        failed++;
        console.error(`${p.file}: ${err.message}`);
        if (err.code === 'pick-a-face') {
          const found = await findPhotoFaces(pool, p.bytes);
          console.error(
            table(
              ['FACE', 'BOX (x1,y1,x2,y2)', 'WIDTH', 'QUALITY', 'USABLE'],
              found.faces.map((f) => [String(f.index), f.box.map((v) => Math.round(v)).join(','), `${f.sizePx} px`, `${f.quality.score.toFixed(2)} ${f.grade}`, f.usable ? 'yes' : (f.problem ?? 'no')]),
            ),
          );
          console.error(`Faces are numbered largest first. Run again with --face N: gatehouse people enrol "${person.name}" --image ${p.file} --face N`);
        }
      }
    }
  } finally {
    await pool.stop();
    close();
  }
  if (!failed && runningServer(paths)) console.log('The running server matches with it from its next face.');
  return failed ? 2 : 0;
}

/** `people enrol NAME --event ID`: the kept face crop of an object event, no face models needed (its descriptor is kept with it). */
async function enrolEvent(ref: string, event: string, withImage: boolean, dataDir: string): Promise<number> {
  if (withImage) throw new CliError('--event enrols the face of an event: give it without --image and --face');
  const eventId = Number(event);
  if (!Number.isInteger(eventId) || eventId <= 0) throw new CliError(`--event: "${event}" is not an event id (a whole number, from the review list or "gatehouse faces search")`);
  const { paths, secrets } = await openConfig(dataDir);
  const { faces, db, close } = openFaceStore(paths, secrets);
  try {
    const r = enrolFromEvent(faces, db, ref, eventId, { unknownDays: FACE_PARAMS.unknownCropDays, matchedDays: FACE_PARAMS.matchedCropDays });
    auditCli(paths, 'faces.enrol', `person:${r.person.id}`, {
      name: r.person.name,
      enrolmentId: r.enrolment.id,
      quality: Math.round(r.enrolment.quality * 1000) / 1000,
      sizePx: r.enrolment.sizePx,
      source: 'event',
      eventId: r.eventId,
      cropId: r.cropId,
      cameraId: r.cameraId,
      matchedTo: r.matchedTo,
      via: 'cli',
    });
    console.log(`Event ${eventId}: enrolled "${r.person.name}" (face ${Math.round(r.enrolment.sizePx)} px wide, quality ${r.enrolment.quality.toFixed(2)}, seen ${new Date(r.timeMs).toISOString()}).`);
  } catch (err) {
    if (err instanceof ApiError) throw new CliError(err.message, err.code === 'not_found' ? 3 : 2);
    throw err;
  } finally {
    close();
  }
  if (runningServer(paths)) console.log('The running server matches with it from its next face.');
  return 0;
}

async function list(argv: string[]): Promise<number> {
  const a = parse(argv, 'gatehouse people list [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [{ flag: '--json', help: 'print JSON' }, dataHelp]);
  if (!a) return 0;
  const { paths, secrets } = await openConfig(dataDirOf(a.values));
  const { faces, close } = openFaceStore(paths, secrets);
  let people;
  try {
    people = listPeople(faces);
  } finally {
    close();
  }
  if (a.values.json) {
    console.log(JSON.stringify(people, null, 2));
    return 0;
  }
  if (!people.length) {
    console.log('No people yet. Add one: gatehouse people add --name NAME [--badge ID]');
    return 0;
  }
  console.log(
    table(
      ['NAME', 'BADGES', 'GROUPS', 'FACES', 'BEST QUALITY', 'ADDED'],
      people.map((p) => {
        const best = p.enrolments.reduce((m, e) => Math.max(m, e.quality), 0);
        return [p.name, p.badges.join(',') || '-', p.groups.join(',') || '-', String(p.enrolments.length), p.enrolments.length ? best.toFixed(2) : 'none: enrol a photo', p.created.slice(0, 10)];
      }),
    ),
  );
  return 0;
}

async function forget(argv: string[]): Promise<number> {
  const a = parse(argv, 'gatehouse people forget NAME [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [{ flag: '--json', help: 'print what was removed as JSON' }, dataHelp], true);
  if (!a) return 0;
  if (a.positionals.length !== 1) throw new CliError(`give exactly one person (name or id)\n${USAGE}`);
  const { paths, secrets } = await openConfig(dataDirOf(a.values));
  const { faces, db, close } = openFaceStore(paths, secrets);
  let r;
  try {
    r = forgetPerson(faces, db, a.positionals[0]!);
  } catch (err) {
    storeError(err);
  } finally {
    close();
  }
  auditCli(paths, 'faces.forget', `person:${r.person.id}`, { name: r.person.name, enrolments: r.enrolments, crops: r.crops, files: r.files.length, bytes: r.bytes, failed: r.failed, events: r.events, alarms: r.alarms, via: 'cli' });
  if (a.values.json) console.log(JSON.stringify(r, null, 2));
  else {
    console.log(`Forgot "${r.person.name}" (${r.person.id}): ${r.enrolments} enrolled face(s), ${r.crops} face crop(s), ${r.files.length} file(s) (${r.bytes} bytes) deleted; their name removed from ${r.events} event(s) and ${r.alarms} alarm(s).`);
    for (const f of r.files) console.log(`  deleted ${f}`);
    if (r.failed.length) console.log(`Could not delete ${r.failed.length} file(s) (the retention sweep retries): ${r.failed.join(', ')}`);
  }
  return r.failed.length ? 1 : 0;
}

export const peopleCommand: Command = {
  name: 'people',
  summary: 'people for face recognition: add, enrol faces from photos, list, forget (right to erasure)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'add') return add(rest);
    if (sub === 'enrol' || sub === 'enroll') return enrol(rest);
    if (sub === 'list') return list(rest);
    if (sub === 'forget') return forget(rest);
    throw new CliError(`unknown subcommand "people ${sub}"\n${USAGE}`);
  },
};
