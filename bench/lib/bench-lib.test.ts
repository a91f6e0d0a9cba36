import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM JavaScript without type declarations
import { coveredMs } from './engine-run.mjs';
// @ts-expect-error plain ESM JavaScript without type declarations
import { figure, fmt } from './report.mjs';
// @ts-expect-error plain ESM JavaScript without type declarations
import { procStat, treeTicks } from './cpu.mjs';

describe('bench coverage arithmetic', () => {
  it('unions overlapping segments and clips them to the window', () => {
    const segs: [number, number][] = [
      [0, 10],
      [10, 20],
      [15, 25],
      [30, 40],
    ];
    expect(coveredMs(segs)).toBe(35);
    expect(coveredMs(segs, 5, 35)).toBe(25);
    expect(coveredMs([], 0, 10)).toBe(0);
    expect(coveredMs([[50, 60]], 0, 10)).toBe(0);
  });
});

describe('bench figures', () => {
  it('checks aims both ways', () => {
    expect(figure('r', 1.1, '×', { op: '<=', value: 1.15 }).meetsAim).toBe(true);
    expect(figure('r', 1.2, '×', { op: '<=', value: 1.15 }).meetsAim).toBe(false);
    expect(figure('c', 99.95, '%', { op: '>=', value: 99.9 }).meetsAim).toBe(true);
    expect(figure('x', 3, 'B').meetsAim).toBeUndefined();
  });
  it('formats units', () => {
    expect(fmt(1.23456, '×')).toBe('1.235×');
    expect(fmt(99.95, '%')).toBe('99.950 %');
    expect(fmt(2048, 'B')).toBe('2048 B');
    expect(fmt(20480, 'B')).toBe('20.0 KiB');
    expect(fmt(NaN, '%')).toBe('n/a');
  });
});

describe('bench CPU accounting', () => {
  it('reads /proc for this process and its tree', () => {
    const s = procStat(process.pid);
    expect(s?.ppid).toBeGreaterThan(0);
    const t = treeTicks([process.pid]);
    expect(t.procs).toBeGreaterThanOrEqual(1);
    expect(t.ticks).toBeGreaterThanOrEqual((s?.utime ?? 0) + (s?.stime ?? 0));
    expect(procStat(2 ** 30)).toBeNull();
  });
});
