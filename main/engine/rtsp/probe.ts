/**
 * A cheap "is the camera there?" check for a camera that is down: a TCP
 * connect, then (for RTSP) one `OPTIONS` request and its status line. No
 * ffmpeg, no credentials, short timeouts. Any RTSP answer counts as "up"
 * (a 401 too: the camera is there, the recorder will sort out the rest).
 */
import net from 'node:net';
import tls from 'node:tls';
import { socketErrorText } from './common.js';
import { parseCameraUrl } from './relay.js';

export type ProbeResult = { up: true; status: number | null } | { up: false; reason: string };

/** Where a camera URL (rtsp, rtsps, http, https) connects: host, port, TLS, and the URL without credentials. */
export function endpointOf(url: string): { host: string; port: number; secure: boolean; rtsp: boolean; url: string } | null {
  try {
    if (/^rtsps?:/i.test(url)) {
      const p = parseCameraUrl(url);
      return { host: p.host, port: p.port, secure: p.secure, rtsp: true, url: p.url };
    }
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    u.username = '';
    u.password = '';
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { host, port: Number(u.port) || (u.protocol === 'https:' ? 443 : 80), secure: u.protocol === 'https:', rtsp: false, url: u.toString() };
  } catch {
    return null;
  }
}

/**
 * Probe a camera URL. RTSP: connect and send OPTIONS; up when a status line
 * comes back within `timeoutMs`. HTTP: up when the TCP connection opens.
 */
export function probeCamera(url: string, timeoutMs = 1500): Promise<ProbeResult> {
  const ep = endpointOf(url);
  if (!ep) return Promise.resolve({ up: false, reason: 'not a network camera URL' });
  return new Promise((resolve) => {
    let done = false;
    let timedOut = false;
    const sock = ep.secure
      ? tls.connect({ host: ep.host, port: ep.port, servername: net.isIP(ep.host) ? undefined : ep.host, rejectUnauthorized: false })
      : net.connect({ host: ep.host, port: ep.port });
    const finish = (r: ProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      finish({ up: false, reason: socketErrorText(null, true).reason });
    }, timeoutMs);
    let buf = '';
    sock.once(ep.secure ? 'secureConnect' : 'connect', () => {
      if (!ep.rtsp) return finish({ up: true, status: null });
      sock.write(`OPTIONS ${ep.url} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: Gatehouse probe\r\n\r\n`);
    });
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const m = /^RTSP\/\d\.\d (\d{3})/.exec(buf);
      if (m) finish({ up: true, status: Number(m[1]) });
      else if (buf.length > 4096 || (buf.length >= 8 && !buf.startsWith('RTSP/'))) finish({ up: false, reason: 'the port answers, but not with RTSP' });
    });
    sock.on('error', (err: NodeJS.ErrnoException) => finish({ up: false, reason: socketErrorText(err, timedOut).reason }));
    sock.on('close', () => finish({ up: false, reason: 'the camera closed the connection without answering' }));
  });
}
