import { useState } from 'react';
import { usePagedList } from './usePagedList.js';
import type { AuditVerifyResult } from '../../../../main/api/alarms.js';
import { useClient } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';

/**
 * Supervisor view of the audit trail: who did what and when (logins, alarm
 * actions, config, users, PTZ, exports, mutes), and a check of the hash chain.
 */
export function AuditView({ active = true }: { active?: boolean }) {
  const client = useClient();
  const tz = useTimeZone();
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [verify, setVerify] = useState<AuditVerifyResult | null>(null);
  const [checking, setChecking] = useState(false);
  const { items, cursor, error, setError, load } = usePagedList('audit.list', {
    ...(actor.trim() ? { actor: actor.trim() } : {}),
    ...(action.trim() ? { action: action.trim() } : {}),
  });

  const check = async () => {
    setChecking(true);
    try {
      setVerify(await client.call('audit.verify', {}));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setChecking(false);
    }
  };
  useShortcuts('Audit', [{ keys: 'v', description: 'Verify the hash chain', run: () => void check() }], { active });

  return (
    <div className="audit-view" data-testid="audit-view">
      <div className="toolbar">
        <label>
          User <input value={actor} onChange={(e) => setActor(e.target.value)} size={12} data-testid="audit-actor" />
        </label>
        <label>
          Action <input value={action} onChange={(e) => setAction(e.target.value)} placeholder="alarm. / auth.login" size={16} data-testid="audit-action" />
        </label>
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => void check()} disabled={checking} data-testid="audit-verify">
          Verify chain <kbd>V</kbd>
        </button>
      </div>
      {verify && (
        <div className={`notice ${verify.ok ? 'notice-ok' : 'notice-error'}`} data-testid="audit-verify-result" data-ok={verify.ok}>
          {verify.ok
            ? `Chain intact: ${verify.records} record(s); head ${verify.headHash?.slice(0, 16) ?? '–'}…`
            : `Chain broken at record ${verify.firstBad!.seq} (${verify.firstBad!.problem}): ${verify.firstBad!.message}`}
        </div>
      )}
      {error && <div className="notice notice-error">{error}</div>}
      <div className="table-wrap">
        <table className="grid audit-table">
          <thead>
            <tr>
              <th>#</th>
              <th>Time ({tz})</th>
              <th>User</th>
              <th>Action</th>
              <th>Target</th>
              <th>Details</th>
              <th>Hash</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.seq} data-testid="audit-row" className={verify?.firstBad?.seq === r.seq ? 'text-bad' : ''}>
                <td>{r.seq}</td>
                <td>{formatDateTime(r.time, tz)}</td>
                <td>{r.actor}</td>
                <td>
                  <code>{r.action}</code>
                </td>
                <td>{r.target ?? '–'}</td>
                <td className="audit-details" title={JSON.stringify(r.details, null, 2)}>
                  {JSON.stringify(r.details)}
                </td>
                <td>
                  <code className="muted">{r.hash.slice(0, 10)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!items.length && !error && <div className="empty">No audit records match.</div>}
      </div>
      {cursor && (
        <button type="button" className="btn small" onClick={() => load(cursor)}>
          Load older
        </button>
      )}
    </div>
  );
}
