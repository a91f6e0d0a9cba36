/**
 * The export dialog, opened from playback (marked range), an alarm, an
 * event or an access-log row: cameras, reason (required), the case (pick one
 * or make one), a .zip, a frame-exact re-encode with burned-in time, camera
 * name and watermark. It shows what the export will take (export.preview)
 * and queues the job (export.create); the job runs in the engine, so the
 * dialog may close and the console may even disconnect.
 */
import { useEffect, useState } from 'react';
import type { ExportJob, ExportPreview, ExportSourceKind } from '../../../../main/api/export.js';
import { ApiError } from '../../../../main/api/contract.js';
import { useClient } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useCameras } from '../../state/cameras.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime, formatDurationMs, zoneAbbrev } from '../../time/index.js';
import { Dialog } from '../../ui/Dialog.js';
import { formatBytes } from '../../ui/format.js';
import { FormError } from '../../ui/FormFooter.js';
import { useToast } from '../../ui/toast.js';
import './evidence.css';

export interface ExportSelection {
  cameraIds: string[];
  from: number;
  to: number;
  source?: { kind: ExportSourceKind; id?: string };
  /** Dialog title, e.g. "Export alarm #12". */
  title?: string;
  /** Prefilled reason and case name. */
  reason?: string;
  caseName?: string;
}

export function ExportDialog({ selection, onClose, onQueued }: { selection: ExportSelection; onClose: () => void; onQueued?: (j: ExportJob) => void }) {
  const client = useClient();
  const tz = useTimeZone();
  const toast = useToast();
  const { cameras } = useCameras();
  const [cams, setCams] = useState<string[]>(selection.cameraIds);
  const [reason, setReason] = useState(selection.reason ?? '');
  const [caseId, setCaseId] = useState<number | 'new'>('new');
  const [caseName, setCaseName] = useState(selection.caseName ?? '');
  const [caseRef, setCaseRef] = useState('');
  const [zip, setZip] = useState(false);
  const [reencode, setReencode] = useState(false);
  const [cases, setCases] = useState<{ id: number; name: string; reference: string | null }[]>([]);
  const [preview, setPreview] = useState<ExportPreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const from = new Date(selection.from).toISOString();
  const to = new Date(selection.to).toISOString();

  useEffect(() => {
    client.call('cases.list', {}).then(
      (l) => setCases(l),
      () => setCases([]),
    );
  }, [client]);
  useEffect(() => {
    if (!cams.length) {
      setPreview(null);
      setPreviewError('choose at least one camera');
      return;
    }
    let alive = true;
    setPreviewError(null);
    client.call('export.preview', { cameraIds: cams, from, to, zip, reencode }).then(
      (p) => alive && setPreview(p),
      (err: Error) => {
        if (!alive) return;
        setPreview(null);
        setPreviewError(err.message);
      },
    );
    return () => {
      alive = false;
    };
  }, [client, cams.join(','), from, to, zip, reencode]); // eslint-disable-line react-hooks/exhaustive-deps

  const submit = async () => {
    if (!reason.trim()) return setError({ field: 'reason', message: 'give a reason: why is this exported? It goes into the manifest and the audit trail' });
    if (caseId === 'new' && !caseName.trim()) return setError({ field: 'case', message: 'name the case, or pick an existing one' });
    setBusy(true);
    setError(null);
    try {
      const job = await client.call('export.create', {
        cameraIds: cams,
        from,
        to,
        reason: reason.trim(),
        ...(caseId === 'new' ? { newCase: { name: caseName.trim(), ...(caseRef.trim() ? { reference: caseRef.trim() } : {}) } } : { caseId }),
        zip,
        reencode,
        ...(selection.source ? { source: selection.source } : {}),
      });
      toast(job.waitUntil ? 'Export queued: it starts once the end of the range is recorded. Follow it in Evidence (g e).' : 'Export queued. Follow it in Evidence (g e).');
      onQueued?.(job);
      onClose();
    } catch (err) {
      const e = err as ApiError;
      setError({ field: e.field, message: e.message });
      setBusy(false);
    }
  };
  useShortcuts('Export', [{ keys: 'ctrl+enter', description: 'Start the export', allowInInput: true, run: () => void submit() }], { modal: false });

  const span = selection.to - selection.from;
  return (
    <Dialog
      title={selection.title ?? 'Export evidence'}
      onClose={onClose}
      testId="export-dialog"
      scope="Export"
      width={560}
      footer={
        <>
          <span className="muted small">Ctrl+Enter to export</span>
          <button type="button" className="btn ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn primary" onClick={() => void submit()} disabled={busy || !cams.length} data-testid="export-submit">
            {busy ? 'Queuing…' : 'Export'}
          </button>
        </>
      }
    >
      <div className="export-form" data-testid="export-form" data-from={from} data-to={to}>
        <p className="export-range">
          <b>{formatDateTime(selection.from, tz)}</b> – <b>{formatDateTime(selection.to, tz)}</b> {zoneAbbrev(selection.from, tz)} · {formatDurationMs(span, 'precise')}
        </p>
        <fieldset className="export-cams">
          <legend>Cameras</legend>
          {cameras.map((c) => (
            <label key={c.id} className="export-cam">
              <input
                type="checkbox"
                checked={cams.includes(c.id)}
                onChange={(e) => setCams((l) => (e.target.checked ? [...l, c.id] : l.filter((x) => x !== c.id)))}
                data-testid={`export-cam-${c.id}`}
              />
              {c.name}
            </label>
          ))}
        </fieldset>
        <label className="export-field">
          Reason (required)
          <textarea
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={2}
            maxLength={500}
            data-autofocus
            aria-invalid={error?.field === 'reason'}
            placeholder="Why is this exported? e.g. police request PD-2026-117"
            data-testid="export-reason"
          />
        </label>
        <div className="export-case">
          <label className="export-field">
            Case
            <select value={String(caseId)} onChange={(e) => setCaseId(e.target.value === 'new' ? 'new' : Number(e.target.value))} data-testid="export-case">
              <option value="new">New case…</option>
              {cases.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                  {c.reference ? ` (${c.reference})` : ''}
                </option>
              ))}
            </select>
          </label>
          {caseId === 'new' && (
            <>
              <label className="export-field">
                Case name
                <input value={caseName} onChange={(e) => setCaseName(e.target.value)} maxLength={120} aria-invalid={error?.field === 'case'} data-testid="export-case-name" />
              </label>
              <label className="export-field">
                Reference
                <input value={caseRef} onChange={(e) => setCaseRef(e.target.value)} maxLength={120} placeholder="police or insurer file" data-testid="export-case-ref" />
              </label>
            </>
          )}
        </div>
        <label className="export-check">
          <input type="checkbox" checked={zip} onChange={(e) => setZip(e.target.checked)} data-testid="export-zip" /> Also make a .zip
        </label>
        <label className="export-check">
          <input type="checkbox" checked={reencode} onChange={(e) => setReencode(e.target.checked)} data-testid="export-reencode" /> Frame-exact cut with the time, camera name
          and a watermark burned in (re-encodes: slower)
        </label>
        <div className="export-preview" data-testid="export-preview" aria-live="polite">
          {preview ? (
            <>
              About <b>{formatBytes(preview.bundleBytes)}</b>
              {preview.freeBytes !== null ? `, ${formatBytes(preview.freeBytes)} free` : ''}.{' '}
              {preview.notes.map((n) => (
                <span key={n} className="export-note">
                  {n}.{' '}
                </span>
              ))}
            </>
          ) : previewError ? (
            <span className="text-bad">{previewError}</span>
          ) : (
            <span className="muted">Reading the recordings…</span>
          )}
        </div>
        <FormError error={error?.message} testId="export-error" />
      </div>
    </Dialog>
  );
}
