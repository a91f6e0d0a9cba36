/**
 * The audit trail: append-only and hash-chained. Each record holds the
 * SHA-256 of the previous record, and its own hash covers that link plus a
 * canonical serialisation of its content:
 *
 *   hash(n) = sha256( prevHash(n) + "\n" + canonicalJson({seq, timeMs, actor, action, target, details}) )
 *
 * Triggers refuse UPDATE and DELETE; `verify()` finds what got past them
 * (an edited file, a row removed with the triggers dropped). The newest
 * (seq, hash) is also kept in `audit_head`, so cutting records off the end
 * shows too. Appends take the write lock (BEGIN IMMEDIATE) so several
 * processes can append to one trail.
 */
import crypto from 'node:crypto';
import type { AuditRecord, AuditVerifyResult, Page } from '../../api/alarms.js';
import type { Db } from '../store/db.js';
import { parseJson } from '../store/json.js';
import { KeysetPager } from '../store/keyset.js';
import { canonicalJson } from './canonical.js';

export const GENESIS_HASH = '0'.repeat(64);

interface AuditRow {
  seq: number;
  time_ms: number;
  actor: string;
  action: string;
  target: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditInput {
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  time?: number;
}

const SECRET_KEY = /password|passwd|secret|token|credential/i;

/** Drop anything that looks like a credential before it reaches the trail. */
export function scrub(v: unknown, depth = 0): unknown {
  if (depth > 6) return '…';
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => scrub(x, depth + 1));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) ? (x === null || x === undefined ? x : '***') : scrub(x, depth + 1);
    }
    return out;
  }
  if (typeof v === 'string' && v.length > 2000) return v.slice(0, 2000) + '…';
  return v;
}

export function recordHash(prevHash: string, r: { seq: number; timeMs: number; actor: string; action: string; target: string | null; details: unknown }): string {
  const body = canonicalJson({ seq: r.seq, timeMs: r.timeMs, actor: r.actor, action: r.action, target: r.target, details: r.details });
  return crypto.createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

function toRecord(r: AuditRow): AuditRecord {
  return {
    seq: r.seq,
    time: new Date(r.time_ms).toISOString(),
    actor: r.actor,
    action: r.action,
    target: r.target,
    details: parseJson<Record<string, unknown>>(r.details, {}),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export class AuditTrail {
  private q;
  private appendTx;
  private pager: KeysetPager;

  constructor(readonly db: Db) {
    this.pager = new KeysetPager(db);
    this.q = {
      head: db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1'),
      last: db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare('INSERT INTO audit (seq, time_ms, actor, action, target, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      setHead: db.prepare('INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash'),
      all: db.prepare('SELECT * FROM audit ORDER BY seq ASC'),
    };
    this.appendTx = db.transaction((a: AuditInput): AuditRecord => {
      const last = this.q.last.get() as { seq: number; hash: string } | undefined;
      const seq = (last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const timeMs = a.time ?? Date.now();
      const details = (scrub(a.details ?? {}) ?? {}) as Record<string, unknown>;
      // normalise through JSON so what is hashed is exactly what is stored
      const stored = canonicalJson(details);
      const parsed = JSON.parse(stored) as Record<string, unknown>;
      const target = a.target ?? null;
      const hash = recordHash(prevHash, { seq, timeMs, actor: a.actor, action: a.action, target, details: parsed });
      this.q.insert.run(seq, timeMs, a.actor, a.action, target, stored, prevHash, hash);
      this.q.setHead.run(seq, hash);
      return { seq, time: new Date(timeMs).toISOString(), actor: a.actor, action: a.action, target, details: parsed, prevHash, hash };
    });
  }

  /** Append one record. Inside an open transaction it joins it (committed together). */
  append(a: AuditInput): AuditRecord {
    return this.db.inTransaction ? this.appendTx(a) : this.appendTx.immediate(a);
  }

  list(f: { from?: string; to?: string; actor?: string; action?: string }, cursor: string | null | undefined, limit: number): Page<AuditRecord> {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (f.from) {
      where.push('time_ms >= @from');
      args.from = Date.parse(f.from);
    }
    if (f.to) {
      where.push('time_ms < @to');
      args.to = Date.parse(f.to);
    }
    if (f.actor) {
      where.push('actor = @actor');
      args.actor = f.actor;
    }
    if (f.action) {
      where.push(`action LIKE @action ESCAPE '\\'`);
      args.action = f.action.replace(/[\\%_]/g, (m) => '\\' + m) + '%';
    }
    const { rows, nextCursor } = this.pager.page<AuditRow>({ select: 'SELECT * FROM audit', where, args, time: null, id: 'seq' }, cursor, limit, (r) => ({
      ms: 0,
      id: r.seq,
    }));
    return { items: rows.map(toRecord), nextCursor };
  }

  /** Walk the whole chain; report the first record that does not check out. */
  verify(): AuditVerifyResult {
    let expectSeq = 1;
    let prev = GENESIS_HASH;
    let records = 0;
    const bad = (seq: number, problem: NonNullable<AuditVerifyResult['firstBad']>['problem'], message: string): AuditVerifyResult => ({
      ok: false,
      records,
      firstBad: { seq, problem, message },
      headHash: prev === GENESIS_HASH ? null : prev,
    });
    for (const r of this.q.all.iterate() as IterableIterator<AuditRow>) {
      if (r.seq !== expectSeq) {
        return bad(expectSeq, 'missing', `record ${expectSeq}${r.seq > expectSeq + 1 ? `–${r.seq - 1}` : ''} is missing (the next one present is ${r.seq})`);
      }
      if (r.prev_hash !== prev) {
        return bad(r.seq, 'broken_link', `record ${r.seq} does not link to record ${r.seq - 1}: one of the two was altered or replaced`);
      }
      const details = parseJson<unknown>(r.details, Symbol.for('bad'));
      const h = typeof details === 'symbol' ? '' : recordHash(r.prev_hash, { seq: r.seq, timeMs: r.time_ms, actor: r.actor, action: r.action, target: r.target, details });
      if (h !== r.hash) {
        return bad(r.seq, 'tampered', `record ${r.seq} (${r.action} by ${r.actor} at ${new Date(r.time_ms).toISOString()}) was altered: its content no longer matches its hash`);
      }
      prev = r.hash;
      records++;
      expectSeq++;
    }
    const head = this.q.head.get() as { seq: number; hash: string } | undefined;
    if (head && head.seq > records) {
      return bad(records + 1, 'truncated', `records ${records + 1}–${head.seq} are missing from the end of the trail`);
    }
    if (head && head.seq === records && head.hash !== prev) {
      return bad(records, 'tampered', `record ${records} does not match the recorded head of the trail`);
    }
    return { ok: true, records, firstBad: null, headHash: records ? prev : null };
  }
}
