import crypto from 'node:crypto';
import fs from 'node:fs';
import { checkAbort } from './errors.js';

/** SHA-256 (hex) and size of a file, read in large chunks. */
export async function hashFile(file: string, opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<{ sha256: string; bytes: number }> {
  const h = crypto.createHash('sha256');
  const fh = await fs.promises.open(file, 'r');
  const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
  let bytes = 0;
  try {
    for (;;) {
      checkAbort(opts.signal);
      const { bytesRead } = await fh.read(buf, 0, buf.length, bytes);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
      opts.onBytes?.(bytesRead);
    }
  } finally {
    await fh.close();
  }
  return { sha256: h.digest('hex'), bytes };
}

export function sha256Hex(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
