/**
 * The preload of every Gatehouse window. Sandboxed (sandbox: true,
 * contextIsolation: true), so it is CommonJS and may only require
 * 'electron': it can't import other files. The channel names are therefore
 * repeated here, and checked against IPC_CHANNELS at compile time.
 *
 * Exposes `window.gatehouse` (DesktopBridge, main/api/bridge.ts).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DesktopBridge, RpcReply, IPC_CHANNELS } from '../api/bridge.js' with { 'resolution-mode': 'import' };
import type { Me } from '../api/types.js' with { 'resolution-mode': 'import' };

const CH = {
  rpc: 'gatehouse:rpc',
  event: 'gatehouse:event',
  hello: 'gatehouse:hello',
  desktop: 'gatehouse:desktop',
} as const satisfies typeof IPC_CHANNELS;

type Hello = { version: string; user: Me | null };
type EventListener = (event: string, data: unknown) => void;
type HelloListener = (hello: Hello) => void;

const eventListeners = new Set<EventListener>();
const helloListeners = new Set<HelloListener>();
let lastHello: Hello | null = null;

ipcRenderer.on(CH.event, (_e: IpcRendererEvent, name: string, data: unknown) => {
  for (const l of eventListeners) {
    try {
      l(name, data);
    } catch (err) {
      console.error(`gatehouse: listener for ${name} failed`, err);
    }
  }
});

ipcRenderer.on(CH.hello, (_e: IpcRendererEvent, hello: Hello) => {
  lastHello = hello;
  for (const l of helloListeners) {
    try {
      l(hello);
    } catch (err) {
      console.error('gatehouse: hello listener failed', err);
    }
  }
});

const bridge: DesktopBridge = {
  kind: 'electron',
  rpc: (method: string, params: unknown) => ipcRenderer.invoke(CH.rpc, method, params) as Promise<RpcReply>,
  onEvent(listener) {
    eventListeners.add(listener);
    return () => void eventListeners.delete(listener);
  },
  onHello(listener) {
    helloListeners.add(listener);
    // A hello may have come before the page subscribed: replay the last one.
    if (lastHello) {
      const h = lastHello;
      queueMicrotask(() => helloListeners.has(listener) && listener(h));
    } else {
      void (ipcRenderer.invoke(CH.hello) as Promise<Hello | null>).then((h) => {
        if (h && !lastHello && helloListeners.has(listener)) listener(h);
      });
    }
    return () => void helloListeners.delete(listener);
  },
  desktop: (action) => ipcRenderer.invoke(CH.desktop, action) as Promise<void>,
};

contextBridge.exposeInMainWorld('gatehouse', bridge);
