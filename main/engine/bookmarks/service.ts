/**
 * The rules of bookmarks: who may add, change and remove them (the role
 * matrix: guards add and see; the author edits and removes their own; a
 * supervisor anyone's), that the cameras exist, and that each change
 * commits together with its audit record before anyone hears of it.
 */
import type { Bookmark } from '../../api/bookmarks.js';
import { ApiError, roleRank, type Me } from '../../api/contract.js';
import type { AuditTrail } from '../audit/trail.js';
import type { EventBus } from '../bus.js';
import type { BookmarkStore } from './store.js';

export interface BookmarkServiceDeps {
  store: BookmarkStore;
  audit: AuditTrail;
  bus: EventBus;
  /** Ids of the configured cameras (a bookmark may not name a camera that does not exist). */
  cameraIds: () => string[];
  now?: () => number;
}

/** May `me` change or remove `b`? Its author, or a supervisor or admin. */
export function mayChange(me: Me, b: Pick<Bookmark, 'author'>): boolean {
  return b.author === me.username || roleRank[me.role] >= roleRank.supervisor;
}

/** Sorted, de-duplicated camera ids that exist; throws naming the first unknown one. */
export function checkCameras(ids: string[], known: string[]): string[] {
  const set = new Set(known);
  const out = [...new Set(ids)];
  const bad = out.find((id) => !set.has(id));
  if (bad) throw new ApiError('not_found', `no camera with id "${bad}"; pick cameras from the list`, 'cameraIds');
  return out;
}

/** Bookmarks may not be set in the future (more than a minute ahead of the server clock). */
const FUTURE_SLACK_MS = 60_000;

export class BookmarkService {
  private now: () => number;

  constructor(private readonly d: BookmarkServiceDeps) {
    this.now = d.now ?? Date.now;
  }

  private tx<T>(fn: () => T): T {
    return this.d.store.db.transaction(fn)();
  }

  private checkTime(ms: number): void {
    if (ms > this.now() + FUTURE_SLACK_MS) throw new ApiError('bad_request', 'a bookmark marks a moment that has happened: pick a time up to now', 'time');
  }

  add(me: Me, p: { cameraIds: string[]; time: string; note: string }): Bookmark {
    const cameraIds = checkCameras(p.cameraIds, this.d.cameraIds());
    const timeMs = Date.parse(p.time);
    this.checkTime(timeMs);
    const now = this.now();
    const b = this.tx(() => {
      const b = this.d.store.insert({ timeMs, cameraIds, note: p.note, author: me.username, now });
      this.d.audit.append({ actor: me.username, action: 'bookmark.add', target: `bookmark:${b.id}`, details: { cameraIds, time: b.time, note: b.note }, time: now });
      return b;
    });
    this.d.bus.emit('bookmarks.changed', { action: 'added', bookmark: b, by: me.username });
    return b;
  }

  private mustGetFor(me: Me, id: number, verb: string): Bookmark {
    const b = this.d.store.get(id);
    if (!b) throw new ApiError('not_found', `no bookmark #${id}; it may have been removed`, 'id');
    if (!mayChange(me, b)) throw new ApiError('forbidden', `bookmark #${id} is ${b.author}'s: only they or a supervisor can ${verb} it`);
    return b;
  }

  update(me: Me, p: { id: number; note?: string; time?: string; cameraIds?: string[] }): Bookmark {
    const old = this.mustGetFor(me, p.id, 'change');
    const cameraIds = p.cameraIds ? checkCameras(p.cameraIds, this.d.cameraIds()) : old.cameraIds;
    const timeMs = p.time !== undefined ? Date.parse(p.time) : Date.parse(old.time);
    if (p.time !== undefined) this.checkTime(timeMs);
    const note = p.note ?? old.note;
    const now = this.now();
    const b = this.tx(() => {
      const b = this.d.store.update(p.id, { timeMs, cameraIds, note, by: me.username, now });
      // The audit keeps what it was as well as what it became.
      this.d.audit.append({
        actor: me.username,
        action: 'bookmark.update',
        target: `bookmark:${b.id}`,
        details: { author: old.author, before: { cameraIds: old.cameraIds, time: old.time, note: old.note }, after: { cameraIds, time: b.time, note } },
        time: now,
      });
      return b;
    });
    this.d.bus.emit('bookmarks.changed', { action: 'updated', bookmark: b, by: me.username });
    return b;
  }

  remove(me: Me, id: number): { ok: true } {
    const old = this.mustGetFor(me, id, 'remove');
    const now = this.now();
    this.tx(() => {
      this.d.store.remove(id);
      this.d.audit.append({
        actor: me.username,
        action: 'bookmark.remove',
        target: `bookmark:${id}`,
        details: { author: old.author, cameraIds: old.cameraIds, time: old.time, note: old.note },
        time: now,
      });
    });
    this.d.bus.emit('bookmarks.changed', { action: 'removed', bookmark: old, by: me.username });
    return { ok: true };
  }
}
