import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  hashRecoveryCode,
  hotp,
  isTotpCode,
  matchRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  normaliseRecoveryCode,
  otpauthUri,
  totpCode,
  totpStep,
  verifyTotp,
} from './totp.js';

const RFC_KEY = Buffer.from('12345678901234567890');

describe('HOTP (RFC 4226, appendix D)', () => {
  it('gives the published codes for counters 0-9', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, i) => hotp(RFC_KEY, i))).toEqual(expected);
  });
});

describe('TOTP (RFC 6238, appendix B, SHA-1, 8 digits)', () => {
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('at T=%i the code is %s', (t, code) => {
    expect(hotp(RFC_KEY, totpStep(t * 1000), 8)).toBe(code);
  });
  it('SHA-256 and SHA-512 keys of the RFC give their codes too', () => {
    expect(hotp(Buffer.from('12345678901234567890123456789012'), totpStep(59_000), 8, 'sha256')).toBe('46119246');
    expect(hotp(Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'), totpStep(59_000), 8, 'sha512')).toBe('90693936');
  });
});

describe('base32', () => {
  it('round-trips and matches RFC 4648 vectors', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    expect(base32Decode('mzxw 6ytb oi==').toString()).toBe('foobar');
    const s = newTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(s)).toHaveLength(20);
    expect(() => base32Decode('MZ1W')).toThrow(/not a base32/);
  });
});

describe('verifyTotp with a fake clock', () => {
  const secret = base32Encode(RFC_KEY);
  const t0 = 1_700_000_000_000; // a fixed instant
  const step = totpStep(t0);
  const codeAt = (ms: number) => totpCode(secret, ms);

  it('accepts the current step and one step either side, not two', () => {
    expect(verifyTotp(secret, codeAt(t0), t0, 0)).toBe(step);
    expect(verifyTotp(secret, codeAt(t0 - 30_000), t0, 0)).toBe(step - 1);
    expect(verifyTotp(secret, codeAt(t0 + 30_000), t0, 0)).toBe(step + 1);
    expect(verifyTotp(secret, codeAt(t0 - 60_000), t0, 0)).toBeNull();
    expect(verifyTotp(secret, codeAt(t0 + 60_000), t0, 0)).toBeNull();
  });

  it('refuses a code whose step was already used (replay), and older ones, for the whole window', () => {
    const used = verifyTotp(secret, codeAt(t0), t0, 0)!;
    expect(verifyTotp(secret, codeAt(t0), t0, used)).toBeNull();
    expect(verifyTotp(secret, codeAt(t0), t0 + 29_000, used)).toBeNull();
    expect(verifyTotp(secret, codeAt(t0), t0 + 30_000, used)).toBeNull(); // still in the window as "previous step"
    expect(verifyTotp(secret, codeAt(t0 - 30_000), t0, used)).toBeNull(); // an older step
    expect(verifyTotp(secret, codeAt(t0 + 30_000), t0 + 30_000, used)).toBe(step + 1); // the next code works
  });

  it('takes spaces, refuses anything that is not six digits', () => {
    const c = codeAt(t0);
    expect(verifyTotp(secret, `${c.slice(0, 3)} ${c.slice(3)}`, t0, 0)).toBe(step);
    expect(verifyTotp(secret, '12345', t0, 0)).toBeNull();
    expect(verifyTotp(secret, 'abcdef', t0, 0)).toBeNull();
    expect(verifyTotp(secret, c + '0', t0, 0)).toBeNull();
    expect(isTotpCode('123 456')).toBe(true);
    expect(isTotpCode('abcd-efgh-jkmn-pqrs')).toBe(false);
  });

  it('refuses a wrong code', () => {
    const c = codeAt(t0);
    const wrong = String((Number(c) + 1) % 1_000_000).padStart(6, '0');
    // (a wrong code could collide with a neighbouring step's code by chance; not for this secret and instant)
    expect(verifyTotp(secret, wrong, t0, 0)).toBeNull();
  });
});

describe('recovery codes', () => {
  it('makes ten distinct codes of 16 unambiguous characters', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-hj-km-np-tv-z2-9]{4}(-[a-hj-km-np-tv-z2-9]{4}){3}$/);
  });
  it('matches a typed code regardless of case, spaces and dashes; only stored hashes are compared', () => {
    const codes = newRecoveryCodes(3);
    const hashes = codes.map((c) => hashRecoveryCode(c)!);
    expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    expect(matchRecoveryCode(hashes, codes[1]!)).toBe(1);
    expect(matchRecoveryCode(hashes, codes[2]!.toUpperCase().replace(/-/g, ' '))).toBe(2);
    expect(matchRecoveryCode(hashes, 'abcd-efgh-jkmn-pqrs')).toBe(-1);
    expect(matchRecoveryCode(hashes, '123456')).toBe(-1);
    expect(normaliseRecoveryCode('ABCD EFGH-JKMN pqrs')).toBe('abcdefghjkmnpqrs');
    expect(normaliseRecoveryCode('abcd-efgh-jkmn-pqr0')).toBeNull(); // 0 is not in the alphabet
  });
});

describe('otpauth URI', () => {
  it('carries the secret, issuer and parameters', () => {
    const u = otpauthUri('JBSWY3DPEHPK3PXP', 'alice', 'Gatehouse gate-pc');
    expect(u).toBe('otpauth://totp/Gatehouse%20gate-pc%3Aalice?secret=JBSWY3DPEHPK3PXP&issuer=Gatehouse%20gate-pc&algorithm=SHA1&digits=6&period=30');
  });
});
