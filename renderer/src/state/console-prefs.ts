/**
 * Settings of this console (this browser or desktop window), not of the
 * user nor of the server: how a new alarm reaches the screen. They belong to
 * the desk, not the person: the guard station's main monitor lets an alarm
 * take over the screen, a supervisor's laptop does not, whoever logs in.
 * Kept in localStorage; changed in Settings → This console.
 */
import { useSyncExternalStore } from 'react';
import type { Priority } from '../../../main/api/alarms.js';

export interface ConsolePrefs {
  /** Banner, tile outlines and the takeover for alarms of this priority and higher (1 = only P1; 5 = all). */
  alertPriority: Priority;
  /** A new alarm at or above alertPriority switches the console to it and its cameras (an alarm wall on the main monitor). */
  takeover: boolean;
}

export const DEFAULT_PREFS: ConsolePrefs = { alertPriority: 2, takeover: false };
const KEY = 'gatehouse.console';

/** Parse what localStorage holds; anything odd falls back to the defaults. */
export function parsePrefs(text: string | null): ConsolePrefs {
  if (!text) return DEFAULT_PREFS;
  try {
    const v = JSON.parse(text) as Partial<ConsolePrefs>;
    const p = Number(v.alertPriority);
    return {
      alertPriority: (Number.isInteger(p) && p >= 1 && p <= 5 ? p : DEFAULT_PREFS.alertPriority) as Priority,
      takeover: typeof v.takeover === 'boolean' ? v.takeover : DEFAULT_PREFS.takeover,
    };
  } catch {
    return DEFAULT_PREFS;
  }
}

/** Is an alarm of priority `p` one this console must make impossible to miss? */
export function alerts(prefs: ConsolePrefs, p: number): boolean {
  return p <= prefs.alertPriority;
}

const listeners = new Set<() => void>();
let cached: { text: string | null; prefs: ConsolePrefs } | null = null;

function read(): ConsolePrefs {
  const text = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
  if (!cached || cached.text !== text) cached = { text, prefs: parsePrefs(text) };
  return cached.prefs;
}

export function getConsolePrefs(): ConsolePrefs {
  return read();
}

export function setConsolePrefs(patch: Partial<ConsolePrefs>): void {
  localStorage.setItem(KEY, JSON.stringify({ ...read(), ...patch }));
  for (const cb of [...listeners]) cb();
}

function subscribe(cb: () => void): () => void {
  listeners.add(cb);
  // another window of this console changed them
  const onStorage = (e: StorageEvent) => e.key === KEY && cb();
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(cb);
    window.removeEventListener('storage', onStorage);
  };
}

export function useConsolePrefs(): ConsolePrefs {
  return useSyncExternalStore(subscribe, read);
}
