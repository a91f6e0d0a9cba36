/*
 * The console's service worker (docs/console.md, "Phone console and PWA").
 *
 * It keeps the app shell (index.html, the built scripts and styles, icons,
 * the manifest) so the console opens, installed as an app, even before the
 * network is back; it NEVER stores or answers anything under /api/ (RPC,
 * WebSocket, live video, recordings, exports, health) nor any other URL: a
 * request outside the shell list is not touched and goes to the network as if
 * there were no worker.
 *
 * Versions: the build (renderer/vite.config.ts) prepends SHELL_VERSION (a
 * hash of every shell file and of this file) and SHELL_FILES. A deploy
 * changes the hash, so browsers install the new worker; it takes over at
 * once (skipWaiting + clients.claim) and deletes the older shell caches.
 * Pages load index.html from the network first, so an open console never
 * runs an old shell while the server is reachable.
 */
/* global SHELL_VERSION, SHELL_FILES */
const CACHE_PREFIX = 'gatehouse-shell-';
const CACHE = CACHE_PREFIX + SHELL_VERSION;
const scopeUrl = (f) => new URL(f, self.registration.scope);
const SHELL = new Set(SHELL_FILES.map((f) => scopeUrl(f).pathname));
const INDEX = scopeUrl('index.html').pathname;
const API = scopeUrl('api/').pathname;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // cache: 'reload': the files from the server, not from the HTTP cache
      await cache.addAll(SHELL_FILES.map((f) => new Request(scopeUrl(f), { cache: 'reload', credentials: 'same-origin' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

/** The page: from the network (fresh after a deploy), the kept shell only when the network fails. */
async function page(request) {
  try {
    return await fetch(request);
  } catch (err) {
    const kept = await caches.match(INDEX, { cacheName: CACHE });
    if (kept) return kept;
    throw err;
  }
}

/** A shell file: its name carries its content hash (or the version does), so the kept copy is right. */
async function shellFile(request, path) {
  const kept = await caches.match(path, { cacheName: CACHE });
  return kept ?? fetch(request);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Never the API, live video, recordings or exports: not even looked at.
  if (url.pathname.startsWith(API)) return;
  if (request.mode === 'navigate') {
    event.respondWith(page(request));
    return;
  }
  if (SHELL.has(url.pathname) && !url.search) event.respondWith(shellFile(request, url.pathname));
});

// ─── Notifications (issue 16 items 3–5, main/engine/notify) ─────────────────────────────────────
// The `push` and `notificationclick` handlers live in renderer/public/sw-push.js (docs/alarms.md,
// "Web Push"), loaded here. It is a shell file, so a change to it changes SHELL_VERSION and every
// installed console updates; browsers also compare imported scripts when they check for an update.
importScripts('sw-push.js');
