import { useEffect, useState, type KeyboardEvent } from 'react';
import type { Bookmark } from '../../../../main/api/bookmarks.js';
import type { CaseInfo } from '../../../../main/api/export.js';
import { useClient } from '../../api/context.js';
import { Dialog } from '../../ui/Dialog.js';
import { fieldError } from '../../ui/format.js';
import { useToast } from '../../ui/toast.js';

/**
 * Ctrl+K in the bookmarks search (supervisors): put the bookmark into an open
 * case, so the case's exports carry it (data/bookmarks.*) and the case lists it.
 */
export function AddToCaseDialog({ bookmark, onClose }: { bookmark: Bookmark; onClose: () => void }) {
  const client = useClient();
  const toast = useToast();
  const [cases, setCases] = useState<CaseInfo[] | null>(null);
  const [index, setIndex] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    client.call('cases.list', { closed: false }).then(
      (r) => setCases(r),
      (err: Error) => setError(err.message),
    );
  }, [client]);

  const add = async (c: CaseInfo) => {
    try {
      // the text is what the case's item list shows: when, and what the guard wrote
      const text = `${bookmark.time.slice(0, 19).replace('T', ' ')} UTC, ${bookmark.author}${bookmark.note ? `: ${bookmark.note}` : ''}`.slice(0, 2000);
      await client.call('cases.addItem', { caseId: c.id, kind: 'bookmark', ref: String(bookmark.id), text });
      toast(`Bookmark #${bookmark.id} is in case "${c.name}"`);
      onClose();
    } catch (err) {
      setError(fieldError(err).message);
    }
  };
  const list = cases ?? [];
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setIndex((i) => Math.max(0, Math.min(list.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1))));
    } else if (e.key === 'Enter' && list[index]) {
      e.preventDefault();
      void add(list[index]!);
    }
  };
  return (
    <Dialog title={`Add bookmark #${bookmark.id} to a case`} onClose={onClose} testId="bookmark-case-dialog" scope="Add to case" width={480}>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      <ul className="bm-list" role="listbox" aria-label="Open cases" tabIndex={0} data-autofocus onKeyDown={onKey} data-testid="bookmark-case-list">
        {list.map((c, i) => (
          <li key={c.id} role="option" aria-selected={i === index} className={i === index ? 'active' : ''} data-case={c.id} onClick={() => setIndex(i)} onDoubleClick={() => void add(c)}>
            <span className="bm-note">{c.name}</span>
            <span className="bm-cams">{c.reference ?? ''}</span>
            <span className="bm-author">{c.counts.export} exports · {c.counts.bookmark} bookmarks</span>
          </li>
        ))}
        {cases && !list.length && <li className="muted bm-empty">No open case. Make one in Evidence → Cases (g e), then come back.</li>}
      </ul>
      <p className="muted small-print">
        <kbd>↑</kbd>/<kbd>↓</kbd> pick · <kbd>Enter</kbd> add · <kbd>Esc</kbd> back
      </p>
    </Dialog>
  );
}
