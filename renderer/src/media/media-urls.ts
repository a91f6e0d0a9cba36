/**
 * URLs of the engine's media routes (served by the recorder under
 * /api/media/, see docs/recording.md). Kept in one place so the players
 * follow the engine when a route changes.
 */
import type { MediaMap, MediaMapGap, MediaMapSegment } from '../../../main/api/contract.js';

/**
 * The segment map for MSE playback of [from, to): segment ids, times,
 * codecs, init and media URLs (media retimed so media time 0 = `origin`),
 * and the gaps with their reasons.
 */
export function mapUrl(cameraId: string, from: number, to: number, origin: number): string {
  return `/api/media/${encodeURIComponent(cameraId)}/map.json?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&origin=${Math.round(origin)}`;
}

/** The map.json shapes, typed once in the contract (main/api/media.ts). */
export type MapSegment = MediaMapSegment;
export type MapGap = MediaMapGap;
export type SegmentMap = MediaMap;

/** A JPEG of the camera now, or at a time. */
export function snapshotUrl(cameraId: string, at?: string | number): string {
  const q = at === undefined ? '' : `?at=${encodeURIComponent(typeof at === 'number' ? new Date(at).toISOString() : at)}`;
  return `/api/media/${encodeURIComponent(cameraId)}/snapshot.jpg${q}`;
}
