/**
 * The alarm life cycle as a pure function over an exhaustive transition table.
 *
 *   new ──acknowledge──► acknowledged ──start──► in_progress ──hold──► on_hold
 *                              │  └──hold──────────────────────────────►  │
 *                              │                 in_progress ◄──resume────┘
 *                              └──close──► closed ◄──close── in_progress / on_hold
 *   closed ──reopen (supervisor)──► in_progress
 *
 * Every cell of the table is filled in, so adding a state or an action is a
 * compile error until each combination is decided. Documented in docs/alarms.md.
 */
import { ALARM_ACTIONS, ALARM_STATES, type AlarmAction, type AlarmState } from '../../api/alarms.js';
import type { Role } from '../../api/contract.js';

/** The next state, or null where the action is not allowed. */
export const TRANSITIONS: { readonly [S in AlarmState]: { readonly [A in AlarmAction]: AlarmState | null } } = {
  new: { acknowledge: 'acknowledged', start: null, hold: null, resume: null, close: null, reopen: null },
  acknowledged: { acknowledge: null, start: 'in_progress', hold: 'on_hold', resume: null, close: 'closed', reopen: null },
  in_progress: { acknowledge: null, start: null, hold: 'on_hold', resume: null, close: 'closed', reopen: null },
  on_hold: { acknowledge: null, start: null, hold: null, resume: 'in_progress', close: 'closed', reopen: null },
  closed: { acknowledge: null, start: null, hold: null, resume: null, close: null, reopen: 'in_progress' },
};

/** Least role allowed to take each action. */
export const ACTION_ROLE: { readonly [A in AlarmAction]: Role } = {
  acknowledge: 'guard',
  start: 'guard',
  hold: 'guard',
  resume: 'guard',
  close: 'guard',
  reopen: 'supervisor',
};

/** Which inputs an action needs beyond the user and time that every transition records. */
export const ACTION_NEEDS: { readonly [A in AlarmAction]: { reason: boolean } } = {
  acknowledge: { reason: false },
  start: { reason: false },
  hold: { reason: false },
  resume: { reason: false },
  close: { reason: true },
  reopen: { reason: true },
};

const STATE_WORDS: Record<AlarmState, string> = {
  new: 'new',
  acknowledged: 'acknowledged',
  in_progress: 'in progress',
  on_hold: 'on hold',
  closed: 'closed',
};

export type TransitionResult = { ok: true; to: AlarmState } | { ok: false; message: string };

/** Decide a transition; never throws. The message says what can be done instead. */
export function transition(from: AlarmState, action: AlarmAction, input: { reason?: string | null } = {}): TransitionResult {
  const to = TRANSITIONS[from][action];
  if (to === null) {
    const allowed = allowedActions(from);
    return {
      ok: false,
      message: `cannot ${action} an alarm that is ${STATE_WORDS[from]}; ${allowed.length ? `it can be: ${allowed.join(', ')}` : 'nothing more can be done with it'}`,
    };
  }
  if (ACTION_NEEDS[action].reason && !input.reason?.trim()) {
    return { ok: false, message: `${action} needs a reason (for example "false alarm: cleaning crew")` };
  }
  return { ok: true, to };
}

/** Actions allowed from a state, in table order. */
export function allowedActions(from: AlarmState): AlarmAction[] {
  return ALARM_ACTIONS.filter((a) => TRANSITIONS[from][a] !== null);
}

export function isOpen(s: AlarmState): boolean {
  return s !== 'closed';
}

/** Every state reachable from `new` (used by tests to prove the table has no dead states). */
export function reachableStates(): Set<AlarmState> {
  const seen = new Set<AlarmState>(['new']);
  const todo: AlarmState[] = ['new'];
  while (todo.length) {
    const s = todo.pop()!;
    for (const a of ALARM_ACTIONS) {
      const t = TRANSITIONS[s][a];
      if (t && !seen.has(t)) {
        seen.add(t);
        todo.push(t);
      }
    }
  }
  return seen;
}

export { ALARM_STATES, ALARM_ACTIONS };
