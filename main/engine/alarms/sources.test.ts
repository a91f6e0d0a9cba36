import { describe, expect, it } from 'vitest';
import { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import { defaultStatus } from '../cameras/catalog.js';
import type { SourceEvent } from './intake.js';
import { attachSources } from './sources.js';

function setup() {
  const bus = new EventBus();
  const got: SourceEvent[] = [];
  let now = Date.parse('2026-11-26T10:00:00Z');
  const cameras = { get: (id: string) => (id === 'gate' ? { id: 'gate', name: 'Gate' } : undefined) } as unknown as CameraRegistry;
  const off = attachSources({ bus, cameras, ingest: (ev) => got.push(ev), clockSkewSeconds: () => 30, now: () => now });
  return { bus, got, off, advance: (ms: number) => (now += ms), now: () => now };
}
const emit = (bus: EventBus, name: string, data: unknown) => bus.emit(name as never, data as never);

describe('alarm sources', () => {
  it('turns recorder health events into source events, once per state change', () => {
    const { bus, got } = setup();
    bus.emit('camera.offline', { cameraId: 'gate', name: 'Gate', since: '2026-11-26T09:59:00Z' });
    bus.emit('camera.online', { cameraId: 'gate', name: 'Gate', offlineSince: '2026-11-26T09:59:00Z' });
    const st = (state: Parameters<typeof defaultStatus>[0]) => bus.emit('camera.status', { cameraId: 'gate', status: { ...defaultStatus(state, `it is ${state}`) } });
    st('stalled');
    st('stalled');
    st('auth_failed');
    st('recording');
    st('disk_full');
    bus.emit('storage.lowSpace', { freeBytes: 1.5e9, thresholdBytes: 2e9 });
    expect(got.map((e) => `${e.type}${e.clears ? ' (clears)' : ''}`)).toEqual([
      'camera.offline',
      'camera.offline (clears)',
      'camera.stalled',
      'camera.recordingFailed',
      'camera.stalled (clears)',
      'camera.recordingFailed (clears)',
      'camera.offline (clears)',
      'disk.full',
      'disk.low',
    ]);
    expect(got[0]).toMatchObject({ source: 'gate', cameraIds: ['gate'], title: 'Camera offline: Gate' });
    expect(got.at(-1)!.title).toBe('Disk space low: 1.5 GB free');
  });

  it('turns a step of the server clock into one system.clockStep alarm source event', () => {
    const { bus, got } = setup();
    bus.emit('clock.step', { stepMs: 3_600_000, at: '2026-11-26T10:00:00Z' });
    bus.emit('clock.step', { cameraId: 'gate', stepMs: -90_000, at: '2026-11-26T10:00:01Z' });
    expect(got.map((e) => [e.type, e.title, e.cameraIds])).toEqual([
      ['system.clockStep', 'Server clock stepped forward 60 min', []],
      ['system.clockStep', 'Server clock stepped back 2 min', ['gate']],
    ]);
    expect(got[0]!.details).toMatchObject({ stepMs: 3_600_000 });
  });

  it('reads ONVIF events and clock checks loosely, and leaves PTZ actions to the audit', () => {
    const { bus, got } = setup();
    emit(bus, 'onvif.event', { cameraId: 'gate', kind: 'tamper', state: true, time: '2026-11-26T10:00:00Z', source: 'VideoSource_1' });
    emit(bus, 'onvif.event', { cameraId: 'gate', kind: 'tamper', state: false, time: '2026-11-26T10:00:05Z', source: 'VideoSource_1' });
    emit(bus, 'onvif.event', { cameraId: 'gate', kind: 'input', state: 'true' });
    emit(bus, 'onvif.event', { cameraId: 'gate', kind: 'relay', state: true });
    emit(bus, 'onvif.event', { nonsense: true });
    emit(bus, 'camera.clockSkew', { cameraId: 'gate', skewMs: 95_000, ok: false, message: 'x' });
    emit(bus, 'camera.clockSkew', { cameraId: 'gate', skewMs: 96_000, ok: false, message: 'x' });
    emit(bus, 'camera.clockSkew', { cameraId: 'gate', skewMs: 500, ok: true, message: 'x' });
    emit(bus, 'ptz.action', { cameraId: 'gate', user: 'gina', action: 'move' });
    expect(got.map((e) => `${e.type}${e.clears ? ' (clears)' : ''}`)).toEqual([
      'onvif.tamper',
      'onvif.tamper (clears)',
      'onvif.input',
      'camera.clockSkew',
      'camera.clockSkew (clears)',
    ]);
    expect(got[0]).toMatchObject({ source: 'gate/VideoSource_1', title: 'Tamper: Gate (VideoSource_1)' });
    expect(got[3]!.title).toBe('Clock skew: Gate is 95 s ahead');
    expect(got.some((e) => e.details && 'action' in e.details)).toBe(false);
  });

  it('measures drift of live segments only, and stops listening when detached', () => {
    const { bus, got, off, now } = setup();
    const at = (ms: number) => new Date(ms).toISOString();
    // a salvaged segment from before the start is history, not a measurement
    bus.emit('recording.segment', { cameraId: 'gate', start: at(now() - 3_600_000), end: at(now() - 3_590_000), bytes: 1 });
    bus.emit('recording.segment', { cameraId: 'gate', start: at(now()), end: at(now() - 45_000), bytes: 1 });
    expect(got.map((e) => e.title)).toEqual(['Clock skew: Gate is 45 s behind']);
    bus.emit('detection.object', { cameraId: 'gate', label: 'person', score: 0.9, box: [0.1, 0.1, 0.2, 0.4], trackId: 7, time: at(now()) });
    bus.emit('detection.object', { cameraId: 'gate', label: 'dog', score: 0.9, box: [0.1, 0.1, 0.2, 0.4], trackId: 8, time: at(now()) });
    // people are detection.person (logged by the built-in rule), other labels detection.object (for a site's own rules)
    expect(got.map((e) => e.type)).toEqual(['camera.clockSkew', 'detection.person', 'detection.object']);
    expect(got[1]).toMatchObject({ title: 'Person detected: Gate', cameraIds: ['gate'], details: { score: 0.9, trackId: 7 } });
    expect(got[2]).toMatchObject({ title: 'Dog detected: Gate', details: { label: 'dog', trackId: 8 } });
    got.length = 1;
    off();
    bus.emit('camera.offline', { cameraId: 'gate', name: 'Gate', since: at(now()) });
    expect(got).toHaveLength(1);
  });
});
