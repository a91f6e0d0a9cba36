import crypto from 'node:crypto';
import type { Db } from '../store/db.js';

const TTL_MS = 14 * 24 * 3600 * 1000;

function sha(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** Login sessions, kept in the index so that a server restart does not log guards out. Only token hashes are stored. */
export class Sessions {
  constructor(private readonly db: Db) {}
  create(username: string): string {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = Date.now();
    this.db
      .prepare('INSERT INTO sessions (token_hash, username, created_ms, expires_ms, seen_ms) VALUES (?, ?, ?, ?, ?)')
      .run(sha(token), username, now, now + TTL_MS, now);
    return token;
  }
  lookup(token: string): string | null {
    const row = this.db.prepare('SELECT username, expires_ms, seen_ms FROM sessions WHERE token_hash = ?').get(sha(token)) as
      | { username: string; expires_ms: number; seen_ms: number }
      | undefined;
    if (!row) return null;
    const now = Date.now();
    if (row.expires_ms < now) {
      this.revoke(token);
      return null;
    }
    if (now - row.seen_ms > 60_000) {
      this.db.prepare('UPDATE sessions SET seen_ms = ?, expires_ms = ? WHERE token_hash = ?').run(now, now + TTL_MS, sha(token));
    }
    return row.username;
  }
  revoke(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha(token));
  }
  revokeUser(username: string): void {
    this.db.prepare('DELETE FROM sessions WHERE username = ?').run(username);
  }
  purgeExpired(): void {
    this.db.prepare('DELETE FROM sessions WHERE expires_ms < ?').run(Date.now());
  }
}
