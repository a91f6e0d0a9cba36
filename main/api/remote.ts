/**
 * Remote access (issue 16, docs/security.md "Remote access"): what the
 * server's listeners are (TLS certificate and its fingerprints, so a user can
 * check what their browser shows), the desktop app's remote-access setting,
 * and two-factor sign-in (TOTP, RFC 6238) with recovery codes.
 *
 * Sign-in with a second factor: `auth.login` (core.ts) answers
 * `{next: 'totp' | 'enrol', ticket}` instead of a session when the password
 * was right and a second step is due; the ticket (5 min, bound to the client
 * address, at most 5 wrong codes) then goes to `auth.totpVerify`, or, for an
 * admin who must enrol first, to `auth.totpEnrolBegin` and
 * `auth.totpEnrolFinish`. The methods that end with a session
 * (SIGN_IN_METHODS) answer `{user, token}` like `auth.login`, and every
 * transport treats them alike (cookie, socket session, desktop window).
 *
 * Imported by the renderer too: no Node APIs here.
 */
import { z } from 'zod';
import type { Me } from './types.js';

/** Six digits from the authenticator app, or one of the recovery codes ("abcd-efgh-jkmn-pqrs"). */
const Code = z
  .string()
  .trim()
  .min(6, 'enter the 6-digit code from your authenticator app, or a recovery code')
  .max(40, 'a code is 6 digits, a recovery code 16 letters and digits');
const Ticket = z.string().min(20).max(200);
const Username = z.string().trim().min(1).max(64);

/** Where the desktop app listens for other machines (besides its own 127.0.0.1 console); docs/security.md. */
export const RemoteAccessSetup = z
  .object({
    /** Open a second listener for phones and other PCs. */
    enabled: z.boolean().default(false),
    /** Address to bind: 0.0.0.0 (every interface), or one of this machine's addresses. */
    host: z.string().min(1).max(64).regex(/^[0-9A-Za-z.:_-]+$/, 'an IP address or host name, without a port').default('0.0.0.0'),
    port: z.number().int().min(1).max(65535).default(8743),
    /** PEM files given by the admin; both null: a self-signed certificate made in the data dir (tls/). */
    certFile: z.string().min(1).max(4096).nullable().default(null),
    keyFile: z.string().min(1).max(4096).nullable().default(null),
  })
  .strict()
  .refine((r) => (r.certFile === null) === (r.keyFile === null), { message: 'give both certFile and keyFile, or neither (a self-signed certificate)', path: ['keyFile'] });
export type RemoteAccessSetup = z.output<typeof RemoteAccessSetup>;

export const remoteRequests = {
  /** Listeners, the TLS certificate and the two-factor policy: what Settings → Remote access shows. */
  'system.remoteAccess': { role: 'guard', input: z.object({}).strict() },
  /** The desktop app's remote-access listener (config.json "remoteAccess"); used at its next start. */
  'system.setRemoteAccess': { role: 'admin', input: z.object({ setup: RemoteAccessSetup }).strict() },

  /** Second step of a sign-in: the code for the ticket `auth.login` gave. */
  'auth.totpVerify': { role: null, input: z.object({ ticket: Ticket, username: Username, code: Code }).strict() },
  /** An admin who must enrol before signing in: a new secret for the ticket. */
  'auth.totpEnrolBegin': { role: null, input: z.object({ ticket: Ticket, username: Username }).strict() },
  /** …and the first code from the app: two-factor is on, the session starts, the recovery codes are shown once. */
  'auth.totpEnrolFinish': { role: null, input: z.object({ ticket: Ticket, username: Username, code: Code }).strict() },

  'auth.totpStatus': { role: 'guard', input: z.object({}).strict() },
  /** Start enrolling (signed in): the current password again, then a new secret. */
  'auth.totpBegin': { role: 'guard', input: z.object({ password: z.string().max(256) }).strict() },
  /** Finish enrolling with the first code from the app; answers the recovery codes (shown once). */
  'auth.totpEnable': { role: 'guard', input: z.object({ code: Code }).strict() },
  /** Turn two-factor off: the password and a code (or a recovery code). Refused for admins where it is required. */
  'auth.totpDisable': { role: 'guard', input: z.object({ password: z.string().max(256), code: Code }).strict() },
  /** Ten new recovery codes (the old ones stop working): a current code is needed. */
  'auth.totpRecoveryCodes': { role: 'guard', input: z.object({ code: Code }).strict() },
  /** An admin turns another user's two-factor off (a lost phone): their sessions end; they enrol again if required. */
  'users.totpReset': { role: 'admin', input: z.object({ username: z.string().trim().min(2).max(32) }).strict() },
} as const;

/** A TLS certificate as the server uses it: what a user compares with what the browser shows. */
export interface CertificateInfo {
  /** SHA-256 of the certificate (DER), "AB:CD:…" as browsers show it. */
  fingerprint256: string;
  /** SHA-256 of the public key (SPKI, base64): what `--ignore-certificate-errors-spki-list` and pinning use. */
  spki256: string;
  subject: string;
  issuer: string;
  /** DNS names and IP addresses it is valid for. */
  names: string[];
  validFrom: string;
  validTo: string;
  /** Made by Gatehouse (self-signed, in the data dir's tls/), or given by the admin. */
  source: 'generated' | 'given';
  certFile: string;
}

/** One address the server listens on. */
export interface ListenerInfo {
  url: string;
  host: string;
  port: number;
  /** Reachable from other machines (not bound to loopback only). */
  beyondLoopback: boolean;
  /** null: plain HTTP. */
  tls: CertificateInfo | null;
  /** HSTS sent (TLS only). */
  hsts: boolean;
}

export interface RemoteAccessInfo {
  listeners: ListenerInfo[];
  /** Admins must use two-factor sign-in (the server listens beyond loopback, or security.adminTotp is "always"). */
  adminTotpRequired: boolean;
  /** The desktop app's setting (config "remoteAccess"), with defaults; applies at its next start. */
  desktop: RemoteAccessSetup;
}

/** `auth.login` when the password was right and a second step is due. */
export interface SecondStep {
  /** totp: enter a code; enrol: this admin must set up two-factor sign-in first. */
  next: 'totp' | 'enrol';
  ticket: string;
  username: string;
  /** Seconds the ticket stays valid. */
  expiresInS: number;
}
/** A finished sign-in. */
export interface SignedIn {
  user: Me;
  token: string;
}
export type LoginResult = SignedIn | SecondStep;

export function isSecondStep(r: LoginResult): r is SecondStep {
  return 'next' in r && 'ticket' in r;
}

/** What an authenticator app needs: the secret as a QR code (SVG, made in the engine) and as text. */
export interface TotpEnrolment {
  /** Base32 (RFC 4648, no padding), for typing in. */
  secret: string;
  /** otpauth://totp/… */
  uri: string;
  /** The URI as a QR code: an SVG document. */
  qrSvg: string;
  /** Seconds until this secret is forgotten unless confirmed. */
  expiresInS: number;
}

export interface TotpStatus {
  enabled: boolean;
  enabledAt: string | null;
  /** Unused recovery codes left. */
  recoveryLeft: number;
  /** This user must have it (an admin on a server reachable from the network). */
  required: boolean;
}

/** The methods that end with a session: `{user, token}` (transports set the cookie or the window's session). */
export const SIGN_IN_METHODS = ['auth.login', 'auth.totpVerify', 'auth.totpEnrolFinish'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

export interface RemoteResults {
  'system.remoteAccess': RemoteAccessInfo;
  'system.setRemoteAccess': RemoteAccessSetup;
  'auth.totpVerify': SignedIn & { secondFactor: 'totp' | 'recovery'; recoveryLeft: number };
  'auth.totpEnrolBegin': TotpEnrolment;
  'auth.totpEnrolFinish': SignedIn & { recoveryCodes: string[] };
  'auth.totpStatus': TotpStatus;
  'auth.totpBegin': TotpEnrolment;
  'auth.totpEnable': { recoveryCodes: string[] };
  'auth.totpDisable': { ok: true };
  'auth.totpRecoveryCodes': { recoveryCodes: string[] };
  'users.totpReset': { ok: true };
}

export type RemoteEvents = Record<never, never>;
export const REMOTE_EVENT_NAMES = [] as const;
