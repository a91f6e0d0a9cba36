import { describe, expect, it } from 'vitest';
import type { DetectionFrameEvent } from '../../../main/api/detection.js';
import { fitBox, frameFor, type HeldFrame } from './box-sync.js';

const f = (sub: number | null, main: number | null, arrivedAt = 0, n = 1): HeldFrame => ({
  frame: { cameraId: 'c', stream: 'sub', mediaTime: { sub, main }, time: '', objects: Array.from({ length: n }, (_, i) => ({ trackId: i, label: 'person', score: 0.9, box: [0, 0, 1, 1] })) } as DetectionFrameEvent,
  arrivedAt,
});

describe('live boxes in step with the picture', () => {
  const held = [f(10, 500), f(10.5, 500.5), f(11, 501)];
  it('draws the newest detection frame at or before the picture, never one ahead of it', () => {
    expect(frameFor(held, 'sub', 10.7, 0)!.frame.mediaTime.sub).toBe(10.5);
    expect(frameFor(held, 'sub', 10.97, 0)!.frame.mediaTime.sub).toBe(11); // rounding tolerance
    expect(frameFor(held, 'sub', 9.9, 0)).toBeNull(); // the picture has not reached the first frame yet
    expect(frameFor(held, 'main', 500.6, 0)!.frame.mediaTime.main).toBe(500.5); // the other stream's timeline
  });
  it('drops boxes that are too old, and never mixes timelines', () => {
    expect(frameFor(held, 'sub', 20, 0)).toBeNull();
    expect(frameFor(held, 'sub', 10_000, 0)).toBeNull(); // the stream restarted elsewhere: nothing, not stale boxes
  });
  it('falls back to arrival when the frames have no media time for this stream', () => {
    const untimed = [f(10, null, 1000), f(10.5, null, 1400)];
    expect(frameFor(untimed, 'main', 123, 2000)!.arrivedAt).toBe(1400);
    expect(frameFor(untimed, 'main', 123, 9000)).toBeNull();
  });
  it('maps a box to the picture inside a letterboxed element', () => {
    // a 4:3 picture in a 16:9 element 1600×900: 1200 wide, 200 px bars left and right
    expect(fitBox([0, 0, 1, 1], 768, 576, 1600, 900)).toEqual([200, 0, 1400, 900]);
    expect(fitBox([0.5, 0.5, 0.75, 1], 768, 576, 1600, 900)).toEqual([800, 450, 1100, 900]);
  });
});
