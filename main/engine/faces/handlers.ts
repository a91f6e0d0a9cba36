/**
 * faces.* and people.* request handlers, and the face module (FaceService)
 * with its detection wiring (wiring.ts). Every change, every search and every
 * forget is audited here (never the photos): faces.setEnabled, faces.enrol,
 * faces.unenrol, faces.forget, faces.search, people.add, people.update.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../api/contract.js';
import type { EngineModule } from '../module.js';
import type { FaceCameraStatus, FacesStatus } from '../../api/faces.js';
import type { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import type { ModuleConcern } from '../concern.js';
import type { SecretBox } from '../config/secrets.js';
import type { ConfigStore } from '../config/store.js';
import type { AuditTrail } from '../audit/trail.js';
import type { Db } from '../store/db.js';
import type { StoredCamera } from '../config/schema.js';
import { FaceService, type FaceServiceOptions } from './service.js';
import { FaceWiring } from './wiring.js';
import { FaceAlarms } from './alarms.js';
import type { AlarmIntake } from '../alarms/intake.js';
import { DEFAULT_BADGE_WINDOW_SECONDS } from '../../api/faces.js';
import { apiErrorOf, enrolFromEvent, enrolmentInfo, facesOn, forgetPerson, listPeople, personInfo, personOf, photoFaceInfo, searchPerson, searchPhoto, setFacesEnabled } from './people.js';

export interface FacesDeps {
  /** The index (face tables, events). */
  db: Db;
  secrets: SecretBox;
  dataDir: string;
  /** <data>/run: the status file for the CLI. */
  runDir: string;
  bus: EventBus;
  config: ConfigStore;
  cameras: CameraRegistry;
  audit: AuditTrail;
  /** The alarm intake (face events and badge mismatches go through the rules). */
  alarms: () => AlarmIntake | null;
  /** An alarm's details (faces.alarmFaces). */
  alarmDetails: (id: number) => Record<string, unknown> | null;
}

/** How often the running engine writes run/faces-status.json for `gatehouse faces status`. */
export const FACES_STATUS_FILE_MS = 2000;

/** The face module: the FaceService (worker, store, retention), its detection wiring, and the status file for the CLI. */
export class FacesModule implements EngineModule {
  readonly name = 'faces';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly service: FaceService,
    readonly wiring: FaceWiring,
    readonly alarms: FaceAlarms,
    private readonly runDir: string,
    private readonly status: () => FacesStatus,
  ) {}

  get statusFile(): string {
    return path.join(this.runDir, 'faces-status.json');
  }

  start(): void {
    this.service.start();
    this.alarms.start();
    this.timer = setInterval(() => this.writeStatus(), FACES_STATUS_FILE_MS);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.alarms.stop();
    fs.rmSync(this.statusFile, { force: true });
    await this.service.stop();
    await this.wiring.settle();
  }

  private writeStatus(): void {
    try {
      const tmp = `${this.statusFile}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, at: new Date().toISOString(), status: this.status() }));
      fs.renameSync(tmp, this.statusFile);
    } catch {
      /* the CLI falls back to the settings */
    }
  }
}

function ms(iso: string | undefined, field: string): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new ApiError('bad_request', `${field}: expected an ISO 8601 time`, field);
  return t;
}

/** Run a face operation, turning its errors into the API's (a bad photo is a 400 that says what to do). */
async function api<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw apiErrorOf(err);
  }
}

function photoBytes(b64: string): Buffer {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length < 16) throw new ApiError('bad_request', 'the photo is empty or not base64; upload a JPEG, PNG or WebP file', 'image');
  return buf;
}

export function facesConcern(d: FacesDeps, opts: Partial<FaceServiceOptions> = {}): ModuleConcern<FacesModule> {
  const svc = new FaceService({ ...opts, db: d.db, secrets: d.secrets, dataDir: d.dataDir });
  const enabled = (cameraId: string) => facesOn(d.config.data, cameraId) && process.env.GATEHOUSE_FACES !== 'off';
  const wiring = new FaceWiring({ service: svc, bus: d.bus, enabled });
  const faceAlarms = new FaceAlarms({
    bus: d.bus,
    alarms: d.alarms,
    service: svc,
    wiring,
    enabled,
    windowSeconds: () => d.config.data.faces?.badgeWindowSeconds ?? DEFAULT_BADGE_WINDOW_SECONDS,
    cameraName: (id) => d.cameras.get(id)?.name ?? null,
  });
  const audit = (actor: string, action: string, target: string | null, details: Record<string, unknown>) => d.audit.append({ actor, action, target, details });
  const changed = (by: string) => d.bus.emit('people.changed', { by });

  const cameraStatus = (cam: StoredCamera): FaceCameraStatus => {
    const est = svc.tracks.capability.estimate(cam.id);
    const c = wiring.countersOf(cam.id);
    const on = facesOn(d.config.data, cam.id);
    let message = est.message;
    if (on && cam.detection?.enabled === false) message = `object detection is off on this camera, so no faces are looked for: turn it on ("gatehouse detection set ${cam.name} --on"). ${message}`;
    return {
      cameraId: cam.id,
      name: cam.name,
      enabled: on,
      capability: { state: est.state, medianFacePx: est.medianFacePx, basis: est.basis, message },
      analysed: c.analysed,
      matched: c.matched,
      dropped: c.dropped,
    };
  };

  const status = (cameraId?: string): FacesStatus => {
    const cams = d.cameras.stored().filter((c) => !cameraId || c.id === cameraId);
    if (cameraId && !cams.length) throw new ApiError('not_found', `no camera with id "${cameraId}"; list cameras with cameras.list`);
    const people = svc.store.listPeople();
    const st = svc.pool.stats;
    return {
      ready: svc.poolRunning && svc.pool.readyCount() > 0,
      people: people.length,
      enrolments: people.reduce((n, p) => n + p.enrolments.length, 0),
      workers: { ...st, error: svc.pool.lastError },
      retention: svc.retention,
      cameras: cams.map(cameraStatus),
    };
  };

  return {
    module: new FacesModule(svc, wiring, faceAlarms, d.runDir, () => status()),
    handlers: {
      'faces.status': (p) => status(p.cameraId),
      'faces.setEnabled': async (p, _ctx, me) => {
        const cam = d.cameras.get(p.cameraId);
        if (!cam) throw new ApiError('not_found', `no camera with id "${p.cameraId}"; list cameras with cameras.list`, 'cameraId');
        await setFacesEnabled(d.config, p.cameraId, p.enabled);
        if (!p.enabled) wiring.cameraStopped(p.cameraId);
        else svc.ensurePool();
        audit(me!.username, 'faces.setEnabled', `cameraId:${p.cameraId}`, { enabled: p.enabled });
        return cameraStatus(d.cameras.get(p.cameraId) ?? cam);
      },
      'faces.search': (p, ctx, me) =>
        api(() => {
          const r = searchPerson(svc.store, d.db, p.person, { fromMs: ms(p.from, 'from'), toMs: ms(p.to, 'to'), limit: p.limit });
          audit(me!.username, 'faces.search', `person:${r.person.id}`, { by: 'person', name: r.person.name, from: p.from ?? null, to: p.to ?? null, hits: r.hits.length, peer: ctx.peer });
          return r;
        }),
      'faces.searchPhoto': (p, ctx, me) =>
        api(async () => {
          const r = await searchPhoto((b) => svc.findPhotoFaces(b), svc.store, d.db, photoBytes(p.image), { face: p.face, fromMs: ms(p.from, 'from'), toMs: ms(p.to, 'to'), limit: p.limit });
          audit(me!.username, 'faces.search', null, { by: 'photo', from: p.from ?? null, to: p.to ?? null, searched: r.searched, hits: r.hits.length, peer: ctx.peer });
          return r;
        }),
      'faces.getCrop': (p) =>
        api(() => ({ id: p.id, dataUrl: `data:image/jpeg;base64,${svc.store.cropImage(p.id).toString('base64')}` })),
      'faces.alarmFaces': (p) =>
        api(() => {
          const det = d.alarmDetails(p.alarmId);
          if (!det) throw new ApiError('not_found', `no alarm ${p.alarmId}`, 'alarmId');
          const face = (det.face ?? null) as { cropId?: string | null; name?: string | null; time?: string } | null;
          const cropId = face?.cropId ?? (typeof det.cropId === 'string' ? det.cropId : null);
          let seen = null;
          if (cropId) {
            try {
              seen = { dataUrl: `data:image/jpeg;base64,${svc.store.cropImage(cropId).toString('base64')}`, name: face?.name ?? (typeof det.name === 'string' ? det.name : null), time: face?.time ?? null };
            } catch {
              seen = null; // removed by retention or forget
            }
          }
          const h = (det.holder ?? null) as { enrolmentId?: string | null; name?: string } | null;
          const holder = h
            ? { dataUrl: h.enrolmentId ? (svc.store.enrolmentImage(h.enrolmentId)?.toString('base64') ?? null) : null, name: h.name ?? '?', badge: typeof det.badge === 'string' ? det.badge : null }
            : null;
          if (holder?.dataUrl) holder.dataUrl = `data:image/jpeg;base64,${holder.dataUrl}`;
          return { seen, holder };
        }),
      'people.list': () => listPeople(svc.store),
      'people.add': (p, _ctx, me) =>
        api(() => {
          const person = svc.store.addPerson({ name: p.name, badges: p.badges, groups: p.groups });
          audit(me!.username, 'people.add', `person:${person.id}`, { name: person.name, badges: person.badges, groups: person.groups });
          changed(me!.username);
          return personInfo(svc.store, person);
        }),
      'people.update': (p, _ctx, me) =>
        api(() => {
          const cur = personOf(svc.store, p.person);
          const person = svc.store.updatePerson(cur.id, { name: p.name, badges: p.badges, groups: p.groups });
          audit(me!.username, 'people.update', `person:${person.id}`, { name: person.name, badges: person.badges, groups: person.groups });
          changed(me!.username);
          return personInfo(svc.store, person);
        }),
      'people.findFaces': (p) =>
        api(async () => {
          const r = await svc.findPhotoFaces(photoBytes(p.image));
          return { width: r.width, height: r.height, faces: r.faces.map(photoFaceInfo) };
        }),
      'people.enrol': (p, _ctx, me) =>
        api(async () => {
          const person = personOf(svc.store, p.person);
          const r = await svc.enrolPhoto(person.id, photoBytes(p.image), p.face);
          audit(me!.username, 'faces.enrol', `person:${person.id}`, {
            name: person.name,
            enrolmentId: r.enrolment.id,
            quality: Math.round(r.enrolment.quality * 1000) / 1000,
            sizePx: r.enrolment.sizePx,
            facesInPhoto: r.faces,
            source: 'photo',
          });
          changed(me!.username);
          return { person: personInfo(svc.store, person), enrolment: enrolmentInfo(r.enrolment), facesInPhoto: r.faces };
        }),
      'people.enrolFromEvent': (p, _ctx, me) =>
        api(() => {
          const r = enrolFromEvent(svc.store, d.db, p.person, p.eventId, svc.retention);
          audit(me!.username, 'faces.enrol', `person:${r.person.id}`, {
            name: r.person.name,
            enrolmentId: r.enrolment.id,
            quality: Math.round(r.enrolment.quality * 1000) / 1000,
            sizePx: r.enrolment.sizePx,
            source: 'event',
            eventId: r.eventId,
            cropId: r.cropId,
            cameraId: r.cameraId,
            matchedTo: r.matchedTo,
          });
          changed(me!.username);
          return { person: personInfo(svc.store, r.person), enrolment: enrolmentInfo(r.enrolment), eventId: r.eventId, cropId: r.cropId, cameraId: r.cameraId, time: new Date(r.timeMs).toISOString() };
        }),
      'people.unenrol': (p, _ctx, me) =>
        api(() => {
          const owner = svc.store.listPeople().find((x) => x.enrolments.some((e) => e.id === p.enrolmentId)) ?? null;
          if (!owner) throw new ApiError('not_found', `no enrolled face with id "${p.enrolmentId}"`, 'enrolmentId');
          const r = svc.store.removeEnrolment(p.enrolmentId);
          audit(me!.username, 'faces.unenrol', `person:${owner.id}`, { name: owner.name, enrolmentId: p.enrolmentId, files: r.files.length });
          changed(me!.username);
          return { removed: true, person: personInfo(svc.store, owner) };
        }),
      'people.getEnrolmentImage': (p) =>
        api(() => {
          const img = svc.store.enrolmentImage(p.enrolmentId);
          if (!img) throw new ApiError('not_found', `no image for enrolled face "${p.enrolmentId}"`, 'enrolmentId');
          return { id: p.enrolmentId, dataUrl: `data:image/jpeg;base64,${img.toString('base64')}` };
        }),
      'people.forget': (p, _ctx, me) =>
        api(() => {
          const r = forgetPerson(svc.store, d.db, p.person);
          audit(me!.username, 'faces.forget', `person:${r.person.id}`, {
            name: r.person.name,
            enrolments: r.enrolments,
            crops: r.crops,
            files: r.files.length,
            bytes: r.bytes,
            failed: r.failed,
            events: r.events,
            alarms: r.alarms,
          });
          changed(me!.username);
          return r;
        }),
    },
  };
}
