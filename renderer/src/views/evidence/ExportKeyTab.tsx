/**
 * Settings → Export key: the fingerprint of the site's export signing key
 * (what a recipient compares with the bundle's public-key.pem), the old keys
 * that still verify as this site's, and for admins a rotate button (with a
 * reason, audited). The key pair is made at the first export.
 */
import { useState } from 'react';
import { useClient, useConnection, useQuery } from '../../api/context.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { Dialog } from '../../ui/Dialog.js';
import { Notice } from '../../ui/Notice.js';
import { useToast } from '../../ui/toast.js';

function RotateDialog({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const client = useClient();
  const toast = useToast();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const go = () =>
    client.call('export.rotateKey', { reason }).then(
      (k) => {
        toast(`New export key ${k.fingerprint.slice(0, 23)}…`);
        onDone();
        onClose();
      },
      (err: Error) => setError(err.message),
    );
  return (
    <Dialog
      title="Rotate the export key?"
      onClose={onClose}
      scope="Rotate key"
      testId="rotate-key-dialog"
      footer={
        <>
          <button type="button" className="btn ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn danger" onClick={() => void go()} data-testid="rotate-key-submit">
            Make a new key
          </button>
        </>
      }
    >
      <p>New exports are signed with a new key. Exports signed before keep verifying as this site&apos;s (the old public key is kept).</p>
      <label className="export-field">
        Reason (required, audited)
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={500} data-autofocus data-testid="rotate-key-reason" />
      </label>
      {error && <p className="form-error">{error}</p>}
    </Dialog>
  );
}

export function ExportKeyTab() {
  const tz = useTimeZone();
  const admin = useConnection().user?.role === 'admin';
  const q = useQuery('export.listKeys', {});
  const [rotate, setRotate] = useState(false);
  if (q.error && !q.data) return <Notice tone="error">Could not read the export keys: {q.error.message}</Notice>;
  if (!q.data) return <p className="muted">Loading…</p>;
  const { current, keys } = q.data;
  return (
    <div className="export-key" data-testid="settings-export-key">
      <h3>Export signing key</h3>
      {current ? (
        <>
          <p>
            Every export is signed (Ed25519) with this site&apos;s key. Give this fingerprint to whoever receives exports, so they can check that a
            bundle&apos;s <code>public-key.pem</code> is this site&apos;s:
          </p>
          <p>
            <code className="fingerprint" data-testid="export-key-fingerprint">
              {current.fingerprint}
            </code>
          </p>
          <p className="muted small">
            Made {formatDateTime(current.createdAt, tz)}. By hand: <code>openssl pkey -pubin -in public-key.pem -outform DER | sha256sum</code>
          </p>
        </>
      ) : (
        <p className="muted">No key yet: it is made at the first export.</p>
      )}
      {admin && (
        <button type="button" className="btn" onClick={() => setRotate(true)} data-testid="rotate-key">
          Rotate the key…
        </button>
      )}
      {keys.filter((k) => !k.current).length > 0 && (
        <>
          <h3>Earlier keys (still verify as this site&apos;s)</h3>
          <ul>
            {keys
              .filter((k) => !k.current)
              .map((k) => (
                <li key={k.fingerprint}>
                  <code className="small">{k.fingerprint}</code> · {formatDateTime(k.createdAt, tz)} – {formatDateTime(k.retiredAt, tz)}
                </li>
              ))}
          </ul>
        </>
      )}
      {rotate && <RotateDialog onClose={() => setRotate(false)} onDone={q.reload} />}
    </div>
  );
}
