/**
 * What the shell must tell right after a sign-in: the recovery codes just
 * made (an admin's enrolment at sign-in), or how many are left after one was
 * used. The session starts as the last code is accepted, so the login page
 * is gone before it could show them; the shell shows them once from here.
 */
import { useSyncExternalStore } from 'react';

export type AfterSignIn = { codes: string[] } | { recoveryLeft: number };

let pending: AfterSignIn | null = null;
const listeners = new Set<() => void>();

export function showAfterSignIn(v: AfterSignIn | null): void {
  pending = v;
  for (const l of listeners) l();
}

export function useAfterSignIn(): AfterSignIn | null {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => pending,
  );
}
