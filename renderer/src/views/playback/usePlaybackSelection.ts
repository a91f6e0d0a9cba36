/**
 * Which cameras play back: the chosen ones (up to nine, kept per user in
 * localStorage, or the one the route names), the picked tile, whether it is
 * shown alone, and the timeline's tracks (the chosen cameras first).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { CameraInfo } from '../../../../main/api/contract.js';
import { useCameras } from '../../state/cameras.js';

export const MAX_SELECTED = 9;
/** Most tracks the timeline shows. */
const MAX_TRACKS = 32;

function storageKey(user: string): string {
  return `gatehouse.playback.${user}`;
}

export interface PlaybackSelection {
  /** Every camera (for the chooser). */
  cameras: CameraInfo[];
  /** Ids of the chosen cameras, in order. */
  selected: string[];
  /** The chosen cameras that exist, in order: the tiles. */
  shown: CameraInfo[];
  /** Cameras with a timeline track: the chosen ones first, then the rest. */
  trackIds: string[];
  /** Index in `shown` of the picked tile. */
  focusIdx: number;
  focusCam: CameraInfo | undefined;
  setFocus: (index: number) => void;
  /** The picked tile shown alone. */
  solo: boolean;
  setSolo: (on: boolean | ((on: boolean) => boolean)) => void;
  /** Choose or drop a camera (at most MAX_SELECTED). */
  toggleCamera: (id: string) => void;
}

export function usePlaybackSelection(user: string, routeCamera: string | undefined): PlaybackSelection {
  const { cameras, byId } = useCameras();
  const [selected, setSelected] = useState<string[]>(() => {
    if (routeCamera) return [routeCamera];
    try {
      const v = JSON.parse(localStorage.getItem(storageKey(user)) ?? '[]') as unknown;
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_SELECTED) : [];
    } catch {
      return [];
    }
  });
  useEffect(() => {
    if (routeCamera && !selected.includes(routeCamera)) setSelected([routeCamera]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [routeCamera]);
  useEffect(() => {
    if (!selected.length && cameras.length) setSelected([cameras[0]!.id]);
  }, [selected.length, cameras]);
  useEffect(() => localStorage.setItem(storageKey(user), JSON.stringify(selected)), [selected, user]);

  const shown = useMemo(() => selected.map((id) => byId(id)).filter((c) => !!c), [selected, byId]);
  const [focus, setFocus] = useState(0);
  const focusIdx = Math.min(focus, Math.max(0, shown.length - 1));
  const [solo, setSolo] = useState(false);
  const toggleCamera = useCallback((id: string) => {
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : s.length >= MAX_SELECTED ? s : [...s, id]));
  }, []);
  const trackIds = useMemo(() => {
    const rest = cameras.map((c) => c.id).filter((id) => !selected.includes(id));
    return [...selected.filter((id) => byId(id)), ...rest].slice(0, MAX_TRACKS);
  }, [cameras, selected, byId]);

  return { cameras, selected, shown, trackIds, focusIdx, focusCam: shown[focusIdx], setFocus, solo, setSolo, toggleCamera };
}
