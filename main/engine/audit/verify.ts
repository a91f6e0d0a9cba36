/**
 * The whole audit check, as `gatehouse audit verify` and `audit.verify` run
 * it: the hash chain and its head (trail.ts), then the signed checkpoints in
 * the index, then those of each external copy (checkpoints.ts). The result
 * lists every check with what it found, and `firstBad` is the earliest
 * record any check faults.
 */
import type { AuditCheckpoint, AuditVerifyCheck, AuditVerifyResult } from '../../api/alarms.js';
import type { Db } from '../store/db.js';
import { AuditCheckpoints, verifyCheckpoints, type CheckpointKey, type CheckpointProblem } from './checkpoints.js';
import { AuditTrail } from './trail.js';

export interface ExternalCheckpoints {
  /** Where they came from, for the report (a file path). */
  source: string;
  checkpoints: AuditCheckpoint[];
}

export function verifyAudit(db: Db, opts: { keys: CheckpointKey[]; external?: ExternalCheckpoints[]; trail?: AuditTrail }): AuditVerifyResult {
  const trail = opts.trail ?? new AuditTrail(db);
  const chain = trail.verify();
  const checks: AuditVerifyCheck[] = [
    {
      check: 'chain',
      ok: chain.ok,
      message: chain.ok
        ? `${chain.records} record(s): every record matches its hash and links to the one before; the head matches the last record`
        : chain.firstBad!.message,
    },
  ];
  const store = new AuditCheckpoints(db);
  const mine = store.all();
  const problems: CheckpointProblem[] = [];
  let newest: AuditCheckpoint | null = null;
  const take = (r: ReturnType<typeof verifyCheckpoints>) => {
    checks.push(r.check);
    problems.push(...r.problems);
    if (r.newestValid && (!newest || r.newestValid.seq > newest.seq)) newest = r.newestValid;
  };
  take(verifyCheckpoints(db, mine, opts.keys, 'index', null));
  for (const ext of opts.external ?? []) take(verifyCheckpoints(db, ext.checkpoints, opts.keys, ext.source, mine));

  const last = (db.prepare('SELECT seq FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number } | undefined)?.seq ?? 0;
  const n = newest as AuditCheckpoint | null;
  const checkpoints = {
    checked: mine.length + (opts.external ?? []).reduce((s, e) => s + e.checkpoints.length, 0),
    newest: n ? { n: n.n, seq: n.seq, time: n.time, key: n.key } : null,
    uncovered: Math.max(0, last - (n?.seq ?? 0)),
  };
  problems.sort((a, b) => a.seq - b.seq);
  let firstBad = chain.firstBad;
  const p = problems[0];
  if (p && (!firstBad || p.seq < firstBad.seq)) firstBad = { seq: p.seq, problem: p.problem, message: p.message };
  return { ok: chain.ok && problems.length === 0, records: chain.records, firstBad, headHash: chain.headHash, checks, checkpoints };
}
