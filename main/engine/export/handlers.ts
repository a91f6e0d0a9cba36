/**
 * export.* request handlers and the export module (the job queue). The
 * evidence.* and cases.* handlers live beside their stores
 * (evidence/handlers.ts, cases/handlers.ts) and use the same service.
 */
import type { SiteKeyStore } from '../keys/site-key.js';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError, roleRank, type Me } from '../../api/contract.js';
import type { AuditTrail } from '../audit/trail.js';
import type { EventBus } from '../bus.js';
import type { ModuleConcern } from '../concern.js';
import { exportSetupOf } from '../config/schema.js';
import type { SecretBox } from '../config/secrets.js';
import type { ConfigStore } from '../config/store.js';
import type { DataPaths } from '../paths.js';
import type { Db } from '../store/db.js';
import { ExportQueue } from './queue.js';
import { ExportService } from './service.js';

export interface ExportDeps {
  /** The durable connection: jobs, locks and cases survive a power cut. */
  db: Db;
  paths: DataPaths;
  config: ConfigStore;
  secrets: SecretBox;
  audit: AuditTrail;
  bus: EventBus;
  ffmpeg: () => string | null;
  spawn?: (cmd: string, args: string[], opts: SpawnOptions) => ChildProcess;
  /** The site signing key, shared with the audit checkpoints. */
  keys?: SiteKeyStore;
}

/** Whether `p` lies inside `dir` (after resolving links). */
function inside(p: string, dir: string): boolean {
  const real = (x: string) => {
    try {
      return fs.realpathSync(x);
    } catch {
      return path.resolve(x);
    }
  };
  const rel = path.relative(real(dir), real(p));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

const actor = (me: Me | null) => ({ username: me?.username ?? 'anonymous' });

export function exportConcern(d: ExportDeps): ModuleConcern<ExportQueue> {
  const service = new ExportService({
    db: d.db,
    paths: d.paths,
    config: () => d.config.data,
    secrets: d.secrets,
    audit: d.audit,
    ffmpeg: d.ffmpeg,
    spawn: d.spawn,
    keys: d.keys,
    runner: 'engine',
  });
  const queue = new ExportQueue({ service, bus: d.bus, concurrency: () => exportSetupOf(d.config.data).concurrency });
  const mustGet = (id: string) => {
    const j = queue.get(id);
    if (!j) throw new ApiError('not_found', `no export job ${id}; see the export jobs list`, 'id');
    return j;
  };
  return {
    module: queue,
    handlers: {
      'export.create': async (p, _ctx, me) => queue.submit(await service.create(p, actor(me)), actor(me)),
      'export.preview': (p) => service.preview(p),
      'export.list': (p) => queue.list({ limit: p.limit, caseId: p.caseId }),
      'export.get': (p) => mustGet(p.id),
      'export.cancel': async (p, _ctx, me) => {
        mustGet(p.id);
        return (await queue.cancel(p.id, actor(me)))!;
      },
      'export.verify': async (p, _ctx, me) => {
        if (!!p.id === !!p.path) throw new ApiError('bad_request', 'give either an export job (id) or a folder or .zip (path)', 'path');
        let dir: string;
        if (p.id) {
          const j = mustGet(p.id);
          if (j.state !== 'done' || !j.dir) throw new ApiError('bad_request', `export ${p.id} has no bundle (${j.state})`, 'id');
          dir = j.dir;
        } else {
          dir = path.resolve(p.path!);
          if (!path.isAbsolute(p.path!)) throw new ApiError('bad_request', 'give the full path of the export folder or .zip on the Gatehouse computer', 'path');
          if (roleRank[me!.role] < roleRank.supervisor && !inside(dir, d.paths.exports)) {
            throw new ApiError('forbidden', `guards may verify exports inside ${d.paths.exports} only; ask a supervisor to check another folder`, 'path');
          }
        }
        return service.verify(dir, actor(me));
      },
      'export.listKeys': () => service.keyInfo(),
      'export.rotateKey': (p, _ctx, me) => service.rotateKey(p.reason, actor(me)),
    },
  };
}
