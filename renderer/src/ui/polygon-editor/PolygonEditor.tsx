/**
 * The one polygon editor: privacy masks now, detection zones and
 * motion/object masks later (issue 15). Draws polygons over a background
 * (a live snapshot of the camera) in normalised picture coordinates, with
 * the mouse and with the keyboard alone:
 *
 *   N new polygon · A / Insert add a point after the selected one ·
 *   arrows move it by the grid step (Shift ×10) · Delete removes it ·
 *   Shift+Delete removes the polygon · [ ] previous / next point ·
 *   P / Shift+P next / previous polygon · S snap on/off · Ctrl+Z / Ctrl+Y undo / redo
 *
 * Mouse: click a point to select it and drag it; click inside a polygon to
 * select it; click elsewhere to add a point to the selected polygon (or
 * start one); right-click a point to delete it.
 *
 * State lives in `usePolygonEditor` (editor-state.ts, a pure reducer with
 * undo), so the caller owns saving.
 */
import { useReducer, useRef, type PointerEvent, type ReactNode } from 'react';
import type { Point } from '../../../../main/api/masks.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { editorReducer, initialState, problemsOf, type EditorAction, type EditorPolygon, type EditorState } from './editor-state.js';
import './polygon-editor.css';

export type { EditorPolygon } from './editor-state.js';

export function usePolygonEditor(initial: EditorPolygon[] = []) {
  const [state, dispatch] = useReducer(editorReducer, initial, initialState);
  return { state, dispatch };
}

export interface PolygonEditorProps {
  state: EditorState;
  dispatch: (a: EditorAction) => void;
  /** Drawn under the polygons (an <img> of the camera); fills the picture box. */
  background?: ReactNode;
  /** Picture width / height. */
  aspect: number;
  /** What the polygons are, for labels: "privacy mask", "detection zone"… */
  noun?: string;
  /** Keys are live only while true (e.g. not while a dialog is open). */
  active?: boolean;
  testId?: string;
}

const W = 1000;
const fmt = (v: number) => v.toFixed(3);

export function PolygonEditor(p: PolygonEditorProps) {
  const { state: s, dispatch } = p;
  const noun = p.noun ?? 'polygon';
  const H = W / (p.aspect || 16 / 9);
  const svg = useRef<SVGSVGElement>(null);
  const drag = useRef<{ poly: number; point: number } | null>(null);
  const problems = problemsOf(s.polygons);
  const step = (big: boolean) => (s.snap || 0.002) * (big ? 10 : 1);

  useShortcuts(
    'Polygon editor',
    [
      { keys: 'n', description: `New ${noun}`, run: () => dispatch({ type: 'newPolygon' }) },
      { keys: ['a', 'insert'], description: 'Add a point after the selected one', run: () => dispatch({ type: 'addPoint' }) },
      {
        keys: ['left', 'right', 'up', 'down', 'shift+left', 'shift+right', 'shift+up', 'shift+down'],
        description: 'Move the selected point (Shift: ten steps)',
        display: '← ↑ → ↓ (Shift ×10)',
        run: (e) => {
          const d = step(!!e.shiftKey);
          const k = e.key;
          dispatch({ type: 'movePoint', dx: k === 'ArrowLeft' ? -d : k === 'ArrowRight' ? d : 0, dy: k === 'ArrowUp' ? -d : k === 'ArrowDown' ? d : 0 });
        },
      },
      { keys: ['delete', 'backspace'], description: 'Delete the selected point', run: () => dispatch({ type: 'deletePoint' }) },
      { keys: ['shift+delete', 'shift+backspace'], description: `Delete the selected ${noun}`, run: () => dispatch({ type: 'deletePolygon' }) },
      { keys: ['[', ']'], description: 'Previous / next point', run: (e) => dispatch({ type: 'nextPoint', step: e.key === '[' ? -1 : 1 }) },
      { keys: ['p', 'shift+p'], description: `Next / previous ${noun}`, run: (e) => dispatch({ type: 'nextPolygon', step: e.shiftKey ? -1 : 1 }) },
      { keys: 's', description: 'Snap to the grid on / off', run: () => dispatch({ type: 'toggleSnap' }) },
      { keys: 'ctrl+z', description: 'Undo', run: () => dispatch({ type: 'undo' }) },
      { keys: ['ctrl+y', 'ctrl+shift+z'], description: 'Redo', run: () => dispatch({ type: 'redo' }) },
    ],
    { active: p.active ?? true },
  );

  const at = (e: { clientX: number; clientY: number }): Point => {
    const r = svg.current!.getBoundingClientRect();
    return [Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), Math.min(1, Math.max(0, (e.clientY - r.top) / r.height))];
  };
  const onDown = (e: PointerEvent<SVGSVGElement>) => {
    if (e.button !== 0) return;
    const t = e.target as Element;
    const pt = t.getAttribute('data-point');
    const pg = t.getAttribute('data-poly');
    if (pt !== null && pg !== null) {
      drag.current = { poly: Number(pg), point: Number(pt) };
      dispatch({ type: 'select', poly: Number(pg), point: Number(pt) });
      dispatch({ type: 'beginDrag' });
      svg.current?.setPointerCapture(e.pointerId);
      return;
    }
    if (pg !== null) {
      dispatch({ type: 'select', poly: Number(pg) });
      return;
    }
    dispatch({ type: 'addPoint', at: at(e) });
  };
  const onMove = (e: PointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (d) dispatch({ type: 'setPoint', poly: d.poly, point: d.point, at: at(e) });
  };
  const onUp = () => {
    drag.current = null;
  };

  const sel = s.polygons[s.poly];
  const selPt = sel?.points[s.point];
  return (
    <div className="polygon-editor" data-testid={p.testId ?? 'polygon-editor'} data-polygons={s.polygons.length} data-valid={problems.size === 0}>
      <div className="pe-stage" style={{ aspectRatio: `${p.aspect || 16 / 9}` }}>
        {p.background}
        <svg
          ref={svg}
          className="pe-svg"
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          onPointerDown={onDown}
          onPointerMove={onMove}
          onPointerUp={onUp}
          onContextMenu={(e) => {
            const t = e.target as Element;
            if (t.getAttribute('data-point') !== null) {
              e.preventDefault();
              dispatch({ type: 'select', poly: Number(t.getAttribute('data-poly')), point: Number(t.getAttribute('data-point')) });
              dispatch({ type: 'deletePoint' });
            }
          }}
          role="application"
          aria-label={`${noun} editor: N new, A add point, arrows move, Delete remove, [ ] points, P polygons, Ctrl+Z undo`}
        >
          {s.snap > 0 && (
            <g className="pe-grid" aria-hidden="true">
              {Array.from({ length: 9 }, (_, i) => (
                <line key={`v${i}`} x1={((i + 1) * W) / 10} x2={((i + 1) * W) / 10} y1={0} y2={H} />
              ))}
              {Array.from({ length: 9 }, (_, i) => (
                <line key={`h${i}`} y1={((i + 1) * H) / 10} y2={((i + 1) * H) / 10} x1={0} x2={W} />
              ))}
            </g>
          )}
          {s.polygons.map((poly, i) => (
            <polygon
              key={`p${i}`}
              data-poly={i}
              className={`pe-poly${i === s.poly ? ' selected' : ''}${problems.has(i) ? ' invalid' : ''}`}
              points={poly.points.map(([x, y]) => `${x * W},${y * H}`).join(' ')}
            />
          ))}
          {s.polygons.map((poly, i) =>
            poly.points.map(([x, y], j) => (
              <circle
                key={`c${i}-${j}`}
                data-poly={i}
                data-point={j}
                className={`pe-point${i === s.poly ? ' in-selected' : ''}${i === s.poly && j === s.point ? ' selected' : ''}`}
                cx={x * W}
                cy={y * H}
                r={i === s.poly && j === s.point ? 9 : 6}
              />
            )),
          )}
        </svg>
      </div>
      <div className="pe-status" aria-live="polite" data-testid="polygon-editor-status">
        {sel ? (
          <>
            <span>
              {noun} {s.poly + 1} of {s.polygons.length}
              {sel.name ? ` (${sel.name})` : ''}
            </span>
            <span>
              point {s.point + 1} of {sel.points.length}
            </span>
            {selPt && (
              <span className="pe-coords" data-testid="polygon-editor-coords">
                x {fmt(selPt[0])} · y {fmt(selPt[1])}
              </span>
            )}
          </>
        ) : (
          <span className="muted">No {noun}. Press N to draw one, or click on the picture.</span>
        )}
        <span className="muted">snap {s.snap ? `${Math.round(s.snap * 100)} %` : 'off'} (S)</span>
      </div>
      {problems.size > 0 && (
        <ul className="pe-problems" role="alert" data-testid="polygon-editor-problems">
          {[...problems].map(([i, pr]) => (
            <li key={i}>
              {noun} {i + 1}: {pr[0]!.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
