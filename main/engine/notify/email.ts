/**
 * E-mail notices over SMTP (nodemailer): TLS as configured (STARTTLS
 * required, implicit TLS, or none), the server's certificate always checked
 * (against the system's CAs, plus `caFile` when given), the password opened
 * from its sealed form only to log in. One attempt per call: retries are the
 * delivery queue's (deliveries.ts).
 */
import fs from 'node:fs';
import nodemailer from 'nodemailer';
import type { NotifySetup } from '../../api/notify.js';
import type { SecretBox } from '../config/secrets.js';
import { SendError } from './send-error.js';

type Smtp = NonNullable<NotifySetup['smtp']>;

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** The alarm's snapshot, attached (and shown inline in the HTML part as cid:snapshot). */
  snapshot?: { filename: string; jpeg: Buffer } | null;
}

const CONNECT_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

export function smtpHostPort(url: string): { host: string; port: number; implicit: boolean } {
  const u = new URL(url);
  const implicit = u.protocol === 'smtps:';
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : implicit ? 465 : 587, implicit };
}

/** The transport options for a configured server (throws a permanent SendError for a CA file that can't be read). */
export function transportOptions(smtp: Smtp, secrets: SecretBox): Parameters<typeof nodemailer.createTransport>[0] {
  const { host, port } = smtpHostPort(smtp.url);
  let ca: Buffer | undefined;
  if (smtp.caFile) {
    try {
      ca = fs.readFileSync(smtp.caFile);
    } catch (err) {
      throw new SendError(
        `the SMTP CA file ${smtp.caFile} could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); fix it with gatehouse smtp set --ca FILE`,
        'permanent',
      );
    }
  }
  let pass: string | undefined;
  if (smtp.passwordSealed) {
    try {
      pass = secrets.open(smtp.passwordSealed);
    } catch (err) {
      throw new SendError(
        `the SMTP password could not be opened (${(err as Error).message}); set it again with gatehouse smtp set`,
        'permanent',
      );
    }
  }
  return {
    host,
    port,
    secure: smtp.tls === 'implicit',
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'none',
    auth: smtp.user ? { user: smtp.user, pass: pass ?? '' } : undefined,
    tls: {
      rejectUnauthorized: true,
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      ...(ca ? { ca: [ca] } : {}),
      minVersion: 'TLSv1.2',
    },
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    disableFileAccess: true,
    disableUrlAccess: true,
  } as Parameters<typeof nodemailer.createTransport>[0];
}

/** Send one e-mail; resolves with the server's answer, rejects with a SendError that says what happened. */
export async function sendMail(smtp: Smtp | null, secrets: SecretBox, m: MailMessage): Promise<string> {
  if (!smtp)
    throw new SendError(
      'no SMTP server is set; an administrator sets one with gatehouse smtp set --url smtp://HOST:PORT (or in Settings → On call)',
      'permanent',
    );
  const transport = nodemailer.createTransport(transportOptions(smtp, secrets));
  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html,
      attachments: m.snapshot
        ? [{ filename: m.snapshot.filename, content: m.snapshot.jpeg, contentType: 'image/jpeg', cid: 'snapshot' }]
        : [],
      headers: { 'X-Gatehouse': 'notice', 'Auto-Submitted': 'auto-generated' },
    });
    if (info.rejected?.length)
      throw new SendError(`the SMTP server refused ${info.rejected.join(', ')}: ${info.response ?? ''}`.trim(), 'retry');
    return info.response ?? 'accepted';
  } catch (err) {
    if (err instanceof SendError) throw err;
    throw smtpError(err, smtp);
  } finally {
    transport.close();
  }
}

function smtpError(err: unknown, smtp: Smtp): SendError {
  const e = err as Error & { code?: string; responseCode?: number; response?: string };
  const { host, port } = smtpHostPort(smtp.url);
  const where = `${host}:${port}`;
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(e.message))
    return new SendError(`the SMTP server ${where} refused the connection (is it running, is the port right?)`, 'retry');
  if (e.code === 'ETIMEDOUT' || e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'EDNS' || e.code === 'ENOTFOUND') {
    const tlsHint = /certificate|self[- ]signed|unable to verify|altnames/i.test(e.message)
      ? '; its certificate is not trusted: give its CA with gatehouse smtp set --ca FILE'
      : /wrong version number|ssl3_get_record|packet length too long/i.test(e.message)
        ? '; the TLS mode does not match the port (587 is usually starttls, 465 implicit)'
        : '';
    return new SendError(`could not talk to the SMTP server ${where}: ${e.message}${tlsHint}`, 'retry');
  }
  if (e.code === 'EAUTH')
    return new SendError(
      `the SMTP server ${where} did not accept the user name or password (${e.response ?? e.message}); fix them with gatehouse smtp set`,
      'retry',
    );
  if (e.code === 'ETLS') return new SendError(`TLS with the SMTP server ${where} failed: ${e.message}; check --tls and --ca`, 'retry');
  if (e.responseCode)
    return new SendError(`the SMTP server ${where} answered ${e.responseCode}: ${(e.response ?? e.message).slice(0, 300)}`, 'retry');
  return new SendError(`sending through ${where} failed: ${e.message}`, 'retry');
}
