/**
 * What the Electron preload exposes to the renderer as `window.gatehouse`
 * (contextIsolation on; no Node in the renderer). The renderer's one API
 * client uses it when present, and the WebSocket otherwise.
 *
 * Media (live fMP4 over WebSocket, recorded media over HTTP) always goes to
 * the engine's loopback HTTP server at `location.origin`: the desktop shell
 * loads the console from that server and puts the session cookie there.
 */
import type { ApiErrorBody, Me } from './types.js';

export type RpcReply = { result: unknown } | { error: ApiErrorBody };

export interface DesktopBridge {
  readonly kind: 'electron';
  /** Call any request of the contract. */
  rpc(method: string, params: unknown): Promise<RpcReply>;
  /** Receive every pushed event. Returns an unsubscribe function. */
  onEvent(listener: (event: string, data: unknown) => void): () => void;
  /** Fired when the engine (re)connects, with the session user if any. */
  onHello(listener: (hello: { version: string; user: Me | null }) => void): () => void;
  /** Desktop-only actions: open the alarm wall on another monitor, toggle kiosk. */
  desktop(action: 'openAlarmWall' | 'toggleKiosk' | 'quit'): Promise<void>;
}

export const IPC_CHANNELS = {
  rpc: 'gatehouse:rpc',
  event: 'gatehouse:event',
  hello: 'gatehouse:hello',
  desktop: 'gatehouse:desktop',
} as const;
