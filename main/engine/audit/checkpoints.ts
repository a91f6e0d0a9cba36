/**
 * Signed checkpoints of the audit trail (docs/security.md, "Audit checkpoints").
 *
 * The hash chain alone is unkeyed: whoever can write index.sqlite can edit a
 * record and recompute every later hash and the head, or cut the last records
 * off and fix the head. A checkpoint closes that: the site key (Ed25519,
 * keys/site-key.ts, the key that signs export manifests) signs
 *
 *   {type: "gatehouse.audit.checkpoint", v: 1, n, seq, hash (of record seq),
 *    head: audit_head, count, time, reason, key (fingerprint)}
 *
 * as canonical JSON; `sig` is the base64 signature of those bytes. A checkpoint
 * is made only after the records it covers verify (from the previous
 * checkpoint on), so a tampered trail is never signed. Each one is kept in
 * `audit_checkpoints` and published where a local attacker can't rewrite it:
 * an append-only file outside the data dir (`security.auditCheckpointFile`),
 * MQTT (retained), the notify webhooks (integrations/). `verifyCheckpoints()`
 * checks any set of them (the index's, or an external copy) against the trail.
 *
 * Limit: an attacker who can read the data dir can read the key (it is sealed
 * with secret.key beside it) and sign new checkpoints for a rewritten trail.
 * Only copies that left the machine when they were made show that.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AuditCheckpoint, AuditProblem, AuditVerifyCheck } from '../../api/alarms.js';
import type { Db } from '../store/db.js';
import { canonicalJson } from './canonical.js';
import { GENESIS_HASH, recordHash } from './trail.js';
import { parseJson } from '../store/json.js';

export const CHECKPOINT_TYPE = 'gatehouse.audit.checkpoint';

/** What signs a checkpoint (the site key's signer satisfies it). */
export interface CheckpointSigner {
  fingerprint: string;
  sign(data: Buffer): Buffer;
}

/** A public key that may have signed checkpoints (the site's current and retired keys). */
export interface CheckpointKey {
  fingerprint: string;
  publicKeyPem: string;
}

/** The bytes a checkpoint's signature covers. */
export function checkpointBytes(cp: Omit<AuditCheckpoint, 'sig'> | AuditCheckpoint): Buffer {
  const { sig: _sig, ...body } = cp as AuditCheckpoint;
  void _sig;
  return Buffer.from(canonicalJson(body), 'utf8');
}

/** One checkpoint problem, tied to the record where it shows. */
export interface CheckpointProblem {
  seq: number;
  problem: AuditProblem;
  message: string;
}

interface Row {
  seq: number;
  time_ms: number;
  actor: string;
  action: string;
  target: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export class AuditCheckpoints {
  private q;
  constructor(readonly db: Db) {
    this.q = {
      last: db.prepare('SELECT n, seq, hash, body, sig FROM audit_checkpoints ORDER BY n DESC LIMIT 1'),
      all: db.prepare('SELECT n, body, sig FROM audit_checkpoints ORDER BY n ASC'),
      insert: db.prepare('INSERT INTO audit_checkpoints (n, seq, hash, time_ms, key, body, sig) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      lastRecord: db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1'),
      head: db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1'),
      count: db.prepare('SELECT COUNT(*) AS n FROM audit'),
      record: db.prepare('SELECT * FROM audit WHERE seq = ?'),
      from: db.prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq ASC'),
    };
  }

  /** The checkpoints in the index, oldest first (a row that does not parse is skipped: verify reports the gap). */
  all(): AuditCheckpoint[] {
    const out: AuditCheckpoint[] = [];
    for (const r of this.q.all.all() as { n: number; body: string; sig: string }[]) {
      const body = parseJson<Omit<AuditCheckpoint, 'sig'> | null>(r.body, null);
      if (body && typeof body === 'object') out.push({ ...body, sig: r.sig });
    }
    return out;
  }

  latest(): AuditCheckpoint | null {
    const r = this.q.last.get() as { body: string; sig: string } | undefined;
    if (!r) return null;
    const body = parseJson<Omit<AuditCheckpoint, 'sig'> | null>(r.body, null);
    return body ? { ...body, sig: r.sig } : null;
  }

  /** Records after the newest checkpoint (not covered yet). */
  uncovered(): number {
    const last = this.q.lastRecord.get() as { seq: number } | undefined;
    const cp = this.q.last.get() as { seq: number } | undefined;
    return Math.max(0, (last?.seq ?? 0) - (cp?.seq ?? 0));
  }

  /**
   * Sign a checkpoint of the trail as it is now, if it grew since the last one
   * (or always, with `force`). Holds the write lock, so no record slips in
   * between reading the head and storing the checkpoint. Throws when the
   * records since the last checkpoint do not verify: a tampered trail is never signed.
   */
  make(signer: CheckpointSigner, reason: string, opts: { force?: boolean; now?: number } = {}): AuditCheckpoint | null {
    const tx = this.db.transaction((): AuditCheckpoint | null => {
      const last = this.q.lastRecord.get() as { seq: number; hash: string } | undefined;
      const prev = this.q.last.get() as { n: number; seq: number; hash: string } | undefined;
      if (!last) return null;
      if (prev && prev.seq === last.seq && !opts.force) return null;
      this.verifySince(prev ?? null, last.seq);
      const head = (this.q.head.get() as { seq: number; hash: string } | undefined) ?? null;
      const count = (this.q.count.get() as { n: number }).n;
      const timeMs = opts.now ?? Date.now();
      const body: Omit<AuditCheckpoint, 'sig'> = {
        type: CHECKPOINT_TYPE,
        v: 1,
        n: (prev?.n ?? 0) + 1,
        seq: last.seq,
        hash: last.hash,
        head: head ? { seq: head.seq, hash: head.hash } : null,
        count,
        time: new Date(timeMs).toISOString(),
        reason,
        key: signer.fingerprint,
      };
      const bytes = checkpointBytes(body);
      const sig = signer.sign(bytes).toString('base64');
      this.q.insert.run(body.n, body.seq, body.hash, timeMs, body.key, bytes.toString('utf8'), sig);
      return { ...body, sig };
    });
    return this.db.inTransaction ? tx() : tx.immediate();
  }

  /** Walk the records after `from` (the last checkpoint) to `to`; throw at the first that does not check out. */
  private verifySince(from: { n: number; seq: number; hash: string } | null, to: number): void {
    let prev = GENESIS_HASH;
    let expect = 1;
    if (from) {
      const r = this.q.record.get(from.seq) as Row | undefined;
      if (!r || r.hash !== from.hash) {
        throw new Error(`the audit trail no longer matches checkpoint #${from.n} (records 1–${from.seq}); not signing (run "gatehouse audit verify")`);
      }
      prev = from.hash;
      expect = from.seq + 1;
    }
    for (const r of this.q.from.iterate(from?.seq ?? 0) as IterableIterator<Row>) {
      if (r.seq > to) break;
      const details = parseJson<unknown>(r.details, Symbol.for('bad'));
      const h = typeof details === 'symbol' ? '' : recordHash(r.prev_hash, { seq: r.seq, timeMs: r.time_ms, actor: r.actor, action: r.action, target: r.target, details });
      if (r.seq !== expect || r.prev_hash !== prev || h !== r.hash) {
        throw new Error(`audit record ${r.seq} does not check out; not signing a checkpoint over it (run "gatehouse audit verify")`);
      }
      prev = r.hash;
      expect++;
    }
  }
}

/** Append one checkpoint as a JSON line to `file` (O_APPEND, fsynced); the file is created 0600. */
export function appendCheckpointFile(file: string, cp: AuditCheckpoint): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(cp) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Read checkpoints from an external copy: JSON lines (the checkpoint file, or
 * what an MQTT or webhook archive saved), a single JSON object, or a JSON
 * array. A line may be the checkpoint itself or a notice that carries it in
 * `checkpoint`. Lines that are something else are counted in `skipped`.
 */
export function parseCheckpoints(text: string): { checkpoints: AuditCheckpoint[]; skipped: number } {
  const out: AuditCheckpoint[] = [];
  let skipped = 0;
  const take = (v: unknown) => {
    const o = v && typeof v === 'object' && 'checkpoint' in (v as object) ? (v as { checkpoint: unknown }).checkpoint : v;
    if (o && typeof o === 'object' && (o as AuditCheckpoint).type === CHECKPOINT_TYPE && typeof (o as AuditCheckpoint).sig === 'string') {
      out.push(o as AuditCheckpoint);
    } else skipped++;
  };
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      for (const v of JSON.parse(trimmed) as unknown[]) take(v);
      return { checkpoints: out, skipped };
    } catch {
      /* not one array: read it as lines */
    }
  }
  for (const line of trimmed.split(/\r?\n/)) {
    if (!line.trim()) continue;
    try {
      take(JSON.parse(line));
    } catch {
      skipped++;
    }
  }
  if (!out.length && trimmed.startsWith('{')) {
    try {
      skipped = 0;
      take(JSON.parse(trimmed));
    } catch {
      /* counted above */
    }
  }
  return { checkpoints: out, skipped };
}

function verifySignature(cp: AuditCheckpoint, keys: CheckpointKey[]): 'ok' | 'unknown_key' | 'bad' {
  const key = keys.find((k) => k.fingerprint === cp.key);
  if (!key) return 'unknown_key';
  try {
    const ok = crypto.verify(null, checkpointBytes(cp), crypto.createPublicKey(key.publicKeyPem), Buffer.from(cp.sig, 'base64'));
    return ok ? 'ok' : 'bad';
  } catch {
    return 'bad';
  }
}

const short = (h: string) => (typeof h === 'string' ? h.slice(0, 16) + '…' : String(h));

/**
 * Check checkpoints (from one source) against the trail in `db`. Returns the
 * problems, oldest record first, and a one-line summary for the report.
 * `indexCopy`: the index's own checkpoints, to spot ones deleted from it
 * (an external copy newer than any in the index, or a different body).
 */
export function verifyCheckpoints(
  db: Db,
  cps: AuditCheckpoint[],
  keys: CheckpointKey[],
  source: string,
  indexCopy: AuditCheckpoint[] | null,
): { check: AuditVerifyCheck; problems: CheckpointProblem[]; newestValid: AuditCheckpoint | null } {
  const problems: CheckpointProblem[] = [];
  const record = db.prepare('SELECT seq, hash FROM audit WHERE seq = ?');
  const countUpTo = db.prepare('SELECT COUNT(*) AS n FROM audit WHERE seq <= ?');
  const lastRow = db.prepare('SELECT seq FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number } | undefined;
  const lastSeq = lastRow?.seq ?? 0;
  const sorted = [...cps].sort((a, b) => a.n - b.n || a.seq - b.seq);
  let newestValid: AuditCheckpoint | null = null;
  let lastGood = 0;
  const where = (cp: AuditCheckpoint) => `checkpoint #${cp.n} (${source}, signed ${cp.time})`;

  if (source === 'index') {
    sorted.forEach((cp, i) => {
      if (cp.n !== i + 1 && !problems.some((p) => p.problem === 'checkpoint_missing')) {
        problems.push({ seq: cp.seq, problem: 'checkpoint_missing', message: `checkpoint #${i + 1} is missing from the index (the next one present is #${cp.n}): checkpoints were deleted` });
      }
    });
  }
  for (const cp of sorted) {
    if (typeof cp.n !== 'number' || typeof cp.seq !== 'number' || typeof cp.hash !== 'string') {
      problems.push({ seq: 0, problem: 'checkpoint_signature', message: `a checkpoint in ${source} is malformed` });
      continue;
    }
    const sig = verifySignature(cp, keys);
    if (sig !== 'ok') {
      problems.push({
        seq: cp.seq,
        problem: 'checkpoint_signature',
        message:
          sig === 'unknown_key'
            ? `${where(cp)} is signed by ${cp.key}, which is not one of this site's keys (export-keys.json): it was not made here`
            : `${where(cp)} has a signature that does not verify with ${cp.key}: the checkpoint was altered`,
      });
      continue;
    }
    if (indexCopy) {
      const mine = indexCopy.find((x) => x.n === cp.n);
      if (!mine) {
        problems.push({ seq: cp.seq, problem: 'checkpoint_missing', message: `${where(cp)} is not in the index: checkpoints were deleted from it (or the index was replaced)` });
      } else if (mine.sig !== cp.sig || mine.seq !== cp.seq || mine.hash !== cp.hash) {
        problems.push({ seq: cp.seq, problem: 'checkpoint_mismatch', message: `${where(cp)} differs from checkpoint #${cp.n} in the index: the index's checkpoints were replaced` });
      }
    }
    const row = record.get(cp.seq) as { seq: number; hash: string } | undefined;
    if (!row) {
      problems.push({
        seq: Math.min(cp.seq, lastSeq + 1),
        problem: 'checkpoint_missing_records',
        message: `${where(cp)} covers records 1–${cp.seq}, but the trail ${lastSeq ? `ends at record ${lastSeq}` : 'is empty'}: records ${lastSeq + 1}–${cp.seq} were removed`,
      });
      continue;
    }
    if (row.hash !== cp.hash) {
      problems.push({
        seq: cp.seq,
        problem: 'checkpoint_mismatch',
        message: `${where(cp)} signed record ${cp.seq} with hash ${short(cp.hash)}, the trail now has ${short(row.hash)}: a record between ${lastGood + 1} and ${cp.seq} was changed and the later hashes recomputed`,
      });
      continue;
    }
    const have = (countUpTo.get(cp.seq) as { n: number }).n;
    if (typeof cp.count === 'number' && cp.count <= cp.seq && have !== cp.count) {
      problems.push({ seq: cp.seq, problem: 'checkpoint_mismatch', message: `${where(cp)} counted ${cp.count} records up to ${cp.seq}, the trail has ${have}` });
      continue;
    }
    lastGood = Math.max(lastGood, cp.seq);
    if (!newestValid || cp.seq > newestValid.seq || (cp.seq === newestValid.seq && cp.n > newestValid.n)) newestValid = cp;
  }
  problems.sort((a, b) => a.seq - b.seq);
  const ok = problems.length === 0;
  const label = source === 'index' ? 'checkpoints in the index' : `checkpoints in ${source}`;
  const message = ok
    ? sorted.length
      ? `${sorted.length} ${label} verified; the newest (#${newestValid!.n}, ${newestValid!.time}) vouches for records 1–${newestValid!.seq}`
      : `no ${label}${source === 'index' ? ' yet (the engine signs one every few minutes, at start and on a clean stop)' : ''}`
    : `${problems.length} problem(s) with the ${label}: ${problems[0]!.message}`;
  return { check: { check: 'checkpoints', source, ok, message }, problems, newestValid };
}
