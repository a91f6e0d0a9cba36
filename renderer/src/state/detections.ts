/**
 * Live boxes: the last few `detection.frame` events per camera, one copy per
 * client (a store per ApiClient, read without re-rendering: the overlay
 * draws on every video frame). And whether this console shows boxes (the
 * Live view's `O` key), kept in localStorage.
 */
import { useSyncExternalStore } from 'react';
import type { ApiClient } from '../api/client.js';
import { useClient } from '../api/context.js';
import type { HeldFrame } from '../media/box-sync.js';

/** Frames kept per camera: ~10 s at 3 fps, enough for a player up to that far behind live. */
const KEEP = 32;

export class DetectionFrames {
  private byCamera = new Map<string, HeldFrame[]>();
  private started = false;
  private users = 0;
  private off: (() => void) | null = null;

  constructor(private readonly client: ApiClient) {}

  /** Start listening while someone draws boxes. Returns the release. */
  retain(): () => void {
    this.users++;
    if (!this.started) {
      this.started = true;
      this.off = this.client.on('detection.frame', (f) => {
        const l = this.byCamera.get(f.cameraId) ?? [];
        l.push({ frame: f, arrivedAt: performance.now() });
        if (l.length > KEEP) l.splice(0, l.length - KEEP);
        this.byCamera.set(f.cameraId, l);
      });
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.users === 0) {
        this.off?.();
        this.off = null;
        this.started = false;
        this.byCamera.clear();
      }
    };
  }

  frames(cameraId: string): readonly HeldFrame[] {
    return this.byCamera.get(cameraId) ?? [];
  }
}

const stores = new WeakMap<ApiClient, DetectionFrames>();

export function detectionFramesOf(client: ApiClient): DetectionFrames {
  let s = stores.get(client);
  if (!s) {
    s = new DetectionFrames(client);
    stores.set(client, s);
  }
  return s;
}

export function useDetectionFrames(): DetectionFrames {
  return detectionFramesOf(useClient());
}

// ---------------------------------------------------------------- the O key

const KEY = 'gatehouse.liveBoxes';
const listeners = new Set<() => void>();

function read(): boolean {
  try {
    return localStorage.getItem(KEY) !== 'off';
  } catch {
    return true;
  }
}

/** Boxes on live tiles: on unless this console turned them off. */
export function useLiveBoxes(): [boolean, (on: boolean) => void] {
  const on = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    read,
    () => true,
  );
  const set = (v: boolean) => {
    try {
      localStorage.setItem(KEY, v ? 'on' : 'off');
    } catch {
      /* private mode: this session only */
    }
    for (const l of listeners) l();
  };
  return [on, set];
}
