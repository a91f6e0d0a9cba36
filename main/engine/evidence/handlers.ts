/**
 * evidence.* request handlers: list, lock and release evidence locks. The
 * locks themselves are in locks.ts; the export service (export/service.ts)
 * records them in the audit trail.
 */
import type { Me } from '../../api/contract.js';
import type { EventBus } from '../bus.js';
import type { Concern } from '../concern.js';
import type { ExportService } from '../export/service.js';

const actor = (me: Me | null) => ({ username: me?.username ?? 'anonymous' });

export function evidenceConcern(d: { service: ExportService; bus: EventBus }): Concern {
  const s = d.service;
  return {
    handlers: {
      'evidence.list': (p) =>
        s.locks.list({
          all: p.all,
          cameraId: p.cameraId,
          fromMs: p.from ? Date.parse(p.from) : undefined,
          toMs: p.to ? Date.parse(p.to) : undefined,
          caseId: p.caseId,
        }),
      'evidence.lock': (p, _ctx, me) => {
        const l = s.lock(p, actor(me));
        d.bus.emit('evidence.changed', { lockId: l.id, cameraIds: l.cameraIds, active: true });
        if (l.caseId) d.bus.emit('cases.changed', { caseId: l.caseId });
        return l;
      },
      'evidence.unlock': (p, _ctx, me) => {
        const l = s.unlock(p.id, p.reason, actor(me));
        d.bus.emit('evidence.changed', { lockId: l.id, cameraIds: l.cameraIds, active: false });
        if (l.caseId) d.bus.emit('cases.changed', { caseId: l.caseId });
        return l;
      },
    },
  };
}
