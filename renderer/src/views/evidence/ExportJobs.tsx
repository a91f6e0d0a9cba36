/**
 * The export jobs panel: every job with its state, progress and ETA (pushed
 * as `export.job` events; jobs the command line runs are polled), and per
 * job: cancel, verify, download (.zip) and the folder on the engine's
 * computer. J/K move, C cancels, V verifies, D downloads.
 */
import { useCallback, useEffect, useState } from 'react';
import { roleRank } from '../../../../main/api/contract.js';
import type { ExportJob, VerifyReport } from '../../../../main/api/export.js';
import { useClient, useConnection, useEvent, useReconnect } from '../../api/context.js';
import { useRovingList } from '../../keyboard/focus.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useCameras } from '../../state/cameras.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime, formatDurationSeconds } from '../../time/index.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { formatBytes } from '../../ui/format.js';
import { Notice } from '../../ui/Notice.js';
import { useToast } from '../../ui/toast.js';
import { VerifyResult } from './VerifyView.js';

const STATE_TEXT: Record<ExportJob['state'], string> = {
  queued: 'queued',
  waiting: 'waiting',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};

/** The export jobs, kept up to date by events (and a poll while a CLI job runs). */
export function useExportJobs(): { jobs: ExportJob[]; error: string | null; reload: () => void } {
  const client = useClient();
  const [jobs, setJobs] = useState<ExportJob[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    client.call('export.list', { limit: 200 }).then(
      (l) => {
        setJobs(l);
        setError(null);
      },
      (err: Error) => setError(err.message),
    );
  }, [client]);
  useEffect(reload, [reload]);
  useReconnect(reload);
  useEvent('export.job', (j) =>
    setJobs((l) => {
      const i = l.findIndex((x) => x.id === j.id);
      if (i < 0) return [j, ...l];
      const next = l.slice();
      next[i] = j;
      return next;
    }),
  );
  const cliActive = jobs.some((j) => j.runner === 'cli' && (j.state === 'running' || j.state === 'waiting' || j.state === 'queued'));
  useEffect(() => {
    if (!cliActive) return;
    const t = setInterval(reload, 3000);
    return () => clearInterval(t);
  }, [cliActive, reload]);
  return { jobs, error, reload };
}

export function progressText(j: ExportJob, tz: string): string {
  if (j.state === 'running') return `${Math.round(j.progress * 100)} % ${j.phase ?? ''}${j.etaSeconds !== null ? ` · ${formatDurationSeconds(j.etaSeconds, 'precise')} left` : ''}`;
  if (j.state === 'waiting' && j.waitUntil) return `starts after ${formatDateTime(j.waitUntil, tz)} (end of the range recorded)`;
  if (j.state === 'done') return `${formatBytes(j.bytes)}${j.zipPath ? ' + .zip' : ''}`;
  if (j.state === 'failed' || j.state === 'interrupted' || j.state === 'cancelled') return j.error ?? '';
  return '';
}

export function ExportJobs({ caseId, active = true }: { caseId?: number; active?: boolean }) {
  const client = useClient();
  const tz = useTimeZone();
  const toast = useToast();
  const { byId } = useCameras();
  const me = useConnection().user!;
  const supervisor = roleRank[me.role] >= roleRank.supervisor;
  const { jobs: all, error } = useExportJobs();
  const jobs = caseId === undefined ? all : all.filter((j) => j.caseId === caseId);
  const list = useRovingList(jobs.length);
  const sel = jobs[list.index];
  const [cancel, setCancel] = useState<ExportJob | null>(null);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [verifying, setVerifying] = useState<string | null>(null);

  const verify = (j: ExportJob | undefined) => {
    if (!j || j.state !== 'done') return;
    setVerifying(j.id);
    client.call('export.verify', { id: j.id }).then(
      (r) => {
        setReport(r);
        setVerifying(null);
      },
      (err: Error) => {
        toast(err.message, 'error');
        setVerifying(null);
      },
    );
  };
  const download = (j: ExportJob | undefined) => {
    if (!j || j.state !== 'done' || !supervisor) return;
    window.location.assign(`/api/exports/${j.id}/download`);
  };
  const cancellable = (j: ExportJob | undefined) => !!j && supervisor && j.runner === 'engine' && (j.state === 'queued' || j.state === 'waiting' || j.state === 'running');

  useShortcuts(
    'Export jobs',
    [
      { keys: ['j', 'down'], description: 'Next job', run: () => list.move(1) },
      { keys: ['k', 'up'], description: 'Previous job', run: () => list.move(-1) },
      { keys: 'c', description: 'Cancel the job', enabled: supervisor, run: () => (cancellable(sel) ? setCancel(sel!) : false) },
      { keys: 'v', description: 'Verify the bundle', run: () => verify(sel) },
      { keys: 'd', description: 'Download the bundle (.zip)', enabled: supervisor, run: () => download(sel) },
    ],
    { active: active && !cancel && !report },
  );

  return (
    <div className="export-jobs" data-testid="export-jobs">
      {error && <Notice tone="error">Could not load the export jobs: {error}</Notice>}
      {!jobs.length && !error && (
        <div className="empty muted" data-testid="export-jobs-empty">
          No exports yet. Export from Playback (mark in and out with I and O, then Shift+E), from an alarm (Shift+E), from the access log, or with
          <code> gatehouse export create</code>.
        </div>
      )}
      {jobs.length > 0 && (
        <div className="table-wrap">
          <table className="grid" aria-label="Export jobs">
            <thead>
              <tr>
                <th>Made</th>
                <th>State</th>
                <th>Progress</th>
                <th>Case</th>
                <th>Cameras</th>
                <th>Range ({tz})</th>
                <th>By</th>
                <th className="c-act" />
              </tr>
            </thead>
            <tbody>
              {jobs.map((j, i) => (
                <tr key={j.id} {...list.itemProps(i)} data-testid="export-job" data-job={j.id} data-state={j.state} data-progress={j.progress.toFixed(3)}>
                  <td title={j.id}>{formatDateTime(j.createdAt, tz)}</td>
                  <td>
                    <span className={`job-state js-${j.state}`}>{STATE_TEXT[j.state]}</span>
                    {j.runner === 'cli' && <span className="muted small"> (command line)</span>}
                  </td>
                  <td className="job-progress">
                    {j.state === 'running' && (
                      <div className="meter" aria-label={`${Math.round(j.progress * 100)} %`}>
                        <div className="meter-fill" style={{ width: `${Math.round(j.progress * 100)}%` }} />
                      </div>
                    )}
                    <span className={j.state === 'failed' || j.state === 'interrupted' ? 'text-bad' : 'muted'} data-testid="export-job-progress">
                      {progressText(j, tz)}
                    </span>
                  </td>
                  <td>{j.caseName ?? '–'}</td>
                  <td>
                    {j.cameraIds.map((c) => byId(c)?.name ?? c).join(', ')}
                    {j.maskedCameras.length > 0 && <span className="muted small" title="privacy masks burned in"> · masked</span>}
                  </td>
                  <td>
                    {formatDateTime(j.from, tz)} – {formatDateTime(j.to, tz)}
                  </td>
                  <td>{j.username}</td>
                  <td className="c-act">
                    {cancellable(j) && (
                      <button type="button" className="btn small" onClick={() => setCancel(j)}>
                        Cancel
                      </button>
                    )}
                    {j.state === 'done' && (
                      <>
                        <button type="button" className="btn small" onClick={() => verify(j)} disabled={verifying === j.id} data-testid="export-job-verify">
                          {verifying === j.id ? 'Checking…' : 'Verify'}
                        </button>
                        {supervisor && (
                          <a className="btn small" href={`/api/exports/${j.id}/download`} data-testid="export-job-download">
                            Download
                          </a>
                        )}
                        <button
                          type="button"
                          className="btn small ghost"
                          title={j.dir ?? ''}
                          onClick={() => {
                            void navigator.clipboard?.writeText(j.dir ?? '').catch(() => undefined);
                            toast(`Folder on the Gatehouse computer: ${j.dir}`, 'info');
                          }}
                        >
                          Folder
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {sel?.state === 'done' && (
        <p className="muted small export-folder" data-testid="export-job-dir">
          {sel.dir}
          {sel.manifestSha256 ? ` · manifest SHA-256 ${sel.manifestSha256}` : ''}
        </p>
      )}
      {cancel && (
        <ConfirmDialog
          title="Cancel this export?"
          confirmLabel="Cancel the export"
          danger
          onConfirm={() => client.call('export.cancel', { id: cancel.id })}
          onClose={() => setCancel(null)}
          testId="export-cancel-confirm"
        >
          Nothing it has written is kept, and its evidence lock is released.
        </ConfirmDialog>
      )}
      {report && <VerifyResult report={report} onClose={() => setReport(null)} />}
    </div>
  );
}
