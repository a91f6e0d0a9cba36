import { describe, expect, it } from 'vitest';
import { ALARM_ACTIONS, ALARM_STATES, TRANSITIONS, allowedActions, reachableStates, transition } from './state-machine.js';

describe('alarm state machine', () => {
  it('has a decision for every state × action', () => {
    for (const s of ALARM_STATES) {
      for (const a of ALARM_ACTIONS) {
        expect(TRANSITIONS[s], `${s}`).toHaveProperty(a);
        const to = TRANSITIONS[s][a];
        expect(to === null || ALARM_STATES.includes(to)).toBe(true);
      }
    }
  });

  it('follows the documented happy path', () => {
    const steps: [string, string, string][] = [
      ['new', 'acknowledge', 'acknowledged'],
      ['acknowledged', 'start', 'in_progress'],
      ['in_progress', 'hold', 'on_hold'],
      ['on_hold', 'resume', 'in_progress'],
      ['in_progress', 'close', 'closed'],
      ['closed', 'reopen', 'in_progress'],
    ];
    for (const [from, action, to] of steps) {
      const r = transition(from as never, action as never, { reason: 'x' });
      expect(r).toEqual({ ok: true, to });
    }
  });

  it('refuses to skip acknowledgement, and says what is allowed', () => {
    const r = transition('new', 'close', { reason: 'false alarm' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/cannot close an alarm that is new; it can be: acknowledge/);
  });

  it('needs a reason to close', () => {
    expect(transition('acknowledged', 'close').ok).toBe(false);
    expect(transition('acknowledged', 'close', { reason: '   ' }).ok).toBe(false);
    expect(transition('acknowledged', 'close', { reason: 'done' })).toEqual({ ok: true, to: 'closed' });
  });

  it('closed is terminal except for reopen', () => {
    expect(allowedActions('closed')).toEqual(['reopen']);
  });

  it('every state is reachable and every open state can reach closed', () => {
    expect([...reachableStates()].sort()).toEqual([...ALARM_STATES].sort());
    for (const s of ALARM_STATES.filter((x) => x !== 'closed')) {
      const seen = new Set<string>([s]);
      const todo: (typeof ALARM_STATES)[number][] = [s];
      while (todo.length) {
        const c = todo.pop()!;
        for (const a of ALARM_ACTIONS) {
          const t = TRANSITIONS[c][a];
          if (t && !seen.has(t)) {
            seen.add(t);
            todo.push(t);
          }
        }
      }
      expect(seen.has('closed'), s).toBe(true);
    }
  });
});
