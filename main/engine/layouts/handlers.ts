/**
 * layouts.* requests: each user's saved live-view layouts, kept in the
 * config store's `layouts` array (owner = username). A user only ever sees
 * and changes their own layouts.
 */
import { ApiError, type Me } from '../../api/contract.js';
import { GRID_CELLS, MAX_LAYOUTS_PER_USER, type Grid, type LayoutInfo } from '../../api/layouts.js';
import type { Layout } from '../config/schema.js';
import type { EventBus } from '../bus.js';
import type { ConfigStore } from '../config/store.js';
import type { Concern } from '../concern.js';
import { logger } from '../log.js';

const log = logger('layouts');

export interface LayoutsDeps {
  config: ConfigStore;
  bus: EventBus;
}

function toInfo(l: Layout): LayoutInfo {
  const cells = GRID_CELLS[l.grid];
  const tiles = l.tiles.slice(0, cells);
  while (tiles.length < cells) tiles.push(null);
  return { id: l.id, name: l.name, grid: l.grid, tiles };
}

/** A readable id from the name, unique among this user's layouts. */
export function layoutId(name: string, taken: Set<string>): string {
  const base =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'layout';
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}

/** Normalise the tiles of a layout to exactly the grid's cell count; rejects extra cameras. */
export function fitTiles(grid: Grid, tiles: (string | null)[]): (string | null)[] {
  const cells = GRID_CELLS[grid];
  const extra = tiles.slice(cells).filter((t) => t !== null);
  if (extra.length > 0) {
    throw new ApiError(
      'bad_request',
      `layouts.save: a ${grid} grid has ${cells} tile(s) but ${tiles.length} were given with cameras in the extra ones; choose a bigger grid or empty those tiles`,
      'tiles',
    );
  }
  const out = tiles.slice(0, cells);
  while (out.length < cells) out.push(null);
  return out;
}

export function layoutsConcern(deps: LayoutsDeps): Concern {
  return { handlers: layoutsHandlers(deps) };
}

function layoutsHandlers(deps: LayoutsDeps): Concern['handlers'] {
  const mine = (me: Me | null): Me => {
    if (!me) throw new ApiError('unauthorized', 'not logged in, or the session has expired: log in again');
    return me;
  };
  return {
    'layouts.list': (_p, _ctx, me) => {
      const user = mine(me).username;
      return deps.config.data.layouts.filter((l) => l.owner === user)
        .map(toInfo)
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    'layouts.save': async (p, _ctx, me) => {
      const user = mine(me).username;
      const tiles = fitTiles(p.grid, p.tiles);
      const saved = await deps.config.update((cfg) => {
        const own = cfg.layouts.filter((l) => l.owner === user);
        const byName = own.find((l) => l.name.toLowerCase() === p.name.toLowerCase() && l.id !== p.id);
        if (byName)
          throw new ApiError(
            'conflict',
            `you already have a layout called "${byName.name}"; pick another name, or save over that one`,
            'name',
          );
        const existing = p.id ? own.find((l) => l.id === p.id) : undefined;
        if (existing) {
          existing.name = p.name;
          existing.grid = p.grid;
          existing.tiles = tiles;
          return { ...existing };
        }
        if (own.length >= MAX_LAYOUTS_PER_USER) {
          throw new ApiError('conflict', `you already have ${MAX_LAYOUTS_PER_USER} layouts, the most one user may keep; remove one first`);
        }
        const id = layoutId(p.name, new Set(own.map((l) => l.id)));
        const layout: Layout = { id, owner: user, name: p.name, grid: p.grid, tiles };
        cfg.layouts.push(layout);
        return { ...layout };
      });
      log.info(`${user} saved layout "${saved.name}" (${saved.grid})`);
      deps.bus.emit('layouts.changed', { owner: user });
      return toInfo(saved);
    },
    'layouts.remove': async (p, _ctx, me) => {
      const user = mine(me).username;
      const removed = await deps.config.update((cfg) => {
        const i = cfg.layouts.findIndex((l) => l.owner === user && l.id === p.id);
        if (i < 0) return false;
        cfg.layouts.splice(i, 1);
        return true;
      });
      if (!removed) throw new ApiError('not_found', `you have no layout with id "${p.id}"; list them with layouts.list`);
      deps.bus.emit('layouts.changed', { owner: user });
      return { ok: true as const };
    },
  };
}
