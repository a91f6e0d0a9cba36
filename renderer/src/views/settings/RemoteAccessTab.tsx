/**
 * Settings → Remote access: where this Gatehouse listens, the TLS
 * certificate and its SHA-256 fingerprint (compare it with what the browser
 * shows before logging in from a phone), the admins' two-factor rule, and
 * (admin) the desktop app's remote-access listener. docs/security.md.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { CertificateInfo, RemoteAccessSetup } from '../../../../main/api/remote.js';
import { useClient, useConnection, useQuery } from '../../api/context.js';
import { useSettings } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { Field } from '../../ui/Field.js';
import { fieldError } from '../../ui/format.js';
import { FormActions, FormError } from '../../ui/FormFooter.js';
import { Notice } from '../../ui/Notice.js';
import './remote.css';

function Certificate({ c, timeZone }: { c: CertificateInfo; timeZone: string }) {
  return (
    <dl className="kv wide cert" data-testid="remote-cert">
      <div>
        <dt>SHA-256 fingerprint</dt>
        <dd>
          <code className="fingerprint" data-testid="remote-fingerprint">
            {c.fingerprint256}
          </code>
        </dd>
      </div>
      <div>
        <dt>Certificate</dt>
        <dd>
          {c.source === 'generated' ? 'self-signed, made by Gatehouse' : 'given by the administrator'} · <code>{c.certFile}</code>
        </dd>
      </div>
      <div>
        <dt>Valid</dt>
        <dd>
          {formatDateTime(c.validFrom, timeZone)} to {formatDateTime(c.validTo, timeZone)}
        </dd>
      </div>
      <div>
        <dt>Names</dt>
        <dd className="cert-names">{c.names.join(', ')}</dd>
      </div>
      <div>
        <dt>Public key (SPKI SHA-256)</dt>
        <dd>
          <code>{c.spki256}</code>
        </dd>
      </div>
    </dl>
  );
}

function DesktopSetting({ initial, onSaved }: { initial: RemoteAccessSetup; onSaved: () => void }) {
  const client = useClient();
  const [v, setV] = useState({ ...initial, port: String(initial.port), certFile: initial.certFile ?? '', keyFile: initial.keyFile ?? '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  useEffect(() => setV({ ...initial, port: String(initial.port), certFile: initial.certFile ?? '', keyFile: initial.keyFile ?? '' }), [initial]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const port = Number(v.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return setErrors({ port: 'a port number, 1 to 65535' });
    try {
      await client.call('system.setRemoteAccess', {
        setup: { enabled: v.enabled, host: v.host.trim(), port, certFile: v.certFile.trim() || null, keyFile: v.keyFile.trim() || null },
      });
      setErrors({});
      setSaved(true);
      onSaved();
    } catch (err) {
      const { field, message } = fieldError(err);
      const f = field?.replace(/^setup\./, '') ?? 'form';
      setErrors({ [['host', 'port', 'certFile', 'keyFile'].includes(f) ? f : 'form']: message });
    }
  };
  return (
    <form className="form narrow" onSubmit={submit} noValidate data-testid="remote-desktop-form">
      <h3>Desktop app</h3>
      <p className="muted">
        The desktop app's console stays on this PC (127.0.0.1). Turn this on to let phones and other PCs reach it over HTTPS as well; it applies when the app starts
        next. <code>gatehouse serve</code> takes <code>--tls</code> instead.
      </p>
      <label className="check">
        <input type="checkbox" checked={v.enabled} onChange={(e) => setV({ ...v, enabled: e.target.checked })} data-testid="remote-enabled" /> Remote access (HTTPS)
      </label>
      <Field label="Address" error={errors.host} hint="0.0.0.0: every network of this PC; or one of its addresses." testId="remote-host">
        {(p) => <input {...p} value={v.host} onChange={(e) => setV({ ...v, host: e.target.value })} data-testid="remote-host" />}
      </Field>
      <Field label="Port" error={errors.port} testId="remote-port">
        {(p) => <input {...p} inputMode="numeric" value={v.port} onChange={(e) => setV({ ...v, port: e.target.value })} data-testid="remote-port" />}
      </Field>
      <Field label="Certificate file (PEM)" error={errors.certFile} hint="Leave both empty for a self-signed certificate made by Gatehouse." testId="remote-cert-file">
        {(p) => <input {...p} value={v.certFile} onChange={(e) => setV({ ...v, certFile: e.target.value })} data-testid="remote-cert-file" spellCheck={false} />}
      </Field>
      <Field label="Key file (PEM)" error={errors.keyFile} testId="remote-key-file">
        {(p) => <input {...p} value={v.keyFile} onChange={(e) => setV({ ...v, keyFile: e.target.value })} data-testid="remote-key-file" spellCheck={false} />}
      </Field>
      <FormError error={errors.form} />
      {saved && <Notice tone="ok">Saved. It applies when the desktop app starts next.</Notice>}
      <FormActions left submitLabel="Save" submitTestId="remote-save" />
    </form>
  );
}

/**
 * `phone`: the phone's More page, which shows the account's own two-factor
 * card just above (with "Administrators must turn it on" where required) and
 * has no desktop app: the policy paragraph and the desktop setting are left out.
 */
export function RemoteAccessTab({ phone = false }: { phone?: boolean } = {}) {
  const { user } = useConnection();
  const { timeZone } = useSettings();
  const q = useQuery('system.remoteAccess', {});
  const r = q.data;
  if (q.error && !r)
    return (
      <Notice tone="error" onRetry={q.reload}>
        Could not read the remote access: {q.error.message}
      </Notice>
    );
  if (!r) return <p className="muted">Loading…</p>;
  const here = typeof location !== 'undefined' ? location.protocol : '';
  return (
    <div className="remote-access" data-testid="settings-remote">
      <h3>Listening</h3>
      <ul className="listeners">
        {r.listeners.map((l) => (
          <li key={l.url} data-testid="remote-listener" data-tls={!!l.tls}>
            <code>{l.url}</code> on {l.host}:{l.port} · {l.tls ? 'HTTPS only (HSTS)' : <span className={l.beyondLoopback ? 'text-bad' : ''}>plain HTTP</span>}
            {l.beyondLoopback ? ' · reachable from the network' : ' · this machine only'}
          </li>
        ))}
      </ul>
      {here === 'http:' && r.listeners.some((l) => l.beyondLoopback && !l.tls) && (
        <Notice tone="warn">This console is served as plain HTTP to the network: passwords and video can be read on the way. Start it with --tls.</Notice>
      )}
      {r.listeners
        .filter((l) => l.tls)
        .slice(0, 1)
        .map((l) => (
          <section key={l.url}>
            <h3>Certificate</h3>
            <p className="muted">
              Before you log in from a phone or another PC, open the certificate in its browser (the padlock or the warning page) and check that its SHA-256 fingerprint is this one.
            </p>
            <Certificate c={l.tls!} timeZone={timeZone} />
          </section>
        ))}
      {!phone && (
        <>
          <h3>Two-factor sign-in</h3>
          <p data-testid="remote-admin-totp" data-required={r.adminTotpRequired}>
            {r.adminTotpRequired
              ? 'Required for administrators: each admin sets up an authenticator app at their next sign-in.'
              : 'Optional (this server is reachable from this machine only). Every user can turn it on under Account.'}
          </p>
        </>
      )}
      {!phone && user?.role === 'admin' && <DesktopSetting initial={r.desktop} onSaved={q.reload} />}
    </div>
  );
}
