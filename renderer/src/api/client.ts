/**
 * The one API client of the console, typed by the shared contract
 * (main/api/contract.ts). It picks a transport and keeps what must outlive
 * any connection:
 *
 *  - the transport: Electron IPC through `window.gatehouse` when present
 *    (ipc-transport.ts), else the WebSocket `/api/ws` (ws-transport.ts);
 *  - the connection snapshot the views read (connection.ts);
 *  - event listeners, which live here, not on a socket, so they survive
 *    reconnects; `onReconnect` listeners reload their data after a loss.
 *    Sessions are persisted by the engine, so a server restart does not log
 *    anyone out.
 *
 * Views reach it through the hooks in context.tsx (useClient, useQuery, …).
 */
import { isSecondStep, type EventMap, type EventName, type Me, type Method, type ParamsOf, type ResultOf, type SecondStep, type SignInMethod } from '../../../main/api/contract.js';
import type { DesktopBridge } from '../../../main/api/bridge.js';
import { ConnectionStore, type ClientSnapshot, type Hello } from './connection.js';
import { IpcTransport } from './ipc-transport.js';
import type { CallOptions, Transport, TransportHost } from './transport.js';
import { WsTransport, type WsTransportOptions } from './ws-transport.js';

export type { ClientSnapshot, ConnectionState, Hello } from './connection.js';
export type { CallOptions } from './transport.js';

export interface ClientOptions extends WsTransportOptions {
  /** Use this bridge (Electron). Defaults to `window.gatehouse` when present; null forces the WebSocket. */
  bridge?: DesktopBridge | null;
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error('event listener failed', err);
  }
}

export class ApiClient {
  private readonly connection: ConnectionStore;
  private readonly transport: Transport;
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly reconnectListeners = new Set<() => void>();
  /** Current connection/session snapshot (a new object on every change). */
  readonly snapshot: () => ClientSnapshot;
  /** Be told when the snapshot changes (for useSyncExternalStore). */
  readonly subscribe: (cb: () => void) => () => void;

  constructor(o: ClientOptions = {}) {
    const w = typeof window !== 'undefined' ? (window as unknown as { gatehouse?: DesktopBridge }) : undefined;
    const bridge = o.bridge !== undefined ? o.bridge : (w?.gatehouse ?? null);
    this.connection = new ConnectionStore(bridge ? 'ipc' : 'ws', o.now);
    this.snapshot = this.connection.snapshot;
    this.subscribe = this.connection.subscribe;
    const host: TransportHost = {
      connection: this.connection,
      event: (name, data) => this.dispatch(name, data),
      reconnected: () => {
        for (const cb of [...this.reconnectListeners]) safe(cb);
      },
    };
    this.transport = bridge ? new IpcTransport(bridge, host, o) : new WsTransport(host, o);
  }

  // ---------------------------------------------------------------- observable state

  /** Called after the connection came back following a loss: reload your data. */
  onReconnect(cb: () => void): () => void {
    this.reconnectListeners.add(cb);
    return () => this.reconnectListeners.delete(cb);
  }

  get hello(): Hello | null {
    return this.connection.snapshot().hello;
  }
  get user(): Me | null {
    return this.connection.snapshot().user;
  }

  // ---------------------------------------------------------------- lifecycle

  start(): void {
    this.transport.start();
  }

  stop(): void {
    this.transport.stop();
  }

  // ---------------------------------------------------------------- requests and events

  /** Call a request of the contract. Rejects with an ApiError carrying the server's message. */
  call<M extends Method>(method: M, params: ParamsOf<M>, opts: CallOptions = {}): Promise<ResultOf<M>> {
    return this.transport.call(method, params, opts) as Promise<ResultOf<M>>;
  }

  /** Listen to a pushed event. Survives reconnects. Returns an unsubscribe function. */
  on<E extends EventName>(event: E, cb: (data: EventMap[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const fn = cb as (data: unknown) => void;
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  private dispatch(event: string, data: unknown): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const cb of [...set]) safe(() => cb(data));
  }

  /**
   * Log in; sets the session cookie (browser) or the IPC session (desktop).
   * Resolves with the user, or with the second step (a two-factor code, or
   * an admin's enrolment) to finish with `signIn`.
   */
  async login(username: string, password: string): Promise<Me | SecondStep> {
    const r = await this.transport.signIn('auth.login', { username, password });
    return isSecondStep(r) ? r : r.user;
  }

  /** A sign-in step (the two-factor code, the enrolment's first code): the session is taken when it comes. */
  signIn<M extends SignInMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return this.transport.signIn(method, params);
  }

  /** Log out and drop back to the login screen. */
  logout(): Promise<void> {
    return this.transport.logout();
  }
}
