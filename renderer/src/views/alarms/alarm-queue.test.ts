import { describe, expect, it } from 'vitest';
import type { Alarm } from '../../../../main/api/alarms.js';
import { parsePrefs } from '../../state/console-prefs.js';
import { zoneLabelOnce } from '../playback/GoToDialog.js';
import { keepSelection, quickReasonKey, secondsToEscalation, upsert } from './alarm-queue.js';
import { alarmsByCamera, alertingAlarms } from './OpenAlarms.js';

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

describe('quick close reasons never take a key from the text field (issue 14)', () => {
  it('a digit typed in the reason is text; Alt+digit picks; a plain digit picks on the buttons', () => {
    expect(quickReasonKey({ key: '2', code: 'Digit2' }, true)).toBeNull();
    expect(quickReasonKey({ key: '2', code: 'Digit2', altKey: true }, true)).toBe(1);
    // macOS: Option+2 types "™"; the code still says which digit
    expect(quickReasonKey({ key: '™', code: 'Digit2', altKey: true }, true)).toBe(1);
    expect(quickReasonKey({ key: '3' }, false)).toBe(2);
    expect(quickReasonKey({ key: '6', code: 'Digit6', altKey: true }, true)).toBeNull();
    expect(quickReasonKey({ key: '1', code: 'Digit1', altKey: true, ctrlKey: true }, true)).toBeNull();
  });
});

describe('alarms on every view', () => {
  const prefs = { alertPriority: 2 as const, takeover: false };
  it('the banner names the newest alarm of the highest priority, at or above the console setting, not yet acknowledged', () => {
    const q = [
      mk(1, 1, '2026-11-26T02:00:00Z', { cameraIds: ['gate'] }),
      mk(2, 1, '2026-11-26T02:05:00Z', { cameraIds: ['gate', 'yard'] }),
      mk(3, 2, '2026-11-26T02:10:00Z', { cameraIds: ['dock'] }),
      mk(4, 3, '2026-11-26T02:20:00Z', { cameraIds: ['lawn'] }),
      mk(5, 1, '2026-11-26T02:30:00Z', { state: 'acknowledged', cameraIds: ['lawn'] }),
    ];
    const a = alertingAlarms(q, prefs);
    expect(a.map((x) => x.id)).toEqual([2, 1, 3]);
    const byCam = alarmsByCamera(a);
    expect([...byCam].map(([c, x]) => `${c}:${x.id}`)).toEqual(['gate:2', 'yard:2', 'dock:3']);
    expect(alertingAlarms(q, { alertPriority: 5, takeover: false }).map((x) => x.id)).toEqual([2, 1, 3, 4]);
  });
  it('console settings are read defensively, default P2 and no takeover', () => {
    expect(parsePrefs(null)).toEqual({ alertPriority: 2, takeover: false });
    expect(parsePrefs('{"alertPriority":1,"takeover":true}')).toEqual({ alertPriority: 1, takeover: true });
    expect(parsePrefs('{"alertPriority":9,"takeover":"yes"}')).toEqual({ alertPriority: 2, takeover: false });
    expect(parsePrefs('not json')).toEqual({ alertPriority: 2, takeover: false });
  });
  it('the go-to dialog names the zone once when it is its own abbreviation', () => {
    expect(zoneLabelOnce('UTC', 'UTC')).toBe('UTC');
    expect(zoneLabelOnce('Etc/UTC', 'UTC')).toBe('UTC');
    expect(zoneLabelOnce('Europe/Berlin', 'CET')).toBe('Europe/Berlin, CET');
  });
});

