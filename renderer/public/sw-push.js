/*
 * Gatehouse push handlers for the console's service worker (docs/alarms.md,
 * "Web Push"). Plain script, no imports: the PWA's service worker loads it
 * with one line,
 *
 *     importScripts('/sw-push.js');
 *
 * and it adds a "push" listener (shows the alarm: title, camera, snapshot,
 * an "Acknowledge" action) and a "notificationclick" listener (Acknowledge
 * POSTs the notification's single-use token to /api/rpc/notify.ack, same
 * origin, JSON, no cookie needed; a click elsewhere opens or focuses the
 * console at the alarm). It caches nothing and never touches API answers.
 *
 * The payload it reads is PushPayload in main/engine/notify/push.ts.
 */
/* global self */
(function (scope) {
  'use strict';

  function parse(event) {
    if (!event.data) return null;
    try {
      const p = event.data.json();
      return p && p.v === 1 ? p : null;
    } catch (e) {
      return null;
    }
  }

  function optionsFor(p) {
    const actions = [];
    if (p.ack) actions.push({ action: 'ack', title: 'Acknowledge' });
    actions.push({ action: 'open', title: 'Open' });
    return {
      body: p.body || '',
      tag: p.tag,
      renotify: true,
      requireInteraction: p.priority !== null && p.priority <= 2,
      image: p.image || undefined,
      icon: p.image || '/favicon.svg',
      badge: '/favicon.svg',
      timestamp: Date.parse(p.time) || Date.now(),
      actions: actions,
      data: { url: p.url, alarmId: p.alarmId, ack: p.ack, title: p.title },
    };
  }

  function openConsole(url) {
    const target = new URL(url || '/', scope.location.origin).href;
    return scope.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (list) {
      for (let i = 0; i < list.length; i++) {
        const c = list[i];
        if (new URL(c.url).origin === scope.location.origin && 'focus' in c) {
          if ('navigate' in c)
            return c.navigate(target).then(function (w) {
              return (w || c).focus();
            });
          return c.focus();
        }
      }
      return scope.clients.openWindow(target);
    });
  }

  function acknowledge(data) {
    return scope
      .fetch('/api/rpc/notify.ack', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: data.ack }),
        credentials: 'omit',
      })
      .then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok) throw new Error((body && body.error && body.error.message) || 'HTTP ' + res.status);
          return body;
        });
      })
      .then(
        function (r) {
          return scope.registration.showNotification('Acknowledged #' + r.alarmId, {
            body: 'by ' + r.by + ': ' + (data.title || ''),
            tag: 'gatehouse-ack-' + r.alarmId,
            data: { url: data.url },
          });
        },
        function (err) {
          return scope.registration.showNotification('Not acknowledged', {
            body: String(err.message || err) + ' (tap to open the console)',
            tag: 'gatehouse-ack-failed',
            data: { url: data.url },
          });
        },
      );
  }

  scope.addEventListener('push', function (event) {
    const p = parse(event);
    if (!p) return;
    event.waitUntil(scope.registration.showNotification(p.title, optionsFor(p)));
  });

  scope.addEventListener('notificationclick', function (event) {
    const data = (event.notification && event.notification.data) || {};
    event.notification.close();
    if (event.action === 'ack' && data.ack) event.waitUntil(acknowledge(data));
    else event.waitUntil(openConsole(data.url));
  });

  scope.gatehousePush = { optionsFor: optionsFor, acknowledge: acknowledge };
})(self);
