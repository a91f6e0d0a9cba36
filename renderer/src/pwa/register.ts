/**
 * Register the service worker (renderer/sw/sw.js, built to sw.js) so the
 * console can be installed as an app (the manifest) and open its shell
 * offline. Only in a built console, in a secure context (https, or
 * 127.0.0.1/localhost), and never in the desktop app (its windows load the
 * engine's loopback origin through Electron). A failure only costs the
 * install: the console works as before.
 */
export function registerServiceWorker(w: Window & typeof globalThis = window): void {
  const nav = w.navigator;
  if (!('serviceWorker' in nav) || !w.isSecureContext) return;
  if ((w as unknown as { gatehouse?: unknown }).gatehouse) return;
  const start = () => {
    nav.serviceWorker.register('./sw.js', { scope: './', updateViaCache: 'none' }).catch((err: Error) => {
      console.warn(`the console can't be installed as an app here: ${err.message}`);
    });
  };
  if (w.document.readyState === 'complete') start();
  else w.addEventListener('load', start, { once: true });
}
