/**
 * bookmarks.* request handlers, and the bookmark service they act on
 * (service.ts: the rules; store.ts: the SQL). Each change is audited in its
 * own transaction with the change (so the audit hook leaves bookmarks.*
 * alone, audit/hook.ts).
 */
import type { Concern } from '../concern.js';
import type { AuditTrail } from '../audit/trail.js';
import type { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import type { Db } from '../store/db.js';
import { BookmarkService } from './service.js';
import { BookmarkStore } from './store.js';

export interface BookmarksDeps {
  /** The durable connection: a bookmark is evidence, like an alarm. */
  db: Db;
  audit: AuditTrail;
  bus: EventBus;
  cameras: CameraRegistry;
}

export function bookmarksConcern(d: BookmarksDeps): Concern & { store: BookmarkStore; service: BookmarkService } {
  const store = new BookmarkStore(d.db);
  const svc = new BookmarkService({ store, audit: d.audit, bus: d.bus, cameraIds: () => d.cameras.stored().map((c) => c.id) });
  return {
    store,
    service: svc,
    handlers: {
      'bookmarks.add': (p, _ctx, me) => svc.add(me!, p),
      'bookmarks.list': (p) => store.list(p.filter, p.cursor, p.limit),
      'bookmarks.update': (p, _ctx, me) => svc.update(me!, p),
      'bookmarks.remove': (p, _ctx, me) => svc.remove(me!, p.id),
    },
  };
}
