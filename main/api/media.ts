/**
 * Recorded media over HTTP (/api/media/<cameraId>/…, served by the
 * recorder's media routes; see docs/recording.md, "Playback API"): the
 * shapes of the JSON answers. Part of the one API contract, exported by
 * contract.ts. Imported by the renderer too: no Node APIs here.
 */
import type { GapReason } from './types.js';

/** One segment of map.json: a closed fMP4 file, playable through MSE. */
export interface MediaMapSegment {
  id: number;
  /** Wall-clock start and end, ISO 8601 UTC. */
  start: string;
  end: string;
  /** The same, in ms since the epoch. */
  startMs: number;
  endMs: number;
  /** Start and end on the media timeline of this map, seconds (media time 0 = `originMs`). */
  mediaStart: number;
  mediaEnd: number;
  bytes: number;
  /** MSE codecs value, e.g. `avc1.4d401e,mp4a.40.2`; null when unknown. */
  codec: string | null;
  /** The full MIME type for MediaSource.isTypeSupported / addSourceBuffer. */
  mime: string;
  width: number | null;
  height: number | null;
  /** Hash of the cleaned init segment: neighbours with the same hash share one init. */
  initHash: string | null;
  /** Kept as evidence: never deleted by retention. */
  locked: boolean;
  /** Init segment (ftyp+moov) URL. */
  init: string;
  /** Media fragments URL, retimed so media time 0 = `originMs`. */
  url: string;
}

/** A hole in the recording, with its reason. */
export interface MediaMapGap {
  start: string;
  end: string;
  reason: GapReason;
  /** Still going on (the camera is not recording now). */
  open: boolean;
}

/** `GET /api/media/<cameraId>/map.json?from=ISO&to=ISO[&origin=MS]`: what was recorded in [from, to). */
export interface MediaMap {
  cameraId: string;
  from: string;
  to: string;
  /** The wall-clock instant (ms since the epoch) at media time 0. */
  originMs: number;
  segments: MediaMapSegment[];
  gaps: MediaMapGap[];
  /** HLS playlist of the same range. */
  vod: string;
}
