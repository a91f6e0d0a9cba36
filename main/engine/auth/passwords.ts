import crypto from 'node:crypto';

const N = 16384;
const r = 8;
const p = 1;
const KEYLEN = 32;

/** scrypt hash in the form scrypt$N$r$p$salt$hash (base64). */
export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, KEYLEN, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, rr, pp] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const got = crypto.scryptSync(password, salt, expected.length, { N: n, r: rr, p: pp, maxmem: 256 * n * rr + 1024 * 1024 });
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}

/** A readable random password for the first admin. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.randomBytes(16);
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += alphabet[bytes[i]! % alphabet.length];
    if (i % 4 === 3 && i < 15) s += '-';
  }
  return s;
}
