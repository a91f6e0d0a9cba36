/**
 * Engine events that become alarm source events: camera health from the
 * recorder (camera.offline/online, camera.status, storage.*), ONVIF events
 * (onvif.event), the detector's people (detection.object), clock skew
 * (camera.clockSkew, and the stream's own timestamps). Each is a typed bus
 * event of the contract's EventMap. Sensors (MQTT, webhook) come in through
 * integrations/sensors.ts instead.
 */
import type { AlarmType } from '../../api/alarms.js';
import type { CameraState, EventMap } from '../../api/contract.js';
import type { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import { logger } from '../log.js';
import type { SourceEvent } from './intake.js';

const log = logger('alarms');

export interface SourceDeps {
  bus: EventBus;
  cameras: CameraRegistry;
  ingest: (ev: SourceEvent) => void;
  clockSkewSeconds: () => number;
  now?: () => number;
}

const FAILED_STATES: CameraState[] = ['auth_failed', 'unsupported'];

/** A tracked object (detection.object, or its events row) as a source event: people are detection.person, the rest detection.object. */
export function objectSourceEvent(o: { cameraId: string; label: string; score?: number; trackId?: number; box?: unknown; id?: number | null }, name: string, known: boolean, time: number): SourceEvent {
  const person = o.label === 'person';
  const what = person ? 'Person' : o.label.charAt(0).toUpperCase() + o.label.slice(1);
  return {
    type: person ? 'detection.person' : 'detection.object',
    source: o.cameraId,
    title: `${what} detected: ${name}`,
    cameraIds: known ? [o.cameraId] : [],
    zone: null,
    time,
    details: { label: o.label, score: o.score, trackId: o.trackId, box: o.box, objectEventId: o.id ?? null },
  };
}

/** An ONVIF motion/tamper/input change (onvif.event, or its events row) as a source event; null for other kinds. */
export function onvifSourceEvent(
  e: { cameraId: string; kind: string; state: unknown; source?: string; topic?: string; time?: string },
  name: string,
  known: boolean,
  time: number,
): SourceEvent | null {
  const type: AlarmType | null = e.kind === 'motion' ? 'onvif.motion' : e.kind === 'tamper' ? 'onvif.tamper' : e.kind === 'input' ? 'onvif.input' : null;
  if (!type) return null;
  const on = truthyState(e.state);
  const label = { 'onvif.motion': 'Motion', 'onvif.tamper': 'Tamper', 'onvif.input': 'Digital input' }[type as 'onvif.motion'];
  return {
    type,
    source: e.source ? `${e.cameraId}/${e.source}` : e.cameraId,
    title: on ? `${label}: ${name}${e.source ? ` (${e.source})` : ''}` : `${label} ended: ${name}`,
    cameraIds: known ? [e.cameraId] : [],
    zone: null,
    time,
    clears: !on,
    details: { state: e.state, topic: e.topic ?? null, cameraTime: e.time ?? null },
  };
}

export function truthyState(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return /^(true|1|on|active|open|alarm|detected|yes|high)$/i.test(v.trim());
  return !!v;
}

/** Subscribe the health, ONVIF and clock sources; returns the unsubscribe. */
export function attachSources(d: SourceDeps): () => void {
  const now = d.now ?? Date.now;
  const name = (id: string) => d.cameras.get(id)?.name ?? id;
  const cam = (type: AlarmType, cameraId: string, title: string, extra: Partial<SourceEvent> = {}): SourceEvent => ({
    type,
    source: cameraId,
    title,
    cameraIds: d.cameras.get(cameraId) ? [cameraId] : [],
    zone: null,
    time: now(),
    ...extra,
  });
  const safe = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      log.error(`${what} could not be turned into an alarm`, err);
    }
  };
  const startedAt = now();
  const lastState = new Map<string, CameraState>();
  const skewed = new Set<string>();
  const checkSkew = (cameraId: string, cameraMs: number, via: string) => {
    if (!Number.isFinite(cameraMs)) return;
    const skewS = (cameraMs - now()) / 1000;
    const limit = d.clockSkewSeconds();
    if (Math.abs(skewS) > limit) {
      if (skewed.has(cameraId)) return;
      skewed.add(cameraId);
      d.ingest(
        cam('camera.clockSkew', cameraId, `Clock skew: ${name(cameraId)} is ${Math.abs(Math.round(skewS))} s ${skewS > 0 ? 'ahead' : 'behind'}`, {
          details: { skewSeconds: Math.round(skewS), via },
        }),
      );
    } else if (skewed.delete(cameraId)) {
      d.ingest(cam('camera.clockSkew', cameraId, `Clock of ${name(cameraId)} back in step`, { clears: true }));
    }
  };

  const offs = [
    d.bus.on('camera.offline', (e) =>
      safe('camera.offline', () => d.ingest(cam('camera.offline', e.cameraId, `Camera offline: ${e.name || name(e.cameraId)}`, { details: { since: e.since } }))),
    ),
    d.bus.on('camera.online', (e) =>
      safe('camera.online', () => d.ingest(cam('camera.offline', e.cameraId, `Camera back online: ${e.name || name(e.cameraId)}`, { clears: true }))),
    ),
    d.bus.on('camera.status', ({ cameraId, status }) =>
      safe('camera.status', () => {
        const prev = lastState.get(cameraId);
        if (prev === status.state) return;
        lastState.set(cameraId, status.state);
        const n = name(cameraId);
        const details = { state: status.state, message: status.message };
        if (status.state === 'stalled') d.ingest(cam('camera.stalled', cameraId, `Camera stalled: ${n}`, { details }));
        else if (FAILED_STATES.includes(status.state)) d.ingest(cam('camera.recordingFailed', cameraId, `Recording failed: ${n}: ${status.message}`, { details }));
        else if (status.state === 'disk_full')
          d.ingest({ type: 'disk.full', source: 'storage', title: 'Disk full: recording stopped', cameraIds: [], zone: null, time: now(), details: { cameraId, message: status.message } });
        if (status.state === 'recording') {
          for (const t of ['camera.stalled', 'camera.recordingFailed', 'camera.offline'] as const) d.ingest(cam(t, cameraId, `${n} recording again`, { clears: true }));
        }
      }),
    ),
    d.bus.on('storage.lowSpace', (e) =>
      safe('storage.lowSpace', () =>
        d.ingest({
          type: 'disk.low',
          source: 'storage',
          title: `Disk space low: ${(e.freeBytes / 1e9).toFixed(1)} GB free`,
          cameraIds: [],
          zone: null,
          time: now(),
          details: { freeBytes: e.freeBytes, thresholdBytes: e.thresholdBytes },
        }),
      ),
    ),
    d.bus.on('storage.purged', (e) =>
      safe('storage.purged', () => {
        if (e.reason !== 'emergency') return;
        d.ingest({
          type: 'disk.full',
          source: 'storage',
          title: `Disk full: footage of ${name(e.cameraId)} deleted early`,
          cameraIds: [],
          zone: null,
          time: now(),
          details: { cameraId: e.cameraId, segments: e.segments, bytes: e.bytes },
        });
      }),
    ),
    // A live segment ends about now by the stream's own clock: drift from the server's clock is the camera's.
    // Segments from before this start (salvaged, re-indexed) are history, not a measurement.
    d.bus.on('recording.segment', (e) =>
      safe('recording.segment', () => {
        if (Date.parse(e.start) >= startedAt) checkSkew(e.cameraId, Date.parse(e.end), 'stream timestamps');
      }),
    ),
    d.bus.on('onvif.event', (e) => safe('onvif.event', () => onvif(e))),
    // the recorder saw the server's wall clock jump (runs are split, a clock_step gap is recorded)
    d.bus.on('clock.step', (e) =>
      safe('clock.step', () => {
        const mins = Math.round(Math.abs(e.stepMs) / 60_000);
        const size = mins >= 1 ? `${mins} min` : `${Math.round(Math.abs(e.stepMs) / 1000)} s`;
        d.ingest({
          type: 'system.clockStep',
          source: 'clock',
          title: `Server clock stepped ${e.stepMs > 0 ? 'forward' : 'back'} ${size}`,
          cameraIds: e.cameraId && d.cameras.get(e.cameraId) ? [e.cameraId] : [],
          zone: null,
          time: now(),
          details: { stepMs: e.stepMs, at: e.at, cameraId: e.cameraId ?? null },
        });
      }),
    ),
    // measured by the ONVIF module (GetSystemDateAndTime): camera clock minus ours
    d.bus.on('camera.clockSkew', (c) =>
      safe('camera.clockSkew', () => {
        if (typeof c.skewMs === 'number') checkSkew(c.cameraId, now() + c.skewMs, 'camera clock (ONVIF)');
      }),
    ),
    // the detector's tracks (one per object): people are detection.person (logged by the default rule),
    // other labels detection.object (no default rule: only a site's own rules act on them)
    d.bus.on('detection.object', (o) => {
      if (o && typeof o.cameraId === 'string' && typeof o.label === 'string')
        safe('detection.object', () => d.ingest(objectSourceEvent(o, name(o.cameraId), !!d.cameras.get(o.cameraId), now())));
    }),
  ];

  function onvif(e: EventMap['onvif.event']): void {
    if (!e || typeof e.cameraId !== 'string') return;
    const ev = onvifSourceEvent(e, name(e.cameraId), !!d.cameras.get(e.cameraId), now());
    if (ev) d.ingest(ev);
  }

  return () => {
    for (const off of offs) off();
  };
}
