import { describe, expect, it } from 'vitest';
import { EventBus } from '../bus.js';
import { FaceAlarms } from './alarms.js';
import type { FaceService } from './service.js';
import type { FaceWiring, Sighting } from './wiring.js';

/** A unit descriptor along axis i (distance √2 between different axes), nudged by `eps` on the next axis. */
function desc(i: number, eps = 0): Float32Array {
  const d = new Float32Array(128);
  d[i] = 1;
  d[(i + 1) % 128] = eps;
  return d;
}

const face = (d: Float32Array, sizePx = 90, sharpness = 40) => ({ box: [0, 0, sizePx, sizePx], score: 0.9, keypoints: null, quality: { sizePx, eyePx: 30, sharpness, frontal: 1, score: 0.8 }, descriptor: d }) as unknown as Sighting['face'];
const seen = (d: Float32Array, timeMs: number, trackId: number | null = 1, sizePx = 90): Sighting => ({
  cameraId: 'door-cam',
  timeMs,
  fromMs: timeMs,
  toMs: timeMs,
  trackId,
  face: face(d, sizePx),
  match: { match: false, reason: 'no-match', distance: null, nearestPersonId: null, secondDistance: null },
  jpeg: null,
  cropId: null,
});

function setup(sightings: Sighting[], people: { id: string; name: string; badges: string[]; enrolled: Float32Array[] }[]) {
  const service = {
    store: {
      peopleWithBadge: (b: string) => people.filter((p) => p.badges.includes(b)).map((p) => ({ id: p.id, name: p.name, badges: p.badges, groups: [], createdMs: 0, updatedMs: 0 })),
      gallery: () => people.flatMap((p) => p.enrolled.map((d, i) => ({ personId: p.id, enrolmentId: `${p.id}-${i}`, descriptor: d }))),
    },
  } as unknown as FaceService;
  const wiring = { recent: (_c: string[], from: number, to: number) => sightings.filter((s) => s.toMs >= from && s.fromMs <= to) } as unknown as FaceWiring;
  return new FaceAlarms({ bus: new EventBus(), alarms: () => null, service, wiring, enabled: () => true, windowSeconds: () => 3, cameraName: () => null });
}

const ann = { id: 'p_ann', name: 'Ann', badges: ['42'], enrolled: [desc(0)] };
const bob = { id: 'p_bob', name: 'Bob', badges: ['43'], enrolled: [desc(10)] };
const T = 1_000_000;

describe('badge × face', () => {
  it("the holder's face: no alarm; someone else's face: a mismatch (not-holder)", () => {
    expect(setup([seen(desc(0, 0.1), T + 500)], [ann, bob]).check('42', ['door-cam'], T, 3000)).toMatchObject({ outcome: 'holder' });
    const c = setup([seen(desc(10, 0.1), T - 1000)], [ann, bob]).check('42', ['door-cam'], T, 3000);
    expect(c).toMatchObject({ outcome: 'mismatch', reason: 'not-holder', holder: { id: 'p_ann' } });
    // a stranger (enrolled nowhere) with a clear face is not the holder either
    expect(setup([seen(desc(50), T)], [ann]).check('42', ['door-cam'], T, 3000)).toMatchObject({ outcome: 'mismatch', reason: 'not-holder' });
  });

  it('two people on one badge: the holder and someone else', () => {
    const c = setup([seen(desc(0, 0.05), T, 1), seen(desc(20), T + 800, 2)], [ann]).check('42', ['door-cam'], T, 3000);
    expect(c).toMatchObject({ outcome: 'mismatch', reason: 'two-people', people: 2 });
    // the same person twice (two tracks, one face) is one person
    expect(setup([seen(desc(0, 0.05), T, 1), seen(desc(0, 0.08), T + 800, 2)], [ann]).check('42', ['door-cam'], T, 3000)).toMatchObject({ outcome: 'holder', people: 1 });
  });

  it('no alarm without a clear face, outside the window, for a badge nobody holds, or a holder with no enrolled face', () => {
    expect(setup([], [ann]).check('42', ['door-cam'], T, 3000).outcome).toBe('no-face');
    expect(setup([seen(desc(20), T, 1, 24)], [ann]).check('42', ['door-cam'], T, 3000).outcome).toBe('no-face'); // too small
    expect(setup([seen(desc(20), T + 5000)], [ann]).check('42', ['door-cam'], T, 3000).outcome).toBe('no-face');
    expect(setup([seen(desc(20), T)], [ann]).check('99', ['door-cam'], T, 3000).outcome).toBe('no-holder');
    expect(setup([seen(desc(20), T)], [{ ...ann, enrolled: [] }]).check('42', ['door-cam'], T, 3000).outcome).toBe('not-enrolled');
  });

  it('a face between the threshold and threshold + margin is unsure: no alarm', () => {
    // distance ≈ 0.52 from Ann's enrolment (threshold 0.50, margin 0.05)
    const d = desc(0);
    d[0] = 0.8648;
    d[1] = 0.5;
    const dist = Math.hypot(d[0]! - 1, d[1]!);
    expect(dist).toBeGreaterThan(0.5);
    expect(dist).toBeLessThan(0.55);
    expect(setup([seen(d, T)], [ann]).check('42', ['door-cam'], T, 3000).outcome).toBe('unsure');
  });
});
