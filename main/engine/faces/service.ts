/**
 * Face recognition as one engine module: the worker pool, the sealed store,
 * the person-track pipeline and the hourly retention sweep. The engine
 * (wave 2) creates one, starts it with the others, and wires its methods to
 * the API (people, enrolment, forget), the detection service (person
 * tracks → offer/end) and the audit trail. See docs/faces.md "Wiring".
 */
import type { EngineModule } from '../module.js';
import type { Db } from '../store/db.js';
import type { SecretBox } from '../config/secrets.js';
import { logger } from '../log.js';
import { FacePool, type FacePoolOptions } from './pool.js';
import { FaceStore, type FaceCrop, type SweepReport } from './store.js';
import { TrackFaces, type TrackFaceResult } from './tracks.js';
import { enrolFromPhoto, findPhotoFaces, type EnrolResult, type PhotoFaces } from './enrol.js';
import { matchFace, type MatchOptions, type MatchResult } from './match.js';
import { FACE_PARAMS } from './params.js';

const log = logger('faces');

export interface FaceServiceOptions {
  db: Db;
  secrets: SecretBox;
  dataDir: string;
  pool?: FacePoolOptions;
  match?: MatchOptions;
  retention?: { unknownDays?: number; matchedDays?: number };
  /** Start the face worker with the module (default: on first need, see ensurePool). */
  startPool?: boolean;
  /** How often the retention sweep runs (default hourly; 0 = only on demand). */
  sweepEveryMs?: number;
}

export class FaceService implements EngineModule {
  readonly name = 'faces';
  readonly pool: FacePool;
  readonly store: FaceStore;
  readonly tracks: TrackFaces;
  private timer: NodeJS.Timeout | null = null;
  private poolStarted = false;

  constructor(private readonly opts: FaceServiceOptions) {
    this.pool = new FacePool(opts.pool);
    this.store = new FaceStore({ db: opts.db, secrets: opts.secrets, dataDir: opts.dataDir });
    this.tracks = new TrackFaces({ pool: this.pool, gallery: () => this.store.gallery(), match: opts.match });
  }

  /** The face worker starts on first need (a camera with faces on, an enrolment), not with the engine. */
  ensurePool(): FacePool {
    if (!this.poolStarted) {
      this.poolStarted = true;
      this.pool.start();
    }
    return this.pool;
  }

  get poolRunning(): boolean {
    return this.poolStarted;
  }

  start(): void {
    if (this.opts.startPool) this.ensurePool();
    const every = this.opts.sweepEveryMs ?? 3_600_000;
    if (every > 0 && !this.timer) {
      this.sweep();
      this.timer = setInterval(() => this.sweep(), every);
      this.timer.unref?.();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.poolStarted = false;
    await this.pool.stop();
  }

  /** Faces in an uploaded photo (to ask which one, or to search by photo). */
  findPhotoFaces(bytes: Uint8Array): Promise<PhotoFaces> {
    return findPhotoFaces(this.ensurePool(), bytes);
  }

  /** Enrol a person (id or name) from a photo; `face` picks one of several. */
  enrolPhoto(person: string, bytes: Uint8Array, face?: number): Promise<EnrolResult> {
    const p = this.store.findPerson(person);
    if (!p) throw new Error(`no person called "${person}"; add them first`);
    return enrolFromPhoto(this.ensurePool(), this.store, p.id, bytes, { face });
  }

  /** Match a descriptor (with its quality) against the enrolled people. */
  match(face: Parameters<typeof matchFace>[0]): MatchResult {
    return matchFace(face, this.store.gallery(), this.opts.match);
  }

  /** Keep the face of an ended track as a sealed crop (matched or unknown); retention removes it later. */
  keepTrackFace(r: TrackFaceResult): FaceCrop {
    return this.store.addCrop({
      cameraId: r.cameraId,
      timeMs: r.timeMs,
      trackId: r.trackId,
      personId: r.match.match ? r.match.personId : null,
      distance: r.match.match ? r.match.distance : null,
      quality: r.face.quality.score,
      descriptor: r.face.descriptor,
      jpeg: r.jpeg,
    });
  }

  /** Days unmatched and matched face crops are kept. */
  get retention(): { unknownDays: number; matchedDays: number } {
    return { unknownDays: this.opts.retention?.unknownDays ?? FACE_PARAMS.unknownCropDays, matchedDays: this.opts.retention?.matchedDays ?? FACE_PARAMS.matchedCropDays };
  }

  sweep(): SweepReport | null {
    try {
      const r = this.store.sweep({ unknownDays: this.opts.retention?.unknownDays ?? FACE_PARAMS.unknownCropDays, matchedDays: this.opts.retention?.matchedDays ?? FACE_PARAMS.matchedCropDays });
      if (r.unknownCrops || r.matchedCrops || r.orphanFiles) log.info(`face retention: removed ${r.unknownCrops} unknown and ${r.matchedCrops} matched crops, ${r.orphanFiles} orphan files`);
      return r;
    } catch (err) {
      log.warn(`face retention sweep failed: ${(err as Error).message}`);
      return null;
    }
  }
}
