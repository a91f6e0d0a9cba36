import { useCallback, useRef, useState, type FormEvent } from 'react';
import type { SecondStep } from '../../../main/api/remote.js';
import { useClient, useConnection } from '../api/context.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { EnrolStep, TotpStep } from './SecondStep.js';
import './sign-in.css';

/** The password, then (two-factor) the code or an admin's enrolment. */
export function Login() {
  const [step, setStep] = useState<SecondStep | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const restart = useCallback((why: string | null) => {
    setStep(null);
    setNotice(why);
  }, []);
  return (
    <div className="login-page">
      {step?.next === 'totp' ? (
        <TotpStep step={step} onRestart={restart} />
      ) : step?.next === 'enrol' ? (
        <EnrolStep step={step} onRestart={restart} />
      ) : (
        <PasswordStep onSecondStep={setStep} notice={notice} />
      )}
    </div>
  );
}

function PasswordStep({ onSecondStep, notice }: { onSecondStep: (s: SecondStep) => void; notice: string | null }) {
  const client = useClient();
  const { signedOut } = useConnection();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError('enter your username and password');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await client.login(username.trim(), password);
      if ('next' in r) onSecondStep(r);
    } catch (err) {
      setError((err as Error).message);
      setPassword('');
      setBusy(false);
      setTimeout(() => passwordRef.current?.focus(), 0);
    }
  };

  return (
    <form className="login" onSubmit={submit} data-testid="login-form" noValidate>
      <div className="login-brand">
        <span className="brand-mark" aria-hidden="true" />
        Gatehouse
      </div>
      {signedOut && !error && (
        <div className="login-notice" role="status" data-testid="login-signed-out">
          {signedOut.charAt(0).toUpperCase() + signedOut.slice(1)}. Log in again.
        </div>
      )}
      <label htmlFor="login-username">Username</label>
      <input
        id="login-username"
        data-testid="login-username"
        autoComplete="username"
        autoFocus
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        spellCheck={false}
      />
      <label htmlFor="login-password">Password</label>
      <input
        id="login-password"
        ref={passwordRef}
        data-testid="login-password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {error && (
        <div className="login-error" role="alert" data-testid="login-error">
          {error}
        </div>
      )}
      <button type="submit" className="btn primary" disabled={busy} data-testid="login-submit">
        {busy ? 'Logging in…' : 'Log in'}
      </button>
      <div className="login-foot">
        <ConnectionStatus />
      </div>
    </form>
  );
}
