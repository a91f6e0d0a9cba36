/**
 * The phone console is the same renderer laid out for a narrow touch screen
 * (docs/console.md, "Phone console"): at 600 px wide or less the shell
 * swaps its desk layout for PhoneConsole. A desk window made that narrow
 * gets it too; the desk layout and its keys are unchanged above it.
 */
import { useSyncExternalStore } from 'react';

export const PHONE_QUERY = '(max-width: 600px)';

function subscribe(cb: () => void): () => void {
  if (typeof matchMedia !== 'function') return () => {};
  const m = matchMedia(PHONE_QUERY);
  m.addEventListener('change', cb);
  return () => m.removeEventListener('change', cb);
}

export function usePhone(): boolean {
  return useSyncExternalStore(subscribe, () => typeof matchMedia === 'function' && matchMedia(PHONE_QUERY).matches);
}
