import { describe, expect, it } from 'vitest';
import type { StoredCamera } from '../config/schema.js';
import { cellMask, pointInPolygon } from './geometry.js';
import { detectionSettingsOf, eventLabel, filterDetections } from './settings.js';

const cam = (over: Partial<StoredCamera>): StoredCamera => ({
  id: 'gate',
  name: 'Gate',
  url: 'rtsp://127.0.0.1/x',
  subUrl: null,
  username: null,
  password: null,
  enabled: true,
  demo: false,
  retentionDays: null,
  createdAt: '2026-01-01T00:00:00Z',
  ...over,
});

describe('detection settings', () => {
  it('fills in defaults: on only for the vtest demo cameras, every label, 2 fps, the sub stream', () => {
    expect(detectionSettingsOf(cam({}))).toEqual({ enabled: false, labels: ['person', 'vehicle', 'bicycle', 'motorcycle', 'animal'], fps: 2, minScore: 0.5, minSize: 0, stream: 'sub' });
    expect(detectionSettingsOf(cam({ demo: true, url: 'demo://vtest' })).enabled).toBe(true);
    expect(detectionSettingsOf(cam({ demo: true, url: 'demo://pattern' })).enabled).toBe(false);
    expect(detectionSettingsOf(cam({ detection: { enabled: true, labels: ['person'], fps: 5, stream: 'main' } }))).toMatchObject({ enabled: true, labels: ['person'], fps: 5, stream: 'main' });
  });

  it('names the detector labels as events do', () => {
    expect(eventLabel('person')).toBe('person');
    expect(eventLabel('vehicle')).toBe('vehicle');
    expect(eventLabel('dog')).toBe('animal');
    expect(eventLabel('giraffe')).toBe('animal');
    expect(eventLabel('chair')).toBeNull();
    expect(eventLabel('backpack')).toBeNull();
  });

  it('keeps wanted labels, big enough, outside the object masks (by the bottom centre)', () => {
    const dets = [
      { label: 'person', score: 0.9, box: [0.1, 0.1, 0.2, 0.5] }, // bottom centre (0.15, 0.5)
      { label: 'person', score: 0.8, box: [0.6, 0.6, 0.62, 0.64] }, // tiny: 0.04 × 1080 = 43 px
      { label: 'dog', score: 0.7, box: [0.7, 0.1, 0.9, 0.3] },
      { label: 'chair', score: 0.9, box: [0.3, 0.3, 0.4, 0.4] },
    ];
    const f = { labels: ['person', 'animal'], minSize: 0, picture: { width: 1920, height: 1080 }, objectMasks: [] };
    expect(filterDetections(dets, f).map((d) => d.label)).toEqual(['person', 'person', 'animal']);
    expect(filterDetections(dets, f)[2]!.cls).toBe('dog');
    expect(filterDetections(dets, { ...f, minSize: 50 }).map((d) => d.score)).toEqual([0.9, 0.7]);
    expect(filterDetections(dets, { ...f, labels: ['vehicle'] })).toEqual([]);
    // a mask over the person's feet drops it; a mask over its head does not
    const feet = [[0.1, 0.45], [0.2, 0.45], [0.2, 0.55], [0.1, 0.55]] as [number, number][];
    const head = [[0.1, 0.05], [0.2, 0.05], [0.2, 0.2], [0.1, 0.2]] as [number, number][];
    expect(filterDetections(dets, { ...f, objectMasks: [feet] }).map((d) => d.score)).toEqual([0.8, 0.7]);
    expect(filterDetections(dets, { ...f, objectMasks: [head] })).toHaveLength(3);
    const whole = [[0, 0], [1, 0], [1, 1], [0, 1]] as [number, number][];
    expect(filterDetections(dets, { ...f, objectMasks: [whole] })).toEqual([]);
  });

  it('point in polygon and the motion gate cell mask', () => {
    const tri = [[0, 0], [1, 0], [0, 1]] as [number, number][];
    expect(pointInPolygon([0.2, 0.2], tri)).toBe(true);
    expect(pointInPolygon([0.8, 0.8], tri)).toBe(false);
    expect(cellMask(4, 2, [])).toBeNull();
    const m = cellMask(4, 2, [[[0, 0], [0.5, 0], [0.5, 1], [0, 1]]])!;
    expect([...m]).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
  });
});
