/**
 * Per-camera detection settings and the filters they imply (pure; unit
 * tested in settings.test.ts): defaults, the detector's labels as events name
 * them, and which detections of a frame are kept (label, minimum size, object
 * masks).
 */
import { DETECTION_DEFAULTS, OBJECT_LABELS, type DetectionSettings, type NormBox, type ObjectLabel } from '../../api/detection.js';
import type { Point } from '../../api/masks.js';
import type { StoredCamera } from '../config/schema.js';
import { pointInPolygon } from './geometry.js';

/** Default on/off: on for the demo cameras that show people (vtest), off elsewhere. */
export function defaultEnabled(cam: Pick<StoredCamera, 'demo' | 'url'>): boolean {
  return cam.demo && /^demo:\/\/vtest(-offset)?$/.test(cam.url);
}

/** A camera's detection settings with the defaults filled in. */
export function detectionSettingsOf(cam: StoredCamera): DetectionSettings {
  const d = cam.detection ?? {};
  return {
    enabled: d.enabled ?? defaultEnabled(cam),
    labels: d.labels?.length ? [...d.labels] : [...DETECTION_DEFAULTS.labels],
    fps: d.fps ?? DETECTION_DEFAULTS.fps,
    minScore: d.minScore ?? DETECTION_DEFAULTS.minScore,
    minSize: d.minSize ?? DETECTION_DEFAULTS.minSize,
    stream: d.stream ?? DETECTION_DEFAULTS.stream,
  };
}

const ANIMALS = new Set(['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe']);

/**
 * The event label of a worker label (native-workers/yolox.ts already merges
 * car, bus and truck into `vehicle`): animals become `animal`, the labels an
 * NVR reports stay, everything else is null (never an event).
 */
export function eventLabel(workerLabel: string): ObjectLabel | null {
  if (ANIMALS.has(workerLabel)) return 'animal';
  return (OBJECT_LABELS as readonly string[]).includes(workerLabel) ? (workerLabel as ObjectLabel) : null;
}

/** The point of a box that says where an object is: the middle of its bottom edge (where it stands). */
export function bottomCentre(box: NormBox | readonly number[]): Point {
  return [(box[0]! + box[2]!) / 2, box[3]!];
}

export interface FrameFilter {
  labels: readonly string[];
  /** Smallest longer side of a box, in pixels of `picture`. */
  minSize: number;
  /** The picture the size is measured in (the camera's main picture). */
  picture: { width: number; height: number };
  /** Object masks: a detection whose bottom centre is inside one is dropped. */
  objectMasks: Point[][];
}

export interface RawDetection {
  label: string;
  score: number;
  box: NormBox;
  /** The worker's label before the event mapping (dog, car…). */
  cls?: string;
}

/** The detections of a frame an event may come from: known label, wanted, big enough, outside the object masks. */
export function filterDetections(dets: readonly { label: string; score: number; box: readonly number[] }[], f: FrameFilter): RawDetection[] {
  const out: RawDetection[] = [];
  for (const d of dets) {
    const label = eventLabel(d.label);
    if (!label || !f.labels.includes(label)) continue;
    const box = d.box as NormBox;
    if (f.minSize > 0) {
      const side = Math.max((box[2] - box[0]) * f.picture.width, (box[3] - box[1]) * f.picture.height);
      if (side < f.minSize) continue;
    }
    if (f.objectMasks.length) {
      const p = bottomCentre(box);
      if (f.objectMasks.some((m) => pointInPolygon(p, m))) continue;
    }
    out.push({ label, score: d.score, box, ...(label !== d.label ? { cls: d.label } : {}) });
  }
  return out;
}
