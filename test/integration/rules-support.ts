/**
 * Zone and motion events for the rules tests, produced the way the detection
 * half does it (docs/detection.md, the issue-15 interface): each event is
 * first committed to the `events` table (kind 'zone' with data = the event
 * minus eventId; kind 'motion', source 'software', data {phase, score}),
 * then emitted on the bus as `detection.zone` / `detection.motion`. A
 * tracked object's 'object' row (kind 'object', source 'detector') comes
 * first, as the tracker writes it, so `objectEventId` points at a real row.
 *
 * The integrator replaces the use of this driver by the real detection
 * pipeline in a full-path test after the merge.
 */
import type { ZoneObjectEvent, MotionEvent } from '../../main/api/detection.js';
import type { Engine } from '../../main/engine/engine.js';

export class DetectionDriver {
  private ins;
  constructor(private readonly engine: Engine) {
    this.ins = engine.db.prepare('INSERT INTO events (camera_id, time_ms, kind, source, data) VALUES (?, ?, ?, ?, ?)');
  }

  /** The tracker's row for a new object: events kind 'object' (source 'detector'). */
  object(cameraId: string, label: string, trackId: number, timeMs: number): number {
    const data = { label, score: 0.8, box: [0.4, 0.3, 0.5, 0.8], trackId, start: new Date(timeMs).toISOString(), end: null };
    return Number(this.ins.run(cameraId, Math.round(timeMs), 'object', 'detector', JSON.stringify(data)).lastInsertRowid);
  }

  /** One zone event: committed, then on the bus. */
  zone(e: Omit<ZoneObjectEvent, 'eventId' | 'time'> & { timeMs: number }): ZoneObjectEvent {
    const { timeMs, ...rest } = e;
    const data = { ...rest, time: new Date(timeMs).toISOString() };
    const eventId = Number(this.ins.run(e.cameraId, Math.round(timeMs), 'zone', 'detector', JSON.stringify(data)).lastInsertRowid);
    const ev: ZoneObjectEvent = { ...data, eventId };
    this.engine.bus.emit('detection.zone', ev);
    return ev;
  }

  motion(cameraId: string, phase: 'start' | 'end', score: number, timeMs: number): MotionEvent {
    const eventId = Number(
      this.ins.run(cameraId, Math.round(timeMs), 'motion', 'software', JSON.stringify({ phase, score })).lastInsertRowid,
    );
    const ev: MotionEvent = { cameraId, phase, score, time: new Date(timeMs).toISOString(), eventId };
    this.engine.bus.emit('detection.motion', ev);
    return ev;
  }

  /**
   * A person (or other label) walking into a zone, staying `stay` seconds and leaving: the object row, then
   * enter, dwell (once, when the zone's minimum dwell is reached, if it stays that long) and leave.
   */
  visit(o: {
    cameraId: string;
    zoneId: string;
    zone: string;
    label: string;
    trackId: number;
    startMs: number;
    stay: number;
    minDwell: number;
    count?: number;
    repeatDwell?: boolean;
  }): { objectEventId: number } {
    const objectEventId = this.object(o.cameraId, o.label, o.trackId, o.startMs - 500);
    const base = {
      cameraId: o.cameraId,
      zoneId: o.zoneId,
      zone: o.zone,
      label: o.label,
      trackId: o.trackId,
      objectEventId,
      count: o.count ?? 1,
    };
    this.zone({ ...base, phase: 'enter', dwellSeconds: 0, timeMs: o.startMs });
    if (o.stay >= o.minDwell) {
      this.zone({ ...base, phase: 'dwell', dwellSeconds: o.minDwell, timeMs: o.startMs + o.minDwell * 1000 });
      // a detector that says it twice (it should not): still one alarm for this object
      if (o.repeatDwell) this.zone({ ...base, phase: 'dwell', dwellSeconds: o.minDwell + 1, timeMs: o.startMs + (o.minDwell + 1) * 1000 });
    }
    this.zone({ ...base, phase: 'leave', dwellSeconds: o.stay, timeMs: o.startMs + o.stay * 1000 });
    return { objectEventId };
  }
}
