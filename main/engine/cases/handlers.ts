/**
 * cases.* request handlers: cases collect exports, bookmarks and notes. The
 * items are generic (kind + ref), so the bookmarks concern can attach its
 * bookmarks with `cases.addItem { kind: 'bookmark', ref }`.
 */
import type { CaseItem } from '../../api/export.js';
import type { EventBus } from '../bus.js';
import type { Concern } from '../concern.js';
import type { ExportService } from '../export/service.js';

export function casesConcern(d: { service: ExportService; bus: EventBus; decorate?: (j: NonNullable<CaseItem['export']>) => NonNullable<CaseItem['export']> }): Concern {
  const s = d.service;
  const changed = (caseId: number) => d.bus.emit('cases.changed', { caseId });
  return {
    handlers: {
      'cases.list': (p) => s.cases.list({ closed: p.closed }),
      'cases.get': (p) => {
        const c = s.cases.mustGet(p.id);
        const items = s.cases.items(p.id).map((i) => {
          if (i.kind !== 'export' || !i.ref) return i;
          const j = s.jobs.get(i.ref);
          return { ...i, export: j ? (d.decorate ? d.decorate(j) : j) : null };
        });
        return { case: c, items, locks: s.locks.list({ all: true, caseId: p.id }) };
      },
      'cases.create': (p, _ctx, me) => {
        const c = s.cases.create(p, me!.username);
        changed(c.id);
        return c;
      },
      'cases.update': (p, _ctx) => {
        const c = s.cases.update(p.id, p);
        changed(c.id);
        return c;
      },
      'cases.addItem': (p, _ctx, me) => {
        const i = s.cases.addItem(p, me!.username);
        changed(i.caseId);
        return i;
      },
      'cases.removeItem': (p) => {
        const i = s.cases.removeItem(p.id);
        changed(i.caseId);
        return { ok: true as const };
      },
    },
  };
}
