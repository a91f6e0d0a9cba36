/**
 * The live grid as data: which camera sits in which tile, which tile is
 * selected, and the pure operations on them (drop a camera on a tile,
 * resize the grid, move the selection with the keyboard). No React here.
 */
import { GRID_CELLS, GRIDS, type Grid, type LayoutInfo } from '../../../../main/api/layouts.js';

export { GRID_CELLS, GRIDS, type Grid };

export interface GridState {
  grid: Grid;
  /** Camera id per tile, row by row; length = GRID_CELLS[grid]. */
  tiles: (string | null)[];
  /** Saved layout this came from (null = the working layout). */
  layoutId: string | null;
  /** Changed since loaded or saved. */
  dirty: boolean;
  /**
   * Cameras of the places beyond this grid (place 1 + tiles.length onwards,
   * up to the 16 of a 4×4): shrinking the grid keeps them here, growing it
   * shows them again, so 4×4 → 1×1 → 2×2 loses no camera.
   */
  hidden?: (string | null)[];
}

const MAX_PLACES = GRID_CELLS['4x4'];

export function columns(grid: Grid): number {
  return Number(grid[0]);
}

/** The smallest stock grid that holds `n` cameras (at most 4×4). */
export function gridFor(n: number): Grid {
  if (n <= 1) return '1x1';
  if (n <= 4) return '2x2';
  if (n <= 9) return '3x3';
  return '4x4';
}

/** First-run layout: every camera in order, in the smallest grid that holds them. */
export function autoLayout(cameraIds: string[]): GridState {
  const grid = gridFor(cameraIds.length);
  return { grid, tiles: fit(cameraIds.slice(0, GRID_CELLS[grid]), grid), layoutId: null, dirty: false };
}

function fit(tiles: (string | null)[], grid: Grid): (string | null)[] {
  const n = GRID_CELLS[grid];
  const out = tiles.slice(0, n);
  while (out.length < n) out.push(null);
  return out;
}

export function fromLayout(l: LayoutInfo): GridState {
  return { grid: l.grid, tiles: fit(l.tiles, l.grid), layoutId: l.id, dirty: false };
}

/**
 * Put a camera in a tile. If the camera already shows in another tile, the
 * two tiles swap (dragging a tile onto another rearranges the grid).
 */
export function assign(s: GridState, index: number, cameraId: string | null): GridState {
  if (index < 0 || index >= s.tiles.length) return s;
  const tiles = s.tiles.slice();
  const from = cameraId ? tiles.indexOf(cameraId) : -1;
  if (from === index) return s;
  if (from >= 0) tiles[from] = tiles[index] ?? null;
  // A camera kept beyond the grid trades places with the one it replaces, so it never shows twice.
  let hidden = s.hidden;
  const h = cameraId && from < 0 && hidden ? hidden.indexOf(cameraId) : -1;
  if (h >= 0) {
    hidden = hidden!.slice();
    hidden[h] = tiles[index] ?? null;
  }
  tiles[index] = cameraId;
  return { ...s, tiles, ...(hidden ? { hidden: trimNulls(hidden) } : {}), dirty: true };
}

function trimNulls(a: (string | null)[]): (string | null)[] {
  let n = a.length;
  while (n > 0 && a[n - 1] === null) n--;
  return a.slice(0, n);
}

/** Swap two tiles (drag from tile to tile). */
export function swap(s: GridState, a: number, b: number): GridState {
  if (a === b || a < 0 || b < 0 || a >= s.tiles.length || b >= s.tiles.length) return s;
  const tiles = s.tiles.slice();
  [tiles[a], tiles[b]] = [tiles[b] ?? null, tiles[a] ?? null];
  return { ...s, tiles, dirty: true };
}

/**
 * Change the grid size. The 16 places of a 4×4 are kept whatever the grid
 * shows: shrinking moves cameras that no longer fit into empty tiles where
 * it can and keeps the rest beyond the grid (`hidden`); growing shows them
 * again. No camera is lost by stepping the grid down and up.
 */
export function resize(s: GridState, grid: Grid): GridState {
  if (grid === s.grid) return s;
  const n = GRID_CELLS[grid];
  const places: (string | null)[] = [...s.tiles, ...(s.hidden ?? [])].slice(0, MAX_PLACES);
  while (places.length < MAX_PLACES) places.push(null);
  for (let i = n; i < MAX_PLACES; i++) {
    if (!places[i]) continue;
    const free = places.indexOf(null);
    if (free < 0 || free >= n) break;
    places[free] = places[i]!;
    places[i] = null;
  }
  return { ...s, grid, tiles: places.slice(0, n), hidden: trimNulls(places.slice(n)), dirty: true };
}

/** One grid size up (+1) or down (-1). */
export function stepGrid(grid: Grid, dir: 1 | -1): Grid {
  const i = GRIDS.indexOf(grid);
  return GRIDS[Math.min(GRIDS.length - 1, Math.max(0, i + dir))]!;
}

/** Move the selected tile with arrow keys; stays inside the grid. */
export function moveSelection(index: number, grid: Grid, dir: 'up' | 'down' | 'left' | 'right'): number {
  const cols = columns(grid);
  const n = GRID_CELLS[grid];
  const r = Math.floor(index / cols);
  const c = index % cols;
  let nr = r;
  let nc = c;
  if (dir === 'up') nr = Math.max(0, r - 1);
  if (dir === 'down') nr = Math.min(cols - 1, r + 1);
  if (dir === 'left') nc = Math.max(0, c - 1);
  if (dir === 'right') nc = Math.min(cols - 1, c + 1);
  return Math.min(n - 1, nr * cols + nc);
}

/**
 * Digits pick tiles: "3" selects tile 3 at once; a second digit typed within
 * the window ("1" then "2") selects tile 12 when the grid has one.
 * Returns the new 0-based index, or null for a digit that picks nothing.
 */
export function digitPick(
  prev: { digit: number; at: number } | null,
  digit: number,
  now: number,
  cells: number,
  windowMs = 800,
): { index: number | null; memo: { digit: number; at: number } } {
  if (prev && now - prev.at <= windowMs) {
    const two = prev.digit * 10 + digit;
    if (prev.digit > 0 && two >= 1 && two <= cells) return { index: two - 1, memo: { digit, at: now } };
  }
  const memo = { digit, at: now };
  if (digit >= 1 && digit <= cells) return { index: digit - 1, memo };
  return { index: null, memo };
}

/** Drop tiles showing cameras that no longer exist. */
export function pruneMissing(s: GridState, known: Set<string>): GridState {
  const ok = (t: string | null) => t === null || known.has(t);
  if (s.tiles.every(ok) && (s.hidden ?? []).every(ok)) return s;
  return { ...s, tiles: s.tiles.map((t) => (t && known.has(t) ? t : null)), hidden: trimNulls((s.hidden ?? []).map((t) => (t && known.has(t) ? t : null))) };
}

/** The working layout is kept per user in localStorage so a reload keeps it. */
export function storageKey(username: string): string {
  return `gatehouse.live.${username}`;
}

export function parseStored(text: string | null): GridState | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<GridState>;
    if (!v || !GRIDS.includes(v.grid as Grid) || !Array.isArray(v.tiles)) return null;
    const clean = (a: unknown[]) => a.map((t) => (typeof t === 'string' && t.length <= 80 ? t : null));
    const n = GRID_CELLS[v.grid as Grid];
    const hidden = Array.isArray(v.hidden) ? trimNulls(clean(v.hidden).slice(0, MAX_PLACES - n)) : [];
    return {
      grid: v.grid as Grid,
      tiles: fit(clean(v.tiles), v.grid as Grid),
      layoutId: typeof v.layoutId === 'string' ? v.layoutId : null,
      dirty: !!v.dirty,
      ...(hidden.length ? { hidden } : {}),
    };
  } catch {
    return null;
  }
}
