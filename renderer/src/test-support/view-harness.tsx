/**
 * The common harness of the renderer's view tests: a FakeServer and its
 * started client, the global keyboard installed on window, a host div with a
 * React root, and `render` that wraps a node in the providers a view needs.
 * Call `viewHarness(...)` at the top of a test file (or in a describe): it
 * registers the beforeEach/afterEach that set all this up and tear it down,
 * and returns accessors and the small helpers the tests share.
 * For tests only: lint forbids importing test-support/ from the app.
 */
import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach } from 'vitest';
import type { Settings } from '../../../main/api/contract.js';
import type { ApiClient } from '../api/client.js';
import { ClientProvider, useConnection } from '../api/context.js';
import { installKeyboard } from '../keyboard/useShortcuts.js';
import { CamerasProvider } from '../state/cameras.js';
import { SettingsProvider } from '../state/settings.js';
import { ToastProvider } from '../ui/toast.js';
import type { FakeServer } from './fake-server.js';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** Site settings most view tests answer `settings.get` with. */
export const testSettings: Settings = {
  segmentSeconds: 10,
  stallSeconds: 12,
  offlineAlarmSeconds: 30,
  quotaGb: null,
  quotaPercent: 90,
  lowSpaceGb: 2,
  defaultRetentionDays: 30,
  timeZone: 'UTC',
};

/** The providers `render` can put inside the ClientProvider; they always nest Settings › Cameras › Toast. */
export type HarnessProvider = 'settings' | 'cameras' | 'toast';

export interface ViewHarnessOptions {
  /** Builds the server before each test (and starts a client on it); leave it out to call `start(server)` in the test. */
  server?: () => FakeServer;
  /** Providers inside the ClientProvider (default none). */
  providers?: readonly HarnessProvider[];
  /** How long `render` waits after mounting, in an `act` of its own (default 60 ms; 0 waits not at all). */
  renderWaitMs?: number;
  /** `wait()`'s default (60 ms). */
  waitMs?: number;
  /** How long `key` waits inside its `act` after the keydown (default 0: a synchronous `act`). */
  keyWaitMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sets an input's, a select's or a textarea's value the way React notices, and fires input (change for a select). No `act`. */
export function setValue(el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string) {
  const proto =
    el instanceof HTMLSelectElement
      ? HTMLSelectElement.prototype
      : el instanceof HTMLTextAreaElement
        ? HTMLTextAreaElement.prototype
        : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, value);
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
}

/** Renders its children only once the client has a signed-in user (as the console's shell does). */
export function SignedIn({ children }: { children: ReactNode }) {
  return useConnection().user ? <>{children}</> : null;
}

export function viewHarness(o: ViewHarnessOptions = {}) {
  const providers = new Set(o.providers ?? []);
  const waitMs = o.waitMs ?? 60;
  const renderWaitMs = o.renderWaitMs ?? 60;
  const keyWaitMs = o.keyWaitMs ?? 0;
  let server: FakeServer | undefined;
  let client: ApiClient | undefined;
  let host: HTMLElement | undefined;
  let root: Root | undefined;
  let uninstall: (() => void) | undefined;

  const need = <T,>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`view harness: no ${what} (pass "server" to viewHarness or call start(server) first)`);
    return v;
  };

  /** Starts a client on this server (stopping the one before, if any). */
  function start(s: FakeServer): ApiClient {
    client?.stop();
    server = s;
    client = s.client();
    client.start();
    return client;
  }

  beforeEach(() => {
    if (o.server) start(o.server());
    uninstall = installKeyboard(window);
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });
  afterEach(() => {
    const r = root;
    if (r) act(() => r.unmount());
    uninstall?.();
    client?.stop();
    host?.remove();
    root = host = uninstall = client = server = undefined;
  });

  const wait = (ms = waitMs) => act(async () => void (await sleep(ms)));

  function wrap(node: ReactNode): ReactNode {
    let n = node;
    if (providers.has('toast')) n = <ToastProvider>{n}</ToastProvider>;
    if (providers.has('cameras')) n = <CamerasProvider>{n}</CamerasProvider>;
    if (providers.has('settings')) n = <SettingsProvider>{n}</SettingsProvider>;
    return <ClientProvider client={need(client, 'client')}>{n}</ClientProvider>;
  }

  /** Mounts the node in the providers, then waits `ms` (the harness's renderWaitMs unless given). */
  async function render(node: ReactNode, ms = renderWaitMs) {
    const r = need(root, 'root');
    const tree = wrap(node);
    await act(async () => {
      r.render(tree);
    });
    if (ms > 0) await wait(ms);
  }

  /** A keydown on window (where the keyboard registry listens). */
  async function key(k: string, init: KeyboardEventInit = {}) {
    const ev = () => new KeyboardEvent('keydown', { key: k, bubbles: true, ...init });
    if (keyWaitMs > 0)
      await act(async () => {
        window.dispatchEvent(ev());
        await sleep(keyWaitMs);
      });
    else await act(() => void window.dispatchEvent(ev()));
  }

  /** The element with this data-testid in the document (the host is all that is mounted), or null. */
  const q = <E extends Element = HTMLElement>(id: string) => document.querySelector<E>(`[data-testid="${id}"]`);
  /** Every element with this data-testid. */
  const all = <E extends Element = HTMLElement>(id: string) => [...document.querySelectorAll<E>(`[data-testid="${id}"]`)];

  /** Sets a field's value (by test id or the element) in an `act`. */
  async function type(target: string | HTMLElement, value: string) {
    const el = (typeof target === 'string' ? q(target) : target) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    await act(async () => setValue(el, value));
  }
  /** Clicks an element (by test id or the element) in an `act`. */
  const click = (target: string | HTMLElement) => act(async () => (typeof target === 'string' ? q(target)! : target).click());

  /** The params of each call of this method the server has had. */
  const calls = <P = Record<string, unknown>,>(method: string) =>
    need(server, 'server')
      .calls.filter((c) => c.method === method)
      .map((c) => c.params as P);

  /** Waits (10 ms at a time, in `act`) until fn() is truthy; fails after ms. */
  async function until(fn: () => unknown, what: string, ms = 2000) {
    const end = Date.now() + ms;
    for (;;) {
      if (fn()) return;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await wait(10);
    }
  }

  return {
    get server(): FakeServer {
      return need(server, 'server');
    },
    get client(): ApiClient {
      return need(client, 'client');
    },
    get host(): HTMLElement {
      return need(host, 'host');
    },
    start,
    render,
    wait,
    key,
    q,
    all,
    type,
    click,
    calls,
    until,
  };
}
