/**
 * Two-factor sign-in (docs/security.md, "Two-factor sign-in"): each user may
 * turn on TOTP; admins must when the server listens beyond loopback. The
 * secret is sealed with the SecretBox like camera passwords; the recovery
 * codes are kept only as hashes; the last accepted time step is stored, so
 * a code works once (replay protection) across restarts and processes.
 *
 * The codes themselves are totp.ts; the sign-in steps, tickets and rate
 * limits are in handlers.ts. Every change goes through ConfigStore.update
 * (the config lock), and checks of one user's codes run one at a time, so
 * two requests carrying the same code can't both pass.
 */
import { ApiError } from '../../api/contract.js';
import type { TotpEnrolment, TotpStatus } from '../../api/remote.js';
import type { StoredUser } from '../config/schema.js';
import type { SecretBox } from '../config/secrets.js';
import type { ConfigStore } from '../config/store.js';
import { qrSvg } from './qr.js';
import {
  hashRecoveryCode,
  isTotpCode,
  matchRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUri,
  totpStep,
  verifyTotp,
} from './totp.js';

/** How long a secret shown for enrolment waits for its first code. */
export const ENROL_TTL_MS = 10 * 60_000;

export interface TwoFactorDeps {
  config: ConfigStore;
  secrets: SecretBox;
  /** Admins must use it: the server listens beyond loopback, or security.adminTotp is "always". */
  adminRequired: () => boolean;
  /** Shown in the authenticator app: "Gatehouse <host name>". */
  issuer: string;
  /** The clock (tests pass a fake one). */
  now?: () => number;
}

export type SecondFactor = { kind: 'totp' | 'recovery'; recoveryLeft: number };

/** Thrown inside a config update to leave the file as it was. */
class NoChange extends Error {}

export class TwoFactor {
  private readonly pending = new Map<string, { secret: string; expires: number }>();
  private readonly queue = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly d: TwoFactorDeps) {
    this.now = d.now ?? Date.now;
  }

  private find(username: string): StoredUser | undefined {
    const u = username.toLowerCase();
    return this.d.config.data.users.find((x) => x.username.toLowerCase() === u);
  }

  private user(username: string): StoredUser {
    const u = this.find(username);
    if (!u) throw new ApiError('not_found', `no user named "${username}"`, 'username');
    return u;
  }

  /** One user's code checks and changes, one at a time. */
  private serial<T>(username: string, fn: () => Promise<T>): Promise<T> {
    const key = username.toLowerCase();
    const prev = this.queue.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.queue.set(key, settled);
    void settled.then(() => {
      if (this.queue.get(key) === settled) this.queue.delete(key);
    });
    return next;
  }

  isEnabled(username: string): boolean {
    return !!this.find(username)?.totp;
  }

  /** This user must have two-factor sign-in (an admin, where admins must). */
  isRequired(u: Pick<StoredUser, 'role'>): boolean {
    return u.role === 'admin' && this.d.adminRequired();
  }

  status(username: string): TotpStatus {
    const u = this.user(username);
    return { enabled: !!u.totp, enabledAt: u.totp?.enabledAt ?? null, recoveryLeft: u.totp?.recovery.length ?? 0, required: this.isRequired(u) };
  }

  /** A new secret for `username` to scan; it is kept (in memory) until confirmed with `enable` or ENROL_TTL_MS passes. */
  begin(username: string): TotpEnrolment {
    const u = this.user(username);
    if (u.totp) throw new ApiError('conflict', 'two-factor sign-in is already on for this account; turn it off first to enrol another app');
    const secret = newTotpSecret();
    this.pending.set(u.username.toLowerCase(), { secret, expires: this.now() + ENROL_TTL_MS });
    const uri = otpauthUri(secret, u.username, this.d.issuer);
    return { secret, uri, qrSvg: qrSvg(uri), expiresInS: Math.round(ENROL_TTL_MS / 1000) };
  }

  /** Confirm enrolment with the first code from the app: two-factor is on; the ten recovery codes are returned (shown once). */
  enable(username: string, code: string): Promise<string[]> {
    return this.serial(username, async () => {
      const u = this.user(username);
      const key = u.username.toLowerCase();
      const p = this.pending.get(key);
      if (!p || p.expires < this.now()) {
        this.pending.delete(key);
        throw new ApiError('conflict', 'the enrolment expired or was not started; start again to get a new QR code', 'code');
      }
      const step = verifyTotp(p.secret, code, this.now(), 0);
      // forbidden, not unauthorized: a signed-in console must not take it for an ended session
      if (step === null) throw new ApiError('forbidden', 'that code is not right: check the time on your phone and enter the code the app shows now', 'code');
      const codes = newRecoveryCodes();
      const sealed = this.d.secrets.seal(p.secret);
      await this.d.config.update((c) => {
        const x = c.users.find((y) => y.username === u.username);
        if (!x) throw new ApiError('not_found', `no user named "${username}"`);
        if (x.totp) throw new ApiError('conflict', 'two-factor sign-in was turned on meanwhile (another session?)');
        x.totp = { secret: sealed, enabledAt: new Date(this.now()).toISOString(), lastStep: step, recovery: codes.map((r) => hashRecoveryCode(r)!) };
      });
      this.pending.delete(key);
      return codes;
    });
  }

  private open(u: StoredUser): string {
    try {
      return this.d.secrets.open(u.totp!.secret);
    } catch {
      throw new ApiError(
        'conflict',
        `the two-factor secret of "${u.username}" can't be read here (it was sealed with another key); an admin turns it off with "gatehouse users totp-reset --username ${u.username}" and the user enrols again`,
      );
    }
  }

  /**
   * Check a second factor: a code from the app (once per time step, ±1
   * step) or an unused recovery code (removed as it is used). null when
   * wrong (or replayed).
   */
  verify(username: string, code: string): Promise<SecondFactor | null> {
    return this.serial(username, async () => {
      const u = this.find(username);
      if (!u?.totp) return null;
      const now = this.now();
      if (isTotpCode(code)) {
        const secret = this.open(u);
        const step = verifyTotp(secret, code, now, u.totp.lastStep);
        if (step === null) return null;
        try {
          await this.d.config.update((c) => {
            const x = c.users.find((y) => y.username === u.username);
            // re-checked under the config lock: another process may have taken this step meanwhile
            if (!x?.totp || x.totp.lastStep >= step) throw new NoChange();
            x.totp.lastStep = step;
          });
        } catch (err) {
          if (err instanceof NoChange) return null;
          throw err;
        }
        return { kind: 'totp', recoveryLeft: u.totp.recovery.length };
      }
      if (matchRecoveryCode(u.totp.recovery, code) < 0) return null;
      try {
        return await this.d.config.update((c) => {
          const x = c.users.find((y) => y.username === u.username);
          const i = x?.totp ? matchRecoveryCode(x.totp.recovery, code) : -1;
          if (i < 0) throw new NoChange();
          x!.totp!.recovery.splice(i, 1);
          // a recovery code also uses up this time step: a code read over the shoulder meanwhile is no use
          x!.totp!.lastStep = Math.max(x!.totp!.lastStep, totpStep(now));
          return { kind: 'recovery' as const, recoveryLeft: x!.totp!.recovery.length };
        });
      } catch (err) {
        if (err instanceof NoChange) return null;
        throw err;
      }
    });
  }

  /** Turn it off (the caller checked the password and a code). */
  async disable(username: string): Promise<void> {
    const u = this.user(username);
    if (this.isRequired(u)) {
      throw new ApiError('forbidden', 'two-factor sign-in is required for administrators on this server (it is reachable from the network); it can be reset by another admin, not turned off');
    }
    await this.clear(u.username);
  }

  /** Ten new recovery codes; the old ones stop working. */
  newRecoveryCodes(username: string): Promise<string[]> {
    return this.serial(username, async () => {
      const u = this.user(username);
      const codes = newRecoveryCodes();
      await this.d.config.update((c) => {
        const x = c.users.find((y) => y.username === u.username);
        if (!x?.totp) throw new ApiError('conflict', 'two-factor sign-in is not on for this account');
        x.totp.recovery = codes.map((r) => hashRecoveryCode(r)!);
      });
      return codes;
    });
  }

  /** An admin (or `gatehouse users totp-reset`) turns it off for someone else. Returns whether it was on. */
  async reset(username: string): Promise<boolean> {
    const u = this.user(username);
    this.pending.delete(u.username.toLowerCase());
    if (!u.totp) return false;
    await this.clear(u.username);
    return true;
  }

  private clear(username: string): Promise<void> {
    return this.serial(username, () =>
      this.d.config.update((c) => {
        const x = c.users.find((y) => y.username === username);
        if (x) delete x.totp;
      }),
    );
  }
}
