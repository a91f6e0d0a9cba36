import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../keys/site-key.js';
import { openIndex, type Db } from '../store/db.js';
import { AuditCheckpoints, checkpointBytes, parseCheckpoints, verifyCheckpoints, type CheckpointKey, type CheckpointSigner } from './checkpoints.js';
import { AuditTrail, recordHash } from './trail.js';
import { verifyAudit } from './verify.js';

function keyPair(): { signer: CheckpointSigner; key: CheckpointKey } {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const fingerprint = fingerprintOf(publicKey.export({ type: 'spki', format: 'der' }));
  return {
    signer: { fingerprint, sign: (d) => crypto.sign(null, d, privateKey) },
    key: { fingerprint, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  };
}

let db: Db;
let trail: AuditTrail;
let cps: AuditCheckpoints;
const site = keyPair();
const add = (n: number) => {
  for (let i = 0; i < n; i++) trail.append({ actor: 'gina', action: 'alarm.comment', target: `alarm:${i}`, details: { n: i } });
};
const unguard = () => db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');

/** What an attacker with write access does: change a record and recompute every later hash and the head. */
function rewrite(seq: number, details: Record<string, unknown>): void {
  unguard();
  const rows = db.prepare('SELECT * FROM audit WHERE seq >= ? ORDER BY seq').all(seq) as { seq: number; time_ms: number; actor: string; action: string; target: string | null; details: string; prev_hash: string }[];
  let prev = rows[0]!.prev_hash;
  for (const r of rows) {
    const d = r.seq === seq ? details : JSON.parse(r.details);
    const hash = recordHash(prev, { seq: r.seq, timeMs: r.time_ms, actor: r.actor, action: r.action, target: r.target, details: d });
    db.prepare('UPDATE audit SET details = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(JSON.stringify(d), prev, hash, r.seq);
    prev = hash;
  }
  db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(rows.at(-1)!.seq, prev);
}

beforeEach(() => {
  db = openIndex(':memory:');
  trail = new AuditTrail(db);
  cps = new AuditCheckpoints(db);
});
afterEach(() => db.close());

describe('audit checkpoints', () => {
  it('signs the trail only when it grew, numbering checkpoints 1, 2, 3', () => {
    expect(cps.make(site.signer, 'start')).toBeNull(); // empty trail
    add(5);
    const a = cps.make(site.signer, 'periodic')!;
    expect(a).toMatchObject({ type: 'gatehouse.audit.checkpoint', v: 1, n: 1, seq: 5, count: 5, reason: 'periodic', key: site.key.fingerprint, head: { seq: 5, hash: a.hash } });
    expect(crypto.verify(null, checkpointBytes(a), site.key.publicKeyPem, Buffer.from(a.sig, 'base64'))).toBe(true);
    expect(cps.make(site.signer, 'periodic')).toBeNull();
    add(2);
    expect(cps.make(site.signer, 'shutdown')).toMatchObject({ n: 2, seq: 7 });
    expect(cps.all().map((c) => c.n)).toEqual([1, 2]);
    expect(cps.uncovered()).toBe(0);
    const r = verifyAudit(db, { keys: [site.key] });
    expect(r).toMatchObject({ ok: true, records: 7, firstBad: null, checkpoints: { checked: 2, newest: { n: 2, seq: 7 }, uncovered: 0 } });
    expect(r.checks!.map((c) => [c.check, c.ok])).toEqual([
      ['chain', true],
      ['checkpoints', true],
    ]);
  });

  it('catches a record edited with every later hash and the head recomputed (the chain alone says intact)', () => {
    add(10);
    cps.make(site.signer, 'periodic');
    add(3);
    rewrite(4, { n: 3, forged: true });
    expect(trail.verify().ok).toBe(true); // the unkeyed chain is fooled
    const r = verifyAudit(db, { keys: [site.key] });
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({ seq: 10, problem: 'checkpoint_mismatch' });
    expect(r.firstBad!.message).toMatch(/checkpoint #1 \(index, signed .*\) signed record 10 with hash .*: a record between 1 and 10 was changed/);
    expect(r.checks!.find((c) => c.check === 'chain')!.ok).toBe(true);
    expect(r.checks!.find((c) => c.check === 'checkpoints')!.ok).toBe(false);
    // and the engine refuses to sign over it
    expect(() => cps.make(site.signer, 'periodic')).toThrow(/no longer matches checkpoint #1 \(records 1–10\); not signing/);
  });

  it('narrows an edit down to the records between two checkpoints', () => {
    add(5);
    cps.make(site.signer, 'periodic');
    add(5);
    cps.make(site.signer, 'periodic');
    rewrite(7, { n: 99 });
    const r = verifyAudit(db, { keys: [site.key] });
    expect(r.firstBad).toMatchObject({ seq: 10, problem: 'checkpoint_mismatch' });
    expect(r.firstBad!.message).toMatch(/between 6 and 10/);
  });

  it('catches the last record deleted with the head fixed', () => {
    add(6);
    cps.make(site.signer, 'shutdown');
    unguard();
    db.prepare('DELETE FROM audit WHERE seq = 6').run();
    const last = db.prepare('SELECT seq, hash FROM audit WHERE seq = 5').get() as { seq: number; hash: string };
    db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(last.seq, last.hash);
    expect(trail.verify().ok).toBe(true);
    const r = verifyAudit(db, { keys: [site.key] });
    expect(r.firstBad).toMatchObject({ seq: 6, problem: 'checkpoint_missing_records' });
    expect(r.firstBad!.message).toMatch(/covers records 1–6, but the trail ends at record 5: records 6–6 were removed/);
  });

  it('refuses a checkpoint whose signature does not verify, or that another key signed', () => {
    add(3);
    const cp = cps.make(site.signer, 'periodic')!;
    const forged = { ...cp, seq: 2 };
    const stranger = keyPair();
    const foreign = { ...cp, key: stranger.key.fingerprint, sig: stranger.signer.sign(checkpointBytes({ ...cp, key: stranger.key.fingerprint })).toString('base64') };
    const r = verifyCheckpoints(db, [forged, foreign], [site.key], '/tmp/copy.jsonl', cps.all());
    expect(r.check.ok).toBe(false);
    expect(r.problems.map((p) => p.problem)).toEqual(['checkpoint_signature', 'checkpoint_signature']);
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(/does not verify/);
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(/not one of this site's keys/);
  });

  it('still verifies checkpoints of a retired key', () => {
    const old = keyPair();
    add(2);
    cps.make(old.signer, 'periodic');
    add(2);
    cps.make(site.signer, 'periodic');
    expect(verifyAudit(db, { keys: [old.key, site.key] }).ok).toBe(true);
    expect(verifyAudit(db, { keys: [site.key] }).firstBad).toMatchObject({ problem: 'checkpoint_signature' });
  });

  it('with an external copy, catches checkpoints deleted from the index together with a rewritten trail', () => {
    add(4);
    const copy = [cps.make(site.signer, 'periodic')!];
    add(4);
    copy.push(cps.make(site.signer, 'periodic')!);
    // The attacker rewrites record 6, drops checkpoint #2 from the index, and re-signs nothing (or cannot).
    rewrite(6, { n: 'forged' });
    db.exec('DROP TRIGGER audit_checkpoints_no_delete');
    db.prepare('DELETE FROM audit_checkpoints WHERE n = 2').run();
    expect(verifyAudit(db, { keys: [site.key] }).ok).toBe(true); // the index alone is fooled
    const text = copy.map((c) => JSON.stringify(c)).join('\n') + '\n';
    const r = verifyAudit(db, { keys: [site.key], external: [{ source: '/mnt/usb/checkpoints.jsonl', checkpoints: parseCheckpoints(text).checkpoints }] });
    expect(r.ok).toBe(false);
    const ext = r.checks!.find((c) => c.source === '/mnt/usb/checkpoints.jsonl')!;
    expect(ext.ok).toBe(false);
    expect(ext.message).toMatch(/not in the index|was changed/);
    expect(r.firstBad).toMatchObject({ seq: 8 });
  });

  it('reads checkpoints from JSON lines, a notice that carries one, an array, and skips the rest', () => {
    add(1);
    const cp = cps.make(site.signer, 'periodic')!;
    expect(parseCheckpoints(`${JSON.stringify(cp)}\nnot json\n${JSON.stringify({ event: 'checkpoint', sender: 'gatehouse', checkpoint: cp })}\n{"other":1}\n`)).toMatchObject({ checkpoints: [cp, cp], skipped: 2 });
    expect(parseCheckpoints(JSON.stringify([cp]))).toMatchObject({ checkpoints: [cp], skipped: 0 });
    expect(parseCheckpoints(JSON.stringify(cp, null, 2))).toMatchObject({ checkpoints: [cp] });
  });

  it('notices a gap in the numbering of the index checkpoints', () => {
    add(1);
    cps.make(site.signer, 'a');
    add(1);
    cps.make(site.signer, 'b');
    add(1);
    cps.make(site.signer, 'c');
    db.exec('DROP TRIGGER audit_checkpoints_no_delete');
    db.prepare('DELETE FROM audit_checkpoints WHERE n = 2').run();
    expect(verifyAudit(db, { keys: [site.key] }).firstBad).toMatchObject({ problem: 'checkpoint_missing' });
  });
});
