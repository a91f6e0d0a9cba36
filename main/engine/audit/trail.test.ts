import { ApiError } from '../../api/contract.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openIndex, type Db } from '../store/db.js';
import { canonicalJson } from './canonical.js';
import { auditForCall } from './hook.js';
import { AuditTrail, GENESIS_HASH, recordHash } from './trail.js';

let db: Db;
let trail: AuditTrail;
beforeEach(() => {
  db = openIndex(':memory:');
  trail = new AuditTrail(db);
  for (let i = 0; i < 10; i++) trail.append({ actor: 'gina', action: 'alarm.comment', target: `alarm:${i}`, details: { comment: `note ${i}`, n: i } });
});
afterEach(() => db.close());

const unguard = () => db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 'é' }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":"é","z":1}]},"b":1}');
    expect(() => canonicalJson({ x: NaN })).toThrow();
  });
});

describe('audit trail', () => {
  it('chains each record to the one before', () => {
    const page = trail.list({}, null, 100);
    expect(page.items).toHaveLength(10);
    const first = page.items.at(-1)!;
    expect(first.prevHash).toBe(GENESIS_HASH);
    for (let i = 0; i < page.items.length - 1; i++) expect(page.items[i]!.prevHash).toBe(page.items[i + 1]!.hash);
    expect(trail.verify()).toEqual({ ok: true, records: 10, firstBad: null, headHash: page.items[0]!.hash });
  });

  it('refuses updates and deletes', () => {
    expect(() => db.prepare("UPDATE audit SET actor = 'x' WHERE seq = 3").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit WHERE seq = 3').run()).toThrow(/append-only/);
  });

  it('finds an edited record', () => {
    unguard();
    db.prepare(`UPDATE audit SET details = '{"comment":"nothing happened","n":4}' WHERE seq = 5`).run();
    expect(trail.verify()).toMatchObject({ ok: false, records: 4, firstBad: { seq: 5, problem: 'tampered' } });
  });

  it('finds an edited and re-hashed record through the broken link after it', () => {
    unguard();
    const r = db.prepare('SELECT * FROM audit WHERE seq = 5').get() as { prev_hash: string; time_ms: number; target: string };
    const details = { comment: 'forged', n: 4 };
    const hash = recordHash(r.prev_hash, { seq: 5, timeMs: r.time_ms, actor: 'gina', action: 'alarm.comment', target: r.target, details });
    db.prepare('UPDATE audit SET details = ?, hash = ? WHERE seq = 5').run(JSON.stringify(details), hash);
    expect(trail.verify()).toMatchObject({ ok: false, firstBad: { seq: 6, problem: 'broken_link' } });
  });

  it('finds a missing record and a cut-off end', () => {
    unguard();
    db.prepare('DELETE FROM audit WHERE seq = 7').run();
    expect(trail.verify()).toMatchObject({ ok: false, firstBad: { seq: 7, problem: 'missing' } });
    db.prepare('DELETE FROM audit WHERE seq >= 7').run();
    expect(trail.verify()).toMatchObject({ ok: false, firstBad: { seq: 7, problem: 'truncated' } });
  });

  it('keeps credentials out of the trail', () => {
    const rec = trail.append({ actor: 'admin', action: 'cameras.add', details: { params: { name: 'Gate', password: 'hunter2', nested: { apiToken: 'abc' } } } });
    expect(JSON.stringify(rec.details)).not.toMatch(/hunter2|abc/);
    expect(trail.verify().ok).toBe(true);
  });
});

describe('what is audited from the request path', () => {
  const admin = { username: 'admin', role: 'admin' as const };
  it('records mutations, logins and refusals, not reads or alarm actions', () => {
    expect(auditForCall({ method: 'cameras.list', params: {}, me: admin, peer: 'p' })).toBeNull();
    expect(auditForCall({ method: 'recordings.coverage', params: {}, me: admin, peer: 'p' })).toBeNull();
    expect(auditForCall({ method: 'alarms.transition', params: {}, me: admin, peer: 'p' })).toBeNull();
    expect(auditForCall({ method: 'settings.update', params: { patch: { segmentSeconds: 5 } }, me: admin, peer: 'p' })).toMatchObject({ actor: 'admin', action: 'settings.update' });
    expect(auditForCall({ method: 'users.add', params: { username: 'bob', password: 'x', role: 'guard' }, me: admin, peer: 'p' })).toMatchObject({ target: 'username:bob' });
    expect(auditForCall({ method: 'alarms.setRules', params: { rules: null }, me: admin, peer: 'p' })).toMatchObject({ action: 'alarms.setRules' });
    expect(auditForCall({ method: 'auth.login', params: { username: 'bob', password: 'x' }, me: null, peer: 'p', error: new Error('x') })).toMatchObject({ action: 'auth.login.failed', actor: 'bob' });
    const changed = auditForCall({ method: 'auth.changePassword', params: { current: 'a', next: 'b' }, me: admin, peer: 'p' });
    expect(JSON.stringify(changed)).not.toMatch(/"current"|"next"/);
    // face recognition audits itself: never the photo in the params; a refused call is kept without them
    expect(auditForCall({ method: 'people.enrol', params: { person: 'Ann', image: '/9j/AAAA' }, me: admin, peer: 'p' })).toBeNull();
    const denied = auditForCall({ method: 'people.enrol', params: { person: 'Ann', image: '/9j/AAAA' }, me: { username: 'gina', role: 'guard' }, peer: 'p', error: new ApiError('forbidden', 'admins only') });
    expect(denied).toMatchObject({ action: 'people.enrol.denied', actor: 'gina' });
    expect(JSON.stringify(denied)).not.toMatch(/9j/);
  });
});
