/**
 * Evidence locks: footage that retention and quota purges may not delete
 * (made by exports, or by a supervisor). Supervisors release a lock with a
 * reason (audited). J/K move, U releases, Shift+A shows released ones too.
 */
import { useCallback, useEffect, useState } from 'react';
import { roleRank } from '../../../../main/api/contract.js';
import type { EvidenceLock } from '../../../../main/api/export.js';
import { useClient, useConnection, useEvent, useReconnect } from '../../api/context.js';
import { useRovingList } from '../../keyboard/focus.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useCameras } from '../../state/cameras.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { Dialog } from '../../ui/Dialog.js';
import { formatBytes } from '../../ui/format.js';
import { FormError } from '../../ui/FormFooter.js';
import { Notice } from '../../ui/Notice.js';

function UnlockDialog({ lock, onClose }: { lock: EvidenceLock; onClose: () => void }) {
  const client = useClient();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = () => client.call('evidence.unlock', { id: lock.id, reason }).then(onClose, (err: Error) => setError(err.message));
  return (
    <Dialog
      title={`Release evidence lock ${lock.id}?`}
      onClose={onClose}
      scope="Release lock"
      testId="unlock-dialog"
      footer={
        <>
          <button type="button" className="btn ghost" onClick={onClose}>
            Keep it
          </button>
          <button type="button" className="btn danger" onClick={() => void submit()} data-testid="unlock-submit">
            Release
          </button>
        </>
      }
    >
      <p>
        Its footage ({lock.segments} segments, {formatBytes(lock.bytes)}) goes back to retention and may be deleted, unless another lock holds it.
        Exported bundles are not touched.
      </p>
      <label className="export-field">
        Reason (required, audited)
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={500} data-autofocus data-testid="unlock-reason" />
      </label>
      <FormError error={error} />
    </Dialog>
  );
}

/** Lock rows (also inside a case). */
export function LockRows({ locks, active, onUnlock }: { locks: EvidenceLock[]; active: boolean; onUnlock?: (l: EvidenceLock) => void }) {
  const tz = useTimeZone();
  const { byId } = useCameras();
  const list = useRovingList(locks.length);
  useShortcuts(
    'Evidence locks',
    [
      { keys: ['j', 'down'], description: 'Next lock', run: () => list.move(1) },
      { keys: ['k', 'up'], description: 'Previous lock', run: () => list.move(-1) },
      { keys: 'u', description: 'Release the lock (asks for a reason)', enabled: !!onUnlock, run: () => locks[list.index]?.active && onUnlock?.(locks[list.index]!) },
    ],
    { active },
  );
  if (!locks.length) return <p className="muted">No evidence locks.</p>;
  return (
    <div className="table-wrap">
      <table className="grid" aria-label="Evidence locks" data-testid="locks-table">
        <thead>
          <tr>
            <th>Lock</th>
            <th>State</th>
            <th>Cameras</th>
            <th>Range ({tz})</th>
            <th>Case</th>
            <th className="num">Size</th>
            <th>By · reason</th>
            <th className="c-act" />
          </tr>
        </thead>
        <tbody>
          {locks.map((l, i) => (
            <tr key={l.id} {...list.itemProps(i)} data-testid="lock-row" data-lock={l.id} data-active={String(i === list.index)} className={l.active ? '' : 'dim'}>
              <td>
                #{l.id}
                {l.exportJob ? <span className="muted small"> export</span> : null}
              </td>
              <td>{l.active ? 'held' : `released ${formatDateTime(l.releasedAt, tz)} by ${l.releasedBy}: ${l.releaseReason}`}</td>
              <td>{l.cameraIds.map((c) => byId(c)?.name ?? c).join(', ')}</td>
              <td>
                {formatDateTime(l.from, tz)} – {formatDateTime(l.to, tz)}
              </td>
              <td>{l.caseName ?? '–'}</td>
              <td className="num">{formatBytes(l.bytes)}</td>
              <td title={l.reason}>
                {l.username} · {l.reason}
              </td>
              <td className="c-act">
                {l.active && onUnlock && (
                  <button type="button" className="btn small" onClick={() => onUnlock(l)}>
                    Release
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function LocksView({ active = true }: { active?: boolean }) {
  const client = useClient();
  const supervisor = roleRank[useConnection().user!.role] >= roleRank.supervisor;
  const [all, setAll] = useState(false);
  const [locks, setLocks] = useState<EvidenceLock[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [unlock, setUnlock] = useState<EvidenceLock | null>(null);
  const load = useCallback(() => {
    client.call('evidence.list', { all }).then(
      (l) => {
        setLocks(l);
        setError(null);
      },
      (err: Error) => setError(err.message),
    );
  }, [client, all]);
  useEffect(load, [load]);
  useReconnect(load);
  useEvent('evidence.changed', load);
  useShortcuts('Evidence locks view', [{ keys: 'shift+a', description: 'Show released locks too', run: () => setAll((a) => !a) }], { active: active && !unlock });
  return (
    <div className="locks-view" data-testid="locks-view">
      <div className="subtoolbar">
        <label className="small">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> released locks too (Shift+A)
        </label>
        <span className="muted small">Locked footage is never deleted by retention or the quota. Only a supervisor releases a lock, with a reason.</span>
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      <LockRows locks={locks} active={active && !unlock} onUnlock={supervisor ? setUnlock : undefined} />
      {unlock && (
        <UnlockDialog
          lock={unlock}
          onClose={() => {
            setUnlock(null);
            load();
          }}
        />
      )}
    </div>
  );
}
