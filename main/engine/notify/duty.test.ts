import { describe, expect, it } from 'vitest';
import { Contact, type Rota } from '../../api/notify.js';
import { dutyOf, formatWindow, parseDuty, rotaTurn, windowOpen } from './duty.js';

const TZ = 'Europe/Berlin';
// 2026-03-02 is a Monday; 08:00 Berlin = 07:00Z in winter time
const at = (iso: string) => Date.parse(iso);

describe('duty hours', () => {
  it('parses the text forms and prints them back', () => {
    expect(parseDuty('Mon-Fri 08:00-18:00')).toEqual([{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }]);
    expect(parseDuty('weekends 9:00-17:00; daily 22:00-06:00')).toEqual([
      { days: [0, 6], from: '09:00', to: '17:00' },
      { days: [0, 1, 2, 3, 4, 5, 6], from: '22:00', to: '06:00' },
    ]);
    expect(parseDuty('Sat,Sun 00:00-00:00')[0]!.days).toEqual([0, 6]);
    expect(parseDuty('Fri-Mon 20:00-08:00')[0]!.days).toEqual([0, 1, 5, 6]);
    expect(formatWindow({ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' })).toBe('Mon-Fri 08:00-18:00');
    expect(formatWindow({ days: [0, 6], from: '00:00', to: '00:00' })).toBe('Sun,Sat 00:00-00:00');
  });

  it('says what is wrong with a bad duty text', () => {
    expect(() => parseDuty('Mon-Fri')).toThrow(/DAYS HH:MM-HH:MM/);
    expect(() => parseDuty('Mon-Fri 08:00-25:00')).toThrow(/25:00 is not a time of day/);
    expect(() => parseDuty('Funday 08:00-18:00')).toThrow(/"Funday" is not a day/);
    expect(() => parseDuty(' ; ')).toThrow(/at least one window/);
  });

  it('opens windows in the site time zone, past midnight on the day they start', () => {
    const office = { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' };
    expect(windowOpen(office, at('2026-03-02T06:59:00Z'), TZ)).toBe(false); // Mon 07:59 local
    expect(windowOpen(office, at('2026-03-02T07:00:00Z'), TZ)).toBe(true); // Mon 08:00
    expect(windowOpen(office, at('2026-03-02T17:00:00Z'), TZ)).toBe(false); // Mon 18:00
    const night = { days: [5], from: '22:00', to: '06:00' }; // Friday night
    expect(windowOpen(night, at('2026-03-07T02:00:00Z'), TZ)).toBe(true); // Sat 03:00
    expect(windowOpen(night, at('2026-03-08T02:00:00Z'), TZ)).toBe(false); // Sun 03:00
  });
});

describe('rotas', () => {
  const rota: Rota = { id: 'techs', name: 'Techs', startsAt: '2026-03-02T07:00:00Z', periodHours: 24, members: ['ann', 'bob', 'cy'] };
  const contact = (id: string, duty: Contact['duty'] = []) => Contact.parse({ id, name: id, email: `${id}@example.org`, duty });

  it('takes turns by period, starting with the first member', () => {
    expect(rotaTurn(rota, at('2026-03-02T06:00:00Z'))).toBeNull();
    expect(rotaTurn(rota, at('2026-03-02T07:00:00Z'))!.member).toBe('ann');
    expect(rotaTurn(rota, at('2026-03-03T07:00:00Z'))!.member).toBe('bob');
    expect(rotaTurn(rota, at('2026-03-05T06:59:59Z'))!.member).toBe('cy');
    expect(rotaTurn(rota, at('2026-03-05T07:00:00Z'))!.member).toBe('ann');
  });

  it('puts a rota member on duty only on their turn, and within their hours', () => {
    const t = at('2026-03-03T10:00:00Z'); // Tue 11:00 local, bob's turn
    expect(dutyOf(contact('ann'), [rota], t, TZ)).toMatchObject({ onDuty: false, note: expect.stringMatching(/Techs: bob's turn/) });
    expect(dutyOf(contact('bob'), [rota], t, TZ)).toMatchObject({ onDuty: true, note: expect.stringMatching(/their turn \(2 of 3\)/) });
    expect(dutyOf(contact('bob', parseDuty('Tue 12:00-13:00')), [rota], t, TZ).onDuty).toBe(false);
    expect(dutyOf(contact('dan'), [rota], t, TZ)).toEqual({ onDuty: true, note: 'always' });
    expect(dutyOf({ ...contact('dan'), enabled: false }, [rota], t, TZ).onDuty).toBe(false);
  });
});

describe('contacts', () => {
  it('refuses a contact with no channel, saying what to give', () => {
    const r = Contact.safeParse({ id: 'x', name: 'Nobody' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/at least one channel: an e-mail address, a user \(push\), an MQTT topic or a webhook URL/);
    expect(Contact.safeParse({ id: 'x', name: 'X', email: 'x@example.org\r\nBcc: y@example.org' }).success).toBe(false);
  });
});

describe('ladder text', () => {
  it('reads and writes "LEVEL after TIME" steps, refusing steps out of order', async () => {
    const { parseLadder, formatLadder } = await import('../../api/notify-text.js');
    expect(parseLadder('2 after 1m, 3 after 5m')).toEqual([
      { level: 2, afterSeconds: 60 },
      { level: 3, afterSeconds: 300 },
    ]);
    expect(parseLadder('')).toEqual([]);
    expect(
      formatLadder([
        { level: 2, afterSeconds: 90 },
        { level: 3, afterSeconds: 3600 },
      ]),
    ).toBe('2 after 1m30s, 3 after 1h');
    expect(() => parseLadder('3 after 1m, 2 after 5m')).toThrow(/higher level and a later time/);
    expect(() => parseLadder('2 soon')).toThrow(/LEVEL after TIME/);
    expect(() => parseLadder('1 after 1m')).toThrow(/level 1 is the console/);
  });
});
