/**
 * Links from an event into the recorded media (the routes of
 * media-http.ts): a snapshot of the moment and the pre/post-roll range to
 * play. Alarms and access-log entries carry them.
 */
import type { AlarmMedia } from '../../api/alarms.js';

export interface MediaWindow {
  preRollSeconds: number;
  postRollSeconds: number;
}

export function mediaFor(cameraIds: string[], atMs: number, w: MediaWindow): AlarmMedia[] {
  const at = new Date(atMs).toISOString();
  return cameraIds.map((cameraId) => ({
    cameraId,
    snapshotUrl: `/api/media/${encodeURIComponent(cameraId)}/snapshot.jpg?at=${encodeURIComponent(at)}`,
    from: new Date(atMs - w.preRollSeconds * 1000).toISOString(),
    to: new Date(atMs + w.postRollSeconds * 1000).toISOString(),
  }));
}
