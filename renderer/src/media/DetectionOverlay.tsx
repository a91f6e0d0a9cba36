/**
 * Live boxes over a tile's video: labelled boxes with track ids, drawn on a
 * canvas on every presented video frame (requestVideoFrameCallback, else
 * every animation frame) from the detection frame whose media time matches
 * the picture (box-sync.ts), so boxes move with the people, not with the
 * network. Privacy masks are drawn after it, on top.
 *
 * For tests and tools the canvas carries what it drew: `data-boxes` (how
 * many), `data-labels` ("person #12, vehicle #3"), `data-media-time` (the
 * picture) and `data-frame-time` (the detection frame drawn).
 */
import { useEffect, useRef, type RefObject } from 'react';
import { useDetectionFrames } from '../state/detections.js';
import { fitBox, frameFor } from './box-sync.js';

type VideoWithRvfc = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: { mediaTime: number }) => void) => number;
  cancelVideoFrameCallback?: (h: number) => void;
};

const COLORS: Record<string, string> = { person: '#e3b341', vehicle: '#5b9bd5', bicycle: '#7fc97f', motorcycle: '#7fc97f', animal: '#c39bd3' };

export function DetectionOverlay({ cameraId, video, stream }: { cameraId: string; video: RefObject<HTMLVideoElement | null>; stream: 'sub' | 'main' }) {
  const frames = useDetectionFrames();
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => frames.retain(), [frames]);

  useEffect(() => {
    let raf = 0;
    let vfc = 0;
    let stopped = false;
    let lastKey = '';
    const draw = (mediaTime: number | null) => {
      const c = canvas.current;
      const v = video.current;
      if (!c) return;
      const w = c.clientWidth;
      const h = c.clientHeight;
      const dpr = window.devicePixelRatio || 1;
      if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
        c.width = Math.round(w * dpr);
        c.height = Math.round(h * dpr);
        lastKey = '';
      }
      const held = frameFor(frames.frames(cameraId), stream, mediaTime, performance.now());
      const objs = held?.frame.objects ?? [];
      const pw = v?.videoWidth || 16;
      const ph = v?.videoHeight || 9;
      const key = `${held?.frame.time ?? ''}|${w}x${h}|${pw}x${ph}`;
      if (key === lastKey) return;
      lastKey = key;
      const g = c.getContext('2d');
      if (!g) return;
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, w, h);
      g.font = '11px system-ui, sans-serif';
      g.textBaseline = 'top';
      for (const o of objs) {
        const [x0, y0, x1, y1] = fitBox(o.box, pw, ph, w, h);
        const col = COLORS[o.label] ?? '#dde3e9';
        g.strokeStyle = col;
        g.lineWidth = 2;
        g.strokeRect(x0, y0, x1 - x0, y1 - y0);
        const text = `${o.label} #${o.trackId} ${Math.round(o.score * 100)}%`;
        const tw = g.measureText(text).width + 6;
        // above the box, inside it near the top (where the tile's name bar is); never past the right edge
        const ty = y0 >= 36 ? y0 - 14 : y0 + 1;
        const tx = Math.max(0, Math.min(x0, w - tw));
        g.fillStyle = 'rgba(11, 13, 16, 0.8)';
        g.fillRect(tx, ty, tw, 14);
        g.fillStyle = col;
        g.fillText(text, tx + 3, ty + 1);
      }
      c.dataset.boxes = String(objs.length);
      c.dataset.labels = objs.map((o) => `${o.label} #${o.trackId}`).join(', ');
      c.dataset.mediaTime = mediaTime === null ? '' : mediaTime.toFixed(3);
      c.dataset.frameTime = held ? String(held.frame.mediaTime[stream] ?? '') : '';
    };
    const onRaf = () => {
      if (stopped) return;
      const v = video.current;
      draw(v && v.readyState >= 2 ? v.currentTime : null);
      raf = requestAnimationFrame(onRaf);
    };
    const v = video.current as VideoWithRvfc | null;
    if (v?.requestVideoFrameCallback) {
      // every presented frame, with its exact media time; a slow timer covers a paused or stalled video
      const onFrame = (_now: number, meta: { mediaTime: number }) => {
        if (stopped) return;
        draw(meta.mediaTime);
        vfc = v.requestVideoFrameCallback!(onFrame);
      };
      vfc = v.requestVideoFrameCallback(onFrame);
      const t = setInterval(() => draw(v.readyState >= 2 ? v.currentTime : null), 500);
      return () => {
        stopped = true;
        clearInterval(t);
        v.cancelVideoFrameCallback?.(vfc);
      };
    }
    raf = requestAnimationFrame(onRaf);
    return () => {
      stopped = true;
      cancelAnimationFrame(raf);
    };
  }, [cameraId, stream, video, frames]);

  return <canvas ref={canvas} className="detection-overlay" aria-hidden="true" data-testid="detection-overlay" data-camera={cameraId} data-stream={stream} data-boxes="0" />;
}
