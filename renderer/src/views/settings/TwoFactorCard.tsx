/**
 * Settings → Account: your own two-factor sign-in (TOTP). Turn it on (the
 * password again, a QR code, the first code, then the recovery codes shown
 * once), make new recovery codes, or turn it off (password and a code;
 * admins can't where it is required). docs/security.md, "Two-factor sign-in".
 */
import { useState, type FormEvent } from 'react';
import type { TotpEnrolment } from '../../../../main/api/remote.js';
import { useClient, useConnection, useQuery } from '../../api/context.js';
import { useSettings } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { Field } from '../../ui/Field.js';
import { fieldError } from '../../ui/format.js';
import { FormError } from '../../ui/FormFooter.js';
import { Notice } from '../../ui/Notice.js';
import { QrImage } from '../../ui/QrImage.js';
import { RecoveryCodes } from '../../ui/RecoveryCodes.js';
import '../../shell/sign-in.css';
import './remote.css';

type Mode = { kind: 'idle' } | { kind: 'password' } | { kind: 'scan'; enrolment: TotpEnrolment } | { kind: 'codes'; codes: string[] } | { kind: 'disable' } | { kind: 'renew' };

export function TwoFactorCard() {
  const client = useClient();
  const { user } = useConnection();
  const { timeZone } = useSettings();
  const q = useQuery('auth.totpStatus', {});
  const [mode, setMode] = useState<Mode>({ kind: 'idle' });
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const s = q.data;

  const reset = (next: Mode) => {
    setMode(next);
    setPassword('');
    setCode('');
    setErrors({});
  };
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      await fn();
    } catch (err) {
      const { field, message: m } = fieldError(err);
      setErrors({ [field === 'password' || field === 'code' ? field : 'form']: m });
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mode.kind === 'password') {
      if (!password) return setErrors({ password: 'enter your password' });
      void run(async () => reset({ kind: 'scan', enrolment: await client.call('auth.totpBegin', { password }) }));
    } else if (mode.kind === 'scan') {
      if (!code.trim()) return setErrors({ code: 'enter the code the app shows' });
      void run(async () => {
        const r = await client.call('auth.totpEnable', { code: code.trim() });
        reset({ kind: 'codes', codes: r.recoveryCodes });
        q.reload();
      });
    } else if (mode.kind === 'renew') {
      if (!code.trim()) return setErrors({ code: 'enter a code from the app' });
      void run(async () => {
        const r = await client.call('auth.totpRecoveryCodes', { code: code.trim() });
        reset({ kind: 'codes', codes: r.recoveryCodes });
        q.reload();
      });
    } else if (mode.kind === 'disable') {
      if (!password || !code.trim()) return setErrors({ form: 'enter your password and a code from the app (or a recovery code)' });
      void run(async () => {
        await client.call('auth.totpDisable', { password, code: code.trim() });
        reset({ kind: 'idle' });
        setMessage('Two-factor sign-in is off.');
        q.reload();
      });
    }
  };

  const passwordField = (
    <Field label="Your password" error={errors.password} testId="totp-password">
      {(p) => <input {...p} type="password" autoComplete="current-password" data-testid="totp-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
    </Field>
  );
  const codeField = (label: string) => (
    <Field label={label} error={errors.code} testId="totp-code" hint="6 digits; a recovery code works too where it says so.">
      {(p) => (
        <input
          {...p}
          inputMode="numeric"
          autoComplete="one-time-code"
          className="code-input"
          data-testid="totp-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      )}
    </Field>
  );

  return (
    <section className="totp-card" data-testid="totp-card" data-enabled={s?.enabled ?? ''}>
      <h3>Two-factor sign-in</h3>
      {q.error && <Notice tone="error">Could not read it: {q.error.message}</Notice>}
      {s && mode.kind === 'idle' && (
        <>
          {s.enabled ? (
            <p>
              On since {formatDateTime(s.enabledAt, timeZone)}. <strong data-testid="totp-recovery-left">{s.recoveryLeft}</strong> recovery code{s.recoveryLeft === 1 ? '' : 's'} left.
            </p>
          ) : (
            <p className="muted">
              Off. With it on, signing in needs a code from an app on your phone besides the password.{' '}
              {s.required && <strong className="text-bad">Administrators must turn it on: this server is reachable from the network.</strong>}
            </p>
          )}
          <div className="form-actions left">
            {s.enabled ? (
              <>
                <button type="button" className="btn" onClick={() => reset({ kind: 'renew' })} data-testid="totp-new-codes">
                  New recovery codes
                </button>
                {s.required ? (
                  <span className="muted">Required for administrators on this server; another admin can reset it.</span>
                ) : (
                  <button type="button" className="btn" onClick={() => reset({ kind: 'disable' })} data-testid="totp-disable">
                    Turn off
                  </button>
                )}
              </>
            ) : (
              <button type="button" className="btn primary" onClick={() => reset({ kind: 'password' })} data-testid="totp-start">
                Turn on
              </button>
            )}
          </div>
        </>
      )}
      {mode.kind === 'codes' && (
        <>
          <RecoveryCodes codes={mode.codes} username={user?.username ?? ''} />
          <div className="form-actions left">
            <button type="button" className="btn primary" onClick={() => reset({ kind: 'idle' })} data-testid="recovery-codes-done">
              I have saved them
            </button>
          </div>
        </>
      )}
      {(mode.kind === 'password' || mode.kind === 'scan' || mode.kind === 'renew' || mode.kind === 'disable') && (
        <form className="form narrow" onSubmit={submit} noValidate data-testid="totp-form">
          {mode.kind === 'password' && passwordField}
          {mode.kind === 'scan' && (
            <>
              <p>Scan this with your authenticator app, then enter the code it shows.</p>
              <div className="enrol-qr">
                <QrImage svg={mode.enrolment.qrSvg} label="QR code for your authenticator app" testId="totp-qr" />
                <code className="totp-secret" data-testid="totp-secret">
                  {mode.enrolment.secret.match(/.{1,4}/g)!.join(' ')}
                </code>
              </div>
              {codeField('Code from the app')}
            </>
          )}
          {mode.kind === 'renew' && codeField('A code from the app')}
          {mode.kind === 'disable' && (
            <>
              {passwordField}
              {codeField('A code from the app, or a recovery code')}
            </>
          )}
          <FormError error={errors.form} testId="totp-error" />
          <div className="form-actions left">
            <button type="submit" className="btn primary" disabled={busy} data-testid="totp-confirm">
              {mode.kind === 'password' ? 'Next' : mode.kind === 'scan' ? 'Turn on' : mode.kind === 'renew' ? 'Make new codes' : 'Turn off'}
            </button>
            <button type="button" className="btn" onClick={() => reset({ kind: 'idle' })}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {message && (
        <Notice tone="ok" testId="totp-message">
          {message}
        </Notice>
      )}
    </section>
  );
}
