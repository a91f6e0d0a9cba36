/**
 * A read-only window into the players for the benchmark, the e2e tests and
 * a curious engineer in devtools: `window.__gatehouseVideo.live()` lists
 * every live player with its status and counters.
 */
import type { LivePlayer } from './live-player.js';

const live = new Set<LivePlayer>();

export function registerPlayer(p: LivePlayer): () => void {
  live.add(p);
  return () => live.delete(p);
}

export interface LiveDebugRow {
  cameraId: string | null;
  stream: string | null;
  phase: string;
  message: string | null;
  codec: string | null;
  currentTime: number;
  bytes: number;
  fragments: number;
  reconnects: number;
  firstFrameMs: number | null;
  lag: number;
  buffered: number;
  droppedFrames: number;
  totalFrames: number;
}

function rows(): LiveDebugRow[] {
  return [...live].map((p) => ({
    cameraId: p.video.dataset.camera ?? null,
    stream: p.video.dataset.stream ?? null,
    phase: p.status.phase,
    message: p.status.message,
    codec: p.status.codec,
    currentTime: p.video.currentTime,
    ...p.stats,
  }));
}

if (typeof window !== 'undefined') {
  (window as unknown as { __gatehouseVideo?: unknown }).__gatehouseVideo = { live: rows };
}
