import type http from 'node:http';
import { ApiError } from '../../api/contract.js';

/** An oversized body: answer it, then close the connection. */
export class BodyTooLarge extends ApiError {
  readonly tooLarge = true;
  constructor(message: string) {
    super('bad_request', message);
  }
}

/**
 * Read a request body up to `maxBytes`. A larger body rejects with
 * BodyTooLarge (a 400 with `message`); the rest is discarded so the client
 * can still read the answer, and cut off if it keeps sending.
 */
export function readBody(req: http.IncomingMessage, maxBytes: number, message = `request body is larger than ${maxBytes} bytes`): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(new BodyTooLarge(message));
        req.removeAllListeners('data');
        req.resume();
        setTimeout(() => req.destroy(), 2000).unref();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
