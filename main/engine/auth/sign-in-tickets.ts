/**
 * Sign-in tickets: what `auth.login` hands out instead of a session when the
 * password was right but a second step is due (a TOTP code, or an admin's
 * enrolment). A ticket is 32 random bytes (only its SHA-256 is kept, in
 * memory), names one user, is bound to the client address that got it,
 * lives 5 minutes (10 for an enrolment) and dies after 5 wrong codes or its
 * first success. A restart forgets them all: the user types the password
 * again.
 */
import crypto from 'node:crypto';

export const TICKET_TTL_MS = 5 * 60_000;
export const ENROL_TICKET_TTL_MS = 10 * 60_000;
export const TICKET_MAX_TRIES = 5;
const MAX_TICKETS = 10_000;

export interface Ticket {
  username: string;
  peer: string;
  kind: 'totp' | 'enrol';
  expires: number;
  tries: number;
}

function hash(t: string): string {
  return crypto.createHash('sha256').update(t).digest('hex');
}

export class SignInTickets {
  private readonly tickets = new Map<string, Ticket>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(username: string, peer: string, kind: Ticket['kind']): { ticket: string; expiresInS: number } {
    this.prune();
    const ticket = crypto.randomBytes(32).toString('base64url');
    const ttl = kind === 'enrol' ? ENROL_TICKET_TTL_MS : TICKET_TTL_MS;
    this.tickets.set(hash(ticket), { username, peer, kind, expires: this.now() + ttl, tries: 0 });
    return { ticket, expiresInS: Math.round(ttl / 1000) };
  }

  /** The live ticket for this user, address and kind, or null (unknown, expired, used up, another user or address). */
  get(ticket: string, username: string, peer: string, kind: Ticket['kind']): Ticket | null {
    const t = this.tickets.get(hash(ticket));
    if (!t) return null;
    if (t.expires < this.now() || t.tries >= TICKET_MAX_TRIES) {
      this.tickets.delete(hash(ticket));
      return null;
    }
    if (t.username.toLowerCase() !== username.toLowerCase() || t.peer !== peer || t.kind !== kind) return null;
    return t;
  }

  /** A wrong code on this ticket; the fifth ends it. */
  fail(ticket: string): void {
    const t = this.tickets.get(hash(ticket));
    if (t && ++t.tries >= TICKET_MAX_TRIES) this.tickets.delete(hash(ticket));
  }

  /** The sign-in finished: the ticket is spent. */
  spend(ticket: string): void {
    this.tickets.delete(hash(ticket));
  }

  private prune(): void {
    const now = this.now();
    for (const [k, t] of this.tickets) if (t.expires < now) this.tickets.delete(k);
    // a flood of password-right logins can't grow this without bound: the oldest go first
    while (this.tickets.size >= MAX_TICKETS) this.tickets.delete(this.tickets.keys().next().value!);
  }
}
