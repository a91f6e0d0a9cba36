/**
 * The "Acknowledge" action of a push notification: a token made for one
 * notification, bound to one user and one alarm, that works once and for a
 * short time (ACK_TOKEN_TTL_MS). 32 random bytes; only its SHA-256 is kept.
 * It travels only inside the encrypted push payload and the service worker's
 * POST body to `notify.ack`, never in a URL or a log, and is no session: it
 * can do nothing but acknowledge that alarm as that user.
 */
import crypto from 'node:crypto';
import type { Db } from '../store/db.js';

/** How long an acknowledge token works: a notification seen later than this opens the console instead. */
export const ACK_TOKEN_TTL_MS = 30 * 60_000;

const hash = (t: string) => crypto.createHash('sha256').update(t).digest('hex');

export type Redeemed = { ok: true; username: string; alarmId: number } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

export class AckTokens {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  issue(username: string, alarmId: number): string {
    const token = 'gha_' + crypto.randomBytes(32).toString('base64url');
    const now = this.now();
    this.db
      .prepare('INSERT INTO ack_tokens (token_hash, username, alarm_id, expires_ms) VALUES (?, ?, ?, ?)')
      .run(hash(token), username, alarmId, now + ACK_TOKEN_TTL_MS);
    // tokens long past their time are of no use to anyone
    this.db.prepare('DELETE FROM ack_tokens WHERE expires_ms < ?').run(now - 86_400_000);
    return token;
  }

  /** Use a token up (whatever the acknowledgement then does, it never works again). */
  redeem(token: string): Redeemed {
    const h = hash(token);
    const now = this.now();
    return this.db.transaction((): Redeemed => {
      const r = this.db.prepare('SELECT username, alarm_id, expires_ms, used_ms FROM ack_tokens WHERE token_hash = ?').get(h) as
        { username: string; alarm_id: number; expires_ms: number; used_ms: number | null } | undefined;
      if (!r) return { ok: false, reason: 'unknown' };
      if (r.used_ms !== null) return { ok: false, reason: 'used' };
      if (r.expires_ms <= now) return { ok: false, reason: 'expired' };
      this.db.prepare('UPDATE ack_tokens SET used_ms = ? WHERE token_hash = ?').run(now, h);
      return { ok: true, username: r.username, alarmId: r.alarm_id };
    })();
  }
}
