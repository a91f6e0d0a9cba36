import crypto from 'node:crypto';
import fs from 'node:fs';

/** Encrypts camera passwords at rest. The desktop shell may supply one backed by Electron safeStorage. */
export interface SecretBox {
  readonly kind: string;
  seal(plain: string): string;
  open(sealed: string): string;
}

/** Seal with AES-256-GCM in the `enc:v1:<iv>:<tag>:<ciphertext>` format (base64 parts). */
export function sealWith(key: Buffer, plain: string): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `enc:v1:${iv.toString('base64')}:${c.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
}

/** Open an `enc:v1` value with the first of `keys` that fits. */
export function openWith(keys: Buffer[], sealed: string): string {
  const m = /^enc:v1:([^:]+):([^:]+):([^:]*)$/.exec(sealed);
  if (!m) throw new Error('stored secret is not in the enc:v1 format; enter the camera password again');
  for (const k of keys) {
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

/** AES-256-GCM with a random key kept in a 0600 key file beside the config. */
export class KeyFileSecretBox implements SecretBox {
  readonly kind = 'keyfile';
  private key: Buffer;
  constructor(private readonly file: string) {
    this.key = this.load();
  }
  private load(): Buffer {
    try {
      const k = Buffer.from(fs.readFileSync(this.file, 'utf8').trim(), 'base64');
      if (k.length === 32) {
        try {
          fs.chmodSync(this.file, 0o600);
        } catch {
          /* not ours to fix on every OS */
        }
        return k;
      }
      throw new Error(`${this.file} does not hold a 32-byte key; move it away to create a new one (stored camera passwords must then be entered again)`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const k = crypto.randomBytes(32);
      fs.writeFileSync(this.file, k.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      return k;
    }
  }
  seal(plain: string): string {
    return sealWith(this.key, plain);
  }
  open(sealed: string): string {
    return openWith([this.key], sealed);
  }
}
