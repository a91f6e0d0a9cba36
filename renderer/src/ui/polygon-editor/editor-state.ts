/**
 * The polygon editor's state and every edit, as a pure reducer with undo
 * and redo: add, move and delete points, add and delete polygons, select,
 * snap. Coordinates are normalised to the picture (0–1, top left origin),
 * as the masks API stores them. The same editor serves the three kinds of
 * masks and detection zones; a zone's own fields (labels, dwell, inertia)
 * ride along in `data` and are set with `setMeta`.
 */
import { polygonProblems, type Point, type PolygonProblem } from '../../../../main/api/masks.js';

export interface EditorPolygon {
  /** Kept from the server so a save keeps the mask's id. */
  id?: string;
  name?: string;
  points: Point[];
  /** What the caller keeps with a polygon (a zone's labels, dwell, inertia); copied with it, never looked at here. */
  data?: Record<string, unknown>;
}

export interface EditorState {
  polygons: EditorPolygon[];
  /** Selected polygon and point (-1: none). */
  poly: number;
  point: number;
  /** Snap to a grid of this step (fractions of the picture), or 0 for off. */
  snap: number;
  past: EditorPolygon[][];
  future: EditorPolygon[][];
}

export type EditorAction =
  | { type: 'reset'; polygons: EditorPolygon[] }
  /** A new triangle around (x, y) (default the middle), selected. */
  | { type: 'newPolygon'; at?: Point }
  /** Insert a point after the selected one: at `at`, else halfway to the next point. */
  | { type: 'addPoint'; at?: Point }
  | { type: 'movePoint'; dx: number; dy: number }
  /** Put a point at (x, y) (a mouse drag); `commit: false` while dragging, true at the end (one undo step). */
  | { type: 'setPoint'; poly: number; point: number; at: Point; commit?: boolean }
  | { type: 'deletePoint' }
  | { type: 'deletePolygon' }
  | { type: 'select'; poly: number; point?: number }
  | { type: 'nextPoint'; step: 1 | -1 }
  | { type: 'nextPolygon'; step: 1 | -1 }
  | { type: 'toggleSnap' }
  | { type: 'undo' }
  | { type: 'redo' }
  /** Start a drag: remember the state for one undo step. */
  | { type: 'beginDrag' }
  /** Change a polygon's name and/or data (form fields beside the picture): one undo step. */
  | { type: 'setMeta'; poly: number; name?: string; data?: Record<string, unknown> };

export const DEFAULT_SNAP = 0.01;
const HISTORY = 100;

export function initialState(polygons: EditorPolygon[] = []): EditorState {
  return { polygons: clone(polygons), poly: polygons.length ? 0 : -1, point: polygons.length ? 0 : -1, snap: DEFAULT_SNAP, past: [], future: [] };
}

function clone(p: EditorPolygon[]): EditorPolygon[] {
  return p.map((x) => ({ ...x, points: x.points.map(([a, b]) => [a, b] as Point), ...(x.data ? { data: { ...x.data } } : {}) }));
}

const clamp = (v: number) => Math.min(1, Math.max(0, v));

/** Round to the grid (when snapping) and keep inside the picture. */
export function snapPoint(p: Point, step: number): Point {
  const r = (v: number) => (step > 0 ? Math.round(v / step) * step : v);
  return [clamp(+r(p[0]).toFixed(6)), clamp(+r(p[1]).toFixed(6))];
}

/** Record the current polygons for undo, then apply `polygons`. */
function commit(s: EditorState, polygons: EditorPolygon[], sel: { poly: number; point: number }): EditorState {
  return { ...s, polygons, ...sel, past: [...s.past, clone(s.polygons)].slice(-HISTORY), future: [] };
}

export function editorReducer(s: EditorState, a: EditorAction): EditorState {
  const cur = s.polygons[s.poly];
  switch (a.type) {
    case 'reset':
      return initialState(a.polygons);
    case 'newPolygon': {
      const [cx, cy] = a.at ?? [0.5, 0.5];
      const d = 0.08;
      const pts: Point[] = [
        snapPoint([cx - d, cy + d], s.snap),
        snapPoint([cx, cy - d], s.snap),
        snapPoint([cx + d, cy + d], s.snap),
      ];
      const polygons = [...clone(s.polygons), { points: pts }];
      return commit(s, polygons, { poly: polygons.length - 1, point: 1 });
    }
    case 'addPoint': {
      if (!cur) return editorReducer(s, { type: 'newPolygon', at: a.at });
      const i = Math.max(0, s.point);
      const p = cur.points[i];
      let at: Point;
      if (a.at) at = a.at;
      else if (!p) at = [0.5, 0.5];
      else {
        const q = cur.points[(i + 1) % cur.points.length] ?? p;
        at = q === p ? [p[0] + 0.05, p[1]] : [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
      }
      const polygons = clone(s.polygons);
      polygons[s.poly]!.points.splice(cur.points.length ? i + 1 : 0, 0, snapPoint(at, s.snap));
      return commit(s, polygons, { poly: s.poly, point: cur.points.length ? i + 1 : 0 });
    }
    case 'movePoint': {
      const p = cur?.points[s.point];
      if (!p) return s;
      const polygons = clone(s.polygons);
      polygons[s.poly]!.points[s.point] = snapPoint([p[0] + a.dx, p[1] + a.dy], s.snap);
      // consecutive key moves of one point are one undo step each; cheap and predictable
      return commit(s, polygons, { poly: s.poly, point: s.point });
    }
    case 'beginDrag':
      return { ...s, past: [...s.past, clone(s.polygons)].slice(-HISTORY), future: [] };
    case 'setPoint': {
      if (!s.polygons[a.poly]?.points[a.point]) return s;
      const polygons = clone(s.polygons);
      polygons[a.poly]!.points[a.point] = snapPoint(a.at, s.snap);
      return { ...s, polygons, poly: a.poly, point: a.point };
    }
    case 'deletePoint': {
      if (!cur || s.point < 0) return s;
      const polygons = clone(s.polygons);
      polygons[s.poly]!.points.splice(s.point, 1);
      if (!polygons[s.poly]!.points.length) {
        polygons.splice(s.poly, 1);
        const poly = Math.min(s.poly, polygons.length - 1);
        return commit(s, polygons, { poly, point: poly >= 0 ? 0 : -1 });
      }
      return commit(s, polygons, { poly: s.poly, point: Math.max(0, s.point - 1) });
    }
    case 'deletePolygon': {
      if (!cur) return s;
      const polygons = clone(s.polygons);
      polygons.splice(s.poly, 1);
      const poly = Math.min(s.poly, polygons.length - 1);
      return commit(s, polygons, { poly, point: poly >= 0 ? 0 : -1 });
    }
    case 'select': {
      const p = s.polygons[a.poly];
      if (!p) return { ...s, poly: -1, point: -1 };
      return { ...s, poly: a.poly, point: Math.min(a.point ?? 0, p.points.length - 1) };
    }
    case 'nextPoint': {
      if (!cur?.points.length) return s;
      const n = cur.points.length;
      return { ...s, point: (((s.point < 0 ? 0 : s.point + a.step) % n) + n) % n };
    }
    case 'nextPolygon': {
      const n = s.polygons.length;
      if (!n) return s;
      const poly = (((s.poly < 0 ? 0 : s.poly + a.step) % n) + n) % n;
      return { ...s, poly, point: 0 };
    }
    case 'setMeta': {
      if (!s.polygons[a.poly]) return s;
      const polygons = clone(s.polygons);
      const p = polygons[a.poly]!;
      if (a.name !== undefined) p.name = a.name;
      if (a.data !== undefined) p.data = { ...p.data, ...a.data };
      return commit(s, polygons, { poly: s.poly, point: s.point });
    }
    case 'toggleSnap':
      return { ...s, snap: s.snap ? 0 : DEFAULT_SNAP };
    case 'undo': {
      const prev = s.past[s.past.length - 1];
      if (!prev) return s;
      const poly = Math.min(s.poly, prev.length - 1);
      return { ...s, polygons: prev, past: s.past.slice(0, -1), future: [clone(s.polygons), ...s.future].slice(0, HISTORY), poly, point: poly >= 0 ? Math.min(Math.max(0, s.point), prev[poly]!.points.length - 1) : -1 };
    }
    case 'redo': {
      const next = s.future[0];
      if (!next) return s;
      const poly = Math.min(s.poly, next.length - 1);
      return { ...s, polygons: next, future: s.future.slice(1), past: [...s.past, clone(s.polygons)], poly, point: poly >= 0 ? Math.min(Math.max(0, s.point), next[poly]!.points.length - 1) : -1 };
    }
  }
}

/** Problems of every polygon (index → problems), for the editor's messages and the save button. */
export function problemsOf(polygons: EditorPolygon[]): Map<number, PolygonProblem[]> {
  const m = new Map<number, PolygonProblem[]>();
  polygons.forEach((p, i) => {
    const pr = polygonProblems(p.points);
    if (pr.length) m.set(i, pr);
  });
  return m;
}
