import { describe, expect, it } from 'vitest';
import { formatHash, parseHash } from './route.js';

describe('route', () => {
  it('parses the view and its params from the hash', () => {
    expect(parseHash('#/cameras')).toEqual({ view: 'cameras', params: {} });
    expect(parseHash('#/settings?tab=users')).toEqual({ view: 'settings', params: { tab: 'users' } });
    expect(parseHash('#/playback?camera=gate&t=2026-11-26T08%3A00%3A00Z')).toEqual({
      view: 'playback',
      params: { camera: 'gate', t: '2026-11-26T08:00:00Z' },
    });
  });
  it('falls back to Live', () => {
    expect(parseHash('')).toEqual({ view: 'live', params: {} });
    expect(parseHash('#/nope')).toEqual({ view: 'live', params: {} });
  });
  it('knows the full-screen alarm wall page', () => {
    expect(parseHash('#/alarm-wall')).toEqual({ view: 'alarms', params: {}, page: 'alarm-wall' });
  });
  it('round-trips', () => {
    const h = formatHash({ view: 'settings', params: { tab: 'storage' } });
    expect(h).toBe('#/settings?tab=storage');
    expect(parseHash(h)).toEqual({ view: 'settings', params: { tab: 'storage' } });
  });
});
