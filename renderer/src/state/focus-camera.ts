/**
 * The camera the guard is looking at: the selected tile on Live, the picked
 * tile in Playback, the selected alarm's first camera. Views publish it;
 * the panic key (Shift+P, every view) and bookmarks attach it.
 */
import { useEffect, useSyncExternalStore } from 'react';

let current: string | null = null;
const listeners = new Set<() => void>();

function set(id: string | null): void {
  if (current === id) return;
  current = id;
  for (const cb of [...listeners]) cb();
}

export function getFocusCamera(): string | null {
  return current;
}

/** Publish the camera in focus while the calling view is mounted (null: none). */
export function usePublishFocusCamera(id: string | null | undefined): void {
  useEffect(() => {
    set(id ?? null);
  }, [id]);
  useEffect(() => () => set(null), []);
}

export function useFocusCamera(): string | null {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => current,
  );
}
