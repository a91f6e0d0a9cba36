/**
 * "Verify an export": check a bundle folder on the Gatehouse computer (the
 * engine recomputes every hash and the signature, exactly as `gatehouse
 * export verify` does) and say whether it was signed with one of this
 * site's keys. Guards may check folders inside the exports folder;
 * supervisors any folder. Every check is recorded in the audit trail.
 *
 * A bundle somebody hands in on a stick can also be checked without
 * Gatehouse: its own index.html has a Verify button, and README.txt says how
 * to check it with openssl and sha256sum.
 */
import { useState } from 'react';
import type { VerifyReport } from '../../../../main/api/export.js';
import { useClient } from '../../api/context.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { Dialog } from '../../ui/Dialog.js';
import { FormError } from '../../ui/FormFooter.js';
import { useExportJobs } from './ExportJobs.js';

function keyText(r: VerifyReport): string {
  if (!r.fingerprint) return 'No readable key.';
  if (r.siteKey.status === 'this-site') return `Signed with this site's ${r.siteKey.current ? 'current' : `retired (since ${r.siteKey.retiredAt})`} export key.`;
  if (r.siteKey.status === 'other') return 'Signed with a key that is NOT one of this site\'s export keys (made elsewhere, or re-signed).';
  return 'This site has no export keys yet, so the key was not compared.';
}

export function VerifyReportView({ report: r }: { report: VerifyReport }) {
  const tz = useTimeZone();
  return (
    <div className="verify-report" data-testid="verify-report" data-ok={r.ok} data-signature={r.signature} data-site-key={r.siteKey.status}>
      <p className={`verify-verdict ${r.ok ? 'ok' : 'bad'}`}>
        {r.ok ? 'VALID: unchanged since it was signed.' : 'NOT VALID: the bundle was changed or is incomplete.'}
      </p>
      <dl className="verify-facts">
        <dt>Folder</dt>
        <dd>{r.dir}</dd>
        {r.manifest && (
          <>
            <dt>Case</dt>
            <dd>
              {r.manifest.case ?? '–'}
              {r.manifest.reference ? ` (${r.manifest.reference})` : ''}
            </dd>
            <dt>Range</dt>
            <dd>
              {formatDateTime(r.manifest.from, tz)} – {formatDateTime(r.manifest.to, tz)} · {r.manifest.cameras.join(', ')}
            </dd>
            <dt>Made</dt>
            <dd>
              {formatDateTime(r.manifest.createdAt, tz)} by {r.manifest.operator}
            </dd>
          </>
        )}
        <dt>Signature</dt>
        <dd className={r.signature === 'valid' ? '' : 'text-bad'}>{r.signature === 'valid' ? 'valid (Ed25519)' : `BAD: ${r.signature}`}</dd>
        <dt>Key</dt>
        <dd data-testid="verify-key">
          {keyText(r)}
          <br />
          <code className="small">{r.fingerprint}</code>
        </dd>
        <dt>Files</dt>
        <dd>
          {r.counts.ok} ok, {r.counts.changed} changed, {r.counts.missing} missing, {r.counts.extra} extra
        </dd>
        <dt>manifest.json SHA-256</dt>
        <dd>
          <code className="small">{r.manifestSha256 ?? '–'}</code>
        </dd>
      </dl>
      {r.problems.length > 0 && (
        <ul className="verify-problems" data-testid="verify-problems">
          {r.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function VerifyResult({ report, onClose }: { report: VerifyReport; onClose: () => void }) {
  return (
    <Dialog title="Verify an export" onClose={onClose} testId="verify-dialog" scope="Verify" width={640}>
      <VerifyReportView report={report} />
    </Dialog>
  );
}

export function VerifyView() {
  const client = useClient();
  const { jobs } = useExportJobs();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const done = jobs.filter((j) => j.state === 'done' && j.dir).slice(0, 20);
  const check = async (p: { path: string } | { id: string }) => {
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await client.call('export.verify', p));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="verify-view" data-testid="verify-view">
      <form
        className="verify-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void check({ path: path.trim() });
        }}
      >
        <label className="export-field">
          Folder of the export on the Gatehouse computer
          <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="/var/lib/gatehouse/exports/gate-2_20261126T080000Z_1a2b3c" size={70} data-testid="verify-path" />
        </label>
        <button type="submit" className="btn primary" disabled={busy || !path.trim()} data-testid="verify-submit">
          {busy ? 'Checking…' : 'Verify'}
        </button>
      </form>
      <p className="muted small">
        A .zip is checked as it is (no need to unzip it). A bundle on another computer: open its index.html and press Verify, or follow its README.txt (openssl and sha256sum).
      </p>
      {done.length > 0 && (
        <div className="verify-recent">
          <span className="muted small">Recent exports:</span>
          {done.map((j) => (
            <button key={j.id} type="button" className="btn small ghost" onClick={() => void check({ id: j.id })} title={j.dir ?? ''}>
              {j.caseName ?? j.id}
            </button>
          ))}
        </div>
      )}
      <FormError error={error} testId="verify-error" />
      {report && <VerifyReportView report={report} />}
    </div>
  );
}
