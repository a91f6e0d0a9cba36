/**
 * Face recognition: per-camera opt-in, people and their enrolled faces, face
 * search, and the pushed `faces.match` event. Part of the one API contract,
 * merged in contract.ts. Imported by the renderer too: no Node APIs here.
 *
 * Roles (docs/privacy.md): admins turn face recognition on and enrol or
 * forget people; supervisors list people and search by person; guards see
 * the status (which cameras have it on) and the face crop of a match on an
 * alarm or a review item. Enrolment photos travel as base64 in the request
 * (at most 1 MB over HTTP; the console's WebSocket frames are at most 256 KB,
 * so it shrinks larger photos first)
 * and are never written to the audit trail: the handlers audit what was done
 * (faces.enrol, faces.unenrol, faces.forget, faces.search, faces.setEnabled).
 */
import { z } from 'zod';

const CameraId = z.string().min(1).max(80);
const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time such as 2026-11-26T08:00:00Z');

/** Per-camera face settings as stored in config.json (`cameras[].faces`); absent = off. */
export const FaceCameraSettings = z
  .object({
    /** Face recognition on this camera (opt-in: absent or false = off). */
    enabled: z.boolean().optional(),
  })
  .strict();
export type FaceCameraSettings = z.infer<typeof FaceCameraSettings>;

/** Site-wide face settings in config.json (`faces`); absent = defaults. */
export const FaceSetup = z
  .object({
    /** Badge × face: faces seen this many seconds before or after a granted badge count (default 3). */
    badgeWindowSeconds: z.number().min(1).max(30).optional(),
  })
  .strict();
export type FaceSetup = z.infer<typeof FaceSetup>;
export const DEFAULT_BADGE_WINDOW_SECONDS = 3;

/** Groups a person can be in; `watchlist` raises an alarm when seen (a `face` rule). */
export const PERSON_GROUPS = ['staff', 'visitor', 'watchlist'] as const;
export type PersonGroup = (typeof PERSON_GROUPS)[number];
const Group = z.enum(PERSON_GROUPS, { message: `a group is one of ${PERSON_GROUPS.join(', ')}` });
const PersonName = z.string().trim().min(1, 'a person needs a name').max(120, 'a name is at most 120 characters');
const Badge = z.string().trim().min(1).max(128);
/** A person's id (p_…) or name (case-insensitive). */
const PersonRef = z.string().trim().min(1).max(120);
/** A photo as base64 (no data: prefix needed; one is accepted). At most ~750 KB decoded. */
const Photo = z
  .string()
  .min(16, 'the photo is empty')
  .max(1_000_000, 'the photo is too large to upload: shrink it to at most 1600 px wide')
  .transform((s) => s.replace(/^data:[^,]*,/, ''));

export type FaceCapabilityState = 'unknown' | 'too-small' | 'marginal' | 'capable';

export interface FaceCameraStatus {
  cameraId: string;
  name: string;
  enabled: boolean;
  /** Are faces on this camera big enough? (from the faces and persons it has seen) */
  capability: { state: FaceCapabilityState; medianFacePx: number | null; basis: 'faces' | 'persons' | 'none'; message: string };
  /** Faces analysed, matched and dropped (worker busy) on this camera since the engine started. */
  analysed: number;
  matched: number;
  dropped: number;
}

export interface FacesStatus {
  ready: boolean;
  people: number;
  enrolments: number;
  workers: { analysed: number; dropped: number; errors: number; restarts: number; error: string | null };
  retention: { unknownDays: number; matchedDays: number };
  cameras: FaceCameraStatus[];
}

export interface PersonEnrolmentInfo {
  id: string;
  quality: number;
  grade: 'good' | 'fair' | 'poor';
  sizePx: number;
  source: 'photo' | 'event';
  hasImage: boolean;
  created: string;
}

export interface PersonInfo {
  id: string;
  name: string;
  badges: string[];
  groups: string[];
  created: string;
  updated: string;
  enrolments: PersonEnrolmentInfo[];
}

export interface PhotoFaceInfo {
  index: number;
  /** Box in the photo's own pixels. */
  box: [number, number, number, number];
  sizePx: number;
  quality: number;
  grade: 'good' | 'fair' | 'poor';
  usable: boolean;
  problem: string | null;
  /** 96-pixel JPEG of the face, as a data: URL. */
  thumbnail: string;
}

/** What a track's (or a door frame's) face matched: on the object event (`data.face`) and in `faces.match`. */
export interface FaceMatchInfo {
  /** The matched person, or null: unknown. */
  personId: string | null;
  name: string | null;
  groups: string[];
  /** Distance to the matched (or nearest) person; null when the face could not be compared. */
  distance: number | null;
  /** Why it is unknown (too-small, blurred, no-match, ambiguous, empty-gallery, no-descriptor); null when matched. */
  reason: string | null;
  quality: number;
  sizePx: number;
  /** The sealed face crop (faces.getCrop), kept for the retention period. */
  cropId: string | null;
}

export interface FaceMatchEvent extends FaceMatchInfo {
  cameraId: string;
  time: string;
  /** The object event of the person track (null: a face on a motion frame without a person). */
  eventId: number | null;
  trackId: number | null;
}

export interface FaceSearchHit {
  /** The object event (null: a face on a motion frame). */
  eventId: number | null;
  cameraId: string;
  time: string;
  distance: number | null;
  cropId: string;
}

// ------------------------------------------------------------------ requests

export const facesRequests = {
  /** Which cameras have face recognition on, whether their faces are big enough, the worker's counters. */
  'faces.status': { role: 'guard', input: z.object({ cameraId: CameraId.optional() }).strict() },
  /** Turn face recognition on or off for a camera (`cameras[].faces.enabled`). Audited as faces.setEnabled. */
  'faces.setEnabled': { role: 'admin', input: z.object({ cameraId: CameraId, enabled: z.boolean() }).strict() },
  /** Where was this person seen: face crops matched to them, newest first. Audited as faces.search. */
  'faces.search': {
    role: 'supervisor',
    input: z.object({ person: PersonRef, from: IsoTime.optional(), to: IsoTime.optional(), limit: z.number().int().min(1).max(500).default(100) }).strict(),
  },
  /** Where was the person in this photo seen: kept face crops within the match threshold, newest first. The photo is not stored. Audited as faces.search. */
  'faces.searchPhoto': {
    role: 'supervisor',
    input: z.object({ image: Photo, face: z.number().int().min(0).max(63).optional(), from: IsoTime.optional(), to: IsoTime.optional(), limit: z.number().int().min(1).max(500).default(100) }).strict(),
  },
  /** The faces of a face alarm side by side: the face seen and (badge mismatch) the badge holder's enrolled face. */
  'faces.alarmFaces': { role: 'guard', input: z.object({ alarmId: z.number().int().positive() }).strict() },
  /** A face crop (of a match on an alarm, a review item or a search hit), as a data: URL. */
  'faces.getCrop': { role: 'guard', input: z.object({ id: z.string().min(1).max(64) }).strict() },

  'people.list': { role: 'supervisor', input: z.object({}).strict() },
  'people.add': {
    role: 'admin',
    input: z.object({ name: PersonName, badges: z.array(Badge).max(32).default([]), groups: z.array(Group).max(3).default([]) }).strict(),
  },
  'people.update': {
    role: 'admin',
    input: z.object({ person: PersonRef, name: PersonName.optional(), badges: z.array(Badge).max(32).optional(), groups: z.array(Group).max(3).optional() }).strict(),
  },
  /** Every face in a photo with its quality, before enrolling (to pick one of several). Not stored. */
  'people.findFaces': { role: 'admin', input: z.object({ image: Photo }).strict() },
  /** Enrol a face from a photo; `face` picks one of several (an index from people.findFaces). Audited as faces.enrol. */
  'people.enrol': { role: 'admin', input: z.object({ person: PersonRef, image: Photo, face: z.number().int().min(0).max(63).optional() }).strict() },
  /** Enrol the face a camera saw on an object event (its kept face crop); refused when the crop is gone or the face too poor. Audited as faces.enrol (source event). */
  'people.enrolFromEvent': { role: 'admin', input: z.object({ person: PersonRef, eventId: z.number().int().positive() }).strict() },
  /** Remove one enrolled face (descriptor and image). Audited as faces.unenrol. */
  'people.unenrol': { role: 'admin', input: z.object({ enrolmentId: z.string().min(1).max(64) }).strict() },
  /** An enrolled face's image, as a data: URL. */
  'people.getEnrolmentImage': { role: 'admin', input: z.object({ enrolmentId: z.string().min(1).max(64) }).strict() },
  /** Right to erasure: the person, their descriptors, photos and face crops, and their name on events. Audited as faces.forget. */
  'people.forget': { role: 'admin', input: z.object({ person: PersonRef }).strict() },
} as const;

export interface ForgetResult {
  person: { id: string; name: string };
  enrolments: number;
  crops: number;
  files: string[];
  bytes: number;
  failed: string[];
  /** Object events whose face match named the person (the name and crop are removed from them). */
  events: number;
  /** Alarms that named the person (face alarms, badge mismatches): name, id and images removed. */
  alarms: number;
}

export interface FacesResults {
  'faces.status': FacesStatus;
  'faces.setEnabled': FaceCameraStatus;
  'faces.search': { person: { id: string; name: string }; hits: FaceSearchHit[] };
  'faces.getCrop': { id: string; dataUrl: string };
  'faces.searchPhoto': { face: PhotoFaceInfo; hits: FaceSearchHit[]; searched: number };
  'faces.alarmFaces': { seen: { dataUrl: string; name: string | null; time: string | null } | null; holder: { dataUrl: string | null; name: string; badge: string | null } | null };
  'people.list': PersonInfo[];
  'people.add': PersonInfo;
  'people.update': PersonInfo;
  'people.findFaces': { width: number; height: number; faces: PhotoFaceInfo[] };
  'people.enrol': { person: PersonInfo; enrolment: PersonEnrolmentInfo; facesInPhoto: number };
  'people.enrolFromEvent': { person: PersonInfo; enrolment: PersonEnrolmentInfo; eventId: number; cropId: string; cameraId: string; time: string };
  'people.unenrol': { removed: boolean; person: PersonInfo | null };
  'people.getEnrolmentImage': { id: string; dataUrl: string };
  'people.forget': ForgetResult;
}

// ------------------------------------------------------------------ events

export interface FacesEvents {
  /** A face was matched (or found unknown) on a camera with face recognition on. */
  'faces.match': FaceMatchEvent;
  /** People or enrolments changed (the People view reloads). */
  'people.changed': { by: string };
}

export const FACES_EVENT_NAMES = ['faces.match', 'people.changed'] as const;
