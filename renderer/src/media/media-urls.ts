/**
 * URLs of the engine's media routes (served by the recorder under
 * /api/media/, see docs/recording.md). Kept in one place so the players
 * follow the engine when a route changes.
 */
import type { Segment } from '../../../main/api/contract.js';

/** A recorded segment file: a self-contained fragmented MP4. */
export function segmentUrl(cameraId: string, seg: Segment): string {
  return `/api/media/${encodeURIComponent(cameraId)}/segment?start=${encodeURIComponent(seg.start)}&path=${encodeURIComponent(seg.path)}`;
}

/** A JPEG of the camera now, or at a time. */
export function snapshotUrl(cameraId: string, at?: string | number): string {
  const q = at === undefined ? '' : `?at=${encodeURIComponent(typeof at === 'number' ? new Date(at).toISOString() : at)}`;
  return `/api/media/${encodeURIComponent(cameraId)}/snapshot.jpg${q}`;
}
