import { describe, expect, it } from 'vitest';
import { editorReducer, initialState, problemsOf, snapPoint, type EditorAction, type EditorState } from './editor-state.js';

const run = (s: EditorState, ...as: EditorAction[]) => as.reduce(editorReducer, s);

describe('polygon editor state', () => {
  it('draws a polygon with the keyboard only: new, move, add, delete; always normalised and snapped', () => {
    let s = run(initialState(), { type: 'newPolygon' });
    expect(s.polygons).toHaveLength(1);
    expect(s.polygons[0]!.points).toEqual([[0.42, 0.58], [0.5, 0.42], [0.58, 0.58]]);
    expect(problemsOf(s.polygons).size).toBe(0);
    s = run(s, { type: 'movePoint', dx: -0.1, dy: -0.3 }); // point 2 (selected) up and left
    expect(s.polygons[0]!.points[1]).toEqual([0.4, 0.12]);
    s = run(s, { type: 'addPoint' });
    expect(s.point).toBe(2);
    expect(s.polygons[0]!.points).toHaveLength(4);
    expect(s.polygons[0]!.points[2]).toEqual([0.49, 0.35]);
    s = run(s, { type: 'movePoint', dx: 2, dy: 0 });
    expect(s.polygons[0]!.points[2]).toEqual([1, 0.35]); // clamped to the picture
    s = run(s, { type: 'deletePoint' });
    expect(s.polygons[0]!.points).toHaveLength(3);
    expect(s.point).toBe(1);
  });

  it('undo and redo every edit; a drag is one step', () => {
    let s = run(initialState(), { type: 'newPolygon' }, { type: 'movePoint', dx: 0.1, dy: 0 }, { type: 'addPoint' });
    const three = s.polygons;
    s = run(s, { type: 'undo' });
    expect(s.polygons[0]!.points).toHaveLength(3);
    s = run(s, { type: 'undo' }, { type: 'undo' });
    expect(s.polygons).toEqual([]);
    s = run(s, { type: 'redo' }, { type: 'redo' }, { type: 'redo' });
    expect(s.polygons).toEqual(three);
    s = run(s, { type: 'beginDrag' }, { type: 'setPoint', poly: 0, point: 0, at: [0.1, 0.1] }, { type: 'setPoint', poly: 0, point: 0, at: [0.2, 0.2] });
    expect(s.polygons[0]!.points[0]).toEqual([0.2, 0.2]);
    s = run(s, { type: 'undo' });
    expect(s.polygons).toEqual(three);
  });

  it('several polygons: select, cycle points and polygons, delete a polygon, keep ids', () => {
    let s = initialState([
      { id: 'm_aaaa1111', points: [[0.1, 0.1], [0.2, 0.1], [0.2, 0.2]] },
      { id: 'm_bbbb2222', points: [[0.5, 0.5], [0.6, 0.5], [0.6, 0.6]] },
    ]);
    s = run(s, { type: 'nextPolygon', step: 1 }, { type: 'nextPoint', step: -1 });
    expect([s.poly, s.point]).toEqual([1, 2]);
    s = run(s, { type: 'deletePolygon' });
    expect(s.polygons.map((p) => p.id)).toEqual(['m_aaaa1111']);
    expect(s.poly).toBe(0);
  });

  it('snap on and off; problems per polygon', () => {
    expect(snapPoint([0.1234, 0.98765], 0.01)).toEqual([0.12, 0.99]);
    expect(snapPoint([0.1234, -0.2], 0)).toEqual([0.1234, 0]);
    let s = run(initialState(), { type: 'toggleSnap' });
    expect(s.snap).toBe(0);
    s = run(s, { type: 'toggleSnap' });
    expect(s.snap).toBe(0.01);
    const bow = problemsOf([{ points: [[0.1, 0.1], [0.4, 0.4], [0.4, 0.1], [0.1, 0.4]] }]);
    expect(bow.get(0)![0]!.message).toMatch(/crosses itself/);
  });
});

describe('polygon data (zones)', () => {
  it('setMeta names a polygon and merges its data in one undo step; data survives edits', () => {
    const r = editorReducer;
    const init = initialState;
    let s = init([{ points: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]], data: { labels: ['person'] } }]);
    s = r(s, { type: 'setMeta', poly: 0, name: 'Door', data: { minDwellSeconds: 5 } });
    expect(s.polygons[0]).toMatchObject({ name: 'Door', data: { labels: ['person'], minDwellSeconds: 5 } });
    s = r(s, { type: 'movePoint', dx: 0.01, dy: 0 });
    expect(s.polygons[0]!.data).toEqual({ labels: ['person'], minDwellSeconds: 5 });
    s = r(r(s, { type: 'undo' }), { type: 'undo' });
    expect(s.polygons[0]!.name).toBeUndefined();
    expect(r(s, { type: 'setMeta', poly: 3, name: 'x' })).toBe(s);
  });
});
