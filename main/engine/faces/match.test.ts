import { describe, expect, it } from 'vitest';
import { euclidean, matchFace, rankPeople, type GalleryEntry } from './match.js';
import { FACE_PARAMS } from './params.js';
import { FaceCapability } from './capability.js';
import { upperBodyRegion } from './tracks.js';

/** A unit-ish vector along axis i, plus an offset along axis j of length d (distance d from vec(i)). */
function vec(i: number, j = -1, d = 0): Float32Array {
  const v = new Float32Array(128);
  v[i] = 1;
  if (j >= 0) v[j] = d;
  return v;
}
const q = { sizePx: 120, sharpness: 100 };
const gallery: GalleryEntry[] = [
  { personId: 'alice', enrolmentId: 'a1', descriptor: vec(0) },
  { personId: 'alice', enrolmentId: 'a2', descriptor: vec(0, 5, 0.2) },
  { personId: 'bob', enrolmentId: 'b1', descriptor: vec(1) },
];

describe('matching', () => {
  it('measures Euclidean distance and ranks people by their nearest enrolment', () => {
    expect(euclidean([0, 0], [3, 4])).toBe(5);
    expect(() => euclidean([1], [1, 2])).toThrow(/lengths differ/);
    const r = rankPeople(vec(0, 5, 0.15), gallery);
    expect(r.map((x) => x.personId)).toEqual(['alice', 'bob']);
    expect(r[0]!.enrolmentId).toBe('a2');
    expect(r[0]!.distance).toBeCloseTo(0.05);
  });

  it('matches within the threshold when the runner-up is far enough', () => {
    const m = matchFace({ descriptor: vec(0, 7, 0.3), quality: q }, gallery);
    expect(m).toMatchObject({ match: true, personId: 'alice', enrolmentId: 'a1' });
    if (m.match) expect(m.distance).toBeCloseTo(0.3);
  });

  it('says no-match beyond the threshold and ambiguous when two people are nearly as close', () => {
    expect(matchFace({ descriptor: vec(3), quality: q }, gallery)).toMatchObject({ match: false, reason: 'no-match', nearestPersonId: expect.any(String) });
    // Halfway between alice and bob, both ≈ 0.707 away: beyond the threshold.
    // Closer to both: a point at distance ~0.45 from alice and ~0.48 from bob.
    const mid = new Float32Array(128);
    mid[0] = 0.6;
    mid[1] = 0.57;
    const r = matchFace({ descriptor: mid, quality: q }, gallery, { threshold: 0.7 });
    expect(r).toMatchObject({ match: false, reason: 'ambiguous' });
  });

  it('never compares faces that are too small, blurred or without a descriptor, and says so', () => {
    expect(matchFace({ descriptor: vec(0), quality: { sizePx: FACE_PARAMS.minFacePx - 1, sharpness: 100 } }, gallery)).toMatchObject({ match: false, reason: 'too-small' });
    expect(matchFace({ descriptor: vec(0), quality: { sizePx: 100, sharpness: 1 } }, gallery)).toMatchObject({ match: false, reason: 'blurred' });
    expect(matchFace({ descriptor: null, quality: q }, gallery)).toMatchObject({ match: false, reason: 'no-descriptor' });
    expect(matchFace({ descriptor: vec(0), quality: q }, [])).toMatchObject({ match: false, reason: 'empty-gallery' });
  });
});

describe('face-capable estimate', () => {
  it('is unknown without samples, too-small from person heights, capable from measured faces', () => {
    const c = new FaceCapability();
    expect(c.estimate('cam').state).toBe('unknown');
    for (const h of [60, 80, 100, 120, 130]) c.recordPerson('cam', h);
    const small = c.estimate('cam');
    expect(small).toMatchObject({ state: 'too-small', basis: 'persons' });
    expect(small.medianFacePx).toBe(10);
    expect(small.message).toMatch(/too small to recognise/);
    for (const w of [70, 80, 90, 100, 65]) c.recordFace('door', w);
    expect(c.estimate('door')).toMatchObject({ state: 'capable', basis: 'faces', medianFacePx: 80 });
    for (const w of [45, 50, 55, 50, 48]) c.recordFace('hall', w);
    expect(c.estimate('hall').state).toBe('marginal');
    for (let i = 0; i < 1000; i++) c.recordFace('busy', 100);
    expect(c.estimate('busy').samples).toBe(200); // bounded window
  });
});

describe('upper-body region', () => {
  it('is the top of the person box, a little wider and higher, clipped to the frame', () => {
    upperBodyRegion([0.4, 0.2, 0.6, 0.9], 1000, 500).forEach((v, i) => expect(v).toBeCloseTo([370, 82.5, 630, 240][i]!, 6));
    expect(upperBodyRegion([0, 0, 0.2, 1], 100, 100)[0]).toBe(0);
  });
});
