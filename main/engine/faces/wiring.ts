/**
 * Face recognition wired into detection (the FaceHook of detection/face-hook.ts):
 *
 * - person tracks on cameras with faces on: each frame of a person track
 *   with an event is offered to TrackFaces (upper-body crop, best face per
 *   track; dropped when the worker is busy, at most 6 analyses per track);
 *   at the track's end its best face is matched, kept as a sealed crop
 *   (retention removes it), and the match goes into the object event
 *   (`data.face`) and out as `faces.match`;
 * - frames with motion but no person (door cameras): the whole frame, at
 *   most once per `motionEveryMs` per camera, only when a worker is free;
 *   a face is matched, kept and pushed unless it is the same face as the
 *   last one on that camera within `repeatMs`;
 * - every face seen goes into a short per-camera memory (`recent()`, at
 *   most 32 per camera, 60 s) for the badge × face check.
 *
 * Nothing here queues: a busy worker means the frame is skipped and counted.
 */
import type { FaceMatchInfo } from '../../api/faces.js';
import type { NormBox } from '../../api/detection.js';
import type { EventBus } from '../bus.js';
import type { FaceHook, HookFrame } from '../detection/face-hook.js';
import { logger } from '../log.js';
import type { FaceImage, WorkerFace } from './pool.js';
import type { FaceService } from './service.js';
import type { TrackFaceResult } from './tracks.js';
import { euclidean, type MatchResult } from './match.js';
import { faceCropJpeg } from './images.js';
import { FACE_PARAMS } from './params.js';

const log = logger('faces');

/** A face seen on a camera, remembered for a minute (badge × face). */
export interface Sighting {
  cameraId: string;
  /** When this face was seen. */
  timeMs: number;
  /** The person (track) was in view from … to (a track's face stands for the whole track). */
  fromMs: number;
  toMs: number;
  /** Person track id, or null for a face on a motion frame. */
  trackId: number | null;
  face: WorkerFace;
  match: MatchResult;
  jpeg: Buffer | null;
  cropId: string | null;
}

export interface CameraFaceCounters {
  analysed: number;
  matched: number;
  dropped: number;
}

export interface FaceWiringOptions {
  service: FaceService;
  bus: EventBus;
  /** Face recognition is on for this camera (config). */
  enabled: (cameraId: string) => boolean;
  /** Least time between two motion-frame analyses on one camera (default 1 s). */
  motionEveryMs?: number;
  /** The same face on a motion frame within this long is not kept or pushed again (default 10 s). */
  repeatMs?: number;
  /** How long sightings are remembered (default 60 s). */
  memoryMs?: number;
}

const MAX_SIGHTINGS_PER_CAMERA = 32;

export class FaceWiring implements FaceHook {
  private counters = new Map<string, CameraFaceCounters>();
  private lastMotion = new Map<string, number>();
  private lastMotionFace = new Map<string, { timeMs: number; descriptor: Float32Array | null }>();
  private sightings = new Map<string, Sighting[]>();
  /** Tracks whose person was already announced (matched while in view): camera\0track → what was said. */
  private announced = new Map<string, FaceMatchInfo>();
  /** Analyses in flight (at most one per worker: tryAnalyze refuses more). */
  private inFlight = new Set<Promise<unknown>>();

  constructor(private readonly o: FaceWiringOptions) {}

  enabled(cameraId: string): boolean {
    return this.o.enabled(cameraId);
  }

  countersOf(cameraId: string): CameraFaceCounters {
    let c = this.counters.get(cameraId);
    if (!c) {
      c = { analysed: 0, matched: 0, dropped: 0 };
      this.counters.set(cameraId, c);
    }
    return c;
  }

  personFrame(cameraId: string, trackId: number, eventId: number, timeMs: number, frame: HookFrame, box: NormBox): void {
    const svc = this.o.service;
    const pool = svc.ensurePool();
    // the person is still in view: their face (if one was found) counts until now
    const known = (this.sightings.get(cameraId) ?? []).find((x) => x.trackId === trackId);
    if (known) known.toMs = Math.max(known.toMs, timeMs);
    if (!pool.readyCount()) return;
    const img = toImage(frame);
    const p = svc.tracks
      .offer({ cameraId, trackId: String(trackId), timeMs, frame: img, personBox: box })
      .then((outcome) => {
        const c = this.countersOf(cameraId);
        if (outcome === 'dropped') c.dropped++;
        if (outcome !== 'analysed') return;
        c.analysed++;
        const cur = svc.tracks.current(cameraId, String(trackId));
        if (cur) {
          const prev = (this.sightings.get(cameraId) ?? []).find((x) => x.trackId === trackId);
          this.remember({ cameraId, timeMs: cur.timeMs, fromMs: Math.min(prev?.fromMs ?? timeMs, timeMs), toMs: Math.max(prev?.toMs ?? timeMs, timeMs), trackId, face: cur.face, match: cur.match, jpeg: cur.jpeg, cropId: null });
          // a person recognised while still in view is said at once (watchlist alarms cannot wait for them to leave)
          const key = `${cameraId}\u0000${trackId}`;
          const said = this.announced.get(key);
          if (cur.match.match && said?.personId !== cur.match.personId && this.announced.size < 1024) this.announced.set(key, this.keep(cur, eventId, trackId));
        }
      })
      .catch((err: unknown) => log.debug(`face offer on ${cameraId} failed: ${(err as Error).message}`));
    this.track(p);
  }

  trackEnded(cameraId: string, trackId: number, eventId: number, endMs: number): FaceMatchInfo | null {
    const key = `${cameraId}\u0000${trackId}`;
    const said = this.announced.get(key) ?? null;
    this.announced.delete(key);
    const r = this.o.service.tracks.end(cameraId, String(trackId));
    void endMs;
    if (!r) return said;
    // already said with this person (and its crop kept): the event gets that
    if (said && r.match.match && r.match.personId === said.personId) return said;
    return this.keep(r, eventId, trackId);
  }

  motionFrame(cameraId: string, timeMs: number, frame: HookFrame): void {
    const last = this.lastMotion.get(cameraId) ?? -Infinity;
    if (timeMs - last < (this.o.motionEveryMs ?? 1000)) return;
    const pool = this.o.service.ensurePool();
    if (!pool.readyCount()) return;
    const img = toImage(frame);
    const job = pool.tryAnalyze(img, { maxFaces: 4, minDescribePx: FACE_PARAMS.minFacePx * 0.9 });
    const c = this.countersOf(cameraId);
    if (!job) {
      c.dropped++;
      return;
    }
    this.lastMotion.set(cameraId, timeMs);
    const p = job
      .then(async (r) => {
        if (!r) return;
        c.analysed++;
        for (const f of r.faces) this.o.service.tracks.capability.recordFace(cameraId, f.quality.sizePx);
        // the biggest face with a descriptor; the others are remembered for the badge check (two people on one badge)
        const faces = [...r.faces].sort((a, b) => b.quality.sizePx - a.quality.sizePx);
        for (const [i, face] of faces.entries()) {
          const match = this.o.service.match(face);
          const jpeg = await faceCropJpeg(img, face.box);
          const s: Sighting = { cameraId, timeMs, fromMs: timeMs, toMs: timeMs, trackId: null, face, match, jpeg, cropId: null };
          if (i === 0 && face.descriptor && !this.repeated(cameraId, timeMs, face.descriptor)) {
            this.lastMotionFace.set(cameraId, { timeMs, descriptor: face.descriptor });
            const info = this.keep({ cameraId, trackId: `motion-${timeMs}`, timeMs, face, frameWidth: img.width, frameHeight: img.height, jpeg, match }, null, null);
            s.cropId = info.cropId;
          }
          this.remember(s);
        }
      })
      .catch((err: unknown) => log.debug(`face analysis of a motion frame on ${cameraId} failed: ${(err as Error).message}`));
    this.track(p);
  }

  cameraStopped(cameraId: string): void {
    this.o.service.tracks.dropCamera(cameraId);
    for (const k of [...this.announced.keys()]) if (k.startsWith(`${cameraId}\u0000`)) this.announced.delete(k);
    this.lastMotion.delete(cameraId);
    this.lastMotionFace.delete(cameraId);
  }

  /** Faces seen on these cameras between fromMs and toMs (the last minute is kept). */
  recent(cameraIds: readonly string[], fromMs: number, toMs: number): Sighting[] {
    const out: Sighting[] = [];
    for (const id of cameraIds) for (const s of this.sightings.get(id) ?? []) if (s.toMs >= fromMs && s.fromMs <= toMs) out.push(s);
    return out;
  }

  /** Wait for the analyses in flight (tests, stop). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private repeated(cameraId: string, timeMs: number, d: Float32Array): boolean {
    const last = this.lastMotionFace.get(cameraId);
    if (!last || !last.descriptor || timeMs - last.timeMs > (this.o.repeatMs ?? 10_000)) return false;
    return euclidean(last.descriptor, d) <= FACE_PARAMS.threshold;
  }

  private remember(s: Sighting): void {
    const list = this.sightings.get(s.cameraId) ?? [];
    // a track's newer best face replaces its older one
    const i = s.trackId === null ? -1 : list.findIndex((x) => x.trackId === s.trackId);
    if (i >= 0) list.splice(i, 1);
    list.push(s);
    const keepFrom = s.toMs - (this.o.memoryMs ?? 60_000);
    while (list.length && (list.length > MAX_SIGHTINGS_PER_CAMERA || list[0]!.toMs < keepFrom)) list.shift();
    this.sightings.set(s.cameraId, list);
  }

  /** Keep the face as a sealed crop, push faces.match, and give the event its match. */
  private keep(r: TrackFaceResult, eventId: number | null, trackId: number | null): FaceMatchInfo {
    const svc = this.o.service;
    let cropId: string | null = null;
    try {
      cropId = svc.keepTrackFace(r).id;
    } catch (err) {
      log.warn(`could not keep a face crop on ${r.cameraId}: ${(err as Error).message}`);
    }
    const m = r.match;
    const person = m.match ? svc.store.findPerson(m.personId) : null;
    const info: FaceMatchInfo = {
      personId: m.match ? m.personId : null,
      name: person?.name ?? null,
      groups: person?.groups ?? [],
      distance: m.distance === null ? null : Math.round(m.distance * 1000) / 1000,
      reason: m.match ? null : m.reason,
      quality: Math.round(r.face.quality.score * 1000) / 1000,
      sizePx: Math.round(r.face.quality.sizePx),
      cropId,
    };
    if (m.match) this.countersOf(r.cameraId).matched++;
    if (trackId !== null) {
      const list = this.sightings.get(r.cameraId) ?? [];
      const s = list.find((x) => x.trackId === trackId);
      if (s) s.cropId = cropId;
      else this.remember({ cameraId: r.cameraId, timeMs: r.timeMs, fromMs: r.timeMs, toMs: r.timeMs, trackId, face: r.face, match: m, jpeg: r.jpeg, cropId });
    }
    this.o.bus.emit('faces.match', { ...info, cameraId: r.cameraId, time: new Date(r.timeMs).toISOString(), eventId, trackId });
    return info;
  }
}

function toImage(f: HookFrame): FaceImage {
  return { data: new Uint8Array(f.frame.buffer, f.frame.byteOffset, f.frame.length), width: f.w, height: f.h, order: 'bgr' };
}
