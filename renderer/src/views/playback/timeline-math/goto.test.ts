import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE, SECOND } from '../../../time/index.js';
import { parseGoTo } from './goto.js';

const BER = 'Europe/Berlin';
const T = (iso: string) => Date.parse(iso);

describe('go to a typed time', () => {
  const now = T('2026-03-29T10:00:00Z'); // 12:00 CEST
  it('reads dates and times in the zone, DST-aware', () => {
    expect(parseGoTo('2026-03-29 01:30', BER, now)).toEqual({ t: T('2026-03-29T00:30:00Z') });
    expect(parseGoTo('2026-03-29 02:30', BER, now)).toEqual({ t: T('2026-03-29T01:30:00Z') });
    expect(parseGoTo('2026-10-25 02:30', BER, now)).toEqual({ t: T('2026-10-25T00:30:00Z') });
    expect(parseGoTo('2026-10-25 02:30 later', BER, now)).toEqual({ t: T('2026-10-25T01:30:00Z') });
    expect(parseGoTo('29.03.2026 11:15:30', BER, now)).toEqual({ t: T('2026-03-29T09:15:30Z') });
    expect(parseGoTo('2026-03-29T11:15', BER, now)).toEqual({ t: T('2026-03-29T09:15:00Z') });
  });
  it('reads times of today, falling back to yesterday for a future time', () => {
    expect(parseGoTo('11:00', BER, now)).toEqual({ t: T('2026-03-29T09:00:00Z') });
    expect(parseGoTo('23:00', BER, now)).toEqual({ t: T('2026-03-28T22:00:00Z') });
  });
  it('reads relative times', () => {
    expect(parseGoTo('-1h', BER, now)).toEqual({ t: now - HOUR });
    expect(parseGoTo('-1h30m', BER, now)).toEqual({ t: now - 90 * MINUTE });
    expect(parseGoTo('-90s', BER, now)).toEqual({ t: now - 90 * SECOND });
    expect(parseGoTo('now', BER, now)).toEqual({ t: now });
  });
  it('explains bad input', () => {
    expect(parseGoTo('', BER, now)).toHaveProperty('error');
    expect(parseGoTo('yesterday-ish', BER, now)).toHaveProperty('error');
    expect(parseGoTo('2026-02-30 10:00', BER, now)).toEqual({ error: '2026-02 has no day 30' });
    expect(parseGoTo('25:00', BER, now)).toHaveProperty('error');
  });
});
