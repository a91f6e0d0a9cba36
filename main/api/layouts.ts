/**
 * Live-view layouts: the four stock grids plus named layouts each user saves
 * (which camera sits in which tile). Part of the one API contract, merged in
 * contract.ts. Imported by the renderer too: no Node APIs here.
 */
import { z } from 'zod';

export const GRIDS = ['1x1', '2x2', '3x3', '4x4'] as const;
export type Grid = (typeof GRIDS)[number];
/** Tiles in each grid. */
export const GRID_CELLS: Record<Grid, number> = { '1x1': 1, '2x2': 4, '3x3': 9, '4x4': 16 };

/** A saved layout as consoles see it. */
export interface LayoutInfo {
  id: string;
  name: string;
  grid: Grid;
  /** Camera id per tile, row by row; null is an empty tile. Length = GRID_CELLS[grid]. */
  tiles: (string | null)[];
}

const LayoutName = z.string().trim().min(1, 'layout name is empty').max(64, 'layout name is longer than 64 characters');
const LayoutId = z.string().min(1).max(64);
const TileCamera = z.string().min(1).max(80).nullable();

/** Most layouts one user may keep. */
export const MAX_LAYOUTS_PER_USER = 50;

export const layoutsRequests = {
  /** The calling user's saved layouts, sorted by name. */
  'layouts.list': { role: 'guard', input: z.object({}).strict() },
  /** Create (no id, or an id the user does not have) or replace one of the user's layouts. */
  'layouts.save': {
    role: 'guard',
    input: z
      .object({
        id: LayoutId.optional(),
        name: LayoutName,
        grid: z.enum(GRIDS),
        tiles: z.array(TileCamera).max(16, 'a layout has at most 16 tiles'),
      })
      .strict(),
  },
  'layouts.remove': { role: 'guard', input: z.object({ id: LayoutId }).strict() },
} as const;

export interface LayoutsResults {
  'layouts.list': LayoutInfo[];
  'layouts.save': LayoutInfo;
  'layouts.remove': { ok: true };
}

export interface LayoutsEvents {
  /** A user's layouts changed (saved or removed), so their other consoles reload them. */
  'layouts.changed': { owner: string };
}
export const LAYOUTS_EVENT_NAMES = ['layouts.changed'] as const;
