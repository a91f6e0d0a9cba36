import crypto from 'node:crypto';
import type { Db } from '../store/db.js';

const TTL_MS = 14 * 24 * 3600 * 1000;

/** SHA-256 hex of a session token: the only form a token is stored in. */
export function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/**
 * Sessions that ended here (in this process): the transports close the
 * sockets that carried them. `tokenHashes` names the ended sessions when
 * known (a logout); otherwise every session of `username` ended, except
 * `kept` (the one that changed its own password).
 */
export interface SessionsEnded {
  username: string | null;
  tokenHashes: string[] | null;
  kept: string | null;
  /** In words, for the console: "you logged out", "your account was disabled" … */
  reason: string;
}

/** Login sessions, kept in the index so that a server restart does not log guards out. Only token hashes are stored. */
export class Sessions {
  private listeners = new Set<(e: SessionsEnded) => void>();
  private q;
  /** Bumped on every revocation in this process: a cached "still valid" is stale once it moves. */
  generation = 0;

  constructor(private readonly db: Db) {
    this.q = {
      insert: db.prepare('INSERT INTO sessions (token_hash, username, created_ms, expires_ms, seen_ms) VALUES (?, ?, ?, ?, ?)'),
      get: db.prepare('SELECT username, expires_ms, seen_ms FROM sessions WHERE token_hash = ?'),
      touch: db.prepare('UPDATE sessions SET seen_ms = ?, expires_ms = ? WHERE token_hash = ?'),
      revoke: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
      revokeUser: db.prepare('DELETE FROM sessions WHERE username = ? COLLATE NOCASE AND token_hash <> ?'),
      purge: db.prepare('DELETE FROM sessions WHERE expires_ms < ?'),
    };
  }

  create(username: string): string {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = Date.now();
    this.q.insert.run(tokenHash(token), username, now, now + TTL_MS, now);
    return token;
  }

  lookup(token: string): string | null {
    const h = tokenHash(token);
    const row = this.q.get.get(h) as { username: string; expires_ms: number; seen_ms: number } | undefined;
    if (!row) return null;
    const now = Date.now();
    if (row.expires_ms < now) {
      this.q.revoke.run(h);
      return null;
    }
    if (now - row.seen_ms > 60_000) this.q.touch.run(now, now + TTL_MS, h);
    return row.username;
  }

  /** End one session (logout). */
  revoke(token: string, reason = 'you logged out'): void {
    const h = tokenHash(token);
    const row = this.q.get.get(h) as { username: string } | undefined;
    this.q.revoke.run(h);
    this.ended({ username: row?.username ?? null, tokenHashes: [h], kept: null, reason });
  }

  /** End every session of a user, except `keepToken` (the caller's own, after changing their password). */
  revokeUser(username: string, reason = 'your session was ended by an administrator', keepToken?: string | null): void {
    const kept = keepToken ? tokenHash(keepToken) : null;
    this.q.revokeUser.run(username, kept ?? '');
    this.ended({ username, tokenHashes: null, kept, reason });
  }

  purgeExpired(): void {
    this.q.purge.run(Date.now());
  }

  /** Hear of sessions ended in this process (revocations by other processes show at the next check). */
  onEnded(fn: (e: SessionsEnded) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private ended(e: SessionsEnded): void {
    this.generation++;
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        /* a transport's bookkeeping must not undo the revocation */
      }
    }
  }
}
