/**
 * The playback timeline: a ruler with local-time ticks and one track per
 * camera showing recorded runs, gaps (reason on hover) and event markers.
 * Drawn on two canvases: the base (ticks, tracks) when the data or the view
 * changes, the overlay (playhead, hover line) every animation frame.
 *
 * Mouse: click or drag on a track to seek (scrub), drag the ruler to pan,
 * wheel to zoom around the pointer, shift+wheel to pan.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { formatClock, formatDateTime, formatDurationMs, zoneAbbrev, zoneAbbrevLabel } from '../../time/index.js';
import {
  eventsNear,
  gapAt,
  isRecorded,
  rangesToRects,
  type RecordedRun,
  type TimelineEvent,
  type TimelineGap,
} from './timeline-math/runs.js';
import { ticks } from './timeline-math/ticks.js';
import { PRIORITY_STYLES } from '../alarms/priority-style.js';
import { panView, timeToX, xToTime, zoomView, type View } from './timeline-math/zoom.js';

export interface TimelineTrack {
  cameraId: string;
  name: string;
  runs: RecordedRun[];
  gaps: TimelineGap[];
  events: TimelineEvent[];
  selected: boolean;
  /** Footage held by an evidence lock (drawn as a bar under the track). */
  locked?: { start: number; end: number }[];
}

export interface TimelineProps {
  tracks: TimelineTrack[];
  view: View;
  onView: (v: View) => void;
  /** Read the playhead (wall ms) at each frame. */
  playhead: () => number;
  timeZone: string;
  onSeek: (t: number, phase: 'start' | 'move' | 'end') => void;
  onToggleCamera?: (cameraId: string) => void;
  /** Export in/out marks (playback's I and O), shaded across every track. */
  marks?: { in: number | null; out: number | null };
}

const RULER_H = 24;
const TRACK_H = 20;
const GUTTER_W = 150;

export const GAP_TEXT: Record<string, string> = {
  camera_unreachable: 'camera unreachable',
  auth_failed: 'camera refused the login',
  ffmpeg_restart: 'recorder restarted',
  stall: 'camera stalled (no data)',
  engine_down: 'Gatehouse was not running',
  disk_full: 'disk full',
  unsupported: 'unsupported stream',
  disabled: 'camera disabled',
  clock_step: 'server clock stepped',
  unknown: 'unknown',
};

const EVENT_COLOURS: Record<string, string> = {
  alarm: '#ff9f43',
  panic: '#ff5c5c',
  sensor: '#4fd1c5',
  person: '#d19a2a',
  vehicle: '#c58af9',
  motion: '#8ab4f8',
  tamper: '#e0625a',
  input: '#6fcf97',
  bookmark: '#dde3e9',
  face: '#f0c36b',
};

function css(name: string, fallback: string): string {
  if (typeof getComputedStyle === 'undefined') return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function Timeline(p: TimelineProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const base = useRef<HTMLCanvasElement>(null);
  const over = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(800);
  const [hover, setHover] = useState<{ x: number; y: number; t: number; track: number } | null>(null);
  const drag = useRef<{ kind: 'seek' | 'pan'; x0: number; view0: View } | null>(null);
  const height = RULER_H + Math.max(1, p.tracks.length) * TRACK_H + 4;
  const dpr = typeof window !== 'undefined' ? window.devicePixelRatio || 1 : 1;

  useLayoutEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(100, el.clientWidth - GUTTER_W)));
    ro.observe(el);
    setWidth(Math.max(100, el.clientWidth - GUTTER_W));
    return () => ro.disconnect();
  }, []);

  const tk = useMemo(() => ticks(p.view, width, p.timeZone, 76), [p.view, width, p.timeZone]);

  // Base layer: ruler and tracks.
  useEffect(() => {
    const c = base.current;
    if (!c) return;
    c.width = Math.round(width * dpr);
    c.height = Math.round(height * dpr);
    const g = c.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const col = {
      bg: css('--panel', '#111418'),
      ruler: css('--panel-2', '#161a1f'),
      border: css('--border', '#22272e'),
      text: css('--text', '#c3cad2'),
      muted: css('--muted', '#7a838e'),
      faint: css('--faint', '#535b65'),
      run: '#2f7d57',
      runSel: '#3fa66b',
      gap: 'rgba(224, 98, 90, 0.55)',
      future: 'rgba(255,255,255,0.025)',
    };
    g.fillStyle = col.bg;
    g.fillRect(0, 0, width, height);
    g.fillStyle = col.ruler;
    g.fillRect(0, 0, width, RULER_H);
    // Minor ticks.
    g.fillStyle = col.faint;
    for (const t of tk.minor) {
      const x = Math.round(timeToX(p.view, width, t)) + 0.5;
      g.fillRect(x - 0.5, RULER_H - 4, 1, 4);
    }
    // Labelled ticks with grid lines through the tracks.
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'middle';
    for (const t of tk.labelled) {
      const x = Math.round(timeToX(p.view, width, t.t)) + 0.5;
      g.fillStyle = t.major ? col.muted : col.border;
      g.fillRect(x - 0.5, t.major ? 0 : RULER_H - 8, 1, t.major ? height : 8);
      if (!t.major) {
        g.fillStyle = 'rgba(255,255,255,0.035)';
        g.fillRect(x - 0.5, RULER_H, 1, height - RULER_H);
      }
      g.fillStyle = t.major ? col.text : col.muted;
      g.fillText(t.label, x + 4, RULER_H / 2 - 1);
    }
    // Future: no recording can be there yet.
    const nowX = timeToX(p.view, width, Date.now());
    if (nowX < width) {
      g.fillStyle = col.future;
      g.fillRect(Math.max(0, nowX), RULER_H, width - Math.max(0, nowX), height - RULER_H);
    }
    // Tracks.
    p.tracks.forEach((tr, i) => {
      const y = RULER_H + i * TRACK_H;
      g.fillStyle = col.border;
      g.fillRect(0, y + TRACK_H - 1, width, 1);
      // Gaps: hatched red.
      for (const r of rangesToRects(tr.gaps, p.view, width, 1)) {
        g.fillStyle = 'rgba(224, 98, 90, 0.10)';
        g.fillRect(r.x, y + 3, r.w, TRACK_H - 7);
        g.save();
        g.beginPath();
        g.rect(r.x, y + 3, r.w, TRACK_H - 7);
        g.clip();
        g.strokeStyle = col.gap;
        g.lineWidth = 1;
        for (let hx = r.x - TRACK_H; hx < r.x + r.w; hx += 6) {
          g.beginPath();
          g.moveTo(hx, y + TRACK_H - 4);
          g.lineTo(hx + TRACK_H - 7, y + 3);
          g.stroke();
        }
        g.restore();
      }
      // Recorded runs.
      g.fillStyle = tr.selected ? col.runSel : col.run;
      for (const r of rangesToRects(tr.runs, p.view, width, 1)) g.fillRect(r.x, y + 4, r.w, TRACK_H - 9);
      // Evidence locks: a blue bar along the bottom of the track.
      if (tr.locked?.length) {
        g.fillStyle = '#5b9bd5';
        for (const r of rangesToRects(tr.locked, p.view, width, 1)) g.fillRect(r.x, y + TRACK_H - 4, r.w, 2);
      }
      // Events. Alarms and panics stand through the whole track in their priority's colour, bookmarks are
      // flags, the rest small triangles.
      for (const e of tr.events) {
        const x = timeToX(p.view, width, e.time);
        if (x < -4 || x > width + 4) continue;
        const colour = (e.kind === 'alarm' || e.kind === 'panic') && e.priority ? PRIORITY_STYLES[e.priority as 1]?.color : undefined;
        g.fillStyle = colour ?? EVENT_COLOURS[e.kind] ?? '#8ab4f8';
        if (e.kind === 'alarm' || e.kind === 'panic') {
          g.fillRect(Math.round(x) - 1, y + 1, 2, TRACK_H - 3);
          g.beginPath();
          g.moveTo(x - 5, y + 1);
          g.lineTo(x + 5, y + 1);
          g.lineTo(x, y + 8);
          g.closePath();
          g.fill();
          continue;
        }
        if (e.kind === 'bookmark') {
          g.fillRect(Math.round(x), y + 2, 1.5, TRACK_H - 5);
          g.fillRect(Math.round(x) + 1, y + 2, 7, 5);
          continue;
        }
        if (e.end && e.end > e.time) {
          const x1 = timeToX(p.view, width, e.end);
          g.globalAlpha = 0.35;
          g.fillRect(x, y + TRACK_H - 6, Math.max(2, x1 - x), 3);
          g.globalAlpha = 1;
        }
        g.beginPath();
        g.moveTo(x, y + 2);
        g.lineTo(x + 4, y + 8);
        g.lineTo(x - 4, y + 8);
        g.closePath();
        g.fill();
      }
    });
    // Export marks: the range between In and Out shaded, a line at each.
    const mk = p.marks;
    if (mk && (mk.in !== null || mk.out !== null)) {
      const xIn = mk.in !== null ? timeToX(p.view, width, mk.in) : null;
      const xOut = mk.out !== null ? timeToX(p.view, width, mk.out) : null;
      if (xIn !== null && xOut !== null) {
        g.fillStyle = 'rgba(91, 155, 213, 0.16)';
        g.fillRect(Math.min(xIn, xOut), RULER_H, Math.abs(xOut - xIn), height - RULER_H);
      }
      g.font = '10px system-ui, sans-serif';
      for (const [x, label] of [
        [xIn, 'IN'],
        [xOut, 'OUT'],
      ] as const) {
        if (x === null || x < -2 || x > width + 2) continue;
        g.fillStyle = '#5b9bd5';
        g.fillRect(Math.round(x) - 1, RULER_H, 2, height - RULER_H);
        g.fillText(label, Math.round(x) + 3, RULER_H + 9);
      }
    }
  }, [p.tracks, p.view, width, height, dpr, tk, p.marks]);

  // Overlay: playhead and hover line, every frame.
  const { view, playhead } = p;
  const hoverRef = useRef(hover);
  hoverRef.current = hover;
  useEffect(() => {
    let raf = 0;
    const draw = () => {
      raf = requestAnimationFrame(draw);
      const c = over.current;
      if (!c) return;
      if (c.width !== Math.round(width * dpr) || c.height !== Math.round(height * dpr)) {
        c.width = Math.round(width * dpr);
        c.height = Math.round(height * dpr);
      }
      const g = c.getContext('2d');
      if (!g) return;
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, width, height);
      const h = hoverRef.current;
      if (h) {
        g.fillStyle = 'rgba(221, 227, 233, 0.35)';
        g.fillRect(Math.round(h.x), 0, 1, height);
      }
      const x = Math.round(timeToX(view, width, playhead()));
      if (x >= -2 && x <= width + 2) {
        g.fillStyle = '#f2c14e';
        g.fillRect(x - 1, 0, 2, height);
        g.beginPath();
        g.moveTo(x - 5, 0);
        g.lineTo(x + 5, 0);
        g.lineTo(x, 6);
        g.closePath();
        g.fill();
      }
    };
    draw();
    return () => cancelAnimationFrame(raf);
  }, [view, playhead, width, height, dpr]);

  const pos = (e: { clientX: number; clientY: number }) => {
    const r = over.current!.getBoundingClientRect();
    const x = Math.max(0, Math.min(width, e.clientX - r.left));
    const y = e.clientY - r.top;
    return { x, y, t: xToTime(p.view, width, x), track: y < RULER_H ? -1 : Math.floor((y - RULER_H) / TRACK_H) };
  };

  const onDown = (e: React.PointerEvent) => {
    if (e.button !== 0) return;
    const q = pos(e);
    (e.target as Element).setPointerCapture(e.pointerId);
    if (q.track < 0) drag.current = { kind: 'pan', x0: q.x, view0: p.view };
    else {
      drag.current = { kind: 'seek', x0: q.x, view0: p.view };
      p.onSeek(q.t, 'start');
    }
  };
  const onMove = (e: React.PointerEvent) => {
    const q = pos(e);
    setHover(q);
    const d = drag.current;
    if (!d) return;
    if (d.kind === 'pan') p.onView(panView(d.view0, -((q.x - d.x0) / width) * d.view0.span));
    else p.onSeek(q.t, 'move');
  };
  const onUp = (e: React.PointerEvent) => {
    const d = drag.current;
    drag.current = null;
    if (d?.kind === 'seek') p.onSeek(pos(e).t, 'end');
  };
  const onWheel = useCallback(
    (e: WheelEvent) => {
      e.preventDefault();
      const r = over.current!.getBoundingClientRect();
      const x = e.clientX - r.left;
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        const d = e.shiftKey ? e.deltaY : e.deltaX;
        p.onView(panView(p.view, (d / width) * p.view.span));
      } else {
        p.onView(zoomView(p.view, Math.exp(e.deltaY * 0.0015), xToTime(p.view, width, x)));
      }
    },
    [p, width],
  );
  useEffect(() => {
    const c = over.current;
    if (!c) return;
    c.addEventListener('wheel', onWheel, { passive: false });
    return () => c.removeEventListener('wheel', onWheel);
  }, [onWheel]);

  let tip: string | null = null;
  if (hover) {
    const when = formatDateTime(hover.t, p.timeZone);
    const tr = p.tracks[hover.track];
    if (!tr) tip = `${when} ${zoneAbbrev(hover.t, p.timeZone)}`;
    else {
      const ev = eventsNear(tr.events, p.view, width, hover.x, 5)[0];
      const gap = gapAt(tr.gaps, hover.t);
      const clock = (t: number) => formatClock(t, p.timeZone, true);
      if (ev) tip = `${ev.label} · ${formatDateTime(ev.time, p.timeZone)}`;
      else if (gap)
        tip = `No recording: ${GAP_TEXT[gap.reason] ?? gap.reason} · ${formatDurationMs(gap.end - gap.start, 'precise')}, ${clock(gap.start)}–${clock(gap.end)}`;
      else if (isRecorded(tr.runs, hover.t)) tip = `Recorded · ${when}`;
      else tip = `Nothing recorded · ${when}`;
    }
  }

  return (
    <div className="timeline" ref={wrap} data-testid="timeline" data-mark-in={p.marks?.in ?? ''} data-mark-out={p.marks?.out ?? ''}>
      <div className="timeline-gutter" style={{ width: GUTTER_W }}>
        <div className="timeline-gutter-ruler" style={{ height: RULER_H }}>
          {zoneAbbrevLabel(p.view.start + p.view.span / 2, p.timeZone)}
        </div>
        {p.tracks.map((t) => (
          <button
            type="button"
            key={t.cameraId}
            className={`timeline-name${t.selected ? ' on' : ''}`}
            style={{ height: TRACK_H }}
            onClick={() => p.onToggleCamera?.(t.cameraId)}
            title={t.selected ? `${t.name}: shown above (click to hide)` : `${t.name}: click to play it too`}
            data-testid={`track-${t.cameraId}`}
          >
            <span className="timeline-check" aria-hidden="true">
              {t.selected ? '●' : '○'}
            </span>
            {t.name}
          </button>
        ))}
      </div>
      <div className="timeline-canvas" style={{ width, height }}>
        <canvas ref={base} style={{ width, height }} aria-hidden="true" />
        <canvas
          ref={over}
          style={{ width, height }}
          className="timeline-over"
          onPointerDown={onDown}
          onPointerMove={onMove}
          onPointerUp={onUp}
          onPointerLeave={() => setHover(null)}
          role="slider"
          aria-label="Timeline: click or drag to seek"
          aria-valuemin={p.view.start}
          aria-valuemax={p.view.start + p.view.span}
          aria-valuenow={Math.round(p.playhead())}
          aria-valuetext={formatDateTime(p.playhead(), p.timeZone)}
          data-testid="timeline-canvas"
        />
        {/* The markers in view, for screen readers and tests (the canvas is a picture). */}
        <ul className="sr-only" data-testid="timeline-markers" aria-label="Markers in view">
          {p.tracks.flatMap((tr) =>
            tr.events
              .filter((e) => e.kind !== 'person' && e.kind !== 'vehicle' && e.time >= p.view.start && e.time <= p.view.start + p.view.span)
              .slice(0, 200)
              .map((e) => (
                <li key={`${tr.cameraId}-${e.id ?? e.time}`} data-kind={e.kind} data-camera={tr.cameraId} data-marker={e.id ?? ''} data-time={e.time}>
                  {tr.name}: {e.label} · {formatDateTime(e.time, p.timeZone)}
                </li>
              )),
          )}
        </ul>
        {hover && tip && (
          <div
            className="timeline-tip"
            style={{ left: Math.max(0, Math.min(hover.x + 10, width - 450)), top: Math.max(0, hover.y - 30) }}
            role="tooltip"
          >
            {tip}
          </div>
        )}
      </div>
    </div>
  );
}
