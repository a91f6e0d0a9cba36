/**
 * Safe storage of the data dir's secret key (camera passwords are sealed
 * with it). Electron's safeStorage lives in the main process only, and the
 * engine runs in a child process, so safeStorage protects the key itself:
 * secret.key.safe holds the key encrypted by the OS keychain (DPAPI on
 * Windows, Keychain on macOS, libsecret/kwallet on Linux); the shell unwraps
 * it and passes it to the engine host, which seals with WrappedKeySecretBox.
 *
 * Which key a data dir uses, decided once:
 * - secret.key.safe exists: unwrap it (if the keychain can't, fall back to
 *   secret.key and say that camera passwords must be entered again);
 * - else secret.key exists (the dir was used by `gatehouse serve` or the
 *   CLI): keep using that file, so existing passwords stay readable and the
 *   headless server can still open them. Nothing is migrated;
 * - else, for a new data dir, if safeStorage has a real backend: create a
 *   random key and store it only wrapped; otherwise the engine creates the
 *   plain key file as usual.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { safeStorage } from 'electron';

export const WRAPPED_KEY_FILE = 'secret.key.safe';

export interface KeyChoice {
  /** base64 key for the engine host, or null to use secret.key. */
  key: string | null;
  mode: 'safeStorage' | 'keyfile';
  /** Something the user should know (shown once). */
  warning?: string;
}

function safeStorageUsable(): boolean {
  try {
    if (!safeStorage.isEncryptionAvailable()) return false;
    // On Linux without a keyring Electron falls back to a hard-coded key: no better than the key file.
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return false;
    return true;
  } catch {
    return false;
  }
}

export function chooseKey(dataDir: string): KeyChoice {
  const wrapped = path.join(dataDir, WRAPPED_KEY_FILE);
  const plain = path.join(dataDir, 'secret.key');
  if (fs.existsSync(wrapped)) {
    try {
      const key = safeStorage.decryptString(fs.readFileSync(wrapped)).trim();
      if (Buffer.from(key, 'base64').length !== 32) throw new Error('the unwrapped key is not 32 bytes');
      return { key, mode: 'safeStorage' };
    } catch (err) {
      return {
        key: null,
        mode: 'keyfile',
        warning: `The OS keychain could not unlock ${wrapped} (${(err as Error).message}). Camera passwords saved by this app can't be read: enter them again under Cameras.`,
      };
    }
  }
  if (fs.existsSync(plain) || !safeStorageUsable()) return { key: null, mode: 'keyfile' };
  const key = crypto.randomBytes(32).toString('base64');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(wrapped, safeStorage.encryptString(key), { mode: 0o600, flag: 'wx' });
  return { key, mode: 'safeStorage' };
}
