import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../../main/api/contract.js';
import { formToPatch, toForm } from './settingsForm.js';

const base: Settings = {
  segmentSeconds: 10,
  stallSeconds: 12,
  offlineAlarmSeconds: 30,
  quotaGb: null,
  quotaPercent: 90,
  lowSpaceGb: 2,
  defaultRetentionDays: 30,
  timeZone: null,
};

describe('settings form', () => {
  it('sends nothing when nothing changed', () => {
    expect(formToPatch(toForm(base), base)).toEqual({ patch: {}, errors: {} });
  });
  it('sends only what changed, as numbers', () => {
    const f = { ...toForm(base), segmentSeconds: '6', timeZone: 'Europe/Berlin', defaultRetentionDays: '' };
    expect(formToPatch(f, base)).toEqual({
      patch: { segmentSeconds: 6, timeZone: 'Europe/Berlin', defaultRetentionDays: null },
      errors: {},
    });
  });
  it('switches between a fixed quota and a share of the volume', () => {
    const gb = formToPatch({ ...toForm(base), quotaMode: 'gb', quotaGb: '500' }, base);
    expect(gb.patch).toEqual({ quotaGb: 500 });
    const withGb = { ...base, quotaGb: 500 };
    expect(toForm(withGb).quotaMode).toBe('gb');
    expect(formToPatch({ ...toForm(withGb), quotaMode: 'percent', quotaPercent: '80' }, withGb).patch).toEqual({
      quotaGb: null,
      quotaPercent: 80,
    });
  });
  it('explains bad values per field', () => {
    const r = formToPatch({ ...toForm(base), segmentSeconds: '1', stallSeconds: 'abc', quotaPercent: '100', lowSpaceGb: '' }, base);
    expect(Object.keys(r.errors).sort()).toEqual(['lowSpaceGb', 'quotaPercent', 'segmentSeconds', 'stallSeconds']);
    expect(r.errors.segmentSeconds).toMatch(/from 2 to 600/);
  });
});
