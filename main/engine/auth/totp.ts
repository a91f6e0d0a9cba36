/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) and recovery
 * codes: pure functions on Node's crypto, tested against the RFC's vectors
 * (totp.test.ts). The policy around them (sealing, replay, rate limits) is in
 * two-factor.ts.
 *
 * Parameters are the ones every authenticator app understands: HMAC-SHA-1,
 * 6 digits, 30 s steps, a 160-bit secret shown as base32 (RFC 4648, no
 * padding). A code is accepted for the current step and one step either side
 * (±30 s of clock drift) and only for a step after the last one accepted, so
 * a code that was used once is refused for the rest of its window.
 */
import crypto from 'node:crypto';

export const TOTP_STEP_S = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now that are accepted (RFC 6238 §5.2 recommends at most one). */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODES = 10;

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** Decode base32 (case, spaces and padding ignored); throws on another character. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const v = B32.indexOf(ch);
    if (v < 0) throw new Error(`"${ch}" is not a base32 character`);
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new secret: 20 random bytes (160 bits, the HMAC-SHA-1 block RFC 4226 recommends), base32. */
export function newTotpSecret(): string {
  return base32Encode(crypto.randomBytes(20));
}

/** HOTP (RFC 4226): the code for a counter. */
export function hotp(key: Buffer, counter: number, digits = TOTP_DIGITS, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac(algorithm, key).update(msg).digest();
  const off = mac[mac.length - 1]! & 0x0f;
  const bin = ((mac[off]! & 0x7f) << 24) | (mac[off + 1]! << 16) | (mac[off + 2]! << 8) | mac[off + 3]!;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The time step of an instant (ms since the epoch). */
export function totpStep(nowMs: number, stepS = TOTP_STEP_S): number {
  return Math.floor(nowMs / 1000 / stepS);
}

/** The code of a base32 secret at an instant. */
export function totpCode(secret: string, nowMs: number): string {
  return hotp(base32Decode(secret), totpStep(nowMs));
}

/** True when `text` looks like an authenticator code (6 digits, spaces allowed: "123 456"). */
export function isTotpCode(text: string): boolean {
  return /^\d{6}$/.test(text.replace(/\s/g, ''));
}

/**
 * Check a code: the step it belongs to (now ± TOTP_WINDOW) when it is right
 * and newer than `lastStep` (the last step accepted for this user), else
 * null. The caller stores the returned step as the new `lastStep`: that is
 * the replay protection.
 */
export function verifyTotp(secret: string, code: string, nowMs: number, lastStep: number, window = TOTP_WINDOW): number | null {
  const given = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(given)) return null;
  const key = base32Decode(secret);
  const now = totpStep(nowMs);
  let hit: number | null = null;
  // Check every candidate (no early exit), so the time taken says nothing about which one matched.
  for (let s = now - window; s <= now + window; s++) {
    const ok = crypto.timingSafeEqual(Buffer.from(hotp(key, s)), Buffer.from(given));
    if (ok && s > lastStep && hit === null) hit = s;
  }
  return hit;
}

/** The otpauth:// URI authenticator apps read from the QR code. */
export function otpauthUri(secret: string, account: string, issuer: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  // %20, not "+": some apps show a "+" literally
  const q = Object.entries({ secret, issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_S) })
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `otpauth://totp/${label}?${q}`;
}

// Recovery codes: 16 characters from 30 that can't be mistaken for each other (no 0/o, 1/i/l, u), about 78 bits.
const RC_ALPHABET = 'abcdefghjkmnpqrstvwxyz23456789';

/** One recovery code, "abcd-efgh-jkmn-pqrs". */
export function newRecoveryCode(): string {
  let s = '';
  while (s.length < 16) {
    const b = crypto.randomBytes(32);
    for (const x of b) {
      // rejection sampling: 240 = 8 × 30, so every symbol is equally likely
      if (x < 240 && s.length < 16) s += RC_ALPHABET[x % 30];
    }
  }
  return s.match(/.{4}/g)!.join('-');
}

export function newRecoveryCodes(n = RECOVERY_CODES): string[] {
  return Array.from({ length: n }, () => newRecoveryCode());
}

/** A typed recovery code without case, spaces and dashes, or null when it can't be one. */
export function normaliseRecoveryCode(text: string): string | null {
  const s = text.toLowerCase().replace(/[\s-]/g, '');
  if (s.length !== 16) return null;
  for (const ch of s) if (!RC_ALPHABET.includes(ch)) return null;
  return s;
}

/**
 * What is stored of a recovery code: SHA-256 (hex) of its normalised form.
 * A fast hash is enough at 78 bits of randomness (as for session tokens);
 * scrypt is for passwords people choose.
 */
export function hashRecoveryCode(code: string): string | null {
  const n = normaliseRecoveryCode(code);
  return n ? crypto.createHash('sha256').update(`gatehouse-recovery:${n}`).digest('hex') : null;
}

/** Index of the stored hash that `code` matches, or -1 (each hash compared in constant time). */
export function matchRecoveryCode(hashes: readonly string[], code: string): number {
  const h = hashRecoveryCode(code);
  if (!h) return -1;
  const mine = Buffer.from(h, 'hex');
  let found = -1;
  hashes.forEach((x, i) => {
    const other = Buffer.from(x, 'hex');
    if (other.length === mine.length && crypto.timingSafeEqual(other, mine) && found < 0) found = i;
  });
  return found;
}
