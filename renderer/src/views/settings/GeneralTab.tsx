import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useClient, useConnection } from '../../api/context.js';
import { useSettings } from '../../state/settings.js';
import { Field } from '../../ui/Field.js';
import { Notice } from '../../ui/Notice.js';
import { browserTimeZone, zoneLabel } from '../../time/index.js';
import { fieldError } from '../../ui/format.js';
import { FormError } from '../../ui/FormFooter.js';
import { useToast } from '../../ui/toast.js';
import { formToPatch, toForm, type Form, type Key } from './settingsForm.js';

function zones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

export function GeneralTab() {
  const client = useClient();
  const { user } = useConnection();
  const { settings, error, reload } = useSettings();
  const toast = useToast();
  const isAdmin = user?.role === 'admin';
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Partial<Record<Key, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const allZones = useMemo(zones, []);
  const local = browserTimeZone();

  // Take the server's values when they arrive or change, unless the user is editing.
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (settings && !dirty) setForm(toForm(settings));
  }, [settings, dirty]);

  if (error && !settings)
    return (
      <Notice tone="error" onRetry={reload}>
        Could not load the settings: {error.message}
      </Notice>
    );
  if (!settings || !form) return <p className="muted">Loading…</p>;

  const set = (k: keyof Form) => (e: { target: { value: string } }) => {
    setForm({ ...form, [k]: e.target.value } as Form);
    setDirty(true);
    setErrors((er) => ({ ...er, [k === 'quotaMode' ? 'quotaGb' : k]: undefined }));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { patch, errors: errs } = formToPatch(form, settings);
    setErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length) return;
    if (!Object.keys(patch).length) {
      setDirty(false);
      toast('Nothing changed', 'info');
      return;
    }
    setBusy(true);
    try {
      const s = await client.call('settings.update', { patch });
      setForm(toForm(s));
      setDirty(false);
      toast('Settings saved');
    } catch (err) {
      const { field, message } = fieldError(err);
      if (field && field in settings) setErrors({ [field as Key]: message });
      else setFormError(message);
    } finally {
      setBusy(false);
    }
  };

  const ro = !isAdmin;
  return (
    <form className="form settings-form" onSubmit={submit} noValidate data-testid="settings-general">
      {ro && <Notice>Only an admin can change these settings.</Notice>}
      <fieldset disabled={ro}>
        <section className="form-section">
          <h3>Recording</h3>
          <div className="form-grid">
            <Field
              label="Segment length (s)"
              error={errors.segmentSeconds}
              testId="settings-segment"
              hint="Length of each recorded file. 10 s is a good default."
            >
              {(p) => (
                <input
                  {...p}
                  data-testid="settings-segment"
                  inputMode="numeric"
                  value={form.segmentSeconds}
                  onChange={set('segmentSeconds')}
                />
              )}
            </Field>
            <Field
              label="Stall after (s)"
              error={errors.stallSeconds}
              testId="settings-stall"
              hint="No new video for this long marks a camera stalled and restarts it."
            >
              {(p) => (
                <input {...p} data-testid="settings-stall" inputMode="numeric" value={form.stallSeconds} onChange={set('stallSeconds')} />
              )}
            </Field>
            <Field
              label="Offline alarm after (s)"
              error={errors.offlineAlarmSeconds}
              testId="settings-offline"
              hint="A camera down this long raises an alarm."
            >
              {(p) => (
                <input
                  {...p}
                  data-testid="settings-offline"
                  inputMode="numeric"
                  value={form.offlineAlarmSeconds}
                  onChange={set('offlineAlarmSeconds')}
                />
              )}
            </Field>
            <Field
              label="Default retention (days)"
              error={errors.defaultRetentionDays}
              testId="settings-retention"
              hint="Cameras without their own retention keep this long. Empty: until the quota is full."
            >
              {(p) => (
                <input
                  {...p}
                  data-testid="settings-retention"
                  inputMode="numeric"
                  value={form.defaultRetentionDays}
                  onChange={set('defaultRetentionDays')}
                />
              )}
            </Field>
          </div>
        </section>
        <section className="form-section">
          <h3>Disk</h3>
          <div className="form-grid">
            <div className="field">
              <span className="label">Recording quota</span>
              <div className="radio-row" role="radiogroup" aria-label="Quota kind">
                <label>
                  <input
                    type="radio"
                    name="quota"
                    data-testid="settings-quota-percent-mode"
                    checked={form.quotaMode === 'percent'}
                    onChange={() => set('quotaMode')({ target: { value: 'percent' } })}
                  />{' '}
                  Share of the volume
                </label>
                <label>
                  <input
                    type="radio"
                    name="quota"
                    data-testid="settings-quota-gb-mode"
                    checked={form.quotaMode === 'gb'}
                    onChange={() => set('quotaMode')({ target: { value: 'gb' } })}
                  />{' '}
                  Fixed size
                </label>
              </div>
            </div>
            {form.quotaMode === 'percent' ? (
              <Field
                label="Quota (% of volume)"
                error={errors.quotaPercent}
                testId="settings-quota-percent"
                hint="Oldest unlocked recordings are deleted above this."
              >
                {(p) => (
                  <input
                    {...p}
                    data-testid="settings-quota-percent"
                    inputMode="decimal"
                    value={form.quotaPercent}
                    onChange={set('quotaPercent')}
                  />
                )}
              </Field>
            ) : (
              <Field
                label="Quota (GB)"
                error={errors.quotaGb}
                testId="settings-quota-gb"
                hint="Oldest unlocked recordings are deleted above this."
              >
                {(p) => <input {...p} data-testid="settings-quota-gb" inputMode="decimal" value={form.quotaGb} onChange={set('quotaGb')} />}
              </Field>
            )}
            <Field
              label="Low-space warning (GB free)"
              error={errors.lowSpaceGb}
              testId="settings-lowspace"
              hint="Warn the guards when the volume has less free than this."
            >
              {(p) => (
                <input {...p} data-testid="settings-lowspace" inputMode="decimal" value={form.lowSpaceGb} onChange={set('lowSpaceGb')} />
              )}
            </Field>
          </div>
        </section>
        <section className="form-section">
          <h3>Time</h3>
          <div className="form-grid">
            <Field
              label="Time zone"
              error={errors.timeZone}
              testId="settings-timezone"
              hint="Every time in the console is shown in this zone; recordings are stored in UTC."
            >
              {(p) => (
                <select {...p} data-testid="settings-timezone" value={form.timeZone} onChange={set('timeZone')}>
                  <option value="">This computer's zone ({zoneLabel(Date.now(), local)})</option>
                  {allZones.map((z) => (
                    <option key={z} value={z}>
                      {z}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        </section>
      </fieldset>
      <FormError error={formError} testId="settings-error" />
      {isAdmin && (
        <div className="form-actions left">
          <button type="submit" className="btn primary" disabled={busy || !dirty} data-testid="settings-save">
            {busy ? 'Saving…' : 'Save settings'}
          </button>
          <button
            type="button"
            className="btn"
            disabled={!dirty}
            onClick={() => {
              setForm(toForm(settings));
              setErrors({});
              setDirty(false);
            }}
          >
            Revert
          </button>
          {dirty && <span className="muted">Unsaved changes</span>}
        </div>
      )}
    </form>
  );
}
