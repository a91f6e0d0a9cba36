/**
 * Face events into the alarms (through the rules, as a source like the
 * sensors): `face.watchlist` when a person in the watchlist group is matched,
 * `face.unknown` when a clear face matches nobody (the built-in rule for it
 * is off), and the badge × face check:
 *
 *   badge.granted at door D (access.entry, with D's cameras) at time T
 *   → wait until T + window (+ the face worker's latency)
 *   → the faces seen on D's cameras with face recognition on in [T − window, T + window]
 *   → clear faces (≥ 40 px, sharp, with a descriptor) grouped into people
 *     (descriptor distance ≤ the threshold);
 *   → each group: the badge holder's (matches their enrolments), clearly
 *     someone else (further than threshold + margin), or unsure (ignored);
 *   → someone else and not the holder: `access.mismatch` (reason not-holder);
 *     the holder and someone else: `access.mismatch` (reason two-people);
 *     only the holder, only unsure or small faces, no face, a badge that
 *     names nobody or nobody enrolled: nothing (false alarms stay down).
 *
 * The alarm's details carry the badge record and both images' ids (the
 * holder's best enrolment and the face crop), shown side by side in the
 * alarm detail (faces.alarmFaces). Pending checks are bounded (64).
 */
import type { AccessEntry } from '../../api/alarms.js';
import type { FaceMatchEvent } from '../../api/faces.js';
import type { AlarmIntake } from '../alarms/intake.js';
import type { EventBus } from '../bus.js';
import { logger } from '../log.js';
import { matchFace, euclidean } from './match.js';
import { FACE_PARAMS } from './params.js';
import type { FaceService } from './service.js';
import type { FaceWiring, Sighting } from './wiring.js';

const log = logger('faces');

export interface FaceAlarmsOptions {
  bus: EventBus;
  alarms: () => AlarmIntake | null;
  service: FaceService;
  wiring: FaceWiring;
  /** Face recognition is on for the camera. */
  enabled: (cameraId: string) => boolean;
  /** Seconds around a badge in which the door camera's faces count (default 3). */
  windowSeconds: () => number;
  cameraName: (id: string) => string | null;
  /** Extra wait after the window for the face worker's answers (default 1.5 s). */
  latencyMs?: number;
}

export type MismatchReason = 'not-holder' | 'two-people';

export interface BadgeCheck {
  outcome: 'mismatch' | 'holder' | 'no-face' | 'no-holder' | 'not-enrolled' | 'no-camera' | 'unsure';
  reason?: MismatchReason;
  holder?: { id: string; name: string };
  people?: number;
  /** The face that is not the holder's. */
  face?: Sighting;
}

const MAX_PENDING = 64;

export class FaceAlarms {
  private offs: (() => void)[] = [];
  private pending = new Set<NodeJS.Timeout>();

  constructor(private readonly o: FaceAlarmsOptions) {}

  start(): void {
    if (this.offs.length) return;
    this.offs.push(
      this.o.bus.on('access.entry', (e) => this.onEntry(e)),
      this.o.bus.on('faces.match', (m) => this.onMatch(m)),
    );
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }

  private onMatch(m: FaceMatchEvent): void {
    const intake = this.o.alarms();
    if (!intake) return;
    const cam = this.o.cameraName(m.cameraId) ?? m.cameraId;
    const base = { source: m.cameraId, cameraIds: [m.cameraId], zone: null, time: Date.parse(m.time) };
    const details = { personId: m.personId, name: m.name, distance: m.distance, cropId: m.cropId, eventId: m.eventId, trackId: m.trackId, quality: m.quality, sizePx: m.sizePx };
    try {
      if (m.personId && m.groups.includes('watchlist')) {
        intake.ingest({ ...base, type: 'face.watchlist', sourceKey: `face.watchlist:${m.cameraId}:${m.personId}`, title: `Watchlist: ${m.name ?? m.personId} on ${cam}`, details, trigger: { label: 'person', trackId: m.trackId, objectEventId: m.eventId } });
      } else if (!m.personId && m.reason === 'no-match') {
        intake.ingest({ ...base, type: 'face.unknown', sourceKey: `face.unknown:${m.cameraId}`, title: `Unknown face on ${cam}`, details, trigger: { label: 'person', trackId: m.trackId, objectEventId: m.eventId } });
      }
    } catch (err) {
      log.warn(`could not hand a face event to the alarms: ${(err as Error).message}`);
    }
  }

  private onEntry(e: AccessEntry): void {
    if (!e.granted) return;
    const cams = e.cameraIds.filter((c) => this.o.enabled(c));
    if (!cams.length) return;
    if (this.pending.size >= MAX_PENDING) {
      log.warn(`badge × face: more than ${MAX_PENDING} badge checks waiting; badge ${e.badge} at ${e.door} is not checked`);
      return;
    }
    const t = Date.parse(e.time);
    const w = this.o.windowSeconds() * 1000;
    const wait = Math.max(0, t + w - Date.now()) + (this.o.latencyMs ?? 1500);
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      try {
        this.raise(e, this.check(e.badge, cams, t, w));
      } catch (err) {
        log.warn(`badge × face check of badge ${e.badge} at ${e.door} failed: ${(err as Error).message}`);
      }
    }, wait);
    timer.unref?.();
    this.pending.add(timer);
  }

  /** The badge × face decision for a badge at `timeMs` on these cameras (see the head of this file). */
  check(badge: string, cameraIds: string[], timeMs: number, windowMs: number): BadgeCheck {
    const store = this.o.service.store;
    const holders = store.peopleWithBadge(badge);
    if (!holders.length) return { outcome: 'no-holder' };
    const ids = new Set(holders.map((h) => h.id));
    const gallery = store.gallery().filter((g) => ids.has(g.personId));
    const holder = { id: holders[0]!.id, name: holders[0]!.name };
    if (!gallery.length) return { outcome: 'not-enrolled', holder };
    if (!cameraIds.length) return { outcome: 'no-camera', holder };
    const seen = this.o.wiring.recent(cameraIds, timeMs - windowMs, timeMs + windowMs).filter((s) => {
      const q = s.face.quality;
      return s.face.descriptor && q.sizePx >= FACE_PARAMS.minFacePx && q.sharpness >= FACE_PARAMS.minSharpness;
    });
    if (!seen.length) return { outcome: 'no-face', holder };
    // people: faces within the threshold of each other are one person (the best face stands for them)
    const groups: Sighting[][] = [];
    for (const s of [...seen].sort((a, b) => b.face.quality.score - a.face.quality.score)) {
      const g = groups.find((x) => euclidean(x[0]!.face.descriptor!, s.face.descriptor!) <= FACE_PARAMS.threshold);
      if (g) g.push(s);
      else groups.push([s]);
    }
    let holderSeen = false;
    const others: Sighting[] = [];
    for (const g of groups) {
      const rep = g[0]!;
      const m = matchFace(rep.face, gallery);
      if (m.match) holderSeen = true;
      else if (m.distance !== null && m.distance > FACE_PARAMS.threshold + FACE_PARAMS.margin) others.push(rep);
    }
    if (!others.length) return { outcome: holderSeen ? 'holder' : 'unsure', holder, people: groups.length };
    return { outcome: 'mismatch', reason: holderSeen ? 'two-people' : 'not-holder', holder, people: groups.length, face: others[0] };
  }

  private raise(e: AccessEntry, c: BadgeCheck): void {
    if (c.outcome !== 'mismatch' || !c.face || !c.holder) {
      log.debug(`badge × face: badge ${e.badge} at ${e.door}: ${c.outcome}`);
      return;
    }
    const intake = this.o.alarms();
    if (!intake) return;
    const svc = this.o.service;
    const f = c.face;
    const m = svc.match(f.face);
    let cropId = f.cropId;
    if (!cropId && f.jpeg) {
      try {
        cropId = svc.store.addCrop({
          cameraId: f.cameraId,
          timeMs: f.timeMs,
          trackId: f.trackId === null ? null : String(f.trackId),
          personId: m.match ? m.personId : null,
          distance: m.distance,
          quality: f.face.quality.score,
          descriptor: f.face.descriptor,
          jpeg: f.jpeg,
        }).id;
        f.cropId = cropId;
      } catch (err) {
        log.warn(`could not keep the face of a badge mismatch: ${(err as Error).message}`);
      }
    }
    const holderEnrolment = svc.store.listPeople().find((p) => p.id === c.holder!.id)?.enrolments.slice().sort((a, b) => b.quality - a.quality)[0] ?? null;
    const seenName = m.match ? (svc.store.findPerson(m.personId)?.name ?? null) : null;
    const holderDistance = matchFace(f.face, svc.store.gallery().filter((g) => g.personId === c.holder!.id)).distance;
    const who = e.person ?? c.holder.name;
    const title =
      c.reason === 'two-people'
        ? `Two people on one badge: ${who} (${e.badge}) at ${e.door}`
        : `Badge ${e.badge} (${who}) at ${e.door}: the face seen is ${seenName ? seenName + "'s" : 'not theirs'}`;
    intake.ingest({
      type: 'access.mismatch',
      source: e.door,
      sourceKey: `access.mismatch:${e.door}:${e.badge}`,
      title,
      cameraIds: e.cameraIds,
      zone: null,
      sensorId: e.sensorId,
      time: Date.parse(e.time),
      details: {
        door: e.door,
        badge: e.badge,
        reason: c.reason,
        people: c.people,
        access: { id: e.id, time: e.time, sensorId: e.sensorId, door: e.door, badge: e.badge, person: e.person, direction: e.direction },
        holder: { personId: c.holder.id, name: c.holder.name, enrolmentId: holderEnrolment?.id ?? null, distance: holderDistance === null ? null : Math.round(holderDistance * 1000) / 1000 },
        face: {
          cameraId: f.cameraId,
          time: new Date(f.timeMs).toISOString(),
          cropId,
          personId: m.match ? m.personId : null,
          name: seenName,
          quality: Math.round(f.face.quality.score * 1000) / 1000,
          sizePx: Math.round(f.face.quality.sizePx),
        },
      },
    });
  }
}
