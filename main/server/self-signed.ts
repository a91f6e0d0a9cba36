/**
 * The self-signed certificate `gatehouse serve --tls` makes when the admin
 * gives none (docs/security.md, "HTTPS"): ECDSA P-256, SHA-256, 825 days
 * (the longest iOS accepts), CA:false, serverAuth, one certificate for every
 * name and address of this machine. Made with @peculiar/x509 on Node's
 * WebCrypto (no hand-made ASN.1).
 *
 * Kept in `<data dir>/tls/`: `cert.pem` and `key.pem` (0600, not sealed: it
 * only protects the transport, a reverse proxy may need to read it, and the
 * headless server could not open a key the desktop app's keychain sealed).
 * Made again at start when it is missing, unreadable, expires within 30
 * days, does not match its key, or lacks one of the machine's names (the
 * new one keeps the old names, so an address that comes and goes does not
 * change it every time).
 */
import 'reflect-metadata';
import crypto, { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

export const SELF_SIGNED_DAYS = 825;
/** Made again when it expires sooner than this. */
export const RENEW_BEFORE_MS = 30 * 86_400_000;
const MAX_NAMES = 100;

// Node's WebCrypto (its type differs from the DOM's Crypto the library declares, not its behaviour)
x509.cryptoProvider.set(webcrypto as never);

/** The names and addresses this machine is reached by: loopback, its host name (and .local), every interface address, `extra`. */
export function machineNames(extra: readonly string[] = []): string[] {
  const names = new Set<string>(['localhost', '127.0.0.1', '::1']);
  const host = os.hostname().toLowerCase();
  if (/^[a-z0-9.-]+$/.test(host)) {
    names.add(host);
    if (!host.includes('.')) names.add(`${host}.local`);
  }
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      // link-local IPv6 (fe80::/10) needs a zone, which a URL can't carry to a certificate check
      if (a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)) continue;
      names.add(a.address.toLowerCase());
    }
  }
  for (const e of extra) {
    const n = e.trim().toLowerCase().replace(/^\[|\]$/g, '');
    if (n && n !== '0.0.0.0' && n !== '::') names.add(n);
  }
  return [...names];
}

function generalNames(names: readonly string[]): x509.JsonGeneralName[] {
  return names.map((n) => (net.isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }));
}

/** A new self-signed certificate (PEM) and its private key (PKCS#8 PEM) for `names`. */
export async function makeSelfSigned(names: readonly string[], now = new Date()): Promise<{ cert: string; key: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serial = crypto.randomBytes(16);
  serial[0]! &= 0x7f; // a positive serial number
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '').slice(0, 40) || 'gatehouse';
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=Gatehouse ${host}, O=Gatehouse (self-signed)`,
    notBefore: new Date(now.getTime() - 3_600_000), // an hour of clock skew on the client
    notAfter: new Date(now.getTime() + SELF_SIGNED_DAYS * 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(generalNames(names.slice(0, MAX_NAMES)), false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem') + '\n', key };
}

/** A name as compared with a certificate's: lower case, IPv6 written out in full ("::1" → "0:0:0:0:0:0:0:1", as Node lists it). */
export function canonicalName(n: string): string {
  const s = n.trim().toLowerCase();
  if (!net.isIPv6(s)) return s;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  let text = s;
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    text = s.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g || '0', 16).toString(16)).join(':');
}

/** The names (DNS and IP) a certificate's subjectAltName lists. */
export function certificateNames(cert: crypto.X509Certificate): string[] {
  const out: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(/,\s*/)) {
    const m = /^(DNS|IP Address):(.+)$/.exec(part.trim());
    if (m) out.push(m[2]!.toLowerCase());
  }
  return out;
}

export interface SelfSignedFiles {
  dir: string;
  cert: string;
  key: string;
}

export function selfSignedFiles(dataDir: string): SelfSignedFiles {
  const dir = path.join(dataDir, 'tls');
  return { dir, cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
}

/** Why the kept certificate must be made again, or null when it is good for `names`. */
export function renewReason(certPem: string, keyPem: string, names: readonly string[], now = Date.now()): string | null {
  let cert: crypto.X509Certificate;
  let key: crypto.KeyObject;
  try {
    cert = new crypto.X509Certificate(certPem);
    key = crypto.createPrivateKey(keyPem);
  } catch (err) {
    return `the kept certificate could not be read (${(err as Error).message})`;
  }
  if (!cert.checkPrivateKey(key)) return 'the kept certificate does not match its key';
  if (Date.parse(cert.validTo) - now < RENEW_BEFORE_MS) return `the kept certificate expires on ${new Date(cert.validTo).toISOString().slice(0, 10)}`;
  if (Date.parse(cert.validFrom) > now + 3_600_000) return 'the kept certificate is not valid yet (was the clock wrong when it was made?)';
  const have = new Set(certificateNames(cert).map(canonicalName));
  const missing = names.filter((n) => !have.has(canonicalName(n)));
  if (missing.length) return `this machine is now also reached as ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' …' : ''}`;
  return null;
}

/**
 * The self-signed certificate for this data dir, made (again) when needed.
 * `renewed` says why a new one was made (its fingerprint changed), null when
 * the kept one is still good.
 */
export async function ensureSelfSigned(dataDir: string, names: readonly string[]): Promise<{ files: SelfSignedFiles; renewed: string | null }> {
  const files = selfSignedFiles(dataDir);
  fs.mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  let reason: string | null = 'none was made yet';
  let keptNames: string[] = [];
  if (fs.existsSync(files.cert) || fs.existsSync(files.key)) {
    try {
      const certPem = fs.readFileSync(files.cert, 'utf8');
      const keyPem = fs.readFileSync(files.key, 'utf8');
      reason = renewReason(certPem, keyPem, names);
      try {
        keptNames = certificateNames(new crypto.X509Certificate(certPem));
      } catch {
        /* unreadable: made again with the current names */
      }
    } catch (err) {
      reason = `the kept certificate could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
  }
  if (!reason) return { files, renewed: null };
  const seen = new Set<string>();
  const all = [...names, ...keptNames].filter((n) => {
    const c = canonicalName(n);
    if (seen.has(c)) return false;
    seen.add(c);
    return true;
  });
  const made = await makeSelfSigned(all);
  // the key first, created 0600 from the start; both written whole (temp file, then rename)
  for (const [file, text] of [
    [files.key, made.key],
    [files.cert, made.cert],
  ] as const) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  return { files, renewed: reason };
}
