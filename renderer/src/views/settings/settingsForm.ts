/** The General settings form: text fields <-> a settings patch with per-field messages. */
import type { Settings } from '../../../../main/api/contract.js';

export type Form = {
  segmentSeconds: string;
  stallSeconds: string;
  offlineAlarmSeconds: string;
  quotaMode: 'percent' | 'gb';
  quotaGb: string;
  quotaPercent: string;
  lowSpaceGb: string;
  defaultRetentionDays: string;
  timeZone: string;
};
export type Key = keyof Settings;

export function toForm(s: Settings): Form {
  return {
    segmentSeconds: String(s.segmentSeconds),
    stallSeconds: String(s.stallSeconds),
    offlineAlarmSeconds: String(s.offlineAlarmSeconds),
    quotaMode: s.quotaGb == null ? 'percent' : 'gb',
    quotaGb: s.quotaGb == null ? '' : String(s.quotaGb),
    quotaPercent: String(s.quotaPercent),
    lowSpaceGb: String(s.lowSpaceGb),
    defaultRetentionDays: s.defaultRetentionDays == null ? '' : String(s.defaultRetentionDays),
    timeZone: s.timeZone ?? '',
  };
}

/** Read the form into a settings patch, or per-field messages. */
export function formToPatch(f: Form, s: Settings): { patch: Partial<Settings>; errors: Partial<Record<Key, string>> } {
  const errors: Partial<Record<Key, string>> = {};
  const patch: Partial<Settings> = {};
  const int = (k: Key, raw: string, min: number, max: number, unit: string) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) errors[k] = `a whole number of ${unit} from ${min} to ${max}`;
    else if (n !== s[k]) (patch as Record<string, unknown>)[k] = n;
  };
  int('segmentSeconds', f.segmentSeconds, 2, 600, 'seconds');
  int('stallSeconds', f.stallSeconds, 3, 300, 'seconds');
  int('offlineAlarmSeconds', f.offlineAlarmSeconds, 5, 86400, 'seconds');
  if (f.quotaMode === 'gb') {
    const n = Number(f.quotaGb);
    if (f.quotaGb.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1_000_000) errors.quotaGb = 'a size in GB, such as 500';
    else if (n !== s.quotaGb) patch.quotaGb = n;
  } else {
    if (s.quotaGb != null) patch.quotaGb = null;
    const n = Number(f.quotaPercent);
    if (f.quotaPercent.trim() === '' || !Number.isFinite(n) || n < 1 || n > 99) errors.quotaPercent = 'a percentage from 1 to 99';
    else if (n !== s.quotaPercent) patch.quotaPercent = n;
  }
  const low = Number(f.lowSpaceGb);
  if (f.lowSpaceGb.trim() === '' || !Number.isFinite(low) || low < 0.1 || low > 10_000)
    errors.lowSpaceGb = 'a size in GB from 0.1 to 10000';
  else if (low !== s.lowSpaceGb) patch.lowSpaceGb = low;
  if (f.defaultRetentionDays.trim() === '') {
    if (s.defaultRetentionDays != null) patch.defaultRetentionDays = null;
  } else {
    const n = Number(f.defaultRetentionDays);
    if (!Number.isInteger(n) || n < 1 || n > 3650)
      errors.defaultRetentionDays = 'a whole number of days from 1 to 3650, or empty to keep until the quota is full';
    else if (n !== s.defaultRetentionDays) patch.defaultRetentionDays = n;
  }
  const tz = f.timeZone || null;
  if (tz !== s.timeZone) patch.timeZone = tz;
  return { patch, errors };
}
