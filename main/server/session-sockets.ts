/**
 * The WebSockets that carry a session (`/api/ws` for RPC and pushed events,
 * `/api/live` for live video), and what keeps them honest when the session
 * ends or changes (docs/api.md, "Sessions on a socket"):
 *
 * - A session that ends in this engine (logout, the user disabled, a password
 *   changed or reset) closes its sockets at once with 4401 and the reason, which
 *   the console shows on its login screen.
 * - A user whose role changed gets 4409: the console reconnects and its hello
 *   carries the new role (no socket keeps the role it was opened with).
 * - Every push re-checks the session first (a check at most 250 ms old, and
 *   none older than the last revocation or config change here): a socket that fails gets no
 *   event and is closed right after. Every 2 s all sockets are checked, so a
 *   revocation by another process (the CLI) or an expiry closes them too.
 */
import type { WebSocket } from 'ws';
import { WS_CLOSE, type Me } from '../api/contract.js';
import { tokenHash, type Sessions, type SessionsEnded } from '../engine/auth/sessions.js';
import { logger } from '../engine/log.js';

const log = logger('http');
const FRESH_MS = 250;
const SWEEP_MS = 2000;
/** Above this backlog a socket is dropped rather than let it eat memory. */
const MAX_BUFFERED = 8 * 1024 * 1024;

export interface SessionSource {
  whoami(token: string | null | undefined): Me | null;
  /** Why the token's session no longer holds, when its user says so (disabled, removed); null = unknown. */
  endedReason?(token: string | null | undefined): string | null;
  sessions: Sessions;
  /** The config users are read from; a new object after every change (a role changed, a user disabled). */
  config?: { readonly data: object };
}

export interface TrackedSocket {
  ws: WebSocket;
  kind: 'rpc' | 'live';
  token: string | null;
  /** The user the socket was opened (or logged in) as; null = no session, gets no events. */
  me: Me | null;
  checkedAt: number;
  generation: number;
  /** The config object the last check read. */
  configSeen: object | null;
}

export class SessionSockets {
  private sockets = new Map<WebSocket, TrackedSocket>();
  private offs: (() => void)[] = [];
  private sweepTimer: NodeJS.Timeout | null = null;
  private recheckQueued = false;
  private pendingHints: SessionsEnded[] = [];

  constructor(private readonly src: SessionSource) {}

  start(onConfigChange: (fn: () => void) => () => void): void {
    this.offs.push(
      this.src.sessions.onEnded((e) => {
        this.pendingHints.push(e);
        this.queueRecheck();
      }),
      onConfigChange(() => this.queueRecheck()),
    );
    this.sweepTimer = setInterval(() => this.checkAll(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    for (const s of this.sockets.values()) s.ws.terminate();
    this.sockets.clear();
  }

  /** Track a socket; it is forgotten when it closes. */
  track(ws: WebSocket, kind: TrackedSocket['kind'], token: string | null, me: Me | null): TrackedSocket {
    const s: TrackedSocket = { ws, kind, token, me, checkedAt: Date.now(), generation: this.src.sessions.generation, configSeen: this.configNow() };
    this.sockets.set(ws, s);
    const forget = () => this.sockets.delete(ws);
    ws.on('close', forget);
    ws.on('error', forget);
    return s;
  }

  /** The socket now carries another session (auth.login on it), or none (auth.logout on it). */
  setSession(s: TrackedSocket, token: string | null, me: Me | null): void {
    s.token = token;
    s.me = me;
    s.checkedAt = Date.now();
    s.generation = this.src.sessions.generation;
    s.configSeen = this.configNow();
  }

  private configNow(): object | null {
    return this.src.config?.data ?? null;
  }

  /** A socket's last check no longer holds: too old, a revocation since, or the users changed since. */
  private stale(s: TrackedSocket, now: number): boolean {
    return s.generation !== this.src.sessions.generation || s.configSeen !== this.configNow() || now - s.checkedAt > FRESH_MS;
  }

  /** Send one event frame to every RPC socket whose session still holds. */
  push(frame: string): void {
    const now = Date.now();
    for (const s of this.sockets.values()) {
      if (s.kind !== 'rpc' || !s.me) continue;
      if (this.stale(s, now) && !this.stillValid(s)) {
        // Not this event; the socket is closed right after, with the reason of the revocation if one is on its way
        // (a config change is announced before the handler that made it revokes the sessions).
        this.queueRecheck();
        continue;
      }
      if (s.ws.bufferedAmount > MAX_BUFFERED) {
        log.warn(`dropping the event socket of ${s.me.username}: over ${MAX_BUFFERED >> 20} MiB behind`);
        this.sockets.delete(s.ws);
        s.ws.terminate();
        continue;
      }
      s.ws.send(frame);
    }
  }

  /** How many sockets carry a session now (for tests and health). */
  get size(): number {
    let n = 0;
    for (const s of this.sockets.values()) if (s.me) n++;
    return n;
  }

  private queueRecheck(): void {
    if (this.recheckQueued) return;
    this.recheckQueued = true;
    // After the current call has answered: a socket that logged itself out gets its reply first.
    setImmediate(() => {
      this.recheckQueued = false;
      this.checkAll();
    });
  }

  private checkAll(): void {
    const hints = this.pendingHints.splice(0);
    for (const s of [...this.sockets.values()]) {
      if (!s.me) continue;
      const token = s.token;
      const hint = hints.find(
        (h) =>
          (h.tokenHashes && token && h.tokenHashes.includes(tokenHash(token))) ||
          (!h.tokenHashes && h.username && h.username.toLowerCase() === s.me!.username.toLowerCase() && (!token || h.kept !== tokenHash(token))),
      );
      this.check(s, hint);
    }
  }

  /** Does the socket's session still hold, as the same user with the same role? Marks it checked when it does. */
  private stillValid(s: TrackedSocket): boolean {
    const now = this.src.whoami(s.token);
    const ok = !!now && !!s.me && now.username === s.me.username && (now.role === s.me.role || s.kind === 'live');
    if (ok) {
      s.checkedAt = Date.now();
      s.generation = this.src.sessions.generation;
      s.configSeen = this.configNow();
    }
    return ok;
  }

  /** Re-resolve the socket's session; close it when it ended (4401) or its user changed (4409). */
  private check(s: TrackedSocket, hint?: SessionsEnded): boolean {
    if (!s.me) return false;
    const now = this.src.whoami(s.token);
    s.checkedAt = Date.now();
    s.generation = this.src.sessions.generation;
    s.configSeen = this.configNow();
    if (!now) {
      const reason = hint?.reason ?? this.src.endedReason?.(s.token) ?? 'your session ended (expired or revoked)';
      this.close(s, WS_CLOSE.sessionEnded, `signed out: ${reason}`);
      return false;
    }
    if (now.username !== s.me.username || now.role !== s.me.role) {
      if (s.kind === 'live' && now.username === s.me.username) {
        s.me = now; // live video needs only a session; a new role changes nothing there
        return true;
      }
      this.close(s, WS_CLOSE.sessionChanged, `your role changed to ${now.role}; reconnecting`);
      return false;
    }
    return true;
  }

  private close(s: TrackedSocket, code: number, reason: string): void {
    log.info(`closing a ${s.kind} socket of ${s.me?.username ?? '?'}: ${reason}`);
    this.sockets.delete(s.ws);
    s.me = null;
    s.token = null;
    try {
      // A close reason is at most 123 bytes (ours are ASCII).
      s.ws.close(code, reason.slice(0, 120));
    } catch {
      s.ws.terminate();
    }
  }
}
