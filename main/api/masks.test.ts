import { describe, expect, it } from 'vitest';
import { parseParams } from './contract.js';
import { polygonArea, polygonProblems, segmentsIntersect, type Point } from './masks.js';

const square: Point[] = [
  [0.1, 0.1],
  [0.4, 0.1],
  [0.4, 0.4],
  [0.1, 0.4],
];

describe('polygon validation', () => {
  it('accepts a simple polygon, clockwise or not, touching the picture edges', () => {
    expect(polygonProblems(square)).toEqual([]);
    expect(polygonProblems([...square].reverse())).toEqual([]);
    expect(polygonProblems([[0, 0], [1, 0], [1, 1], [0, 1]])).toEqual([]);
    expect(polygonProblems([[0, 0], [1, 0], [0.5, 0.2], [0.5, 1]].slice(0, 3))).toEqual([]);
  });

  it('needs 3 to 64 points', () => {
    expect(polygonProblems([[0.1, 0.1], [0.2, 0.2]])[0]!.message).toMatch(/at least 3 points \(it has 2\)/);
    const many = Array.from({ length: 65 }, (_, i) => [0.5 + 0.4 * Math.cos((i / 65) * 2 * Math.PI), 0.5 + 0.4 * Math.sin((i / 65) * 2 * Math.PI)]);
    expect(polygonProblems(many)[0]!.message).toMatch(/at most 64 points/);
  });

  it('names the point and coordinate outside 0–1', () => {
    const p = polygonProblems([[0.1, 0.1], [1.2, 0.1], [0.2, -0.5]]);
    expect(p.map((x) => x.path)).toEqual([[1, 0], [2, 1]]);
    expect(p[0]!.message).toMatch(/point 2: x must be from 0 to 1/);
    expect(polygonProblems([[0.1, 0.1], [Number.NaN, 0.1], [0.2, 0.5]])[0]!.path).toEqual([1, 0]);
  });

  it('refuses repeated points, no area, and every kind of self-crossing', () => {
    expect(polygonProblems([[0.1, 0.1], [0.3, 0.1], [0.1, 0.1], [0.2, 0.4]])[0]!.message).toMatch(/point 3 is the same as point 1/);
    expect(polygonProblems([[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]])[0]!.message).toMatch(/no area/);
    // a bow tie
    const bow = polygonProblems([[0.1, 0.1], [0.4, 0.4], [0.4, 0.1], [0.1, 0.4]]);
    expect(bow[0]!.message).toMatch(/crosses itself: the edge from point 1 to 2 meets the edge from point 3 to 4/);
    // a vertex touching a non-neighbouring edge
    expect(polygonProblems([[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.3, 0.1], [0.1, 0.5]]).length).toBe(1);
    // collinear overlap of two edges
    expect(polygonProblems([[0, 0], [0.6, 0], [0.6, 0.3], [0.3, 0.3], [0.3, 0], [0.2, 0.5]]).length).toBe(1);
  });

  it('segment geometry', () => {
    expect(segmentsIntersect([0, 0], [1, 1], [0, 1], [1, 0])).toBe(true);
    expect(segmentsIntersect([0, 0], [1, 0], [0, 1], [1, 1])).toBe(false);
    expect(segmentsIntersect([0, 0], [1, 0], [0.5, 0], [2, 0])).toBe(true);
    expect(Math.abs(polygonArea(square))).toBeCloseTo(0.09, 6);
  });

  it('the API refuses a bad polygon with the field that is wrong', () => {
    expect(() => parseParams('masks.add', { cameraId: 'gate', kind: 'privacy', polygon: [[0.1, 0.1], [0.4, 0.4], [0.4, 0.1], [0.1, 0.4]] })).toThrow(/masks\.add: polygon\.3: the polygon crosses itself/);
    expect(() => parseParams('masks.add', { cameraId: 'gate', kind: 'privacy', polygon: [[0.1, 0.1], [0.4, 2]] })).toThrow(/polygon/);
    expect(() => parseParams('masks.add', { cameraId: 'gate', kind: 'zone', polygon: square })).toThrow(/kind/);
    expect(parseParams('masks.add', { cameraId: 'gate', kind: 'motion', polygon: square }).polygon).toEqual(square);
  });
});
