import { useSyncExternalStore } from 'react';

/** The views of the console, in navigation order. */
export const VIEWS = ['live', 'playback', 'alarms', 'cameras', 'settings', 'evidence', 'rules', 'review', 'people'] as const;
export type ViewKey = (typeof VIEWS)[number];

/** Pages outside the five views: the alarm wall the desktop opens on a second monitor. */
export const PAGES = ['alarm-wall'] as const;
export type PageKey = (typeof PAGES)[number];

export interface Route {
  view: ViewKey;
  /** Extra state in the hash query: #/playback?camera=gate&t=2026-11-26T08:00:00Z */
  params: Record<string, string>;
  /** Set for a full-screen page without the shell (#/alarm-wall). */
  page?: PageKey;
}

/** Parse "#/cameras?id=gate" (unknown views fall back to live). */
export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = h.split('?');
  const view = (VIEWS as readonly string[]).includes(path) ? (path as ViewKey) : path === 'alarm-wall' ? 'alarms' : 'live';
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(query)) params[k] = v;
  return (PAGES as readonly string[]).includes(path) ? { view, params, page: path as PageKey } : { view, params };
}

export function formatHash(r: { view: ViewKey; params?: Record<string, string> }): string {
  const q = new URLSearchParams(r.params ?? {}).toString();
  return `#/${r.view}${q ? '?' + q : ''}`;
}

/** Go to a view (keeps browser history, so Back works). */
export function navigate(view: ViewKey, params?: Record<string, string>): void {
  const next = formatHash({ view, params });
  if (location.hash !== next) location.hash = next;
}

let cached: { hash: string; route: Route } | null = null;
function current(): Route {
  const hash = typeof location !== 'undefined' ? location.hash : '';
  if (!cached || cached.hash !== hash) cached = { hash, route: parseHash(hash) };
  return cached.route;
}
function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

/** The current view and its params; re-renders on navigation. */
export function useRoute(): Route {
  return useSyncExternalStore(subscribe, current);
}
