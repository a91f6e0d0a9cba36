import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../../time/index.js';
import { follow, ladderStep, MAX_SPAN, MIN_SPAN, timeToX, xToTime, zoomToSpan, zoomView } from './zoom.js';

describe('view: zoom, pan, pixels', () => {
  it('converts between time and pixels', () => {
    const v = { start: 1000, span: 10_000 };
    expect(timeToX(v, 500, 6000)).toBe(250);
    expect(xToTime(v, 500, 250)).toBe(6000);
  });

  it('zooms around an anchor and clamps from seconds to days', () => {
    const v = { start: 0, span: HOUR };
    const z = zoomView(v, 0.5, 15 * MINUTE);
    expect(z.span).toBe(30 * MINUTE);
    expect(timeToX(z, 100, 15 * MINUTE)).toBeCloseTo(timeToX(v, 100, 15 * MINUTE));
    expect(zoomView(v, 1e-6).span).toBe(MIN_SPAN);
    expect(zoomView(v, 1e6).span).toBe(MAX_SPAN);
    expect(zoomToSpan(v, DAY).span).toBe(DAY);
    expect(ladderStep(HOUR, -1)).toBe(15 * MINUTE);
    expect(ladderStep(HOUR, 1)).toBe(3 * HOUR);
    expect(ladderStep(MIN_SPAN, -1)).toBe(MIN_SPAN);
    expect(ladderStep(MAX_SPAN, 1)).toBe(MAX_SPAN);
    expect(ladderStep(40 * MINUTE, 1)).toBe(HOUR);
  });

  it('pages to keep the playhead in view', () => {
    const v = { start: 0, span: 100_000 };
    expect(follow(v, 50_000)).toBe(v);
    expect(follow(v, 99_000).start).toBe(49_000);
  });
});
