/**
 * Object detection: per-camera settings and status, detection zones, the
 * review list of object events, and the pushed events (`detection.object`,
 * `detection.zone`, `detection.motion`, `detection.frame`). Part of the one
 * API contract, merged in contract.ts. Imported by the renderer too: no
 * Node APIs here.
 *
 * The zone and motion events are the interface with the rules engine
 * (docs/detection.md "Zone events"; notes/issue15-interface.md): keep their
 * shapes exactly.
 */
import { z } from 'zod';
import { MaskPolygon, type Point } from './masks.js';

const CameraId = z.string().min(1).max(80);
const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time such as 2026-11-26T08:00:00Z');

/** Box [x1, y1, x2, y2], each 0..1 of the frame width/height. */
export type NormBox = [number, number, number, number];

// ------------------------------------------------------------------ labels and settings

/**
 * What the detector can report, as events name it. The model knows the 80 COCO
 * classes; car, bus and truck are one `vehicle`, and bird, cat, dog, horse,
 * sheep, cow, elephant, bear, zebra and giraffe are one `animal`. The rest of
 * COCO (chairs, cups…) never makes an event.
 */
export const OBJECT_LABELS = ['person', 'vehicle', 'bicycle', 'motorcycle', 'animal'] as const;
export type ObjectLabel = (typeof OBJECT_LABELS)[number];
export const ObjectLabel = z.enum(OBJECT_LABELS, { message: `a label is one of ${OBJECT_LABELS.join(', ')}` });

/** Limits of the per-camera settings (the console's fields and the CLI check against these too). */
export const DETECTION_LIMITS = {
  fps: { min: 1, max: 5 },
  /** Worker threshold is 0.3: nothing below it reaches the engine. */
  minScore: { min: 0.3, max: 0.95 },
  minSize: { min: 0, max: 4000 },
} as const;

/** Per-camera detection settings as stored in config.json (`cameras[].detection`); absent fields take the defaults. */
export const DetectionSettingsInput = z
  .object({
    /** Absent: on for the demo cameras that show the test clip, off elsewhere. */
    enabled: z.boolean().optional(),
    /** Labels that make events (at least one). */
    labels: z.array(ObjectLabel).min(1, 'pick at least one label (or turn detection off)').max(OBJECT_LABELS.length).optional(),
    /** Frames looked at per second, 1-5. */
    fps: z
      .number()
      .int('frame rate is a whole number of frames per second')
      .min(DETECTION_LIMITS.fps.min, `frame rate is at least ${DETECTION_LIMITS.fps.min} fps`)
      .max(DETECTION_LIMITS.fps.max, `frame rate is at most ${DETECTION_LIMITS.fps.max} fps`)
      .optional(),
    /** A track makes an event once its best score reaches this (0.3-0.95). */
    minScore: z
      .number()
      .min(DETECTION_LIMITS.minScore.min, `minimum score is at least ${DETECTION_LIMITS.minScore.min}`)
      .max(DETECTION_LIMITS.minScore.max, `minimum score is at most ${DETECTION_LIMITS.minScore.max}`)
      .optional(),
    /** Smallest object: the longer side of its box, in pixels of the camera's main picture. */
    minSize: z
      .number()
      .int('minimum size is a whole number of pixels')
      .min(DETECTION_LIMITS.minSize.min, 'minimum size cannot be negative')
      .max(DETECTION_LIMITS.minSize.max, `minimum size is at most ${DETECTION_LIMITS.minSize.max} px`)
      .optional(),
    /** Which live stream is decoded: the sub stream (default; cheaper) or the main stream. */
    stream: z.enum(['sub', 'main']).optional(),
  })
  .strict();
export type DetectionSettingsInput = z.infer<typeof DetectionSettingsInput>;

/** Settings with every default filled in. */
export interface DetectionSettings {
  enabled: boolean;
  labels: ObjectLabel[];
  fps: number;
  minScore: number;
  minSize: number;
  stream: 'sub' | 'main';
}

export const DETECTION_DEFAULTS: Omit<DetectionSettings, 'enabled'> = {
  labels: [...OBJECT_LABELS],
  fps: 2,
  minScore: 0.5,
  minSize: 0,
  stream: 'sub',
};

// ------------------------------------------------------------------ zones

export const MAX_ZONES_PER_CAMERA = 32;
const ZoneId = z.string().regex(/^z_[a-z0-9]{4,32}$/, 'zone id looks like z_1a2b3c4d');
const ZoneName = z
  .string()
  .trim()
  .min(1, 'a zone needs a name')
  .max(64, 'zone name is longer than 64 characters')
  .refine((s) => !/^z_[a-z0-9]{4,32}$/.test(s), 'a zone name may not look like a zone id (z_…)');
const Dwell = z.number().min(0, 'minimum dwell cannot be negative').max(86_400, 'minimum dwell is at most 86400 s (a day)');
const Inertia = z.number().int('inertia is a whole number of frames').min(1, 'inertia is at least 1 frame').max(20, 'inertia is at most 20 frames');

/** One zone as stored in config.json (`cameras[].zones[]`). Coordinates 0-1 of the picture, as masks. */
export const StoredZone = z
  .object({
    id: ZoneId,
    name: ZoneName,
    polygon: MaskPolygon,
    /** Labels this zone reports; empty = every label the camera detects. */
    labels: z.array(ObjectLabel).max(OBJECT_LABELS.length).default([]),
    /** Seconds an object must stay inside before its `dwell` event (loitering); 0 = at once. */
    minDwellSeconds: Dwell.default(0),
    /** Consecutive detection frames the box's bottom centre must be inside before `enter`, and outside before `leave`. */
    inertiaFrames: Inertia.default(3),
  })
  .strict();
export type StoredZone = z.output<typeof StoredZone>;

/** A zone as consoles see it: the stored zone and its camera. */
export interface CameraZone extends StoredZone {
  cameraId: string;
}

const ZoneFields = {
  name: ZoneName,
  polygon: MaskPolygon,
  labels: z.array(ObjectLabel).max(OBJECT_LABELS.length).optional(),
  minDwellSeconds: Dwell.optional(),
  inertiaFrames: Inertia.optional(),
};

// ------------------------------------------------------------------ review list

export const REVIEW_KINDS = ['all', 'alerts', 'detections'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];

/** One object event in the review list. */
export interface ReviewItem {
  /** events.id of the object event. */
  id: number;
  cameraId: string;
  label: string;
  /** Best score of the track. */
  score: number;
  trackId: number;
  /** First seen, last seen (null while the object is still there). */
  start: string;
  end: string | null;
  /** Last (or best-shot) box, 0-1 of the picture. */
  box: NormBox;
  /** Zones the object entered (ids and names at the time). */
  zones: { id: string; name: string }[];
  /** True when an alarm references this object event (a rule raised it: alarm details.objectEventId). */
  alert: boolean;
  /** Alarms that reference it (ids), newest first; empty for a detection. */
  alarmIds: number[];
  /** A best-shot crop exists (fetch it with review.snapshot). */
  snapshot: boolean;
  reviewed: { at: string; by: string } | null;
  /** Face recognition cameras: the face match of a person track (api/faces.ts FaceMatchInfo); absent without a face. */
  face?: { personId: string | null; name: string | null; distance: number | null; reason: string | null; quality: number; cropId: string | null };
}

export interface ReviewSnapshot {
  id: number;
  /** The crop as a data: URL (image/jpeg), with the object's box drawn. */
  dataUrl: string;
  width: number;
  height: number;
  /** When the frame was taken. */
  time: string;
  /** Score × size × sharpness the frame won with. */
  quality: number;
}

// ------------------------------------------------------------------ requests

export const detectionRequests = {
  /** Per camera: settings, enabled, frames offered/processed/skipped, rates, last inference, objects now. */
  'detection.status': { role: 'guard', input: z.object({ cameraId: CameraId.optional() }).strict() },
  /** Turn detection on or off for a camera (kept in config.json, `cameras[].detection.enabled`). */
  'detection.setEnabled': { role: 'admin', input: z.object({ cameraId: CameraId, enabled: z.boolean() }).strict() },
  /** Change a camera's detection settings (a running engine applies them within a second). */
  'detection.update': { role: 'admin', input: z.object({ cameraId: CameraId, patch: DetectionSettingsInput }).strict() },

  /** Zones of one camera, or of every camera. */
  'zones.list': { role: 'guard', input: z.object({ cameraId: CameraId.optional() }).strict() },
  'zones.add': { role: 'admin', input: z.object({ cameraId: CameraId, ...ZoneFields }).strict() },
  'zones.update': {
    role: 'admin',
    input: z
      .object({
        id: ZoneId,
        name: ZoneName.optional(),
        polygon: MaskPolygon.optional(),
        labels: ZoneFields.labels,
        minDwellSeconds: ZoneFields.minDwellSeconds,
        inertiaFrames: ZoneFields.inertiaFrames,
      })
      .strict(),
  },
  'zones.remove': { role: 'admin', input: z.object({ id: ZoneId }).strict() },
  /** Replace every zone of a camera (what the zone editor saves): known ids are kept, new zones get one, missing ones go. */
  'zones.replace': {
    role: 'admin',
    input: z
      .object({
        cameraId: CameraId,
        zones: z
          .array(z.object({ id: ZoneId.optional(), ...ZoneFields }).strict())
          .max(MAX_ZONES_PER_CAMERA, `a camera has at most ${MAX_ZONES_PER_CAMERA} zones`),
      })
      .strict(),
  },

  /** Object events for review, newest first, keyset-paged. `zone` is a zone id or name. */
  'review.list': {
    role: 'guard',
    input: z
      .object({
        cameraId: CameraId.optional(),
        label: z.string().min(1).max(40).optional(),
        zone: z.string().min(1).max(64).optional(),
        from: IsoTime.optional(),
        to: IsoTime.optional(),
        kind: z.enum(REVIEW_KINDS).default('all'),
        /** true: only reviewed; false: only not yet reviewed. */
        reviewed: z.boolean().optional(),
        cursor: z.string().max(200).nullish(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
  },
  /** Mark object events reviewed (or not): who and when, per event. Audited. */
  'review.mark': {
    role: 'guard',
    input: z.object({ ids: z.array(z.number().int().positive()).min(1).max(500), reviewed: z.boolean().default(true) }).strict(),
  },
  /** The best-shot crop of an object event. */
  'review.snapshot': { role: 'guard', input: z.object({ id: z.number().int().positive() }).strict() },
} as const;

// ------------------------------------------------------------------ status

export interface DetectionObjectNow {
  trackId: number;
  label: string;
  score: number;
  box: NormBox;
  since: string;
}

export interface DetectionCameraStatus {
  cameraId: string;
  enabled: boolean;
  /** The camera's settings, defaults filled in. */
  settings: DetectionSettings;
  /** Zones and detection masks in use. */
  zones: number;
  motionMasks: number;
  objectMasks: number;
  /** 'off' | 'starting' (waiting for video or the model) | 'running' | 'error' */
  state: 'off' | 'starting' | 'running' | 'error';
  /** Decoded frames per second over the last ~10 s. */
  fps: number;
  /** Inferences per second over the last ~10 s (frames that passed the motion gate and found the detector free). */
  inferFps: number;
  /** No motion for a while (10 s): the decoder only decodes key frames (one per GOP) until something moves. */
  idle: boolean;
  /** Software motion now (the motion gate, outside the motion masks). */
  motion: boolean;
  /** Frames the decoder delivered for detection, since start (≈ fps per second; one per GOP while idle). */
  offered: number;
  /** Frames looked at (inferred + gated), since start. processed ÷ offered near 1 means the detector keeps up. */
  processed: number;
  /** Frames never looked at (newest-frame-wins: a newer frame replaced them while the detector was busy, or the worker failed), since start. */
  skipped: number;
  /** Same as `skipped` (older name). */
  dropped: number;
  /** Frames skipped by the motion gate, since start. */
  gated: number;
  /** Engine time per inferred frame in the detector worker (pre-processing, session.run, decoding), ms, moving average. */
  msPerFrame: number | null;
  /** session.run time of the last request this camera's frame was part of (one batch may hold several cameras' frames). */
  lastInferenceMs: number | null;
  lastInferenceAt: string | null;
  objects: DetectionObjectNow[];
  error: string | null;
}

export interface DetectionStatus {
  /** Model loaded in a worker. */
  ready: boolean;
  workers: number;
  /** ORT threads per worker. */
  threads: number;
  /** Most frames (of several cameras) per session.run; 1 = no batching. */
  maxBatch: number;
  /** Mean frames per request so far. */
  meanBatch: number;
  /** Model file, and which of the two ('float' | 'int8', the detectionModel setting). */
  model: string;
  modelKind: 'float' | 'int8';
  /** Engine ms per inferred frame over every camera (moving average); null before the first. */
  msPerFrame: number | null;
  /** Workers that crashed or hung (each restarted), since the engine started. */
  crashes: number;
  restarts: number;
  error: string | null;
  cameras: DetectionCameraStatus[];
}

export interface DetectionResults {
  'detection.status': DetectionStatus;
  'detection.setEnabled': DetectionCameraStatus;
  'detection.update': DetectionCameraStatus;
  'zones.list': CameraZone[];
  'zones.add': CameraZone;
  'zones.update': CameraZone;
  'zones.remove': { ok: true };
  'zones.replace': CameraZone[];
  'review.list': { items: ReviewItem[]; nextCursor: string | null };
  'review.mark': { marked: number };
  'review.snapshot': ReviewSnapshot;
}

// ------------------------------------------------------------------ events

/** A tracked object and a zone: emitted by the detection service, and stored in `events` (kind 'zone') first. */
export interface ZoneObjectEvent {
  cameraId: string;
  zoneId: string; // stable id of the zone (cameras[].zones[].id)
  zone: string; // the zone's name at the time
  label: string; // person | vehicle | bicycle | animal | ...
  trackId: number; // the tracker's id (unique per camera and engine run)
  objectEventId: number; // events.id of the track's 'object' event (one per tracked object)
  phase: 'enter' | 'dwell' | 'leave';
  /** Seconds the object has been inside the zone (0 at enter; >= the zone's minDwellSeconds at dwell). */
  dwellSeconds: number;
  /** Objects of this label inside the zone at this moment (for "minimum count" conditions). */
  count: number;
  time: string; // ISO, when it happened (frame time)
  /** events.id of the zone event row. */
  eventId: number;
}

/** Software motion on a camera (motion gate changes), for cameras that send no ONVIF motion. */
export interface MotionEvent {
  cameraId: string;
  phase: 'start' | 'end';
  time: string; // ISO
  /** Share of the frame's cells that changed, 0..1 (peak for 'end'). */
  score: number;
  eventId: number; // events.id of the motion event row (kind 'motion', source 'software')
}

/** One object on a detection frame (live boxes). */
export interface FrameObject {
  trackId: number;
  label: string;
  score: number;
  box: NormBox;
}

/**
 * The objects on one detection frame of a camera, for live boxes. `mediaTime`
 * is the frame's presentation time in each live stream's fMP4 timeline
 * (seconds, what a <video> playing that stream reports as currentTime), so a
 * console draws the boxes with the picture they belong to, not on arrival.
 * Sent for every frame looked at while objects are on screen, and once
 * empty when the last one goes.
 */
export interface DetectionFrameEvent {
  cameraId: string;
  /** The stream detection decodes. */
  stream: 'sub' | 'main';
  mediaTime: { sub: number | null; main: number | null };
  /** Wall time the frame arrived from the camera. */
  time: string;
  objects: FrameObject[];
}

export interface DetectionEvents {
  /** An object track started (seen on enough consecutive inferences). Persisted (events kind "object") before it is sent. */
  'detection.object': { cameraId: string; label: string; score: number; box: NormBox; trackId: number; time: string; id?: number };
  /** A tracked object entered, dwelt in or left a zone. Persisted (events kind "zone") before it is sent. */
  'detection.zone': ZoneObjectEvent;
  /** Software motion started or ended on a camera. Persisted (events kind "motion", source "software") before it is sent. */
  'detection.motion': MotionEvent;
  /** The objects on a detection frame (live boxes); not persisted. */
  'detection.frame': DetectionFrameEvent;
  /** A camera's zones changed (API, CLI or an edit of config.json). */
  'zones.changed': { cameraId: string };
  /** Object events were marked reviewed or not. */
  'review.changed': { ids: number[]; reviewed: boolean; by: string };
}

export const DETECTION_EVENT_NAMES = ['detection.object', 'detection.zone', 'detection.motion', 'detection.frame', 'zones.changed', 'review.changed'] as const;

export type { Point };
