/**
 * detection.* and review.* request handlers, and the detection module
 * (service.ts). Zones have their own concern (zones/handlers.ts); the
 * detection module reads them from the config.
 */
import { ApiError } from '../../api/contract.js';
import type { EventBus } from '../bus.js';
import type { ModuleConcern } from '../concern.js';
import type { Db } from '../store/db.js';
import { findZones } from '../zones/store.js';
import { ReviewStore } from './review.js';
import { DetectionService, type DetectionDeps, type DetectionOptions } from './service.js';

function ms(iso: string | undefined, field: string): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new ApiError('bad_request', `${field}: expected an ISO 8601 time`, field);
  return t;
}

export function detectionConcern(d: DetectionDeps & { durableDb: Db; bus: EventBus }, opts?: DetectionOptions): ModuleConcern<DetectionService> {
  const svc = new DetectionService(d, opts);
  const review = new ReviewStore(d.durableDb, d.paths.root);
  return {
    module: svc,
    handlers: {
      'detection.status': (p) => svc.status(p.cameraId),
      'detection.setEnabled': (p) => svc.setEnabled(p.cameraId, p.enabled),
      'detection.update': (p) => svc.update(p.cameraId, p.patch),
      'review.list': (p) => {
        const from = ms(p.from, 'from');
        const to = ms(p.to, 'to');
        if (from !== undefined && to !== undefined && to <= from) throw new ApiError('bad_request', 'to: must be after from', 'to');
        let zoneIds: string[] | undefined;
        if (p.zone) {
          if (!d.config) throw new ApiError('unavailable', 'zones are not known here');
          zoneIds = findZones(d.config.data, p.zone, p.cameraId).map((z) => z.id);
          // a zone removed since: its id still names the events that were in it
          if (!zoneIds.length && /^z_[a-z0-9]{4,32}$/.test(p.zone)) zoneIds = [p.zone];
        }
        return review.list({ cameraId: p.cameraId, label: p.label, zoneIds, fromMs: from, toMs: to, kind: p.kind, reviewed: p.reviewed }, p.cursor, p.limit);
      },
      'review.mark': (p, _ctx, me) => {
        const marked = review.mark(p.ids, p.reviewed, me!.username);
        d.bus.emit('review.changed', { ids: p.ids, reviewed: p.reviewed, by: me!.username });
        return { marked };
      },
      'review.snapshot': (p) => review.snapshot(p.id),
    },
  };
}
