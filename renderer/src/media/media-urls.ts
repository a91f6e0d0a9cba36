/**
 * URLs of the engine's media routes (served by the recorder under
 * /api/media/, see docs/recording.md). Kept in one place so the players
 * follow the engine when a route changes.
 */
/**
 * The segment map for MSE playback of [from, to): segment ids, times,
 * codecs, init and media URLs (media retimed so media time 0 = `origin`),
 * and the gaps with their reasons.
 */
export function mapUrl(cameraId: string, from: number, to: number, origin: number): string {
  return `/api/media/${encodeURIComponent(cameraId)}/map.json?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&origin=${Math.round(origin)}`;
}

/** One segment of map.json. */
export interface MapSegment {
  id: number;
  start: string;
  end: string;
  startMs: number;
  endMs: number;
  bytes: number;
  codec: string | null;
  mime: string;
  width: number | null;
  height: number | null;
  initHash: string | null;
  /** Init segment (ftyp+moov) URL; absent when `url` is a whole self-contained file. */
  init?: string;
  url: string;
}

export interface MapGap {
  start: string;
  end: string;
  reason: string;
  open?: boolean;
}

export interface SegmentMap {
  cameraId: string;
  from: string;
  to: string;
  originMs: number;
  segments: MapSegment[];
  gaps: MapGap[];
}

/** A JPEG of the camera now, or at a time. */
export function snapshotUrl(cameraId: string, at?: string | number): string {
  const q = at === undefined ? '' : `?at=${encodeURIComponent(typeof at === 'number' ? new Date(at).toISOString() : at)}`;
  return `/api/media/${encodeURIComponent(cameraId)}/snapshot.jpg${q}`;
}
