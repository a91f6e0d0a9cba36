/**
 * The console's service worker (renderer/sw/sw.js) as the build makes it
 * (renderer/sw/plugin.ts), run in a fake worker scope: it keeps only the app
 * shell, under a version that changes with any shell file, replaces older
 * shells on activation, and never answers or stores the API, live video or
 * recordings.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { serviceWorkerSource, type ShellFile } from '../../sw/plugin.js';

const SOURCE = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'sw', 'sw.js'), 'utf8');
const ORIGIN = 'https://nvr.example.org:8443';
const FILES: ShellFile[] = [
  { name: 'index.html', content: '<!doctype html>' },
  { name: 'assets/index-abc.js', content: 'console.log(1)' },
  { name: 'assets/index-abc.js.map', content: '{}' },
  { name: 'assets/index-def.css', content: 'body{}' },
  { name: 'manifest.webmanifest', content: '{}' },
  { name: 'icons/icon-192.png', content: new Uint8Array([1, 2, 3]) },
];

type Listener = (e: unknown) => void;

function worker(files: ShellFile[] = FILES, online = true) {
  const built = serviceWorkerSource(SOURCE, files);
  const listeners: Record<string, Listener> = {};
  const store = new Map<string, Map<string, string>>();
  const net = vi.fn(async (req: { url: string } | string) => {
    if (!online) throw new TypeError('Failed to fetch');
    const url = typeof req === 'string' ? req : req.url;
    return { fromNetwork: true, url };
  });
  const abs = (r: { url: string } | string) => new URL(typeof r === 'string' ? r : r.url, ORIGIN + '/').href;
  const caches = {
    open: async (name: string) => {
      const c = store.get(name) ?? new Map<string, string>();
      store.set(name, c);
      return {
        addAll: async (reqs: Array<{ url: string }>) => {
          for (const r of reqs) {
            await net(r);
            c.set(abs(r), `cached ${abs(r)}`);
          }
        },
      };
    },
    keys: async () => [...store.keys()],
    delete: async (name: string) => store.delete(name),
    match: async (r: { url: string } | string, o: { cacheName: string }) => store.get(o.cacheName)?.get(abs(r)),
  };
  const self = {
    registration: { scope: ORIGIN + '/' },
    location: { origin: ORIGIN },
    addEventListener: (t: string, fn: Listener) => (listeners[t] = fn),
    skipWaiting: vi.fn(async () => {}),
    clients: { claim: vi.fn(async () => {}) },
  };
  class FakeRequest {
    constructor(
      readonly url: string,
      readonly init: Record<string, unknown> = {},
    ) {}
  }
  const importScripts = vi.fn();
  vm.runInNewContext(built.code, { self, caches, fetch: net, Request: FakeRequest, URL, console, importScripts });

  const lifecycle = async (type: 'install' | 'activate') => {
    let p: Promise<unknown> = Promise.resolve();
    listeners[type]!({ waitUntil: (x: Promise<unknown>) => (p = x) });
    await p;
  };
  /** A fetch event: what the worker answered, or null when it left the request alone. */
  const fetchEvent = async (url: string, o: { method?: string; mode?: string } = {}) => {
    let answer: Promise<unknown> | null = null;
    listeners.fetch!({ request: { url: new URL(url, ORIGIN).href, method: o.method ?? 'GET', mode: o.mode ?? 'cors' }, respondWith: (x: Promise<unknown>) => (answer = x) });
    return answer === null ? null : await answer;
  };
  return { built, store, net, self, lifecycle, fetchEvent, importScripts };
}

describe('the built service worker', () => {
  it('lists the shell without source maps, under a version that changes with any shell file or the worker', () => {
    const a = serviceWorkerSource(SOURCE, FILES);
    expect(a.names).toEqual(['assets/index-abc.js', 'assets/index-def.css', 'icons/icon-192.png', 'index.html', 'manifest.webmanifest']);
    expect(a.version).toMatch(/^[0-9a-f]{16}$/);
    expect(serviceWorkerSource(SOURCE, [...FILES]).version).toBe(a.version);
    const icon = FILES.map((f) => (f.name === 'icons/icon-192.png' ? { ...f, content: new Uint8Array([9]) } : f));
    expect(serviceWorkerSource(SOURCE, icon).version).not.toBe(a.version);
    expect(serviceWorkerSource(SOURCE + '\n// push handlers', FILES).version).not.toBe(a.version);
    expect(a.code).toContain(`const SHELL_VERSION = "${a.version}";`);
  });
});

describe('the notifications part', () => {
  it('loads the push handlers (renderer/public/sw-push.js) from beside the worker', () => {
    expect(worker().importScripts).toHaveBeenCalledWith('sw-push.js');
  });
});

describe('install and activate', () => {
  it('keeps the shell files from the server in a cache of this version, and takes over at once', async () => {
    const w = worker();
    await w.lifecycle('install');
    const cache = w.store.get(`gatehouse-shell-${w.built.version}`)!;
    expect([...cache.keys()].sort()).toEqual(w.built.names.map((n) => `${ORIGIN}/${n}`).sort());
    expect(w.net.mock.calls.every(([r]) => (r as unknown as { init: { cache: string } }).init.cache === 'reload')).toBe(true);
    expect(w.self.skipWaiting).toHaveBeenCalled();
  });

  it('on activation deletes the older shells (a deploy), not other caches, and claims the pages', async () => {
    const w = worker();
    w.store.set('gatehouse-shell-0000000000000000', new Map([[`${ORIGIN}/assets/old.js`, 'old']]));
    w.store.set('someone-else', new Map());
    await w.lifecycle('install');
    await w.lifecycle('activate');
    expect([...w.store.keys()].sort()).toEqual([`gatehouse-shell-${w.built.version}`, 'someone-else']);
    expect(w.self.clients.claim).toHaveBeenCalled();
  });
});

describe('fetch', () => {
  it('never answers the API, live video, recordings, exports or health: the network gets them untouched', async () => {
    const w = worker();
    await w.lifecycle('install');
    for (const url of ['/api/rpc/alarms.list', '/api/health', '/api/live?camera=gate&stream=sub', '/api/media/gate/stream.mp4?from=a&to=b', '/api/exports/7/bundle.zip', '/api/ws']) {
      expect(await w.fetchEvent(url), url).toBeNull();
    }
    // not even a navigation to an API URL (a download link)
    expect(await w.fetchEvent('/api/exports/7/bundle.zip', { mode: 'navigate' })).toBeNull();
    expect(await w.fetchEvent('/api/rpc/auth.login', { method: 'POST' })).toBeNull();
    // and nothing else outside the shell: another origin, an unknown file, a shell file with a query
    expect(await w.fetchEvent('https://tiles.example.com/a.png')).toBeNull();
    expect(await w.fetchEvent('/recording.mp4')).toBeNull();
    expect(await w.fetchEvent('/assets/index-abc.js?x=1')).toBeNull();
    // nothing of those was stored
    const cached = [...w.store.values()].flatMap((c) => [...c.keys()]);
    expect(cached.filter((u) => u.includes('/api/'))).toEqual([]);
  });

  it('answers shell files from the kept copy', async () => {
    const w = worker();
    await w.lifecycle('install');
    w.net.mockClear();
    expect(await w.fetchEvent('/assets/index-abc.js')).toBe(`cached ${ORIGIN}/assets/index-abc.js`);
    expect(w.net).not.toHaveBeenCalled();
  });

  it('loads the page from the network first; the kept index.html only when the network fails', async () => {
    const w = worker();
    await w.lifecycle('install');
    expect(await w.fetchEvent('/', { mode: 'navigate' })).toMatchObject({ fromNetwork: true });
    const off = worker(FILES, true);
    await off.lifecycle('install');
    off.net.mockImplementation(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await off.fetchEvent('/#/alarms', { mode: 'navigate' })).toBe(`cached ${ORIGIN}/index.html`);
  });
});
