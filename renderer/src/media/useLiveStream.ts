import { useEffect, useRef, useState, type RefObject } from 'react';
import { LivePlayer, type LiveStats, type LiveStatus } from './live-player.js';
import { registerPlayer } from './debug.js';

export interface LiveStreamState {
  status: LiveStatus;
  /** Bumps when the first frame of a connection is on screen. */
  firstFrames: number;
  /** ms to the latest first frame. */
  firstFrameMs: number | null;
  player: LivePlayer | null;
  stats: () => LiveStats | null;
}

const CLOSED: LiveStatus = { phase: 'closed', message: null, codec: null, since: 0, lastFrameAt: null };

/**
 * Play a camera's live stream in the <video> behind `ref` while `enabled`.
 * Closing (disabled, hidden tab, unmount) frees the decoder and the socket;
 * the last frame stays as the poster.
 */
export function useLiveStream(
  ref: RefObject<HTMLVideoElement | null>,
  cameraId: string | null,
  stream: 'main' | 'sub',
  enabled: boolean,
  hooks: { onFirstFrame?: (ms: number) => void } = {},
): LiveStreamState {
  const [status, setStatus] = useState<LiveStatus>(CLOSED);
  const [firstFrames, setFirstFrames] = useState(0);
  const [firstFrameMs, setFirstFrameMs] = useState<number | null>(null);
  const playerRef = useRef<LivePlayer | null>(null);
  const hookRef = useRef(hooks);
  hookRef.current = hooks;

  // One player per (video element, camera, stream).
  useEffect(() => {
    const video = ref.current;
    if (!video || !cameraId) return;
    const p = new LivePlayer(video, {
      cameraId,
      stream,
      onStatus: (s) => setStatus(s),
      onFirstFrame: (ms) => {
        setFirstFrameMs(ms);
        setFirstFrames((n) => n + 1);
        hookRef.current.onFirstFrame?.(ms);
      },
    });
    playerRef.current = p;
    const unregister = registerPlayer(p);
    return () => {
      unregister();
      p.destroy();
      if (playerRef.current === p) playerRef.current = null;
      setStatus(CLOSED);
      setFirstFrameMs(null);
    };
  }, [ref, cameraId, stream]);

  useEffect(() => {
    const p = playerRef.current;
    if (!p) return;
    if (enabled) p.open();
    else p.close();
  }, [enabled, cameraId, stream]);

  return {
    status,
    firstFrames,
    firstFrameMs,
    player: playerRef.current,
    stats: () => playerRef.current?.stats ?? null,
  };
}

/** True while the page is visible; background tabs stop their decoders. */
export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => typeof document === 'undefined' || document.visibilityState !== 'hidden');
  useEffect(() => {
    const on = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  return visible;
}
