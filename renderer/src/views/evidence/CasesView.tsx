/**
 * Cases: the list (open ones; Shift+A all), and one case opened: its
 * details, its items (exports with their state, bookmarks, notes) and its
 * evidence locks. Supervisors make and edit cases and add notes.
 * J/K move, Enter opens, Esc goes back, N new case, M a note.
 */
import { useCallback, useEffect, useState } from 'react';
import { roleRank } from '../../../../main/api/contract.js';
import type { CaseInfo, CaseItem, EvidenceLock } from '../../../../main/api/export.js';
import { useClient, useConnection, useEvent, useReconnect } from '../../api/context.js';
import { useRovingList } from '../../keyboard/focus.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { Dialog } from '../../ui/Dialog.js';
import { FormError } from '../../ui/FormFooter.js';
import { Notice } from '../../ui/Notice.js';
import { progressText } from './ExportJobs.js';
import { LockRows } from './LocksView.js';

function CaseForm({ initial, onClose, onSaved }: { initial?: CaseInfo; onClose: () => void; onSaved: (c: CaseInfo) => void }) {
  const client = useClient();
  const [name, setName] = useState(initial?.name ?? '');
  const [reference, setReference] = useState(initial?.reference ?? '');
  const [notes, setNotes] = useState(initial?.notes ?? '');
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    try {
      const c = initial
        ? await client.call('cases.update', { id: initial.id, name, reference: reference || null, notes: notes || null })
        : await client.call('cases.create', { name, ...(reference ? { reference } : {}), ...(notes ? { notes } : {}) });
      onSaved(c);
      onClose();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Dialog
      title={initial ? 'Edit case' : 'New case'}
      onClose={onClose}
      testId="case-form"
      scope="Case"
      footer={
        <>
          <button type="button" className="btn ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn primary" onClick={() => void save()} data-testid="case-save">
            Save
          </button>
        </>
      }
    >
      <div className="export-form">
        <label className="export-field">
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={120} data-autofocus data-testid="case-name" />
        </label>
        <label className="export-field">
          Reference (police, insurer)
          <input value={reference} onChange={(e) => setReference(e.target.value)} maxLength={120} />
        </label>
        <label className="export-field">
          Notes
          <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={4} maxLength={4000} />
        </label>
        <FormError error={error} />
      </div>
    </Dialog>
  );
}

function NoteForm({ caseId, onClose }: { caseId: number; onClose: () => void }) {
  const client = useClient();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog
      title="Add a note"
      onClose={onClose}
      scope="Note"
      testId="case-note-form"
      footer={
        <button
          type="button"
          className="btn primary"
          onClick={() =>
            client.call('cases.addItem', { caseId, kind: 'note', text }).then(onClose, (err: Error) => setError(err.message))
          }
        >
          Add
        </button>
      }
    >
      <textarea className="wide" value={text} onChange={(e) => setText(e.target.value)} rows={4} maxLength={2000} data-autofocus data-testid="case-note-text" />
      {error && <p className="form-error">{error}</p>}
    </Dialog>
  );
}

function CaseDetail({ id, onBack, active }: { id: number; onBack: () => void; active: boolean }) {
  const client = useClient();
  const tz = useTimeZone();
  const supervisor = roleRank[useConnection().user!.role] >= roleRank.supervisor;
  const [data, setData] = useState<{ case: CaseInfo; items: CaseItem[]; locks: EvidenceLock[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'edit' | 'note' | null>(null);
  const load = useCallback(() => {
    client.call('cases.get', { id }).then(setData, (err: Error) => setError(err.message));
  }, [client, id]);
  useEffect(load, [load]);
  useReconnect(load);
  useEvent('cases.changed', (e) => e.caseId === id && load());
  useEvent('export.job', (j) => j.caseId === id && load());
  useEvent('evidence.changed', load);
  useShortcuts(
    'Case',
    [
      { keys: 'esc', description: 'Back to the cases', run: onBack },
      { keys: 'e', description: 'Edit the case', enabled: supervisor, run: () => setDialog('edit') },
      { keys: 'm', description: 'Add a note', enabled: supervisor, run: () => setDialog('note') },
    ],
    { active: active && !dialog },
  );
  if (error) return <Notice tone="error">{error}</Notice>;
  if (!data) return <p className="muted">Loading…</p>;
  const c = data.case;
  return (
    <div className="case-detail" data-testid="case-detail" data-case={c.id}>
      <div className="subtoolbar">
        <button type="button" className="btn small ghost" onClick={onBack}>
          ← Cases (Esc)
        </button>
        <h2 className="case-title">{c.name}</h2>
        {c.reference && <span className="muted">{c.reference}</span>}
        {c.closedAt && <span className="muted">closed {formatDateTime(c.closedAt, tz)}</span>}
        <span className="spacer" />
        {supervisor && (
          <>
            <button type="button" className="btn small" onClick={() => setDialog('note')}>
              Add note (M)
            </button>
            <button type="button" className="btn small" onClick={() => setDialog('edit')}>
              Edit (E)
            </button>
            <button type="button" className="btn small" onClick={() => void client.call('cases.update', { id: c.id, closed: !c.closedAt }).then(load)}>
              {c.closedAt ? 'Reopen' : 'Close case'}
            </button>
          </>
        )}
      </div>
      {c.notes && <p className="case-notes">{c.notes}</p>}
      <p className="muted small">
        Opened {formatDateTime(c.createdAt, tz)} by {c.createdBy}
      </p>
      <h3>Items</h3>
      {!data.items.length && <p className="muted">Nothing yet. Exports made for this case, bookmarks and notes are listed here.</p>}
      <ul className="case-items" data-testid="case-items">
        {data.items.map((i) => (
          <li key={i.id} data-kind={i.kind} data-ref={i.ref ?? ''}>
            <span className="case-item-kind">{i.kind}</span>
            <span className="muted small">{formatDateTime(i.addedAt, tz)}</span> <b>{i.addedBy}</b>{' '}
            {i.kind === 'export' && i.export ? (
              <>
                {i.text} · <span className={`job-state js-${i.export.state}`}>{i.export.state}</span> {progressText(i.export, tz)}
                {i.export.manifestSha256 && <code className="small"> SHA-256 {i.export.manifestSha256.slice(0, 16)}…</code>}
              </>
            ) : i.kind === 'bookmark' ? (
              <>
                bookmark {i.ref}
                {i.text ? `: ${i.text}` : ''}
              </>
            ) : (
              i.text
            )}
            {supervisor && (
              <button type="button" className="btn small ghost" title="Remove from the case" onClick={() => void client.call('cases.removeItem', { id: i.id }).then(load)}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      <h3>Evidence locks</h3>
      <LockRows locks={data.locks} active={false} />
      {dialog === 'edit' && <CaseForm initial={c} onClose={() => setDialog(null)} onSaved={() => load()} />}
      {dialog === 'note' && <NoteForm caseId={c.id} onClose={() => setDialog(null)} />}
    </div>
  );
}

export function CasesView({ active = true }: { active?: boolean }) {
  const client = useClient();
  const tz = useTimeZone();
  const supervisor = roleRank[useConnection().user!.role] >= roleRank.supervisor;
  const [cases, setCases] = useState<CaseInfo[]>([]);
  const [closed, setClosed] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const [form, setForm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const list = useRovingList(cases.length);
  const load = useCallback(() => {
    client.call('cases.list', { closed }).then(
      (l) => {
        setCases(l);
        setError(null);
      },
      (err: Error) => setError(err.message),
    );
  }, [client, closed]);
  useEffect(load, [load]);
  useReconnect(load);
  useEvent('cases.changed', load);
  useEvent('export.job', (j) => j.state === 'done' && load());
  useShortcuts(
    'Cases',
    [
      { keys: ['j', 'down'], description: 'Next case', run: () => list.move(1) },
      { keys: ['k', 'up'], description: 'Previous case', run: () => list.move(-1) },
      { keys: 'enter', description: 'Open the case', run: () => cases[list.index] && setOpen(cases[list.index]!.id) },
      { keys: 'n', description: 'New case', enabled: supervisor, run: () => setForm(true) },
      { keys: 'shift+a', description: 'Show closed cases too', run: () => setClosed((c) => !c) },
    ],
    { active: active && open === null && !form },
  );
  if (open !== null) return <CaseDetail id={open} onBack={() => setOpen(null)} active={active} />;
  return (
    <div className="cases-view" data-testid="cases-view">
      <div className="subtoolbar">
        {supervisor && (
          <button type="button" className="btn small" onClick={() => setForm(true)} data-testid="case-new">
            New case (N)
          </button>
        )}
        <label className="small">
          <input type="checkbox" checked={closed} onChange={(e) => setClosed(e.target.checked)} /> closed cases too (Shift+A)
        </label>
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      {!cases.length && !error && <div className="empty muted">No cases. An export makes one, or press N.</div>}
      {cases.length > 0 && (
        <div className="table-wrap">
          <table className="grid" aria-label="Cases">
            <thead>
              <tr>
                <th>Case</th>
                <th>Reference</th>
                <th className="num">Exports</th>
                <th className="num">Bookmarks</th>
                <th className="num">Notes</th>
                <th>Last change</th>
                <th>Opened by</th>
              </tr>
            </thead>
            <tbody>
              {cases.map((c, i) => (
                <tr key={c.id} {...list.itemProps(i)} onDoubleClick={() => setOpen(c.id)} data-testid="case-row" data-case={c.id} className={c.closedAt ? 'dim' : ''}>
                  <td>
                    <button type="button" className="linkish" onClick={() => setOpen(c.id)}>
                      {c.name}
                    </button>
                  </td>
                  <td>{c.reference ?? '–'}</td>
                  <td className="num">{c.counts.export}</td>
                  <td className="num">{c.counts.bookmark}</td>
                  <td className="num">{c.counts.note}</td>
                  <td>{formatDateTime(c.updatedAt, tz)}</td>
                  <td>{c.createdBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {form && <CaseForm onClose={() => setForm(false)} onSaved={(c) => setOpen(c.id)} />}
    </div>
  );
}
