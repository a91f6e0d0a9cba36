/*
 * A minimal service worker that only handles Gatehouse push notifications,
 * for consoles served without the PWA's own service worker. When the PWA's
 * service worker is present it is used instead (it imports /sw-push.js too),
 * and this file can go (renderer/src/notify/push-client.ts, SW_FALLBACK).
 */
/* global self, importScripts */
importScripts('/sw-push.js');
self.addEventListener('install', function () {
  self.skipWaiting();
});
self.addEventListener('activate', function (e) {
  e.waitUntil(self.clients.claim());
});
