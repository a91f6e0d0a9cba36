/**
 * SOAP 1.2 over HTTP for ONVIF: envelopes, WS-UsernameToken digest with
 * clock-skew correction, HTTP Digest fallback, timeouts, and one specific
 * error per failure (auth, fault, garbage, timeout, unreachable).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { OnvifError } from './errors.js';
import { all, child, esc, parseXml, text, XmlSyntaxError, type XNode } from './xml.js';
import { httpDigest, type Credentials } from '../net/http-auth.js';

export { httpDigest, type Credentials };

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  ter: 'http://www.onvif.org/ver10/error',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
} as const;

const PASSWORD_DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const MAX_RESPONSE = 4 * 1024 * 1024;

/** PasswordDigest = Base64(SHA1(nonce + created + password)). */
export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return crypto
    .createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64');
}

/** A time as cameras like it: ISO 8601 UTC, no milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The WS-Security header. `clockOffsetMs` is camera time minus our time, so Created is in the camera's clock. */
export function securityHeader(creds: Credentials, clockOffsetMs = 0, now = Date.now()): string {
  const nonce = crypto.randomBytes(16);
  const created = isoSeconds(now + clockOffsetMs);
  return (
    `<wsse:Security s:mustUnderstand="1" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">` +
    `<wsse:UsernameToken><wsse:Username>${esc(creds.username)}</wsse:Username>` +
    `<wsse:Password Type="${PASSWORD_DIGEST}">${passwordDigest(nonce, created, creds.password)}</wsse:Password>` +
    `<wsse:Nonce EncodingType="${BASE64_BINARY}">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

export function envelope(body: string, header = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="${NS.soap}" xmlns:tds="${NS.tds}" xmlns:trt="${NS.trt}" xmlns:tptz="${NS.tptz}" ` +
    `xmlns:tev="${NS.tev}" xmlns:tt="${NS.tt}" xmlns:wsnt="${NS.wsnt}" xmlns:wsa="${NS.wsa}">` +
    `<s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

export interface SoapRequest {
  url: string;
  /** The SOAP action URI, e.g. http://www.onvif.org/ver10/device/wsdl/GetDeviceInformation. */
  action: string;
  /** Body content (the request element). */
  body: string;
  creds?: Credentials | null;
  clockOffsetMs?: number;
  timeoutMs: number;
  /** Extra header XML, such as WS-Addressing for pull-point calls. */
  header?: string;
  signal?: AbortSignal;
  /** Receives the raw answer text (for parts that must be echoed verbatim). */
  onRaw?: (xml: string) => void;
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.host;
  } catch {
    return url;
  }
}

/** One HTTP POST with a hard deadline. Network failures become OnvifErrors. */
export function httpPost(url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new OnvifError('unreachable', `"${url}" is not a valid address; give one like http://192.168.1.20/onvif/device_service`));
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      reject(new OnvifError('unreachable', `"${url}" must start with http:// or https://`));
      return;
    }
    const lib = u.protocol === 'https:' ? https : http;
    let done = false;
    const finish = (err: Error | null, ans?: HttpAnswer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(ans!);
    };
    const req = lib.request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' },
        agent: false,
        // Cameras nearly always present self-signed certificates.
        ...(u.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE) {
            req.destroy();
            finish(new OnvifError('garbage', `the device at ${u.host} sent more than ${MAX_RESPONSE} bytes for one SOAP answer`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => finish(netError(e, u.host, timeoutMs)));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(new OnvifError('timeout', `no answer from ${u.host} within ${fmtSeconds(timeoutMs)}: the device is slow, overloaded, or this is not an ONVIF port`));
    }, timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish(new OnvifError('timeout', 'cancelled'));
    };
    if (signal) {
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    }
    req.on('error', (e) => finish(netError(e, u.host, timeoutMs)));
    req.end(body);
  });
}

function fmtSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function netError(e: Error, host: string, timeoutMs: number): OnvifError {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return new OnvifError('unreachable', `nothing accepts connections at ${host} (connection refused): check the address and port; ONVIF usually listens on port 80`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return new OnvifError('unreachable', `${host} is unreachable (${code}): check that the camera is powered and on this network`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new OnvifError('unreachable', `the host name in ${host} could not be resolved (${code}); use the camera's IP address`);
    case 'ETIMEDOUT':
      return new OnvifError('timeout', `no answer from ${host} within ${fmtSeconds(timeoutMs)} (${code})`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new OnvifError('unreachable', `${host} closed the connection without answering (${code}): the device may be rebooting, or this is not an ONVIF port`);
    default:
      return new OnvifError('unreachable', `could not talk to ${host}: ${e.message}`);
  }
}

const AUTH_WORDS = /notauthori[sz]ed|failedauthentication|not\s+authori[sz]ed|unauthori[sz]ed|authentication|invalid\s*(user|password|credential)|password|sender not authori/i;

/** The fault inside a parsed SOAP Body (SOAP 1.2 or 1.1), if any. */
export function faultOf(body: unknown): { code: string; reason: string } | null {
  const f = child(body, 'Fault');
  if (f === undefined) return null;
  // SOAP 1.2: Code/Value, Code/Subcode/Value (nested), Reason/Text
  const codes: string[] = [];
  let c = child(f, 'Code');
  for (let i = 0; c !== undefined && i < 5; i++) {
    const v = text(child(c, 'Value'));
    if (v) codes.push(v);
    c = child(c, 'Subcode');
  }
  // SOAP 1.1: faultcode/faultstring
  const fc = text(child(f, 'faultcode'));
  if (fc) codes.push(fc);
  const reasons = all(child(f, 'Reason'), 'Text').map((t) => text(t) ?? '');
  const fs = text(child(f, 'faultstring'));
  if (fs) reasons.push(fs);
  const detail = child(f, 'Detail') ?? child(f, 'detail');
  const detailText = detail !== undefined ? flatText(detail) : '';
  const reason = [...reasons.filter(Boolean), detailText].filter(Boolean).join('; ');
  return { code: codes.join(' / ') || 'unknown', reason: reason || 'no reason given' };
}

function flatText(n: unknown, depth = 0): string {
  if (depth > 8) return '';
  if (typeof n === 'string') return n;
  if (Array.isArray(n)) return n.map((x) => flatText(x, depth + 1)).filter(Boolean).join(' ');
  if (n && typeof n === 'object') {
    return Object.entries(n as XNode)
      .filter(([k]) => !k.startsWith('@_'))
      .map(([, v]) => flatText(v, depth + 1))
      .filter(Boolean)
      .join(' ');
  }
  return '';
}

/** Local name of a QName value like "ter:NotAuthorized". */
function localName(q: string): string {
  return q.replace(/^.*:/, '');
}

/** Read a SOAP answer: the Body node, or the right OnvifError. */
export function readSoapAnswer(ans: HttpAnswer, host: string, operation: string): XNode {
  const t = ans.body.trim();
  if (!t) {
    if (ans.status === 401) throw new OnvifError('auth', `${host} refused the username or password (HTTP 401) for ${operation}: check them; many cameras keep a separate ONVIF user list`);
    throw new OnvifError(ans.status >= 400 ? 'http' : 'garbage', `${host} sent an empty answer (HTTP ${ans.status}) to ${operation}: this is not an ONVIF service address (usually http://IP/onvif/device_service)`);
  }
  let doc: XNode;
  try {
    doc = parseXml(t);
  } catch (err) {
    if (ans.status === 401) throw new OnvifError('auth', `${host} refused the username or password (HTTP 401) for ${operation}`);
    const snippet = t.slice(0, 60).replace(/\s+/g, ' ');
    const why = err instanceof XmlSyntaxError ? err.message : String(err);
    throw new OnvifError('garbage', `${host} answered ${operation} with something that is not XML (${why}; it starts "${snippet}"): check that the address is the camera's ONVIF service, usually http://IP/onvif/device_service`);
  }
  const env = child(doc, 'Envelope');
  const body = child(env, 'Body');
  if (env === undefined || body === undefined) {
    if (ans.status === 401) throw new OnvifError('auth', `${host} refused the username or password (HTTP 401) for ${operation}`);
    const root = Object.keys(doc)[0] ?? 'nothing';
    throw new OnvifError('garbage', `${host} answered ${operation} with XML that is not a SOAP envelope (root element <${root}>): check that the address is the camera's ONVIF service, usually http://IP/onvif/device_service`);
  }
  const fault = faultOf(body);
  if (fault) {
    const codeText = fault.code;
    if (AUTH_WORDS.test(codeText) || (ans.status === 401) || /notauthori[sz]ed|authentication failed|sender not authori/i.test(fault.reason)) {
      throw new OnvifError(
        'auth',
        `${host} refused the username or password (${codeText.split(' / ').map(localName).pop()}) for ${operation}: check them, and that the user exists in the camera's ONVIF user list`,
        codeText,
      );
    }
    const codes = codeText.split(' / ');
    if (codes.some((c) => /ActionNotSupported|NotImplemented|NoSuchService/i.test(c))) {
      throw new OnvifError('unsupported', `${host} does not support ${operation} (${codes.map(localName).join('/')})`, codeText);
    }
    throw new OnvifError('fault', `${host} returned a SOAP fault for ${operation}: ${codes.map(localName).join('/')}: ${fault.reason}`, codeText);
  }
  if (ans.status === 401) throw new OnvifError('auth', `${host} refused the username or password (HTTP 401) for ${operation}`);
  if (ans.status >= 400) throw new OnvifError('http', `${host} answered ${operation} with HTTP ${ans.status} and no SOAP fault: check the service address`);
  return body as XNode;
}

/** Make one SOAP call and return the parsed Body. */
export async function soapCall(req: SoapRequest): Promise<XNode> {
  const operation = req.action.replace(/^.*\//, '');
  const host = hostOf(req.url);
  const header = (req.creds ? securityHeader(req.creds, req.clockOffsetMs ?? 0) : '') + (req.header ?? '');
  const xml = envelope(req.body, header);
  const headers: Record<string, string> = { 'content-type': `application/soap+xml; charset=utf-8; action="${req.action}"` };
  let ans = await httpPost(req.url, xml, headers, req.timeoutMs, req.signal);
  if (ans.status === 401 && req.creds) {
    // Some firmwares (Axis, newer Hikvision) want HTTP Digest instead of, or on top of, WS-Security.
    const ch = ans.headers['www-authenticate'];
    const challenge = Array.isArray(ch) ? ch.find((c) => /digest/i.test(c)) : ch;
    if (challenge) {
      const u = new URL(req.url);
      const auth = httpDigest(challenge, req.creds, 'POST', u.pathname + u.search);
      if (auth) {
        const again = envelope(req.body, securityHeader(req.creds, req.clockOffsetMs ?? 0) + (req.header ?? ''));
        ans = await httpPost(req.url, again, { ...headers, authorization: auth }, req.timeoutMs, req.signal);
      }
    }
  }
  const body = readSoapAnswer(ans, host, operation);
  req.onRaw?.(ans.body);
  return body;
}

