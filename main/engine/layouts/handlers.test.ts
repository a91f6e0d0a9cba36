import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, parseParams, type Me } from '../../api/contract.js';
import { EventBus } from '../bus.js';
import { ConfigStore } from '../config/store.js';
import { fitTiles, layoutId, layoutsConcern } from './handlers.js';

const alice: Me = { username: 'alice', role: 'guard' };
const bob: Me = { username: 'bob', role: 'admin' };
const ctx = { peer: 'test' };

describe('layouts handlers', () => {
  let dir: string;
  let config: ConfigStore;
  let bus: EventBus;
  let h: ReturnType<typeof layoutsConcern>['handlers'];
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'video-layouts-'));
    config = new ConfigStore(path.join(dir, 'config.json'));
    await config.load();
    bus = new EventBus();
    h = layoutsConcern({ config, bus }).handlers;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const save = (me: Me, p: unknown) => h['layouts.save']!(parseParams('layouts.save', p), ctx, me);
  const list = (me: Me) => h['layouts.list']!(parseParams('layouts.list', {}), ctx, me);
  const remove = (me: Me, id: string) => h['layouts.remove']!(parseParams('layouts.remove', { id }), ctx, me);

  it('saves, lists per user, updates and removes, persisting to the config file', async () => {
    const events: string[] = [];
    bus.on('layouts.changed', (e) => events.push(e.owner));
    const a = await save(alice, { name: 'Gate & yard', grid: '2x2', tiles: ['cam-a', null, 'cam-b'] });
    expect(a).toEqual({ id: 'gate-yard', name: 'Gate & yard', grid: '2x2', tiles: ['cam-a', null, 'cam-b', null] });
    await save(bob, { name: 'Gate & yard', grid: '1x1', tiles: ['cam-c'] });
    expect((await list(alice)).map((l) => l.id)).toEqual(['gate-yard']);
    expect((await list(bob))[0]!.grid).toBe('1x1');

    const upd = await save(alice, { id: 'gate-yard', name: 'Gate', grid: '3x3', tiles: ['cam-b'] });
    expect(upd.id).toBe('gate-yard');
    expect(upd.tiles).toHaveLength(9);

    const reread = new ConfigStore(path.join(dir, 'config.json'));
    await reread.load();
    expect(reread.data.layouts.find((l) => l.owner === 'alice')!.name).toBe('Gate');

    await remove(alice, 'gate-yard');
    expect(await list(alice)).toEqual([]);
    expect(await list(bob)).toHaveLength(1);
    expect(events).toEqual(['alice', 'bob', 'alice', 'alice']);
  });

  it('rejects a duplicate name, another user’s layout and too many cameras for the grid', async () => {
    await save(alice, { name: 'Night', grid: '2x2', tiles: [] });
    await expect(save(alice, { name: 'night', grid: '1x1', tiles: [] })).rejects.toMatchObject({ code: 'conflict' });
    await expect(remove(bob, 'night')).rejects.toMatchObject({ code: 'not_found' });
    await expect(save(alice, { name: 'Small', grid: '1x1', tiles: ['a', 'b'] })).rejects.toBeInstanceOf(ApiError);
    // An id the user does not own creates a new layout rather than touching bob's.
    await save(bob, { name: 'Bob', grid: '1x1', tiles: [] });
    const made = await save(alice, { id: 'bob', name: 'Mine', grid: '1x1', tiles: [] });
    expect(made.id).toBe('mine');
    expect((await list(bob))[0]!.name).toBe('Bob');
  });

  it('validates input through the contract schema', () => {
    expect(() => parseParams('layouts.save', { name: '', grid: '2x2', tiles: [] })).toThrow(/name/);
    expect(() => parseParams('layouts.save', { name: 'x', grid: '5x5', tiles: [] })).toThrow(/grid/);
    expect(() => parseParams('layouts.save', { name: 'x', grid: '4x4', tiles: new Array(17).fill(null) })).toThrow(/16/);
  });

  it('makes readable unique ids and fits tiles to the grid', () => {
    expect(layoutId('Überwachung Süd', new Set())).toBe('uberwachung-sud');
    expect(layoutId('A', new Set(['a', 'a-2']))).toBe('a-3');
    expect(layoutId('***', new Set())).toBe('layout');
    expect(fitTiles('2x2', ['x'])).toEqual(['x', null, null, null]);
    expect(fitTiles('1x1', ['x', null, null])).toEqual(['x']);
    expect(() => fitTiles('1x1', ['x', 'y'])).toThrow(/bigger grid/);
  });
});
