import { ApiError, type Role, type UserInfo } from '../../api/contract.js';
import { Username } from '../../api/core.js';
import type { ConfigStore } from '../config/store.js';
import type { StoredUser } from '../config/schema.js';
import { hashPassword, verifyPassword, generatePassword } from './passwords.js';

export function publicUser(u: StoredUser): UserInfo {
  return { username: u.username, role: u.role, disabled: u.disabled, createdAt: u.createdAt, lastLoginAt: u.lastLoginAt, totp: !!u.totp };
}

// A hash to compare against when the user does not exist, so timing does not reveal valid names.
const DUMMY_HASH = hashPassword('not-a-real-password-' + Math.random());

export class Users {
  constructor(private readonly config: ConfigStore) {}

  list(): UserInfo[] {
    return this.config.data.users.map(publicUser);
  }

  find(username: string): StoredUser | undefined {
    const u = username.toLowerCase();
    return this.config.data.users.find((x) => x.username.toLowerCase() === u);
  }

  /** Check credentials. Returns the user or null; never says which part was wrong. */
  authenticate(username: string, password: string): StoredUser | null {
    const u = this.find(username);
    const ok = verifyPassword(password, u?.passwordHash ?? DUMMY_HASH);
    if (!u || !ok || u.disabled) return null;
    return u;
  }

  async touchLogin(username: string): Promise<void> {
    await this.config.update((c) => {
      const u = c.users.find((x) => x.username === username);
      if (u) u.lastLoginAt = new Date().toISOString();
    });
  }

  async add(username: string, password: string, role: Role): Promise<UserInfo> {
    // The contract checks names from the API; the CLI and the first start come through here too.
    const ok = Username.safeParse(username);
    if (!ok.success) throw new ApiError('bad_request', `username: ${ok.error.issues[0]!.message}`, 'username');
    username = ok.data;
    if (this.find(username)) throw new ApiError('conflict', `a user named "${username}" already exists`, 'username');
    const user: StoredUser = {
      username,
      role,
      passwordHash: hashPassword(password),
      disabled: false,
      createdAt: new Date().toISOString(),
      lastLoginAt: null,
    };
    await this.config.update((c) => {
      c.users.push(user);
    });
    return publicUser(user);
  }

  async update(username: string, patch: { role?: Role; disabled?: boolean }): Promise<UserInfo> {
    const existing = this.find(username);
    if (!existing) throw new ApiError('not_found', `no user named "${username}"`, 'username');
    // Only the fields given: an undefined role must not overwrite the stored one.
    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as typeof patch;
    return this.config.update((c) => {
      const u = c.users.find((x) => x.username === existing.username)!;
      const next = { ...u, ...given };
      const activeAdmins = c.users.map((x) => (x.username === u.username ? next : x)).filter((x) => x.role === 'admin' && !x.disabled);
      if (activeAdmins.length === 0) throw new ApiError('conflict', 'that would leave no active admin; make another user admin first');
      Object.assign(u, given);
      return publicUser(u);
    });
  }

  async setPassword(username: string, password: string): Promise<void> {
    const existing = this.find(username);
    if (!existing) throw new ApiError('not_found', `no user named "${username}"`, 'username');
    await this.config.update((c) => {
      c.users.find((x) => x.username === existing.username)!.passwordHash = hashPassword(password);
    });
  }

  /**
   * Make sure an admin exists. With no users yet, create "admin" with the
   * given password, or a generated one that is returned so it can be printed once.
   */
  async ensureAdmin(password: string | undefined): Promise<{ created: boolean; generated: string | null; reset: boolean }> {
    if (this.config.data.users.some((u) => u.role === 'admin')) {
      let reset = false;
      if (password) {
        // An explicit password on the command line resets the admin account's password.
        const admin = this.find('admin');
        if (admin && !verifyPassword(password, admin.passwordHash)) {
          await this.setPassword('admin', password);
          reset = true;
        }
      }
      return { created: false, generated: null, reset };
    }
    const generated = password ? null : generatePassword();
    await this.add('admin', password ?? generated!, 'admin');
    return { created: true, generated, reset: false };
  }
}
