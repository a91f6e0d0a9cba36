import crypto from 'node:crypto';
import fs from 'node:fs';
import type { SecretBox } from '../engine/config/secrets.js';

/**
 * The engine side of safe storage (runs in the engine host, a plain Node
 * process: no electron here). The desktop shell keeps the data dir's key
 * wrapped by the OS keychain (Electron safeStorage, file secret.key.safe),
 * unwraps it at start and hands it to the engine host over the IPC channel.
 *
 * Sealed values use the same `enc:v1` AES-256-GCM format as the key file box,
 * so the two are interchangeable. `open` also tries the plain key file
 * (secret.key) when one exists: a camera added by the CLI (`gatehouse cameras
 * add`) while the desktop app owns the data dir is sealed with that key.
 */
export class WrappedKeySecretBox implements SecretBox {
  readonly kind = 'safeStorage';
  private readonly keys: Buffer[];

  constructor(
    private readonly key: Buffer,
    /** secret.key, if a CLI created one: used only to open older values. */
    keyFile?: string,
  ) {
    if (key.length !== 32) throw new Error('the unwrapped secret key is not 32 bytes; delete secret.key.safe and enter the camera passwords again');
    this.keys = [key];
    if (keyFile) {
      try {
        const k = Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64');
        if (k.length === 32 && !k.equals(key)) this.keys.push(k);
      } catch {
        /* no key file: nothing else to try */
      }
    }
  }

  seal(plain: string): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `enc:v1:${iv.toString('base64')}:${c.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  open(sealed: string): string {
    const m = /^enc:v1:([^:]+):([^:]+):([^:]*)$/.exec(sealed);
    if (!m) throw new Error('stored secret is not in the enc:v1 format; enter the camera password again');
    for (const k of this.keys) {
      try {
        const d = crypto.createDecipheriv('aes-256-gcm', k, Buffer.from(m[1]!, 'base64'));
        d.setAuthTag(Buffer.from(m[2]!, 'base64'));
        return Buffer.concat([d.update(Buffer.from(m[3]!, 'base64')), d.final()]).toString('utf8');
      } catch {
        /* not sealed with this key: try the next */
      }
    }
    throw new Error('stored secret was sealed with another key (another machine or OS account?); enter the camera password again');
  }
}
