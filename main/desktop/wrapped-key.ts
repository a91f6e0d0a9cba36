import fs from 'node:fs';
import { openWith, sealWith, type SecretBox } from '../engine/config/secrets.js';

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
    return sealWith(this.key, plain);
  }

  open(sealed: string): string {
    return openWith(this.keys, sealed);
  }
}
