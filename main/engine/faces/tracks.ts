/**
 * Faces of person tracks. The detection service (wave 2 wiring) offers the
 * best frames of each person track: the frame (at the camera's resolution,
 * not the detector's 416-pixel copy) and the person's box. TrackFaces looks
 * for a face in the upper body only, keeps the best face of the track by
 * quality, and when the track ends matches it against the enrolled people.
 *
 * Bounded: a crop goes to the face worker only when a worker is free
 * (otherwise it is dropped), at most `maxAnalysesPerTrack` per track, none
 * once the track has a face of `goodEnough` quality, and at most `maxTracks`
 * open tracks (the oldest is finished early).
 */
import type { FacePool, FaceImage, WorkerFace } from './pool.js';
import { matchFace, type GalleryEntry, type MatchResult, type MatchOptions } from './match.js';
import { FaceCapability } from './capability.js';
import { FACE_PARAMS } from './params.js';
import { faceCropJpeg } from './images.js';
import type { Box } from '../../../native-workers/face-geometry.js';

/** A person box as the detector gives it: [x1, y1, x2, y2] in 0..1 of the frame. */
export type NormBox = [number, number, number, number];

export interface PersonSighting {
  cameraId: string;
  trackId: string;
  timeMs: number;
  frame: FaceImage;
  personBox: NormBox;
}

export interface TrackFace {
  cameraId: string;
  trackId: string;
  /** When the kept face was seen. */
  timeMs: number;
  /** The face in frame pixels, with its quality and descriptor. */
  face: WorkerFace;
  frameWidth: number;
  frameHeight: number;
  /** A 160-pixel JPEG crop of the face (evidence; seal it with FaceStore.addCrop). */
  jpeg: Buffer;
}

export interface TrackFaceResult extends TrackFace {
  match: MatchResult;
}

export type OfferOutcome = 'analysed' | 'no-face' | 'dropped' | 'skipped' | 'failed';

/**
 * The part of a person box where the face is: the top 40 % of the box,
 * widened by 15 % on each side and raised by 5 % of its height (heads cut by
 * the box top), in frame pixels.
 */
export function upperBodyRegion(box: NormBox, width: number, height: number): Box {
  const [x1, y1, x2, y2] = box;
  const w = x2 - x1;
  const h = y2 - y1;
  // A close-up (door camera: head and shoulders, box not much taller than wide) has the face in most of the box.
  const bottom = isCloseUp(box, width, height) ? y2 : y1 + 0.4 * h;
  return [Math.max(0, (x1 - 0.15 * w) * width), Math.max(0, (y1 - 0.05 * h) * height), Math.min(width, (x2 + 0.15 * w) * width), Math.min(height, bottom * height)];
}

/** A person box less than this many times as tall as wide (in pixels) is a close-up: the whole box is searched. */
export const CLOSE_UP_RATIO = 1.5;

export function isCloseUp(box: NormBox, width: number, height: number): boolean {
  return (box[3] - box[1]) * height < CLOSE_UP_RATIO * (box[2] - box[0]) * width;
}

export interface TrackFacesOptions {
  pool: FacePool;
  /** The enrolled faces (FaceStore.gallery). */
  gallery: () => readonly GalleryEntry[];
  capability?: FaceCapability;
  match?: MatchOptions;
  maxAnalysesPerTrack?: number;
  goodEnough?: number;
  maxTracks?: number;
}

interface OpenTrack {
  cameraId: string;
  trackId: string;
  analyses: number;
  best: TrackFace | null;
  touched: number;
}

export class TrackFaces {
  readonly capability: FaceCapability;
  private tracks = new Map<string, OpenTrack>();
  private touch = 0;

  constructor(private readonly opts: TrackFacesOptions) {
    this.capability = opts.capability ?? new FaceCapability();
  }

  openTracks(): number {
    return this.tracks.size;
  }

  /**
   * Offer a frame of a person track. Resolves when the face worker answered
   * (or at once when it was busy: 'dropped'). Never throws for a bad frame.
   */
  async offer(s: PersonSighting): Promise<OfferOutcome> {
    const key = `${s.cameraId}\u0000${s.trackId}`;
    const { width, height } = s.frame;
    // a standing person's face is about a tenth of their height; a close-up's is not (its faces are measured below)
    if (!isCloseUp(s.personBox, width, height)) this.capability.recordPerson(s.cameraId, (s.personBox[3] - s.personBox[1]) * height);
    let t = this.tracks.get(key);
    if (t && (t.analyses >= (this.opts.maxAnalysesPerTrack ?? 6) || (t.best?.face.quality.score ?? 0) >= (this.opts.goodEnough ?? 0.85))) return 'skipped';
    // Too small to be worth a worker run: the whole head would be under the minimum face size.
    const estFace = (s.personBox[3] - s.personBox[1]) * height * 0.1;
    if (estFace < (this.opts.match?.minFacePx ?? FACE_PARAMS.minFacePx) / 2) return 'skipped';
    const region = upperBodyRegion(s.personBox, width, height);
    const job = this.opts.pool.tryAnalyze(s.frame, { regions: [region], maxFaces: 2, minDescribePx: (this.opts.match?.minFacePx ?? FACE_PARAMS.minFacePx) * 0.9 });
    if (!job) return 'dropped';
    let r;
    try {
      r = await job;
    } catch {
      return 'failed';
    }
    if (!r) return 'failed';
    if (!t) {
      t = { cameraId: s.cameraId, trackId: s.trackId, analyses: 0, best: null, touched: ++this.touch };
      this.tracks.set(key, t);
      this.evict();
    }
    t.analyses++;
    t.touched = ++this.touch;
    // The face nearest the top centre of the person box is theirs (a second face may be someone behind).
    const cx = ((s.personBox[0] + s.personBox[2]) / 2) * width;
    const face = [...r.faces].sort((a, b) => Math.abs((a.box[0] + a.box[2]) / 2 - cx) - Math.abs((b.box[0] + b.box[2]) / 2 - cx))[0];
    if (!face) return 'no-face';
    this.capability.recordFace(s.cameraId, face.quality.sizePx);
    if (!t.best || face.quality.score > t.best.face.quality.score) {
      t.best = { cameraId: s.cameraId, trackId: s.trackId, timeMs: s.timeMs, face, frameWidth: width, frameHeight: height, jpeg: await faceCropJpeg(s.frame, face.box) };
    }
    return 'analysed';
  }

  /** The best face so far with its match, without ending the track (null: no face yet). */
  current(cameraId: string, trackId: string): TrackFaceResult | null {
    const t = this.tracks.get(`${cameraId}\u0000${trackId}`);
    return t?.best ? { ...t.best, match: this.matchOf(t.best) } : null;
  }

  /** End a track: its best face and match, or null when no face was found. Frees the track. */
  end(cameraId: string, trackId: string): TrackFaceResult | null {
    const key = `${cameraId}\u0000${trackId}`;
    const t = this.tracks.get(key);
    this.tracks.delete(key);
    return t?.best ? { ...t.best, match: this.matchOf(t.best) } : null;
  }

  /** Drop every open track of a camera (camera removed or face recognition turned off). */
  dropCamera(cameraId: string): void {
    for (const [k, t] of this.tracks) if (t.cameraId === cameraId) this.tracks.delete(k);
  }

  private matchOf(f: TrackFace): MatchResult {
    return matchFace(f.face, this.opts.gallery(), this.opts.match);
  }

  private evict(): void {
    const max = this.opts.maxTracks ?? 256;
    while (this.tracks.size > max) {
      let oldest: string | null = null;
      let t = Infinity;
      for (const [k, v] of this.tracks) {
        if (v.touched < t) {
          t = v.touched;
          oldest = k;
        }
      }
      if (oldest === null) return;
      this.tracks.delete(oldest);
    }
  }
}
