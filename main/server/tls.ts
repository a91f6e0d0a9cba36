/**
 * The certificate and key `serve --tls` uses (docs/security.md, "HTTPS"):
 * the admin's files (`--cert FILE --key FILE`), or the self-signed one kept
 * in the data dir (self-signed.ts). Everything is checked before anything
 * listens, and each problem is a TlsError whose message says what to do, so
 * a bad certificate never ends with the console served in plain text.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';
import type { CertificateInfo } from '../api/remote.js';
import { certificateNames, ensureSelfSigned, machineNames } from './self-signed.js';

export class TlsError extends Error {}

/** What the HTTPS server is given: PEM texts and what users compare. */
export interface TlsMaterial {
  cert: string;
  key: string;
  info: CertificateInfo;
  /** Things the admin should know (a key file readable by others, a certificate made again). */
  notes: string[];
}

export interface TlsOptions {
  dataDir: string;
  /** Both, or neither (self-signed). */
  certFile?: string;
  keyFile?: string;
  /** Names besides the machine's own to put in a self-signed certificate (--allowed-hosts, --host). */
  names?: readonly string[];
  now?: number;
}

function readPem(file: string, what: 'certificate' | 'private key', flag: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT'
        ? 'there is no such file'
        : e.code === 'EACCES'
          ? 'permission denied: make it readable by the account that runs Gatehouse'
          : e.code === 'EISDIR'
            ? 'that is a folder, not a file'
            : e.message;
    throw new TlsError(`cannot read the TLS ${what} ${file} (${flag}): ${why}`);
  }
  if (!text.includes('-----BEGIN')) throw new TlsError(`${file} (${flag}) is not a PEM file: it should start with "-----BEGIN ${what === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'}-----"`);
  return text;
}

/** SHA-256 of a certificate's public key (SubjectPublicKeyInfo, DER), base64. */
export function spkiHash(cert: crypto.X509Certificate): string {
  return crypto.createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

/** Check a certificate (chain) and key; the material, or a TlsError that says what is wrong. */
export function checkPair(certPem: string, keyPem: string, o: { certFile: string; keyFile: string; source: CertificateInfo['source']; now?: number }): TlsMaterial {
  const notes: string[] = [];
  let cert: crypto.X509Certificate;
  try {
    cert = new crypto.X509Certificate(certPem);
  } catch (err) {
    if (/PRIVATE KEY/.test(certPem)) throw new TlsError(`${o.certFile} (--cert) holds a private key, not a certificate: did you swap --cert and --key?`);
    throw new TlsError(`${o.certFile} (--cert) does not hold a certificate Gatehouse can read (${(err as Error).message}); it should be PEM, "-----BEGIN CERTIFICATE-----"`);
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch (err) {
    if (/ENCRYPTED/.test(keyPem) || /passphrase/i.test((err as Error).message)) {
      throw new TlsError(`${o.keyFile} (--key) is encrypted with a passphrase; Gatehouse needs it unencrypted (openssl pkey -in ${o.keyFile} -out key.pem), readable only by the account that runs it (chmod 600)`);
    }
    if (/BEGIN CERTIFICATE/.test(keyPem)) throw new TlsError(`${o.keyFile} (--key) holds a certificate, not a private key: did you swap --cert and --key?`);
    throw new TlsError(`${o.keyFile} (--key) does not hold a private key Gatehouse can read (${(err as Error).message})`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new TlsError(`the certificate in ${o.certFile} does not match the private key in ${o.keyFile}: give the key the certificate was issued for (compare "openssl x509 -noout -pubkey -in CERT" with "openssl pkey -pubout -in KEY")`);
  }
  const now = o.now ?? Date.now();
  if (Date.parse(cert.validTo) < now) {
    throw new TlsError(`the certificate in ${o.certFile} expired on ${new Date(cert.validTo).toISOString()}; renew it${o.source === 'given' ? ', or leave out --cert and --key to use a self-signed one' : ''}`);
  }
  if (Date.parse(cert.validFrom) > now) {
    throw new TlsError(`the certificate in ${o.certFile} is not valid until ${new Date(cert.validFrom).toISOString()}; check this machine's clock`);
  }
  if (Date.parse(cert.validTo) - now < 14 * 86_400_000) notes.push(`the certificate expires on ${new Date(cert.validTo).toISOString().slice(0, 10)}: renew it soon`);
  try {
    tls.createSecureContext({ cert: certPem, key: keyPem });
  } catch (err) {
    throw new TlsError(`the certificate and key in ${o.certFile} and ${o.keyFile} can't be used for TLS: ${(err as Error).message}`);
  }
  if (o.source === 'given' && process.platform !== 'win32') {
    try {
      const mode = fs.statSync(o.keyFile).mode & 0o777;
      if (mode & 0o007) notes.push(`${o.keyFile} can be read by every local user (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 it`);
    } catch {
      /* read above; a race is not worth a message */
    }
  }
  const info: CertificateInfo = {
    fingerprint256: cert.fingerprint256,
    spki256: spkiHash(cert),
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    names: certificateNames(cert),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    source: o.source,
    certFile: o.certFile,
  };
  return { cert: certPem, key: keyPem, info, notes };
}

/** The admin's certificate and key, or the self-signed one (made or renewed as needed). */
export async function loadTls(o: TlsOptions): Promise<TlsMaterial> {
  if ((o.certFile === undefined) !== (o.keyFile === undefined)) {
    throw new TlsError(o.certFile ? '--cert needs --key (the private key of that certificate)' : '--key needs --cert (the certificate of that key)');
  }
  if (o.certFile && o.keyFile) {
    const certPem = readPem(o.certFile, 'certificate', '--cert');
    const keyPem = readPem(o.keyFile, 'private key', '--key');
    return checkPair(certPem, keyPem, { certFile: o.certFile, keyFile: o.keyFile, source: 'given', now: o.now });
  }
  const names = machineNames(o.names ?? []);
  let made;
  try {
    made = await ensureSelfSigned(o.dataDir, names);
  } catch (err) {
    throw new TlsError(`could not make the self-signed certificate in ${o.dataDir}/tls: ${(err as Error).message}`);
  }
  const m = checkPair(fs.readFileSync(made.files.cert, 'utf8'), fs.readFileSync(made.files.key, 'utf8'), {
    certFile: made.files.cert,
    keyFile: made.files.key,
    source: 'generated',
    now: o.now,
  });
  if (made.renewed) m.notes.push(`a new self-signed certificate was made (${made.renewed}); its fingerprint is new: check it again on every device`);
  return m;
}
