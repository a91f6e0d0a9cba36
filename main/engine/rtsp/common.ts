/**
 * What the RTSP and HTTP relays share: the lease a caller gets for one
 * camera stream, and socket errors worded as ffmpeg words them.
 */

export interface RelayTarget {
  /** The camera's rtsp://, rtsps://, http:// or https:// URL. Credentials inside it are used and never sent on. */
  url: string;
  username?: string | null;
  password?: string | null;
}

export interface LeaseOptions {
  /** Connections an RTSP token admits (default 1: the one ffmpeg makes). HTTP tokens last until released. */
  uses?: number;
  /** Timeout for reaching the camera (default 10 s). */
  connectTimeoutMs?: number;
}

export interface RelayLease {
  /** What ffmpeg opens: rtsp://127.0.0.1:<port>/<token> (or http://…/<token>/<name>). Holds no secret. */
  readonly url: string;
  /** Why the camera could not be reached on the last connection ("Connection refused"), or null. */
  readonly lastError: string | null;
  /** Connections accepted with this token. */
  readonly connections: number;
  /** Forget the token and close its connections. */
  release(): void;
}

/** A socket error as ffmpeg (strerror) words it: the classifiers and the console messages key on these words. */
export function socketErrorText(err: NodeJS.ErrnoException | null, timedOut: boolean): { status: number; reason: string } {
  if (timedOut) return { status: 504, reason: 'Connection timed out' };
  switch (err?.code) {
    case 'ECONNREFUSED':
      return { status: 502, reason: 'Connection refused' };
    case 'ETIMEDOUT':
      return { status: 504, reason: 'Connection timed out' };
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return { status: 502, reason: 'No route to host' };
    case 'ENETUNREACH':
      return { status: 502, reason: 'Network is unreachable' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return { status: 502, reason: 'Name or service not known' };
    case 'ECONNRESET':
      return { status: 502, reason: 'Connection reset by peer' };
    default:
      return { status: 502, reason: `Bad Gateway (${(err?.message ?? 'no connection').replace(/[\r\n]+/g, ' ').slice(0, 80)})` };
  }
}

