/**
 * The `export_jobs` table: every export job from queued to finished, for the
 * jobs list, the CLI's `export list`, crash recovery and the case's items.
 * The engine keeps the live progress in memory (queue.ts) and writes it here
 * only now and then; a job the CLI runs in its own process writes its
 * progress here, so a running engine lists it too.
 */
import crypto from 'node:crypto';
import type { ExportJob, ExportJobState, ExportSourceKind } from '../../api/export.js';
import type { Db } from '../store/db.js';
import { parseJson } from '../store/json.js';

interface JobRow {
  id: string;
  state: ExportJobState;
  runner: string;
  created_ms: number;
  started_ms: number | null;
  finished_ms: number | null;
  username: string;
  case_id: number | null;
  reason: string;
  from_ms: number;
  to_ms: number;
  camera_ids: string;
  options: string;
  progress: number;
  phase: string | null;
  dir: string | null;
  zip: string | null;
  bytes: number | null;
  manifest_sha256: string | null;
  fingerprint: string | null;
  export_id: string | null;
  lock_id: number | null;
  error_code: string | null;
  error: string | null;
  case_name: string | null;
}

export interface JobOptions {
  zip?: boolean;
  reencode?: boolean;
  source?: { kind: ExportSourceKind; id?: string } | null;
  maskedCameras?: string[];
  estimateBytes?: number | null;
  /** Not before this time (ms): the end of the range must be recorded first. */
  waitUntilMs?: number | null;
}

export interface NewJob {
  runner: string;
  username: string;
  caseId: number | null;
  reason: string;
  fromMs: number;
  toMs: number;
  cameraIds: string[];
  dir: string;
  options: JobOptions;
}

export type JobPatch = Partial<{
  state: ExportJobState;
  started_ms: number | null;
  finished_ms: number | null;
  progress: number;
  phase: string | null;
  dir: string | null;
  zip: string | null;
  bytes: number | null;
  manifest_sha256: string | null;
  fingerprint: string | null;
  export_id: string | null;
  lock_id: number | null;
  error_code: string | null;
  error: string | null;
  options: string;
}>;

const SELECT = 'SELECT j.*, (SELECT name FROM cases WHERE cases.id = j.case_id) AS case_name FROM export_jobs j';
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function newJobId(): string {
  return `x_${crypto.randomBytes(6).toString('hex')}`;
}

/** The runner value of a job run by this process from the command line. */
export function cliRunner(pid = process.pid): string {
  return `cli:${pid}`;
}

function toJob(r: JobRow): ExportJob {
  const o = parseJson<JobOptions>(r.options, {});
  return {
    id: r.id,
    state: r.state,
    createdAt: iso(r.created_ms)!,
    startedAt: iso(r.started_ms),
    finishedAt: iso(r.finished_ms),
    username: r.username,
    runner: r.runner === 'engine' ? 'engine' : 'cli',
    caseId: r.case_id,
    caseName: r.case_name,
    reason: r.reason,
    from: iso(r.from_ms)!,
    to: iso(r.to_ms)!,
    cameraIds: parseJson<string[]>(r.camera_ids, []),
    zip: !!o.zip,
    reencode: !!o.reencode,
    source: o.source ?? null,
    progress: r.progress,
    phase: r.phase,
    etaSeconds: null,
    waitUntil: o.waitUntilMs ? iso(o.waitUntilMs) : null,
    maskedCameras: o.maskedCameras ?? [],
    dir: r.dir,
    zipPath: r.zip,
    bytes: r.bytes,
    estimateBytes: o.estimateBytes ?? null,
    manifestSha256: r.manifest_sha256,
    fingerprint: r.fingerprint,
    exportId: r.export_id,
    lockId: r.lock_id,
    error: r.error,
    errorCode: r.error_code,
  };
}

export class JobStore {
  constructor(private readonly db: Db) {}

  insert(j: NewJob, now = Date.now()): ExportJob {
    const id = newJobId();
    this.db
      .prepare(
        `INSERT INTO export_jobs (id, state, runner, created_ms, username, case_id, reason, from_ms, to_ms, camera_ids, options, dir)
         VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, j.runner, now, j.username, j.caseId, j.reason, j.fromMs, j.toMs, JSON.stringify(j.cameraIds), JSON.stringify(j.options), j.dir);
    return this.get(id)!;
  }

  get(id: string): ExportJob | null {
    const r = this.db.prepare<[string], JobRow>(`${SELECT} WHERE j.id = ?`).get(id);
    return r ? toJob(r) : null;
  }

  /** The runner of a job (engine, cli:<pid>). */
  runnerOf(id: string): string | null {
    return this.db.prepare<[string], { runner: string }>('SELECT runner FROM export_jobs WHERE id = ?').get(id)?.runner ?? null;
  }

  options(id: string): JobOptions {
    const r = this.db.prepare<[string], { options: string }>('SELECT options FROM export_jobs WHERE id = ?').get(id);
    return r ? parseJson<JobOptions>(r.options, {}) : {};
  }

  update(id: string, p: JobPatch): ExportJob {
    const keys = Object.keys(p) as (keyof JobPatch)[];
    if (keys.length) {
      this.db.prepare(`UPDATE export_jobs SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`).run({ ...p, id });
    }
    return this.get(id)!;
  }

  list(o: { limit?: number; caseId?: number; states?: ExportJobState[] } = {}): ExportJob[] {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: o.limit ?? 200 };
    if (o.caseId !== undefined) {
      where.push('j.case_id = @case');
      args.case = o.caseId;
    }
    if (o.states?.length) where.push(`j.state IN (${o.states.map((s) => `'${s}'`).join(', ')})`);
    return this.db
      .prepare<[Record<string, unknown>], JobRow>(`${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY j.created_ms DESC, j.rowid DESC LIMIT @limit`)
      .all(args)
      .map(toJob);
  }

  /** Jobs still queued, waiting or running, oldest first, with their runners. */
  active(): (ExportJob & { runnerId: string })[] {
    return this.db
      .prepare<[], JobRow>(`${SELECT} WHERE j.state IN ('queued', 'waiting', 'running') ORDER BY j.created_ms, j.rowid`)
      .all()
      .map((r) => ({ ...toJob(r), runnerId: r.runner }));
  }
}

/** Whether the process behind a `cli:<pid>` runner is still there. */
export function runnerAlive(runner: string): boolean {
  const m = /^cli:(\d+)$/.exec(runner);
  if (!m) return false;
  try {
    process.kill(Number(m[1]), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
