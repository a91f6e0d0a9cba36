import { describe, expect, it } from 'vitest';
import { incomingName, parseIncomingName, parseSegmentName, parseStamp, runIdOf, segmentRelPath, stamp } from './layout.js';

describe('on-disk names', () => {
  it('stamps round-trip with milliseconds, in UTC', () => {
    const t = Date.UTC(2026, 10, 26, 8, 0, 0, 123);
    expect(stamp(t)).toBe('20261126T080000123Z');
    expect(parseStamp(stamp(t))).toBe(t);
    expect(parseStamp('20261126T080000Z')).toBeNull();
  });
  it('segment paths carry start and run and sort by time', () => {
    const t = Date.UTC(2026, 0, 2, 23, 59, 59, 999);
    expect(segmentRelPath('cam1', t, 'k3x9.1')).toBe('cam1/2026-01-02/23/20260102T235959999Z_k3x9.1.mp4');
    expect(parseSegmentName('20260102T235959999Z_k3x9.1.mp4')).toEqual({ startMs: t, runId: 'k3x9.1' });
    expect(parseSegmentName('20260102T235959999Z.mp4')).toBeNull();
    expect(parseSegmentName('notes.txt')).toBeNull();
  });
  it('incoming names', () => {
    expect(incomingName('abc', 7)).toBe('abc-000007.mp4');
    expect(parseIncomingName('abc-000007.mp4')).toEqual({ ingestId: 'abc', seq: 7 });
    expect(parseIncomingName('abc-7.mp4')).toBeNull();
    expect(runIdOf('abc', 0)).toBe('abc');
    expect(runIdOf('abc', 2)).toBe('abc.2');
  });
});
