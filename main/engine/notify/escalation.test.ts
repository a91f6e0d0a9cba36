/**
 * The escalation ladder with a fake clock: levels in order at their times,
 * only contacts on duty and of the alarm's priority, nothing after the
 * acknowledgement, a manual escalation jumps to the next level, nobody on duty
 * is said in the history.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Alarm } from '../../api/alarms.js';
import { Contact, NotifySetup } from '../../api/notify.js';
import { Escalation } from './escalation.js';
import { parseDuty } from './duty.js';
import { dueSteps, effectiveLadders, nextDueMs } from './ladder.js';

const T0 = Date.parse('2026-03-02T10:00:00Z'); // a Monday, 11:00 in Berlin
const TZ = 'Europe/Berlin';

function alarm(id: number, priority: Alarm['priority'], createdMs = T0): Alarm {
  const t = new Date(createdMs).toISOString();
  return {
    id,
    type: 'panic',
    title: `alarm ${id}`,
    priority,
    state: 'new',
    source: 'x',
    sourceKey: `x:${id}`,
    cameraIds: [],
    zone: null,
    ruleId: null,
    createdAt: t,
    updatedAt: t,
    lastAt: t,
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
  };
}

let now = T0;
let alarms: Alarm[];
let levels: Map<number, number>;
let told: string[];
let notes: string[];
let setup: NotifySetup;
let esc: Escalation;

const contact = (o: Partial<Contact> & { id: string; level: number }) => Contact.parse({ name: o.id, email: `${o.id}@example.org`, ...o });

beforeEach(() => {
  now = T0;
  alarms = [];
  levels = new Map();
  told = [];
  notes = [];
  setup = NotifySetup.parse({
    contacts: [
      contact({ id: 'sup', level: 2 }),
      contact({ id: 'night-sup', level: 2, duty: parseDuty('daily 22:00-06:00') }),
      contact({ id: 'mgr', level: 3, priorities: [1, 2] }),
      contact({ id: 'tech', level: 3, priorities: [3] }),
    ],
  });
  esc = new Escalation({
    alarms: {
      unacknowledged: () => alarms.filter((a) => a.state === 'new'),
      get: (id) => alarms.find((a) => a.id === id) ?? null,
      noteNotice: (id, text) => notes.push(`#${id} ${text}`),
    },
    state: {
      ladderLevels: (ids) => new Map(ids.filter((i) => levels.has(i)).map((i) => [i, levels.get(i)!])),
      setLadderLevel: (id, level) => levels.set(id, Math.max(levels.get(id) ?? 1, level)),
    },
    setup: () => setup,
    timeZone: () => TZ,
    now: () => now,
    tell: (a, c, level) => told.push(`#${a.id} L${level} ${c.id} @${(now - T0) / 1000}s`),
  });
});

describe('the ladder', () => {
  it('defaults to the priority’s acknowledgement time for level 2 and three times it for level 3; P5 never', () => {
    const l = effectiveLadders({});
    expect(l[0]).toEqual({
      priority: 1,
      steps: [
        { level: 2, afterSeconds: 30 },
        { level: 3, afterSeconds: 90 },
      ],
      builtIn: true,
    });
    expect(l[4]!.steps).toEqual([]);
    expect(nextDueMs(l[0]!, T0, 1)).toBe(T0 + 30_000);
    expect(nextDueMs(l[0]!, T0, 3)).toBeNull();
    expect(dueSteps(l[0]!, T0, 1, T0 + 100_000).map((s) => s.level)).toEqual([2, 3]);
  });
});

describe('escalation with a fake clock', () => {
  it('climbs level by level at the ladder’s times, telling only the contacts on duty for the priority', () => {
    alarms.push(alarm(1, 1));
    now = T0 + 29_000;
    expect(esc.tick()).toBe(0);
    now = T0 + 30_000;
    expect(esc.tick()).toBe(1);
    expect(told).toEqual(['#1 L2 sup @30s']); // night-sup is off duty at 11:00
    now = T0 + 60_000;
    expect(esc.tick()).toBe(0); // level 2 is not told twice
    now = T0 + 90_000;
    esc.tick();
    expect(told).toEqual(['#1 L2 sup @30s', '#1 L3 mgr @90s']); // tech takes P3 only
    now = T0 + 3_600_000;
    expect(esc.tick()).toBe(0);
    expect(notes).toEqual([]);
  });

  it('stops climbing once the alarm is acknowledged', () => {
    alarms.push(alarm(2, 2)); // P2: 60 s, 180 s
    now = T0 + 60_000;
    esc.tick();
    alarms[0]!.state = 'acknowledged';
    now = T0 + 600_000;
    esc.tick();
    expect(told).toEqual(['#2 L2 sup @60s']);
  });

  it('follows a configured ladder and rotas, and says so in the history when nobody is on duty at a level', () => {
    setup = NotifySetup.parse({
      ...setup,
      ladders: [
        {
          priority: 3,
          steps: [
            { level: 2, afterSeconds: 5 },
            { level: 3, afterSeconds: 10 },
            { level: 4, afterSeconds: 15 },
          ],
        },
      ],
      rotas: [{ id: 'days', name: 'Day supervisors', startsAt: '2026-03-01T00:00:00Z', periodHours: 24, members: ['night-sup', 'sup'] }],
    });
    alarms.push(alarm(3, 3));
    now = T0 + 5_000;
    esc.tick();
    // 2 Mar is day 1 of the rota: sup's turn; night-sup is off in any case
    now = T0 + 10_000;
    esc.tick();
    now = T0 + 15_000;
    esc.tick();
    expect(told).toEqual(['#3 L2 sup @5s', '#3 L3 tech @10s']);
    expect(notes).toEqual(['#3 level 4: nobody to tell: no contact has level 4 for P3; see Settings → On call']);
    // the next day it is night-sup's turn, who is off duty by day: nobody at level 2
    alarms.push(alarm(4, 3, T0 + 86_400_000));
    now = T0 + 86_400_000 + 5_000;
    esc.tick();
    expect(notes.at(-1)).toBe('#4 level 2: nobody to tell: sup, night-sup are off duty; see Settings → On call');
  });

  it('tells the next level at once when a guard escalates by hand, and only as far as the ladder goes', () => {
    alarms.push(alarm(5, 1));
    now = T0 + 1_000;
    expect(esc.manual(5)).toBe(true);
    expect(esc.manual(5)).toBe(true);
    expect(esc.manual(5)).toBe(false);
    expect(told).toEqual(['#5 L2 sup @1s', '#5 L3 mgr @1s']);
    now = T0 + 100_000;
    expect(esc.tick()).toBe(0); // both levels already told
  });
});
