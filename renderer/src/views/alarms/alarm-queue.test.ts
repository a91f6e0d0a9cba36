import { describe, expect, it } from 'vitest';
import type { Alarm } from '../../../../main/api/alarms.js';
import { keepSelection, secondsToEscalation, upsert } from './alarm-queue.js';

const mk = (id: number, priority: 1 | 2 | 3 | 4 | 5, created: string, over: Partial<Alarm> = {}): Alarm => ({
  id,
  type: 'sensor.door',
  title: `a${id}`,
  priority,
  state: 'new',
  source: 's',
  sourceKey: 'k',
  cameraIds: [],
  zone: null,
  ruleId: null,
  createdAt: created,
  updatedAt: created,
  lastAt: created,
  count: 1,
  ackDueAt: null,
  escalation: 0,
  claimedBy: null,
  resolvedAt: null,
  closedAt: null,
  closeReason: null,
  sop: '',
  media: [],
  details: {},
  ...over,
});

describe('alarm queue', () => {
  it('sorts by priority, then oldest first', () => {
    let q: Alarm[] = [];
    q = upsert(q, mk(1, 3, '2026-01-01T00:00:01Z'));
    q = upsert(q, mk(2, 1, '2026-01-01T00:00:03Z'));
    q = upsert(q, mk(3, 3, '2026-01-01T00:00:00Z'));
    q = upsert(q, mk(4, 1, '2026-01-01T00:00:02Z'));
    expect(q.map((a) => a.id)).toEqual([4, 2, 3, 1]);
  });

  it('replaces, drops closed alarms, and ignores stale versions', () => {
    let q = [mk(1, 2, '2026-01-01T00:00:00Z', { updatedAt: '2026-01-01T00:00:05Z', count: 3 })];
    q = upsert(q, mk(1, 2, '2026-01-01T00:00:00Z', { updatedAt: '2026-01-01T00:00:01Z', count: 1 }));
    expect(q[0]!.count).toBe(3);
    q = upsert(q, mk(1, 2, '2026-01-01T00:00:00Z', { updatedAt: '2026-01-01T00:00:09Z', state: 'acknowledged', count: 3 }));
    expect(q[0]!.state).toBe('acknowledged');
    q = upsert(q, mk(1, 2, '2026-01-01T00:00:00Z', { updatedAt: '2026-01-01T00:00:10Z', state: 'closed' }));
    expect(q).toEqual([]);
  });

  it('keeps the selected alarm selected when others arrive', () => {
    const a = [mk(1, 3, '2026-01-01T00:00:00Z'), mk(2, 3, '2026-01-01T00:00:01Z')];
    const b = upsert(a, mk(3, 1, '2026-01-01T00:00:02Z'));
    expect(keepSelection(a, b, 1)).toBe(2);
    expect(keepSelection(a, [], 1)).toBe(0);
  });

  it('counts down to escalation only while new', () => {
    const a = mk(1, 1, '2026-01-01T00:00:00Z', { ackDueAt: '2026-01-01T00:00:30Z' });
    expect(secondsToEscalation(a, Date.parse('2026-01-01T00:00:10Z'))).toBe(20);
    expect(secondsToEscalation({ ...a, state: 'acknowledged' }, 0)).toBeNull();
  });
});
