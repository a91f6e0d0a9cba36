/**
 * HTTP-style authentication as cameras use it, shared by ONVIF (SOAP over
 * HTTP) and the RTSP/HTTP stream relay (RTSP copies HTTP's scheme):
 * Basic (RFC 7617) and Digest with MD5 or MD5-sess, with or without
 * qop=auth (RFC 7616 / RFC 2617). Only the engine computes these headers;
 * credentials never leave this process except inside them.
 */
import crypto from 'node:crypto';

export interface Credentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: 'basic' | 'digest';
  /** Lower-cased parameter names. */
  params: Record<string, string>;
}

/** Parse one WWW-Authenticate value ("Digest realm=..., nonce=..." or "Basic realm=..."). */
export function parseChallenge(value: string): Challenge | null {
  const m = /^\s*(basic|digest)\b\s*(.*)$/is.exec(value);
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme: m[1]!.toLowerCase() as Challenge['scheme'], params };
}

/** The challenge to answer among several WWW-Authenticate values: Digest (MD5) first, then Basic. */
export function pickChallenge(values: readonly string[]): Challenge | null {
  const all = values.map(parseChallenge).filter((c): c is Challenge => !!c);
  const digest = all.find((c) => c.scheme === 'digest' && ['MD5', 'MD5-SESS'].includes((c.params.algorithm ?? 'MD5').toUpperCase()));
  return digest ?? all.find((c) => c.scheme === 'basic') ?? null;
}

function md5(s: string): string {
  return crypto.createHash('md5').update(s).digest('hex');
}

export function basicAuthorization(creds: Credentials): string {
  return 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64');
}

/**
 * The Authorization value answering `ch` for one request. `nc` counts the
 * requests made with this nonce (1 for the first); it matters with qop.
 * Returns null for a Digest algorithm other than MD5 / MD5-sess.
 */
export function authorizationFor(ch: Challenge, creds: Credentials, method: string, uri: string, nc = 1, cnonce = crypto.randomBytes(8).toString('hex')): string | null {
  if (ch.scheme === 'basic') return basicAuthorization(creds);
  const p = ch.params;
  const realm = p.realm ?? '';
  const nonce = p.nonce ?? '';
  const algo = (p.algorithm ?? 'MD5').toUpperCase();
  if (algo !== 'MD5' && algo !== 'MD5-SESS') return null;
  const ncHex = nc.toString(16).padStart(8, '0');
  let ha1 = md5(`${creds.username}:${realm}:${creds.password}`);
  if (algo === 'MD5-SESS') ha1 = md5(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = md5(`${method}:${uri}`);
  const qops = (p.qop ?? '').split(',').map((s) => s.trim().toLowerCase());
  const qop = qops.includes('auth') ? 'auth' : '';
  const response = qop ? md5(`${ha1}:${nonce}:${ncHex}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  const parts = [`username="${creds.username}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`, `response="${response}"`];
  if (p.algorithm !== undefined) parts.push(`algorithm=${p.algorithm}`);
  else parts.push('algorithm=MD5');
  if (qop) parts.push(`qop=${qop}`, `nc=${ncHex}`, `cnonce="${cnonce}"`);
  else if (algo === 'MD5-SESS') parts.push(`cnonce="${cnonce}"`);
  if (p.opaque !== undefined) parts.push(`opaque="${p.opaque}"`);
  return 'Digest ' + parts.join(', ');
}

/** Build an HTTP Digest Authorization header for one WWW-Authenticate challenge (RFC 7616, MD5, qop=auth); null if it is not Digest. */
export function httpDigest(challenge: string, creds: Credentials, method: string, uri: string): string | null {
  const ch = parseChallenge(challenge);
  if (!ch || ch.scheme !== 'digest') return null;
  return authorizationFor(ch, creds, method, uri, 1);
}
