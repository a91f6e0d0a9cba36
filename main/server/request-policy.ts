/**
 * Who may talk to the server, decided from the request's headers before any
 * route runs (docs/security.md):
 *
 * - **Host** (DNS rebinding): only the names and addresses this server is
 *   reached by: loopback (localhost, *.localhost, 127.0.0.0/8, ::1), the
 *   `--host` address, this machine's own addresses when bound to all of them
 *   (0.0.0.0 / ::), and the configured `--allowed-hosts` /
 *   `security.allowedHosts`. Anything else (a name that an attacker's DNS
 *   points at this machine) gets 421. No Host at all: 400.
 * - **Origin** (CSRF, cross-site WebSocket hijacking): a request that says it
 *   comes from a page (Origin, Sec-Fetch-Site) must come from a page this
 *   server served: same scheme-less host:port as the Host header. Browsers
 *   always send Origin on POST and on WebSocket upgrades; programs (curl, the
 *   desktop shell's link, sensors) send none and authenticate with a bearer
 *   token, which a browser never attaches by itself.
 * - **Content-Type** (CSRF with "simple" requests): RPC bodies are JSON only,
 *   so an HTML form or a `text/plain` fetch can never reach a handler.
 */
import type http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { printable } from '../engine/util/printable.js';

/** A refusal: the HTTP status, the error code of the body and the message that says what to do. */
export interface Refusal {
  status: number;
  code: 'bad_request' | 'forbidden';
  message: string;
}

export interface HostPolicyOptions {
  /** The address the server binds (--host). */
  bindHost: string;
  /** Extra names/addresses (--allowed-hosts and security.allowedHosts), read on every request. */
  allowedHosts: () => readonly string[];
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]', '']);

/** The host name of a Host header value ("[::1]:8780" → "::1", "Example.org.:80" → "example.org"), or null if malformed. */
export function hostnameOf(hostHeader: string): string | null {
  const h = hostHeader.trim().toLowerCase();
  if (!h) return null;
  let name: string;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return null;
    name = h.slice(1, end);
    const rest = h.slice(end + 1);
    if (rest && !/^:\d{1,5}$/.test(rest)) return null;
    if (!net.isIPv6(name)) return null;
  } else {
    const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(h);
    if (!m) return null;
    name = m[1]!;
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (!/^[a-z0-9_.:-]+$/.test(name)) return null;
  return name;
}

function isLoopback(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (net.isIPv4(name)) return name.startsWith('127.');
  if (net.isIPv6(name)) return name === '::1' || name === '0:0:0:0:0:0:0:1' || name.startsWith('::ffff:127.');
  return false;
}

function normalise(entry: string): string {
  const e = entry.trim().toLowerCase().replace(/\.$/, '');
  return e.startsWith('[') && e.endsWith(']') ? e.slice(1, -1) : e;
}

export class HostPolicy {
  private ifaceCache: { at: number; set: Set<string> } | null = null;

  constructor(private readonly o: HostPolicyOptions) {}

  /** This machine's interface addresses (refreshed every 30 s: a DHCP lease may change). */
  private interfaceAddresses(): Set<string> {
    const now = Date.now();
    if (!this.ifaceCache || now - this.ifaceCache.at > 30_000) {
      const set = new Set<string>();
      for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) set.add(a.address.toLowerCase().replace(/%.*$/, ''));
      this.ifaceCache = { at: now, set };
    }
    return this.ifaceCache.set;
  }

  allows(name: string): boolean {
    if (isLoopback(name)) return true;
    const bind = normalise(this.o.bindHost);
    if (!WILDCARD.has(bind) && name === bind) return true;
    if (WILDCARD.has(bind) && net.isIP(name) && this.interfaceAddresses().has(name)) return true;
    for (const raw of this.o.allowedHosts()) {
      const a = normalise(raw);
      if (a === name) return true;
      if (a.startsWith('*.') && name.endsWith(a.slice(1)) && name.length > a.length - 1) return true;
    }
    return false;
  }

  /** null when the Host header names this server; else the refusal (400 without a Host, 421 for another name). */
  check(req: http.IncomingMessage): Refusal | null {
    const header = req.headers.host;
    if (!header) {
      return { status: 400, code: 'bad_request', message: 'the request has no Host header; send the name or address you reached this server by' };
    }
    const name = hostnameOf(header);
    if (!name) return { status: 400, code: 'bad_request', message: `the Host header "${printable(header.slice(0, 100))}" is malformed` };
    if (this.allows(name)) return null;
    return {
      status: 421,
      code: 'forbidden',
      message:
        `this Gatehouse does not answer to the host name "${printable(name.slice(0, 100))}". If that is the name your site uses for it, ` +
        `start it with --allowed-hosts ${printable(name.slice(0, 100))} (or add it to "security.allowedHosts" in config.json); ` +
        `it answers to loopback, its --host address and the names listed there (docs/security.md, "Host names")`,
    };
  }
}

/**
 * For a request that changes something, or opens a socket: refuse it when a
 * browser says it comes from another site. Programs that send no Origin and
 * no Sec-Fetch-Site pass (they must still authenticate).
 */
export function checkOrigin(req: http.IncomingMessage): Refusal | null {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    return {
      status: 403,
      code: 'forbidden',
      message: `a ${printable(site.slice(0, 20))} request was refused: only pages served by this Gatehouse may call it (open the console from its own address)`,
    };
  }
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  const host = (req.headers.host ?? '').trim().toLowerCase();
  let originHost: string | null = null;
  try {
    const u = new URL(origin);
    if (u.protocol === 'http:' || u.protocol === 'https:') originHost = u.host.toLowerCase();
  } catch {
    /* "null" or garbage */
  }
  if (originHost && host && originHost === host) return null;
  return {
    status: 403,
    code: 'forbidden',
    message:
      `a request from ${printable(origin.slice(0, 100))} was refused: only pages served by this Gatehouse (${printable(host.slice(0, 100)) || 'its own address'}) may call it. ` +
      'Behind a reverse proxy, pass the Host header through unchanged',
  };
}

/**
 * For cookie-authenticated reads (media, live video): refuse what a browser
 * marks as coming from another site, even a same-site one (another port on
 * this host), which the SameSite=Strict cookie does not stop.
 */
export function checkFetchSite(req: http.IncomingMessage): Refusal | null {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    return { status: 403, code: 'forbidden', message: 'media of this Gatehouse can only be loaded by its own console' };
  }
  return null;
}

/** The media type of a request ("application/json"), without parameters; "" when absent. */
export function mediaTypeOf(req: http.IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export const JSON_ONLY =
  'RPC requests take a JSON body: send it with Content-Type: application/json (an empty body may leave the header out)';
