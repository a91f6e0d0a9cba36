/**
 * Per-camera "face-capable" estimate: are the faces this camera sees big
 * enough to recognise? From the face widths measured on the camera's
 * pictures when there are enough of them, else from the heights of the
 * persons the detector boxed (a face is about a tenth of a standing
 * person's height). The vtest clip's people are 60–130 px tall: faces of
 * 6–13 px, "too small". Bounded memory: the last 200 samples of each kind.
 */
import { FACE_PARAMS } from './params.js';

export type FaceCapabilityState = 'unknown' | 'too-small' | 'marginal' | 'capable';

export interface FaceCapabilityEstimate {
  state: FaceCapabilityState;
  /** Median face width in the camera's pixels (measured or estimated), null without samples. */
  medianFacePx: number | null;
  basis: 'faces' | 'persons' | 'none';
  samples: number;
  /** One sentence for the console. */
  message: string;
}

/** Face width ≈ this × a standing person's box height. */
export const FACE_PER_PERSON_HEIGHT = 0.1;
const WINDOW = 200;
const MIN_SAMPLES = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export class FaceCapability {
  private faces = new Map<string, number[]>();
  private persons = new Map<string, number[]>();

  constructor(private readonly opts: { minFacePx?: number; capablePx?: number } = {}) {}

  /** A face seen on the camera, width in the camera's own pixels. */
  recordFace(cameraId: string, widthPx: number): void {
    push(this.faces, cameraId, widthPx);
  }

  /** A person the detector boxed, height in the camera's own pixels. */
  recordPerson(cameraId: string, heightPx: number): void {
    push(this.persons, cameraId, heightPx * FACE_PER_PERSON_HEIGHT);
  }

  forget(cameraId: string): void {
    this.faces.delete(cameraId);
    this.persons.delete(cameraId);
  }

  estimate(cameraId: string): FaceCapabilityEstimate {
    const minPx = this.opts.minFacePx ?? FACE_PARAMS.minFacePx;
    const goodPx = this.opts.capablePx ?? FACE_PARAMS.capablePx;
    const f = this.faces.get(cameraId) ?? [];
    const p = this.persons.get(cameraId) ?? [];
    const basis = f.length >= MIN_SAMPLES ? 'faces' : p.length >= MIN_SAMPLES ? 'persons' : 'none';
    if (basis === 'none') {
      return { state: 'unknown', medianFacePx: null, basis, samples: f.length + p.length, message: 'not enough people seen yet to judge the face size' };
    }
    const xs = basis === 'faces' ? f : p;
    const med = Math.round(median(xs) * 10) / 10;
    const how = basis === 'faces' ? 'faces are' : 'faces are estimated at';
    let state: FaceCapabilityState;
    let message: string;
    if (med < minPx) {
      state = 'too-small';
      message = `${how} about ${Math.round(med)} px wide, too small to recognise (needs ${minPx} px; ${goodPx}+ is reliable): use a closer camera, a longer lens or the main stream`;
    } else if (med < goodPx) {
      state = 'marginal';
      message = `${how} about ${Math.round(med)} px wide: recognition works for people close to the camera (${goodPx}+ px is reliable)`;
    } else {
      state = 'capable';
      message = `${how} about ${Math.round(med)} px wide: large enough to recognise`;
    }
    return { state, medianFacePx: med, basis, samples: xs.length, message };
  }
}

function push(m: Map<string, number[]>, k: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0) return;
  const a = m.get(k) ?? [];
  a.push(v);
  if (a.length > WINDOW) a.splice(0, a.length - WINDOW);
  m.set(k, a);
}
