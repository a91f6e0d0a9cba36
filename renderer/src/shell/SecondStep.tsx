/**
 * The second step of a sign-in (docs/security.md, "Two-factor sign-in"):
 * the code from the authenticator app (or a recovery code), or, for an admin
 * who must have two-factor on this server, the enrolment: a QR code, the
 * first code, then the recovery codes (shown by the shell once the session
 * has started).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SecondStep as Step, TotpEnrolment } from '../../../main/api/remote.js';
import { useClient } from '../api/context.js';
import { showAfterSignIn } from '../state/recovery-codes.js';
import { QrImage } from '../ui/QrImage.js';

/** A ticket that is gone (expired, used up): the message says to start again. */
function ticketGone(err: unknown): boolean {
  return /sign-in expired|enter your username and password again/.test((err as Error).message);
}

function CodeInput({ value, onChange, label, hint }: { value: string; onChange: (v: string) => void; label: string; hint: string }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <>
      <label htmlFor="login-code">{label}</label>
      <input
        id="login-code"
        ref={ref}
        data-testid="login-code"
        className="code-input"
        inputMode="numeric"
        autoComplete="one-time-code"
        autoCapitalize="off"
        spellCheck={false}
        maxLength={40}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby="login-code-hint"
      />
      <div className="login-hint" id="login-code-hint">
        {hint}
      </div>
    </>
  );
}

/** Enter the code from the app, or a recovery code. */
export function TotpStep({ step, onRestart }: { step: Step; onRestart: (why: string | null) => void }) {
  const client = useClient();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!code.trim()) return setError('enter the 6-digit code from your authenticator app');
    setBusy(true);
    setError(null);
    try {
      const r = await client.signIn('auth.totpVerify', { ticket: step.ticket, username: step.username, code: code.trim() });
      if (r.secondFactor === 'recovery') showAfterSignIn({ recoveryLeft: r.recoveryLeft });
    } catch (err) {
      if (ticketGone(err)) return onRestart((err as Error).message);
      setError((err as Error).message);
      setCode('');
      setBusy(false);
    }
  };
  return (
    <form className="login" onSubmit={submit} data-testid="login-totp-form" noValidate>
      <div className="login-brand">
        <span className="brand-mark" aria-hidden="true" />
        Gatehouse
      </div>
      <p className="login-step">
        Two-factor sign-in for <strong>{step.username}</strong>
      </p>
      <CodeInput value={code} onChange={setCode} label="Code from your authenticator app" hint="Or one of your recovery codes (abcd-efgh-…)." />
      {error && (
        <div className="login-error" role="alert" data-testid="login-error">
          {error}
        </div>
      )}
      <button type="submit" className="btn primary" disabled={busy} data-testid="login-code-submit">
        {busy ? 'Checking…' : 'Log in'}
      </button>
      <button type="button" className="btn ghost" onClick={() => onRestart(null)} data-testid="login-restart">
        Use another account
      </button>
    </form>
  );
}

/** An admin on a server reachable from the network: set up the app first. */
export function EnrolStep({ step, onRestart }: { step: Step; onRestart: (why: string | null) => void }) {
  const client = useClient();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let alive = true;
    client.call('auth.totpEnrolBegin', { ticket: step.ticket, username: step.username }).then(
      (e) => alive && setEnrolment(e),
      (err: Error) => {
        if (!alive) return;
        if (ticketGone(err)) onRestart(err.message);
        else setError(err.message);
      },
    );
    return () => {
      alive = false;
    };
  }, [client, step, onRestart]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!code.trim()) return setError('enter the 6-digit code the app shows after scanning');
    setBusy(true);
    setError(null);
    try {
      const r = await client.signIn('auth.totpEnrolFinish', { ticket: step.ticket, username: step.username, code: code.trim() });
      showAfterSignIn({ codes: r.recoveryCodes });
    } catch (err) {
      if (ticketGone(err)) return onRestart((err as Error).message);
      setError((err as Error).message);
      setCode('');
      setBusy(false);
    }
  };
  return (
    <form className="login enrol" onSubmit={submit} data-testid="totp-enrol" noValidate>
      <div className="login-brand">
        <span className="brand-mark" aria-hidden="true" />
        Gatehouse
      </div>
      <p className="login-step">
        <strong>{step.username}</strong>: this server is reachable from the network, so administrators sign in with a second factor. Set it up now.
      </p>
      <ol className="enrol-steps">
        <li>Scan the code with an authenticator app (Aegis, FreeOTP, Google or Microsoft Authenticator, 1Password…).</li>
        <li>Enter the 6-digit code it shows.</li>
      </ol>
      {enrolment ? (
        <div className="enrol-qr">
          <QrImage svg={enrolment.qrSvg} label={`QR code for the authenticator app of ${step.username}`} testId="totp-qr" />
          <details>
            <summary>Can't scan? Type the key</summary>
            <code className="totp-secret" data-testid="totp-secret">
              {enrolment.secret.match(/.{1,4}/g)!.join(' ')}
            </code>
          </details>
        </div>
      ) : (
        !error && <p className="muted">Making a key…</p>
      )}
      <CodeInput value={code} onChange={setCode} label="Code from the app" hint="The code changes every 30 seconds." />
      {error && (
        <div className="login-error" role="alert" data-testid="login-error">
          {error}
        </div>
      )}
      <button type="submit" className="btn primary" disabled={busy || !enrolment} data-testid="login-code-submit">
        {busy ? 'Checking…' : 'Turn on and log in'}
      </button>
      <button type="button" className="btn ghost" onClick={() => onRestart(null)} data-testid="login-restart">
        Cancel
      </button>
    </form>
  );
}
