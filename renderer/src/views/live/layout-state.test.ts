import { describe, expect, it } from 'vitest';
import {
  assign,
  autoLayout,
  digitPick,
  fromLayout,
  gridFor,
  moveSelection,
  parseStored,
  pruneMissing,
  resize,
  stepGrid,
  swap,
} from './layout-state.js';

describe('live grid state', () => {
  it('lays out cameras in the smallest grid that holds them', () => {
    expect(gridFor(0)).toBe('1x1');
    expect(gridFor(4)).toBe('2x2');
    expect(gridFor(5)).toBe('3x3');
    expect(gridFor(30)).toBe('4x4');
    expect(autoLayout(['a', 'b', 'c', 'd'])).toEqual({ grid: '2x2', tiles: ['a', 'b', 'c', 'd'], layoutId: null, dirty: false });
    expect(autoLayout(['a', 'b', 'c', 'd', 'e']).tiles).toEqual(['a', 'b', 'c', 'd', 'e', null, null, null, null]);
  });

  it('drops a camera onto a tile, swapping when it already shows elsewhere', () => {
    const s = autoLayout(['a', 'b', 'c']);
    expect(assign(s, 3, 'x').tiles).toEqual(['a', 'b', 'c', 'x']);
    expect(assign(s, 0, 'c').tiles).toEqual(['c', 'b', 'a', null]);
    expect(assign(s, 1, null).tiles).toEqual(['a', null, 'c', null]);
    expect(assign(s, 9, 'x')).toBe(s);
    expect(assign(s, 0, 'a')).toBe(s);
    expect(swap(s, 0, 3).tiles).toEqual([null, 'b', 'c', 'a']);
    expect(assign(s, 3, 'x').dirty).toBe(true);
  });

  it('resizes the grid, keeping cameras that fit', () => {
    const s = { ...autoLayout(['a', 'b', 'c', 'd']), tiles: ['a', null, 'c', 'd'] };
    expect(resize(s, '3x3').tiles).toEqual(['a', null, 'c', 'd', null, null, null, null, null]);
    const big = { grid: '3x3' as const, tiles: ['a', null, null, null, null, null, null, null, 'z'], layoutId: null, dirty: false };
    expect(resize(big, '2x2').tiles).toEqual(['a', 'z', null, null]);
    expect(resize(big, '1x1').tiles).toEqual(['a']);
    expect(stepGrid('2x2', 1)).toBe('3x3');
    expect(stepGrid('4x4', 1)).toBe('4x4');
    expect(stepGrid('1x1', -1)).toBe('1x1');
  });

  it('keeps the cameras that do not fit: 4×4 → 1×1 → 2×2 shows cameras 2–4 again (issue 14)', () => {
    const four = autoLayout(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10']);
    expect(four.grid).toBe('4x4');
    const one = resize(four, '1x1');
    expect(one.tiles).toEqual(['c1']);
    const two = resize(one, '2x2');
    expect(two.tiles).toEqual(['c1', 'c2', 'c3', 'c4']);
    const back = resize(resize(two, '1x1'), '4x4');
    expect(back.tiles.filter(Boolean)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10']);
    // a kept camera put on a tile trades places and never shows twice
    const swapped = assign(one, 0, 'c3');
    expect(swapped.tiles).toEqual(['c3']);
    expect(resize(swapped, '2x2').tiles).toEqual(['c3', 'c2', 'c1', 'c4']);
    // and a stored layout remembers them across a reload
    expect(parseStored(JSON.stringify(one))!.hidden).toEqual(one.hidden);
    expect(pruneMissing(one, new Set(['c1', 'c3'])).hidden).toEqual([null, 'c3']);
  });

  it('moves the selection with arrows inside the grid', () => {
    expect(moveSelection(0, '2x2', 'right')).toBe(1);
    expect(moveSelection(1, '2x2', 'right')).toBe(1);
    expect(moveSelection(1, '2x2', 'down')).toBe(3);
    expect(moveSelection(5, '3x3', 'up')).toBe(2);
    expect(moveSelection(5, '3x3', 'left')).toBe(4);
    expect(moveSelection(0, '1x1', 'down')).toBe(0);
  });

  it('picks tiles with one or two digits', () => {
    let r = digitPick(null, 1, 0, 16);
    expect(r.index).toBe(0);
    r = digitPick(r.memo, 2, 300, 16);
    expect(r.index).toBe(11); // tile 12
    expect(digitPick({ digit: 1, at: 0 }, 2, 2000, 16).index).toBe(1); // too slow: tile 2
    expect(digitPick({ digit: 2, at: 0 }, 5, 100, 16).index).toBe(4); // no tile 25: tile 5
    expect(digitPick(null, 5, 0, 4).index).toBeNull();
    expect(digitPick(null, 0, 0, 4).index).toBeNull();
  });

  it('forgets cameras that were removed', () => {
    const s = autoLayout(['a', 'b']);
    expect(pruneMissing(s, new Set(['a'])).tiles).toEqual(['a', null, null, null]);
    expect(pruneMissing(s, new Set(['a', 'b']))).toBe(s);
  });

  it('reads a stored working layout defensively', () => {
    expect(parseStored(null)).toBeNull();
    expect(parseStored('{bad')).toBeNull();
    expect(parseStored('{"grid":"5x5","tiles":[]}')).toBeNull();
    expect(parseStored('{"grid":"2x2","tiles":["a",7]}')).toEqual({
      grid: '2x2',
      tiles: ['a', null, null, null],
      layoutId: null,
      dirty: false,
    });
    expect(fromLayout({ id: 'n', name: 'Night', grid: '1x1', tiles: ['x', 'y'] })).toEqual({
      grid: '1x1',
      tiles: ['x'],
      layoutId: 'n',
      dirty: false,
    });
  });
});
