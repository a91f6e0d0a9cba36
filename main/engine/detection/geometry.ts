/**
 * Polygon geometry for zones and masks (pure): point in polygon, and the
 * motion gate's cell mask. Coordinates are normalised (0-1 of the picture),
 * so they hold at any resolution.
 */
import type { Point } from '../../api/masks.js';

/** Even-odd ray casting. A point on an edge may go either way. */
export function pointInPolygon(p: readonly number[], poly: readonly (readonly number[])[]): boolean {
  const x = p[0]!;
  const y = p[1]!;
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const xi = poly[i]![0]!;
    const yi = poly[i]![1]!;
    const xj = poly[j]![0]!;
    const yj = poly[j]![1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Which cells of a `cols`×`rows` grid the polygons cover (by the cell's
 * centre): 1 = masked, 0 = looked at. null when nothing is masked.
 */
export function cellMask(cols: number, rows: number, polygons: readonly Point[][]): Uint8Array | null {
  if (!polygons.length || cols < 1 || rows < 1) return null;
  const m = new Uint8Array(cols * rows);
  let any = false;
  for (let r = 0; r < rows; r++) {
    const y = (r + 0.5) / rows;
    for (let c = 0; c < cols; c++) {
      const pt: Point = [(c + 0.5) / cols, y];
      if (polygons.some((poly) => pointInPolygon(pt, poly))) {
        m[r * cols + c] = 1;
        any = true;
      }
    }
  }
  return any ? m : null;
}
