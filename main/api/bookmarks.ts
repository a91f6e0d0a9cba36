/**
 * Bookmarks: a guard marks a moment (cameras, a time, a note) from Live or
 * Playback; bookmarks show on the playback timeline, are searchable, audited,
 * and are what the export work attaches to a case. Also the timeline's
 * markers: alarms, panics, sensor messages and bookmarks of a camera in a
 * time range. Part of the one API contract, merged in contract.ts. Imported
 * by the renderer too: no Node APIs here.
 *
 * Role matrix: every guard adds bookmarks and sees everyone's; a guard edits
 * and removes their own; a supervisor (or admin) edits and removes anyone's.
 */
import { z } from 'zod';
import type { Page, Priority } from './alarms.js';

const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time such as 2026-11-26T08:00:00Z');
const CameraId = z.string().min(1).max(80);
const BookmarkId = z.number().int().positive();
/** What the guard wrote; may be empty (a bare mark), kept word for word. */
const Note = z.string().max(1000, 'a bookmark note is at most 1000 characters');
const CameraIds = z.array(CameraId).min(1, 'a bookmark marks at least one camera').max(16, 'a bookmark marks at most 16 cameras');

/** A marked moment. Shaped to be attached to an exported case later (id, cameras, time, note, author, created). */
export interface Bookmark {
  id: number;
  cameraIds: string[];
  /** The moment marked (ISO 8601 UTC). */
  time: string;
  note: string;
  /** Who made it. */
  author: string;
  createdAt: string;
  updatedAt: string;
  /** Who changed it last (the author until someone edits it). */
  updatedBy: string;
}

export const BookmarkFilter = z
  .object({
    cameraId: CameraId.optional(),
    from: IsoTime.optional(),
    to: IsoTime.optional(),
    /** Words in the note (case-insensitive). */
    text: z.string().max(100).optional(),
    author: z.string().max(64).optional(),
  })
  .strict();
export type BookmarkFilter = z.infer<typeof BookmarkFilter>;

/** Kinds of marker the timeline shows besides recordings and camera events. */
export const MARKER_KINDS = ['alarm', 'panic', 'sensor', 'bookmark'] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

export const bookmarksRequests = {
  /** Mark a moment on one or more cameras. */
  'bookmarks.add': { role: 'guard', input: z.object({ cameraIds: CameraIds, time: IsoTime, note: Note.default('') }).strict() },
  /** Bookmarks, newest first (keyset paging: pass back `nextCursor`). */
  'bookmarks.list': {
    role: 'guard',
    input: z.object({ filter: BookmarkFilter.default({}), cursor: z.string().max(200).nullish(), limit: z.number().int().min(1).max(500).default(100) }).strict(),
  },
  /** Change the note, the time or the cameras. Your own bookmarks; a supervisor's role for anyone's. */
  'bookmarks.update': {
    role: 'guard',
    input: z.object({ id: BookmarkId, note: Note.optional(), time: IsoTime.optional(), cameraIds: CameraIds.optional() }).strict(),
  },
  /** Remove a bookmark. Your own; a supervisor's role for anyone's. */
  'bookmarks.remove': { role: 'guard', input: z.object({ id: BookmarkId }).strict() },

  /** What the playback timeline marks on a camera's track in [from, to): alarms, panics, sensor messages, bookmarks. */
  'timeline.markers': {
    role: 'guard',
    input: z
      .object({
        cameraId: CameraId,
        from: IsoTime,
        to: IsoTime,
        kinds: z.array(z.enum(MARKER_KINDS)).min(1).max(4).optional(),
        limit: z.number().int().min(1).max(5000).default(2000),
      })
      .strict(),
  },
} as const;

/** One marker on a camera's track. */
export interface TimelineMarker {
  kind: MarkerKind;
  /** Unique across kinds: "alarm:12", "sensor:340", "bookmark:7". */
  id: string;
  time: string;
  /** End of something with a duration (an alarm's last repeat, when later than its start); else null. */
  end: string | null;
  cameraIds: string[];
  /** What a guard reads on hover. */
  label: string;
  /** Alarms and panics. */
  alarmId?: number;
  priority?: Priority;
  state?: string;
  /** Sensor messages. */
  sensorId?: string;
  /** Bookmarks. */
  bookmarkId?: number;
  author?: string;
}

export interface BookmarksResults {
  'bookmarks.add': Bookmark;
  'bookmarks.list': Page<Bookmark>;
  'bookmarks.update': Bookmark;
  'bookmarks.remove': { ok: true };
  'timeline.markers': { markers: TimelineMarker[]; truncated: boolean };
}

export interface BookmarksEvents {
  /** A bookmark was added, changed or removed (committed, with its audit record). */
  'bookmarks.changed': { action: 'added' | 'updated' | 'removed'; bookmark: Bookmark; by: string };
}
export const BOOKMARKS_EVENT_NAMES = ['bookmarks.changed'] as const;
