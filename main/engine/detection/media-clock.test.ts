import { describe, expect, it } from 'vitest';
import { fragment, initSegment } from '../export/__fixtures__/segments.js';
import { StreamTimeline, fragmentTime, videoTrackOf } from './media-clock.js';

const frag = (base: number) => fragment(1, 1, { base, first: 0, samples: [{ duration: 3600, size: 10, key: true }] }, null);

describe('live stream media timeline', () => {
  it('reads the video timescale from the init and each fragment media time from its tfdt', () => {
    const track = videoTrackOf(initSegment({ timescale: 90000 }))!;
    expect(track.timescale).toBe(90000);
    expect(fragmentTime(frag(900_000), track)).toBe(10);
    expect(fragmentTime(Buffer.from('not a box at all'), track)).toBeNull();
  });

  it('links two streams by arrival time: a frame of one → the other stream fragment that arrived then', () => {
    const sub = new StreamTimeline();
    const main = new StreamTimeline();
    sub.init(initSegment({ timescale: 90000 }));
    main.init(initSegment({ timescale: 1000 }));
    // sub starts at media 100 s, main at media 5 s; both at 10 fps, arriving together
    for (let i = 0; i < 50; i++) {
      sub.fragment(frag(9_000_000 + i * 9000), 1_000_000 + i * 100);
      main.fragment(fragment(1, 1, { base: 5000 + i * 100, first: 0, samples: [{ duration: 100, size: 10, key: true }] }, null), 1_000_000 + i * 100 + 3);
    }
    const wall = sub.wallAt(102.5)!; // the 26th frame
    expect(wall).toBe(1_002_500);
    expect(main.mediaAt(wall)).toBe(7.5);
    expect(sub.wallAt(500)).toBeNull(); // nothing near
    expect(main.mediaAt(0)).toBeNull();
    // a source restarted: times jump back, the old entries go
    sub.fragment(frag(0), 1_010_000);
    expect(sub.size).toBe(1);
    sub.reset();
    expect(sub.fragment(frag(0))).toBeNull();
  });

  it('stays bounded (30 s of entries)', () => {
    const tl = new StreamTimeline();
    tl.init(initSegment({ timescale: 90000 }));
    for (let i = 0; i < 2000; i++) tl.fragment(frag(i * 3600), i * 40);
    expect(tl.size).toBeLessThanOrEqual(751);
  });
});
