/**
 * What the API client needs of a transport, and what a transport may do to
 * the client. Two transports implement it: WebSocket (ws-transport.ts, the
 * browser) and the Electron bridge (ipc-transport.ts, the desktop app).
 */
import type { ParamsOf, ResultOf, SignInMethod } from '../../../main/api/contract.js';
import type { BackoffOptions } from './backoff.js';
import type { ConnectionStore } from './connection.js';

export interface CallOptions {
  /** How long the call may wait for a reply (and, over WebSocket, for the connection), ms. */
  timeoutMs?: number;
}

/** Untyped RPC; the client types it by the contract. */
export interface Transport {
  start(): void;
  /** Close, and reject everything in flight. */
  stop(): void;
  /** Resolve with the result or reject with an ApiError carrying the server's message. */
  call(method: string, params: unknown, opts?: CallOptions): Promise<unknown>;
  /**
   * A sign-in step (auth.login, auth.totpVerify, auth.totpEnrolFinish): when
   * the answer carries a session, the transport takes it (cookie and a new
   * socket, or the window's IPC session) before resolving; an answer that
   * waits for a second step (`next`, `ticket`) is only handed back.
   */
  signIn<M extends SignInMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  logout(): Promise<void>;
}

/** The client, as a transport sees it. */
export interface TransportHost {
  /** The connection snapshot the transport keeps up to date. */
  readonly connection: ConnectionStore;
  /** A pushed event arrived. */
  event(name: string, data: unknown): void;
  /** The connection came back after a loss: reload hooks run. */
  reconnected(): void;
}

/** Retry settings both transports share. */
export interface RetryOptions {
  /** After this many failed attempts the state reads "offline" (still retrying). */
  offlineAfterAttempts?: number;
  backoff?: BackoffOptions;
  now?: () => number;
}
