/**
 * What travels with the video: the events, alarms, access-log rows and
 * bookmarks of the exported cameras in the range (plus the bookmarks the case
 * collected), and the audit excerpt of the case, as
 * bundle tables (JSON + CSV) and as markers on the offline player's
 * timeline. Read through each concern's own store (read-only here).
 */
import type { AlarmSetup } from '../../api/alarms.js';
import { AlarmStore } from '../alarms/store.js';
import { BookmarkStore } from '../bookmarks/store.js';
import { CaseStore } from '../cases/store.js';
import type { AuditTrail } from '../audit/trail.js';
import { AccessLog } from '../integrations/access-log.js';
import { EventLog } from '../onvif/event-log.js';
import type { Db } from '../store/db.js';
import type { PlayerMarker } from './player.js';
import type { ExportTable } from './tables.js';

/** Most rows of one table in a bundle (the rest are counted in a note). */
const MAX_ROWS = 20_000;

export interface ContextInput {
  db: Db;
  cameraIds: string[];
  fromMs: number;
  toMs: number;
  setup: () => AlarmSetup;
  audit?: AuditTrail | null;
  caseId?: number | null;
}

export interface Context {
  tables: ExportTable[];
  markers: PlayerMarker[];
  /** Tables cut short, for the log. */
  truncated: string[];
}

function eventLabel(kind: string, source: string, data: Record<string, unknown>): string {
  const what = typeof data.label === 'string' ? data.label : typeof data.message === 'string' ? data.message : kind;
  return `${what}${source && source !== kind ? ` (${source})` : ''}`;
}

export function contextTables(c: ContextInput): Context {
  const cams = new Set(c.cameraIds);
  const from = new Date(c.fromMs).toISOString();
  const markers: PlayerMarker[] = [];
  const truncated: string[] = [];

  // camera events (ONVIF, detections)
  const events: Record<string, unknown>[] = [];
  const log = new EventLog(c.db);
  for (const id of c.cameraIds) {
    const r = log.list({ cameraId: id, fromMs: c.fromMs, toMs: c.toMs + 1, limit: 10_000 });
    if (r.truncated) truncated.push(`events of ${id}`);
    for (const e of r.events) {
      events.push({ id: e.id, time: e.time, cameraId: e.cameraId, kind: e.kind, source: e.source, data: e.data });
      const end = typeof e.data.end === 'string' ? e.data.end : undefined;
      markers.push({ time: e.time, ...(end ? { end } : {}), kind: typeof e.data.label === 'string' ? e.data.label : e.kind, label: eventLabel(e.kind, e.source, e.data), cameraId: e.cameraId ?? undefined });
    }
  }
  events.sort((a, b) => String(a.time).localeCompare(String(b.time)));

  // alarms linked to the cameras, raised in the range
  const alarms: Record<string, unknown>[] = [];
  const store = new AlarmStore(c.db, c.setup);
  const seen = new Set<number>();
  for (const id of c.cameraIds) {
    let cursor: string | null = null;
    do {
      const page = store.history({ cameraId: id, from, to: new Date(c.toMs + 1).toISOString() }, cursor, 500);
      for (const a of page.items) {
        if (seen.has(a.id)) continue;
        seen.add(a.id);
        alarms.push({
          id: a.id,
          time: a.createdAt,
          type: a.type,
          title: a.title,
          priority: a.priority,
          state: a.state,
          source: a.source,
          cameraIds: a.cameraIds,
          zone: a.zone,
          count: a.count,
          claimedBy: a.claimedBy,
          closedAt: a.closedAt,
          closeReason: a.closeReason,
        });
        for (const cam of a.cameraIds.filter((x) => cams.has(x))) markers.push({ time: a.createdAt, kind: 'alarm', label: `Alarm #${a.id}: ${a.title}`, cameraId: cam });
      }
      cursor = page.nextCursor;
    } while (cursor && alarms.length < MAX_ROWS);
  }
  alarms.sort((a, b) => String(a.time).localeCompare(String(b.time)));

  // access-control rows of doors mapped to the cameras
  const access: Record<string, unknown>[] = [];
  const acc = new AccessLog(c.db, c.setup);
  let cursor: string | null = null;
  do {
    const page = acc.search({ from, to: new Date(c.toMs + 1).toISOString() }, cursor, 500);
    for (const e of page.items) {
      if (!e.cameraIds.some((x) => cams.has(x))) continue;
      access.push({ id: e.id, time: e.time, door: e.door, badge: e.badge, person: e.person, granted: e.granted, direction: e.direction, reason: e.reason, cameraIds: e.cameraIds, alarmId: e.alarmId });
      for (const cam of e.cameraIds.filter((x) => cams.has(x))) {
        markers.push({ time: e.time, kind: 'access', label: `${e.granted ? 'Access granted' : 'Access DENIED'}: badge ${e.badge}${e.person ? ` (${e.person})` : ''} at ${e.door}`, cameraId: cam });
      }
    }
    cursor = page.nextCursor;
  } while (cursor && access.length < MAX_ROWS);
  access.sort((a, b) => String(a.time).localeCompare(String(b.time)));

  // bookmarks: the guards' marked moments on these cameras in the range, and every bookmark the case collected
  const bookmarks: Record<string, unknown>[] = [];
  const bstore = new BookmarkStore(c.db);
  const inCase = new Set<number>();
  if (c.caseId) for (const it of new CaseStore(c.db).items(c.caseId)) if (it.kind === 'bookmark' && it.ref && /^\d+$/.test(it.ref)) inCase.add(Number(it.ref));
  const seenB = new Set<number>();
  const addBookmark = (b: ReturnType<BookmarkStore['get']>) => {
    if (!b || seenB.has(b.id)) return;
    seenB.add(b.id);
    const t = Date.parse(b.time);
    const inRange = t >= c.fromMs && t <= c.toMs;
    bookmarks.push({ id: b.id, time: b.time, cameraIds: b.cameraIds, note: b.note, author: b.author, createdAt: b.createdAt, updatedAt: b.updatedAt, updatedBy: b.updatedBy, inRange, inCase: inCase.has(b.id) });
    if (inRange) for (const cam of b.cameraIds.filter((x) => cams.has(x))) markers.push({ time: b.time, kind: 'bookmark', label: `Bookmark by ${b.author}${b.note ? `: ${b.note}` : ''}`, cameraId: cam });
  };
  for (const id of c.cameraIds) for (const b of bstore.forCamera(id, c.fromMs, c.toMs + 1, MAX_ROWS)) addBookmark(b);
  for (const id of inCase) addBookmark(bstore.get(id));
  bookmarks.sort((a, b) => String(a.time).localeCompare(String(b.time)));

  const tables: ExportTable[] = [
    { name: 'events', title: 'Camera events', columns: ['time', 'cameraId', 'kind', 'source', 'id', 'data'], rows: events.slice(0, MAX_ROWS) },
    { name: 'alarms', title: 'Alarms', columns: ['time', 'id', 'type', 'title', 'priority', 'state', 'source', 'cameraIds', 'zone', 'count', 'claimedBy', 'closedAt', 'closeReason'], rows: alarms.slice(0, MAX_ROWS) },
    { name: 'access-log', title: 'Access-control log', columns: ['time', 'door', 'badge', 'person', 'granted', 'direction', 'reason', 'cameraIds', 'alarmId', 'id'], rows: access.slice(0, MAX_ROWS) },
    { name: 'bookmarks', title: 'Bookmarks', columns: ['time', 'id', 'cameraIds', 'note', 'author', 'createdAt', 'updatedAt', 'updatedBy', 'inRange', 'inCase'], rows: bookmarks.slice(0, MAX_ROWS) },
  ];
  if (c.audit && c.caseId) tables.push({ name: 'audit', title: 'Audit trail: this case', columns: ['seq', 'time', 'actor', 'action', 'target', 'details', 'hash'], rows: caseAudit(c.audit, c.caseId) });
  return { tables, markers, truncated };
}

/** The audit records of a case: its exports, locks and changes (newest 2000 of those actions, oldest first). */
export function caseAudit(trail: AuditTrail, caseId: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const prefix of ['export', 'evidence', 'cases']) {
    let cursor: string | null = null;
    let n = 0;
    do {
      const page = trail.list({ action: prefix }, cursor, 500);
      for (const r of page.items) {
        const d = r.details as { caseId?: unknown; params?: { caseId?: unknown; id?: unknown } };
        const mine =
          d.caseId === caseId ||
          d.params?.caseId === caseId ||
          (r.action.startsWith('cases.') && r.action !== 'cases.create' && d.params?.id === caseId) ||
          r.target === `case:${caseId}`;
        if (mine) out.push({ seq: r.seq, time: r.time, actor: r.actor, action: r.action, target: r.target, details: r.details, hash: r.hash });
      }
      cursor = page.nextCursor;
      n += page.items.length;
    } while (cursor && n < 2000);
  }
  return out.sort((a, b) => (a.seq as number) - (b.seq as number));
}
