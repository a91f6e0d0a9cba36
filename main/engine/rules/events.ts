/**
 * Zone and software-motion events (the detection half's `detection.zone` and
 * `detection.motion`, or the `events` rows they were committed as) as source
 * events for the alarm intake. The live path and the dry run build them
 * here alike. Pure.
 */
import type { MotionEvent } from '../../api/detection.js';
import type { SourceEvent } from '../alarms/intake.js';
import type { StreamZoneEvent } from './stream.js';

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function zoneSourceEvent(z: StreamZoneEvent, cameraName: string): SourceEvent {
  const what = cap(z.label || 'object');
  const title =
    z.phase === 'enter'
      ? `${what} entered ${z.zone}: ${cameraName}`
      : z.phase === 'leave'
        ? `${what} left ${z.zone}: ${cameraName}`
        : `${what} in ${z.zone} for ${Math.round(z.dwellSeconds)} s: ${cameraName}`;
  return {
    type: 'detection.zone',
    source: z.cameraId,
    title,
    cameraIds: [z.cameraId],
    zone: z.zone,
    time: Date.parse(z.time),
    details: {
      objectEventId: z.objectEventId,
      zoneEventId: z.eventId,
      zoneId: z.zoneId,
      label: z.label,
      trackId: z.trackId,
      phase: z.phase,
      dwellSeconds: z.dwellSeconds,
      count: z.count,
      ...(z.synthetic ? { ruleDwell: true } : {}),
    },
    trigger: {
      zoneId: z.zoneId,
      phase: z.phase,
      label: z.label,
      count: z.count,
      trackId: z.trackId,
      objectEventId: z.objectEventId,
      dwellSeconds: z.dwellSeconds,
      dwellFrom: z.dwellFrom,
      synthetic: z.synthetic,
    },
  };
}

export function motionSourceEvent(m: Omit<MotionEvent, 'eventId'> & { eventId: number | null }, cameraName: string): SourceEvent {
  return {
    type: 'detection.motion',
    source: m.cameraId,
    title: m.phase === 'start' ? `Motion: ${cameraName}` : `Motion ended: ${cameraName}`,
    cameraIds: [m.cameraId],
    zone: null,
    time: Date.parse(m.time),
    details: { motionEventId: m.eventId, phase: m.phase, score: m.score },
    trigger: { phase: m.phase, score: m.score },
  };
}
