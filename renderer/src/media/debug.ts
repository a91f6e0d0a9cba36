/**
 * A read-only window into the players for the benchmark, the e2e tests and
 * a curious engineer in devtools: `window.__gatehouseVideo.live()` lists
 * every live player with its status and counters.
 */
import type { LivePlayer } from './live-player.js';
import type { PlaybackPlayer } from './playback-player.js';

const live = new Set<LivePlayer>();
const playback = new Map<PlaybackPlayer, string>();

/** Hook the playback view's master clock in, for tests and the bench. */
let master: (() => { time: number; playing: boolean; rate: number }) | null = null;
export function registerMaster(fn: typeof master): () => void {
  master = fn;
  return () => {
    if (master === fn) master = null;
  };
}

export function registerPlayback(cameraId: string, p: PlaybackPlayer): () => void {
  playback.set(p, cameraId);
  return () => playback.delete(p);
}

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

function playbackRows() {
  return [...playback].map(([p, cameraId]) => ({
    cameraId,
    phase: p.status.phase,
    message: p.status.message,
    wallTime: p.wallTime,
    currentTime: p.video.currentTime,
    paused: p.video.paused,
    playbackRate: p.video.playbackRate,
    readyState: p.video.readyState,
  }));
}

if (typeof window !== 'undefined') {
  (window as unknown as { __gatehouseVideo?: unknown }).__gatehouseVideo = {
    live: rows,
    playback: playbackRows,
    master: () => master?.() ?? null,
  };
}
