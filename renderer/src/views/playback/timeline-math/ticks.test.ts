import { describe, expect, it } from 'vitest';
import { DAY, formatClock, formatDay, HOUR, MINUTE, SECOND } from '../../../time/index.js';
import { alignedInstants, chooseStep, ticks } from './ticks.js';

const BER = 'Europe/Berlin';
const T = (iso: string) => Date.parse(iso);

describe('ticks', () => {
  it('places hourly ticks on the real instants across the spring gap (no 02:00)', () => {
    const v = { start: T('2026-03-28T23:00:00Z'), span: 23 * HOUR }; // the whole local day
    const inst = alignedInstants(v.start, v.start + v.span, HOUR, BER);
    expect(inst).toHaveLength(24); // 00:00..23:00 local minus the missing 02:00, plus next midnight
    const labels = inst.map((t) => formatClock(t, BER, false));
    expect(labels.slice(0, 4)).toEqual(['00:00', '01:00', '03:00', '04:00']);
    expect(labels.includes('02:00')).toBe(false);
    expect(labels[labels.length - 1]).toBe('00:00');
    for (let i = 1; i < inst.length; i++) expect(inst[i]! - inst[i - 1]!).toBe(HOUR);
  });

  it('shows the repeated autumn hour twice, told apart by zone name', () => {
    const v = { start: T('2026-10-24T22:00:00Z'), span: 25 * HOUR };
    const { labelled, step } = ticks(v, 25 * 80, BER, 72);
    expect(step).toBe(HOUR);
    const two = labelled.filter((t) => t.label.startsWith('02:00'));
    expect(two).toHaveLength(2);
    expect(two[0]!.label).toBe('02:00 CEST');
    expect(two[1]!.label).toBe('02:00 CET');
    expect(two[1]!.t - two[0]!.t).toBe(HOUR);
    expect(labelled[0]).toMatchObject({ major: true, label: 'Sun 25 Oct' });
    expect(labelled.filter((t) => t.major)).toHaveLength(2); // both midnights, 25 h apart
  });

  it('puts day ticks at local midnights in multi-day views', () => {
    const v = { start: T('2026-03-27T00:00:00Z'), span: 4 * DAY };
    const inst = alignedInstants(v.start, v.start + v.span, DAY, BER);
    expect(inst.map((t) => formatDay(t, BER))).toEqual(['Sat 28 Mar', 'Sun 29 Mar', 'Mon 30 Mar', 'Tue 31 Mar']);
    expect(inst[1]! - inst[0]!).toBe(24 * HOUR);
    expect(inst[2]! - inst[1]!).toBe(23 * HOUR);
    const weekly = alignedInstants(T('2026-03-01T00:00:00Z'), T('2026-03-31T00:00:00Z'), 7 * DAY, BER);
    expect(weekly.map((t) => formatDay(t, BER).slice(0, 3))).toEqual(['Mon', 'Mon', 'Mon', 'Mon', 'Mon']); // 2, 9, 16, 23, 30 March
  });

  it('aligns sub-hour ticks to the local clock in a +05:45 zone', () => {
    const tz = 'Asia/Kathmandu';
    const inst = alignedInstants(T('2026-01-01T00:00:00Z'), T('2026-01-01T01:00:00Z'), 10 * MINUTE, tz);
    expect(inst.map((t) => formatClock(t, tz, false))).toEqual(['05:50', '06:00', '06:10', '06:20', '06:30', '06:40']);
  });

  it('chooses a step from seconds to days as the view zooms', () => {
    const w = 1000;
    expect(chooseStep({ start: 0, span: 10 * SECOND }, w, 70)).toBe(SECOND);
    expect(chooseStep({ start: 0, span: 5 * MINUTE }, w, 70)).toBe(30 * SECOND);
    expect(chooseStep({ start: 0, span: HOUR }, w, 70)).toBe(5 * MINUTE);
    expect(chooseStep({ start: 0, span: DAY }, w, 70)).toBe(2 * HOUR);
    expect(chooseStep({ start: 0, span: 7 * DAY }, w, 70)).toBe(12 * HOUR);
    expect(chooseStep({ start: 0, span: 14 * DAY }, w, 70)).toBe(DAY);
    const s = ticks({ start: T('2026-06-01T10:00:03.500Z'), span: 10 * SECOND }, w, BER, 70);
    expect(s.labelled[0]!.label).toBe('12:00:04');
    expect(s.labelled).toHaveLength(10);
    expect(s.minor).toEqual([]); // nothing finer than a second
    const h = ticks({ start: T('2026-06-01T10:00:00Z'), span: HOUR }, w, BER, 70);
    expect(h.step).toBe(5 * MINUTE);
    expect(h.labelled.map((t) => t.label).slice(0, 3)).toEqual(['12:00', '12:05', '12:10']);
    expect(h.minor).toHaveLength(60 - 13 + 1); // every minute that has no label
  });
});
