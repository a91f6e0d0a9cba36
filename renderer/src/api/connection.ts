/**
 * The connection's observable state: one snapshot (state, hello, user,
 * retry schedule) that the transports update and the views read through
 * `useConnection()` (useSyncExternalStore). Also the bookkeeping both
 * transports share: whether the connection was ever up, and whether it was
 * lost since, so that coming back can tell the reload hooks.
 */
import type { ApiError, Me } from '../../../main/api/contract.js';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline';
export interface Hello {
  version: string;
  user: Me | null;
}

export interface ClientSnapshot {
  state: ConnectionState;
  transport: 'ws' | 'ipc';
  /** Last hello from the server; null before the first one. */
  hello: Hello | null;
  /** The logged-in user, or null (show the login screen once `hello` is set). */
  user: Me | null;
  /** Reconnect attempts since the connection was lost. */
  attempt: number;
  /** When the next attempt starts (epoch ms), while not online. */
  retryAt: number | null;
  /** Why the connection is not online, in words. */
  lastError: string | null;
  /** When the current state began (epoch ms). */
  since: number;
  /** Why the server ended this console's session ("signed out: your account was disabled …"); shown on the login screen. */
  signedOut: string | null;
}

export class ConnectionStore {
  private snap: ClientSnapshot;
  private readonly listeners = new Set<() => void>();
  private wasOnline = false;
  private lostSinceOnline = false;

  constructor(
    transport: ClientSnapshot['transport'],
    private readonly now: () => number = () => Date.now(),
  ) {
    this.snap = {
      state: 'connecting',
      transport,
      hello: null,
      user: null,
      attempt: 0,
      retryAt: null,
      lastError: null,
      since: now(),
      signedOut: null,
    };
  }

  /** Current snapshot (a new object on every change). */
  snapshot = (): ClientSnapshot => this.snap;

  /** Be told when the snapshot changes (for useSyncExternalStore). */
  subscribe = (cb: () => void): (() => void) => {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  };

  patch(p: Partial<ClientSnapshot>): void {
    const next = { ...this.snap, ...p };
    if (p.state && p.state !== this.snap.state) next.since = this.now();
    this.snap = next;
    for (const cb of [...this.listeners]) {
      try {
        cb();
      } catch (err) {
        console.error('connection listener failed', err);
      }
    }
  }

  /** True once the connection has been online (a loss then reads "reconnecting", not "connecting"). */
  get everOnline(): boolean {
    return this.wasOnline;
  }

  /** The connection is gone; if it had been up, coming back counts as a reconnect. */
  markLost(): void {
    if (this.wasOnline) this.lostSinceOnline = true;
  }

  /** The server said hello: online. Returns true when this ends a loss (reload your data). */
  online(h: Hello): boolean {
    const wasLost = this.lostSinceOnline;
    this.wasOnline = true;
    this.lostSinceOnline = false;
    this.patch({ state: 'online', hello: h, user: h.user, attempt: 0, retryAt: null, lastError: null, ...(h.user ? { signedOut: null } : {}) });
    return wasLost;
  }

  /** Logged in (desktop: no new hello comes, so the user is set here). */
  loggedIn(user: Me): void {
    this.patch({ user, signedOut: null, hello: this.snap.hello ? { ...this.snap.hello, user } : { version: '', user } });
  }

  /** Logged out, or the session is gone: back to the login screen. */
  loggedOut(): void {
    this.patch({ user: null, hello: this.snap.hello ? { ...this.snap.hello, user: null } : null });
  }

  /** The server ended the session (it closed the socket with WS_CLOSE.sessionEnded): back to the login screen, saying why. */
  signedOutByServer(reason: string): void {
    this.patch({ user: null, signedOut: reason || 'signed out', hello: this.snap.hello ? { ...this.snap.hello, user: null } : null });
  }

  /**
   * A call failed: if the session is gone (expired, revoked, user disabled)
   * drop to the login screen and return true.
   */
  sessionRejected(method: string, err: ApiError): boolean {
    if (err.code !== 'unauthorized' || method === 'auth.login' || !this.snap.user) return false;
    this.loggedOut();
    return true;
  }
}
