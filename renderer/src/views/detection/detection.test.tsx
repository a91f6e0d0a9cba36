// @vitest-environment happy-dom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CameraInfo } from '../../../../main/api/contract.js';
import type { CameraZone, DetectionCameraStatus, ReviewItem } from '../../../../main/api/detection.js';
import { FakeServer } from '../../test-support/fake-server.js';
import { setValue, testSettings, viewHarness } from '../../test-support/view-harness.js';
import { ReviewView } from '../review/ReviewView.js';
import { DetectionSettingsForm } from './DetectionSettingsForm.js';
import { ZonesEditor, zoneFieldProblems } from './ZonesEditor.js';

const cam: CameraInfo = {
  id: 'gate',
  name: 'Gate',
  url: 'rtsp://10.0.0.1/x',
  subUrl: 'rtsp://10.0.0.1/y',
  username: null,
  hasPassword: false,
  enabled: true,
  demo: false,
  retentionDays: null,
  status: { state: 'recording', message: '', since: new Date().toISOString(), codec: 'h264', width: 1600, height: 900, fps: 10, audio: null, lastSegmentAt: null },
};
const status: DetectionCameraStatus = {
  cameraId: 'gate',
  enabled: true,
  settings: { enabled: true, labels: ['person', 'vehicle'], fps: 2, minScore: 0.5, minSize: 0, stream: 'sub' },
  zones: 1,
  motionMasks: 0,
  objectMasks: 0,
  state: 'running',
  fps: 2,
  inferFps: 1.5,
  idle: false,
  motion: true,
  offered: 120,
  processed: 110,
  skipped: 8,
  dropped: 8,
  gated: 30,
  msPerFrame: 14,
  lastInferenceMs: 12,
  lastInferenceAt: new Date().toISOString(),
  objects: [],
  error: null,
};
const item = (id: number, over: Partial<ReviewItem> = {}): ReviewItem => ({
  id,
  cameraId: 'gate',
  label: 'person',
  score: 0.8,
  trackId: id,
  start: new Date(Date.UTC(2026, 10, 26, 8, 0, id)).toISOString(),
  end: null,
  box: [0.1, 0.1, 0.2, 0.4],
  zones: [],
  alert: false,
  alarmIds: [],
  snapshot: false,
  reviewed: null,
  ...over,
});

let zones: CameraZone[];
let items: ReviewItem[];

beforeEach(() => {
  zones = [];
  items = [item(3, { alert: true, alarmIds: [9] }), item(2), item(1)];
  location.hash = '';
});
function makeServer() {
  return new FakeServer({
    'cameras.list': () => [cam],
    'settings.get': () => testSettings,
    'detection.update': (p) => ({ ...status, settings: { ...status.settings, ...(p as { patch: object }).patch } }),
    'zones.list': () => zones,
    'zones.replace': (p) => {
      const q = p as { cameraId: string; zones: (Omit<CameraZone, 'id' | 'cameraId'> & { id?: string })[] };
      zones = q.zones.map((z, i) => ({ ...z, id: z.id ?? `z_000000${i}`, cameraId: q.cameraId }));
      return zones;
    },
    'review.list': (p) => {
      const q = p as { kind: string };
      return { items: items.filter((i) => q.kind === 'all' || (q.kind === 'alerts') === i.alert), nextCursor: null };
    },
    'review.mark': (p) => {
      const q = p as { ids: number[]; reviewed: boolean };
      items = items.map((i) => (q.ids.includes(i.id) ? { ...i, reviewed: q.reviewed ? { at: '', by: 'admin' } : null } : i));
      return { marked: q.ids.length };
    },
  });
}
const h = viewHarness({ server: makeServer, providers: ['settings', 'cameras'], renderWaitMs: 250, keyWaitMs: 5 });
const { render, key, calls } = h;
const $ = <E extends Element = HTMLElement>(id: string) => h.q<E>(id)!;

describe('zones drawn with the keyboard only', () => {
  it('N draws a zone named "Zone 1", its fields are set beside the picture, Ctrl+S saves it normalised', async () => {
    await render(<ZonesEditor camera={cam} />);
    await key('n');
    await key('a');
    expect($('zone-editor').getAttribute('data-polygons')).toBe('1');
    expect($<HTMLInputElement>('zone-name').value).toBe('Zone 1');
    await act(async () => {
      setValue($<HTMLInputElement>('zone-name'), 'Door');
      setValue($<HTMLInputElement>('zone-dwell'), '12');
      $<HTMLInputElement>('zone-labels-person').click();
    });
    await key('s', { ctrlKey: true });
    await act(async () => new Promise((r) => setTimeout(r, 30)));
    const saved = calls('zones.replace');
    expect(saved).toHaveLength(1);
    expect(saved[0]!.zones).toEqual([{ name: 'Door', polygon: [[0.42, 0.58], [0.5, 0.42], [0.54, 0.5], [0.58, 0.58]], labels: ['person'], minDwellSeconds: 12, inertiaFrames: 3 }]);
    expect($('zones-view').getAttribute('data-dirty')).toBe('false');
  });

  it('says what is wrong with a zone before it is saved', () => {
    const p = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]] as [number, number][];
    expect(zoneFieldProblems([{ name: '', points: p }, { name: 'A', points: p, data: { inertiaFrames: 0 } }, { name: 'a', points: p }])).toEqual([
      'zone 1: give it a name',
      'zone 2: inertia is a whole number of frames from 1 to 20',
      'zone 3: another zone is already named "a"',
    ]);
  });
});

describe('detection settings', () => {
  it('shows the counters, checks a field, and saves the settings', async () => {
    await render(<DetectionSettingsForm camera={cam} status={status} isAdmin />);
    expect($('detection-counters').getAttribute('data-offered')).toBe('120');
    expect($('det-skipped').textContent).toBe('8');
    await act(async () => {
      setValue($<HTMLInputElement>('det-min-score'), '1.5');
    });
    await act(async () => $<HTMLButtonElement>('det-save').click());
    expect($('det-min-score-error').textContent).toBe('from 0.3 to 0.95');
    expect(calls('detection.update')).toEqual([]);
    await act(async () => {
      setValue($<HTMLInputElement>('det-min-score'), '0.6');
      setValue($<HTMLSelectElement>('det-fps'), '4');
      $<HTMLInputElement>('det-labels-animal').click();
    });
    await key('s', { ctrlKey: true });
    await act(async () => new Promise((r) => setTimeout(r, 30)));
    expect(calls('detection.update')).toEqual([{ cameraId: 'gate', patch: { enabled: true, labels: ['person', 'vehicle', 'animal'], fps: 4, minScore: 0.6, minSize: 0, stream: 'sub' } }]);
  });
});

describe('the review list', () => {
  it('alerts first; j / k move, r marks reviewed and moves on, Enter opens playback 5 s before', async () => {
    await render(<ReviewView />);
    expect($('view-review').getAttribute('data-kind')).toBe('alerts');
    await act(async () => new Promise((r) => setTimeout(r, 600))); // the list loads a moment after the filters settle
    expect([...h.host.querySelectorAll('[data-testid="review-row"]')].map((r) => r.getAttribute('data-event'))).toEqual(['3']);
    await key('3');
    await act(async () => new Promise((r) => setTimeout(r, 250)));
    const rows = () => [...h.host.querySelectorAll('[data-testid="review-row"]')];
    expect(rows().map((r) => r.getAttribute('data-event'))).toEqual(['3', '2', '1']);
    const selected = () => rows().find((r) => r.getAttribute('aria-selected') === 'true')?.getAttribute('data-event');
    expect(selected()).toBe('3');
    await key('j');
    expect(selected()).toBe('2');
    await key('r');
    await act(async () => new Promise((r) => setTimeout(r, 30)));
    expect(calls('review.mark')).toEqual([{ ids: [2], reviewed: true }]);
    expect(h.host.querySelector('[data-event="2"]')!.getAttribute('data-reviewed')).toBe('true');
    expect(selected()).toBe('1');
    await key('k');
    await key('k');
    await key('Enter');
    expect(location.hash).toBe(`#/playback?camera=gate&t=${encodeURIComponent(new Date(Date.UTC(2026, 10, 26, 7, 59, 58)).toISOString())}`);
  });
});
