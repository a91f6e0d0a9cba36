/**
 * Object detection: per-camera status and enable switch, and the pushed
 * `detection.object` event. Part of the one API contract, merged in
 * contract.ts. Imported by the renderer too: no Node APIs here.
 */
import { z } from 'zod';

const CameraId = z.string().min(1).max(80);

/** Box [x1, y1, x2, y2], each 0..1 of the frame width/height. */
export type NormBox = [number, number, number, number];

export const detectionRequests = {
  /** Per camera: enabled, frames looked at and inferred per second, last inference time, objects now. */
  'detection.status': { role: 'guard', input: z.object({ cameraId: CameraId.optional() }).strict() },
  /** Turn detection on or off for a camera (kept across restarts). */
  'detection.setEnabled': { role: 'admin', input: z.object({ cameraId: CameraId, enabled: z.boolean() }).strict() },
} as const;

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
  /** 'off' | 'starting' (waiting for video or the model) | 'running' | 'error' */
  state: 'off' | 'starting' | 'running' | 'error';
  /** Decoded frames per second over the last ~10 s. */
  fps: number;
  /** Inferences per second over the last ~10 s (frames that passed the motion gate and found the detector free). */
  inferFps: number;
  /** No motion for a while (10 s): the decoder only decodes key frames (one per GOP) until something moves. */
  idle: boolean;
  /** Frames the decoder delivered for detection, since start (≈ 2 per second; one per GOP while idle). */
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
}

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

export interface DetectionEvents {
  /** An object track started (seen on enough consecutive inferences). Persisted (events kind "object") before it is sent. */
  'detection.object': { cameraId: string; label: string; score: number; box: NormBox; trackId: number; time: string; id?: number };
  /** An object entered, dwelt in or left a zone (issue 15 interface; persisted as events kind "zone" first). */
  'detection.zone': ZoneObjectEvent;
  /** Software motion started or ended on a camera (persisted as events kind "motion", source "software", first). */
  'detection.motion': MotionEvent;
}

export const DETECTION_EVENT_NAMES = ['detection.object', 'detection.zone', 'detection.motion'] as const;
