import { useState, type FormEvent } from 'react';
import { useClient, useConnection } from '../../api/context.js';
import { Field } from '../../ui/Field.js';
import { fieldError } from '../../ui/format.js';
import { FormActions, FormError } from '../../ui/FormFooter.js';
import { Notice } from '../../ui/Notice.js';
import { TwoFactorCard } from './TwoFactorCard.js';

/** Change your own password; your two-factor sign-in. */
export function AccountTab() {
  const client = useClient();
  const { user } = useConnection();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    const errs: Record<string, string> = {};
    if (!current) errs.current = 'enter your current password';
    if (next.length < 8) errs.next = 'the new password needs at least 8 characters';
    else if (next !== confirm) errs.confirm = 'the two new passwords differ';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await client.call('auth.changePassword', { current, next });
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone(true);
    } catch (err) {
      const { field, message } = fieldError(err);
      setErrors({ [field === 'current' || field === 'next' ? field : 'form']: message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="account">
      <form className="form narrow" onSubmit={submit} noValidate data-testid="account-form">
        <p className="muted">
          Logged in as <strong>{user?.username}</strong> ({user?.role}).
        </p>
        <h3>Change password</h3>
        <Field label="Current password" error={errors.current} testId="account-current">
          {(p) => (
            <input
              {...p}
              type="password"
              data-testid="account-current"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              autoComplete="current-password"
            />
          )}
        </Field>
        <Field label="New password" error={errors.next} testId="account-next" hint="At least 8 characters.">
          {(p) => (
            <input
              {...p}
              type="password"
              data-testid="account-next"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              autoComplete="new-password"
            />
          )}
        </Field>
        <Field label="New password again" error={errors.confirm} testId="account-confirm">
          {(p) => (
            <input
              {...p}
              type="password"
              data-testid="account-confirm"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              autoComplete="new-password"
            />
          )}
        </Field>
        <FormError error={errors.form} testId="account-error" />
        {done && (
          <Notice tone="ok" testId="account-message">
            Password changed.
          </Notice>
        )}
        <FormActions left submitLabel="Change password" busyLabel="Saving…" busy={busy} submitTestId="account-submit" />
      </form>
      <TwoFactorCard />
    </div>
  );
}
