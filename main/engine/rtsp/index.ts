/**
 * The camera relay: how ffmpeg/ffprobe reach a network camera that needs a
 * password (or another secret in its URL) without it on their command line. RTSP and RTSPS go through the
 * RTSP relay (relay.ts), HTTP and HTTPS through the HTTP relay
 * (http-relay.ts); both listen on 127.0.0.1 only and hand out random
 * per-stream tokens. See docs/recording.md, "Camera credentials".
 */
import { HttpRelay } from './http-relay.js';
import type { LeaseOptions, RelayLease, RelayTarget } from './common.js';
import { RtspRelay } from './relay.js';

export type { LeaseOptions, RelayLease, RelayTarget } from './common.js';

/** Query parameters that carry a credential in some cameras' stream URLs (`…?user=admin&password=…`). */
const SECRET_PARAM = /[?&;](user(name)?|pass(word|wd)?|pwd|token|auth|key|secret)=/i;

/**
 * Does opening this camera stream need a secret (a username, credentials in
 * the URL, a password-like query parameter)? Only then does ffmpeg go
 * through the relay: a stream without one is opened directly, as the relay
 * costs a copy of every byte through this process (docs/bench.md).
 */
export function needsRelay(url: string, username?: string | null): boolean {
  return !!username || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url) || SECRET_PARAM.test(url);
}

export class CameraRelay {
  private readonly rtsp = new RtspRelay();
  private readonly http = new HttpRelay();

  async start(): Promise<void> {
    await this.rtsp.start();
    await this.http.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.rtsp.stop(), this.http.stop()]);
  }

  get running(): boolean {
    return this.rtsp.running;
  }

  /** A lease for one stream input: the URL to give ffmpeg, diagnostics, release(). */
  lease(target: RelayTarget, opts: LeaseOptions = {}): RelayLease {
    if (/^rtsps?:/i.test(target.url)) return this.rtsp.lease(target, opts);
    if (/^https?:/i.test(target.url)) return this.http.lease(target, opts);
    throw new Error('the relay carries rtsp://, rtsps://, http:// and https:// cameras only');
  }
}

/** Run `fn` with a relay of its own (for one-off tools such as "Test connection"), stopped afterwards. */
export async function withRelay<T>(fn: (relay: CameraRelay) => Promise<T>): Promise<T> {
  const relay = new CameraRelay();
  await relay.start();
  try {
    return await fn(relay);
  } finally {
    await relay.stop();
  }
}
