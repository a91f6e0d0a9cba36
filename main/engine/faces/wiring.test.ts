import { describe, expect, it } from 'vitest';
import type { EventMap } from '../../api/contract.js';
import { EventBus } from '../bus.js';
import type { FaceAnalysis, FaceImage, FacePool } from './pool.js';
import type { FaceService } from './service.js';
import { TrackFaces } from './tracks.js';
import { FaceWiring } from './wiring.js';

const W = 416;
const H = 312;
const frame = () => ({ frame: Buffer.alloc(W * H * 3, 128), w: W, h: H });
const face = (x: number) => ({
  box: [x, 40, x + 90, 130],
  score: 0.95,
  keypoints: null,
  quality: { sizePx: 90, eyePx: 30, sharpness: 40, frontal: 1, score: 0.9 },
  descriptor: Float32Array.from({ length: 128 }, (_, i) => (i === 0 ? 1 : 0)),
});

/** A face pool that is busy (null) or answers with one face, counting the calls. */
function fakePool(busy: boolean) {
  const calls: FaceImage[] = [];
  const pool = {
    readyCount: () => 1,
    tryAnalyze: (img: FaceImage) => {
      if (busy) return null;
      calls.push(img);
      return Promise.resolve({ faces: [face(100)], timings: {}, roundTripMs: 1 } as unknown as FaceAnalysis);
    },
  } as unknown as FacePool;
  return { pool, calls };
}

function wiring(busy: boolean) {
  const { pool, calls } = fakePool(busy);
  const tracks = new TrackFaces({ pool, gallery: () => [] });
  const crops: unknown[] = [];
  const service = {
    ensurePool: () => pool,
    tracks,
    match: () => ({ match: false, reason: 'empty-gallery', distance: null, nearestPersonId: null, secondDistance: null }),
    keepTrackFace: (r: unknown) => {
      crops.push(r);
      return { id: `c_${crops.length}` };
    },
    store: { findPerson: () => null },
  } as unknown as FaceService;
  const bus = new EventBus();
  const matches: EventMap['faces.match'][] = [];
  bus.on('faces.match', (m) => matches.push(m));
  return { w: new FaceWiring({ service, bus, enabled: () => true }), tracks, calls, crops, matches };
}

describe('face wiring', () => {
  it('16 cameras with a busy face worker: every frame dropped and counted, nothing kept', async () => {
    const { w, tracks } = wiring(true);
    for (let f = 0; f < 200; f++) {
      for (let c = 0; c < 16; c++) {
        w.personFrame(`cam${c}`, 1, 10 + c, 1000 + f * 500, frame(), [0.2, 0.1, 0.6, 0.9]);
        w.motionFrame(`cam${c}`, 1000 + f * 500, frame());
      }
    }
    await w.settle();
    expect(tracks.openTracks()).toBe(0);
    expect(w.recent(Array.from({ length: 16 }, (_, c) => `cam${c}`), 0, Infinity)).toHaveLength(0);
    expect(w.countersOf('cam3')).toEqual({ analysed: 0, matched: 0, dropped: 400 });
  });

  it('motion frames: at most one analysis per second per camera; sightings stay bounded; the same face is kept once', async () => {
    const { w, calls, crops, matches } = wiring(false);
    for (let f = 0; f < 400; f++) {
      w.motionFrame('door', 10_000 + f * 100, frame()); // 10 fps for 40 s
      await w.settle();
    }
    expect(calls.length).toBe(40);
    expect(w.recent(['door'], 0, Infinity).length).toBeLessThanOrEqual(32);
    // the same face over and over: kept and announced once per 10 s
    expect(crops.length).toBeLessThanOrEqual(5);
    expect(matches.length).toBe(crops.length);
    expect(matches[0]).toMatchObject({ cameraId: 'door', eventId: null, trackId: null, reason: 'empty-gallery', cropId: 'c_1' });
  });

  it('a person track: its face at the end goes to the event and out as faces.match; the track is freed', async () => {
    const { w, tracks, matches } = wiring(false);
    for (let f = 0; f < 5; f++) {
      w.personFrame('door', 7, 42, 1000 + f * 500, frame(), [0.2, 0.05, 0.7, 0.95]);
      await w.settle();
    }
    expect(tracks.openTracks()).toBe(1);
    expect(w.recent(['door'], 0, Infinity)).toHaveLength(1);
    const info = w.trackEnded('door', 7, 42, 4000);
    expect(info).toMatchObject({ personId: null, reason: 'empty-gallery', sizePx: 90, cropId: 'c_1' });
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({ eventId: 42, trackId: 7 });
    expect(tracks.openTracks()).toBe(0);
    expect(w.trackEnded('door', 8, 43, 4000)).toBeNull();
  });
});
