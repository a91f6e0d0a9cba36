/**
 * Stored events (events.list) as timeline markers: detections coloured by what
 * was seen, zone events in words, and a face marker for a person track whose
 * face was matched or found unknown (the object event's `data.face`, written
 * by the face wiring, docs/faces.md "Wiring").
 *
 * Who sees the name: docs/privacy.md "Who may do what" lets every role see the
 * match on review items (name, distance), and the timeline shows the same
 * events, so the marker names the person for guards too. A person forgotten
 * (right to erasure) has no name on the event any more: "Unknown face".
 */
import type { StoredEvent } from '../../../../main/api/onvif.js';
import type { TimelineEvent } from './timeline-math/runs.js';

/** Markers of one stored event: the event itself, and its face when it has one. */
export function storedEventMarkers(e: StoredEvent): TimelineEvent[] {
  const end = markerEnd(e.data);
  const base: TimelineEvent = {
    time: Date.parse(e.time),
    kind: markerKind(e.kind, e.data),
    label: eventLabel(e.kind, e.source, e.data),
    ...(end !== null ? { end } : {}),
    cameraId: e.cameraId,
    id: String(e.id),
  };
  const face = faceLabel(e);
  return face ? [base, { time: base.time, kind: 'face', label: face, cameraId: e.cameraId, id: `${e.id}-face` }] : [base];
}

/** "Face: J. Doe (distance 0.42)", "Unknown face (too small)", or null for an event without a face. */
export function faceLabel(e: Pick<StoredEvent, 'kind' | 'data'>): string | null {
  if (e.kind !== 'object') return null;
  const f = e.data.face;
  if (!f || typeof f !== 'object') return null;
  const face = f as { name?: unknown; distance?: unknown; reason?: unknown };
  if (typeof face.name === 'string' && face.name) {
    return `Face: ${face.name}${typeof face.distance === 'number' ? ` (distance ${face.distance.toFixed(2)})` : ''}`;
  }
  const why = typeof face.reason === 'string' && face.reason && face.reason !== 'no-match' ? ` (${face.reason.replace(/-/g, ' ')})` : '';
  return `Unknown face${why}`;
}

/** Detections colour by what was seen (person, vehicle), other events by their kind. */
function markerKind(kind: string, data: Record<string, unknown>): string {
  return kind === 'object' && typeof data.label === 'string' ? data.label : kind;
}

/** A detection track's end, when it has ended. */
function markerEnd(data: Record<string, unknown>): number | null {
  const end = typeof data.end === 'string' ? Date.parse(data.end) : typeof data.end === 'number' ? data.end : NaN;
  return Number.isFinite(end) ? end : null;
}

function eventLabel(kind: string, source: string, data: Record<string, unknown>): string {
  // a zone event (docs/detection.md): "Person entered Driveway", "Person dwelt in Driveway (12 s)"
  if (kind === 'zone' && typeof data.label === 'string' && typeof data.zone === 'string') {
    const verb = data.phase === 'enter' ? 'entered' : data.phase === 'leave' ? 'left' : 'dwelt in';
    const dwell = data.phase === 'dwell' && typeof data.dwellSeconds === 'number' ? ` (${Math.round(data.dwellSeconds)} s)` : '';
    return `${data.label[0]?.toUpperCase() ?? ''}${data.label.slice(1)} ${verb} ${data.zone}${dwell}`;
  }
  const what = typeof data.label === 'string' ? data.label : typeof data.message === 'string' ? data.message : kind;
  return `${what[0]?.toUpperCase() ?? ''}${what.slice(1)}${source && source !== kind ? ` (${source})` : ''}`;
}
