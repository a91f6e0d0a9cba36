import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Bookmark } from '../../../../main/api/bookmarks.js';
import { roleRank } from '../../../../main/api/contract.js';
import { useClient, useConnection, useEvent } from '../../api/context.js';
import type { Shortcut } from '../../keyboard/registry.js';
import { useCameras } from '../../state/cameras.js';
import { navigate } from '../../state/route.js';
import { formatDateTime } from '../../time/index.js';
import { Dialog } from '../../ui/Dialog.js';
import { fieldError } from '../../ui/format.js';
import { useToast } from '../../ui/toast.js';
import { AddToCaseDialog } from './AddToCaseDialog.js';
import { BookmarkDialog } from './BookmarkDialog.js';
import './bookmarks.css';

/** The search dialog's keys, for the `?` overlay. */
export const BOOKMARKS_SEARCH_KEYS: Omit<Shortcut, 'run'>[] = [
  { keys: ['down', 'up'], description: 'Next / previous bookmark (from the search field too)' },
  { keys: 'enter', description: 'Play back from the bookmark' },
  { keys: 'ctrl+e', description: 'Edit the note (yours; a supervisor any)' },
  { keys: 'ctrl+delete', description: 'Remove the bookmark (yours; a supervisor any)' },
  { keys: 'ctrl+k', description: 'Add the bookmark to a case (supervisors; its exports then carry it)' },
  { keys: 'esc', description: 'Close' },
];

/**
 * Shift+B on Live and in Playback: every bookmark, newest first, searched by
 * the words of its note (and a camera). Enter plays back from the one
 * picked; its author (or a supervisor) edits or removes it.
 */
export function BookmarksDialog({ timeZone, cameraId, onClose }: { timeZone: string; cameraId?: string | null; onClose: () => void }) {
  const client = useClient();
  const toast = useToast();
  const me = useConnection().user!;
  const { cameras, byId } = useCameras();
  const [text, setText] = useState('');
  const [camera, setCamera] = useState(cameraId ?? '');
  const [items, setItems] = useState<Bookmark[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [index, setIndex] = useState(0);
  const [editing, setEditing] = useState<Bookmark | null>(null);
  const [toCase, setToCase] = useState<Bookmark | null>(null);
  const [bump, setBump] = useState(0);
  const seq = useRef(0);

  useEffect(() => {
    const n = ++seq.current;
    const t = setTimeout(() => {
      client.call('bookmarks.list', { filter: { ...(text.trim() ? { text: text.trim() } : {}), ...(camera ? { cameraId: camera } : {}) }, limit: 200 }).then(
        (r) => {
          if (n !== seq.current) return;
          setItems(r.items);
          setError(null);
          setIndex((i) => Math.min(i, Math.max(0, r.items.length - 1)));
        },
        (err: Error) => n === seq.current && setError(err.message),
      );
    }, 150);
    return () => clearTimeout(t);
  }, [client, text, camera, bump]);
  useEvent('bookmarks.changed', () => setBump((b) => b + 1));

  const list = items ?? [];
  const cur = list[index];
  const supervisor = roleRank[me.role] >= roleRank.supervisor;
  const mayChange = (b: Bookmark) => b.author === me.username || supervisor;
  const play = (b: Bookmark) => {
    onClose();
    navigate('playback', { camera: b.cameraIds[0]!, t: new Date(Date.parse(b.time) - 5000).toISOString() });
  };
  const remove = async (b: Bookmark) => {
    try {
      await client.call('bookmarks.remove', { id: b.id });
      toast(`Bookmark #${b.id} removed`);
    } catch (err) {
      toast(fieldError(err).message, 'error');
    }
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setIndex((i) => Math.max(0, Math.min(list.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1))));
    } else if (e.key === 'Enter' && cur) {
      e.preventDefault();
      play(cur);
    } else if (e.ctrlKey && (e.key === 'e' || e.key === 'E') && cur && mayChange(cur)) {
      e.preventDefault();
      setEditing(cur);
    } else if (e.ctrlKey && e.key === 'Delete' && cur && mayChange(cur)) {
      e.preventDefault();
      void remove(cur);
    } else if (e.ctrlKey && (e.key === 'k' || e.key === 'K') && cur && supervisor) {
      e.preventDefault();
      setToCase(cur);
    }
  };

  if (toCase) return <AddToCaseDialog bookmark={toCase} onClose={() => setToCase(null)} />;
  if (editing) return <BookmarkDialog cameraIds={editing.cameraIds} time={Date.parse(editing.time)} timeZone={timeZone} existing={editing} onClose={() => setEditing(null)} />;
  return (
    <Dialog title="Bookmarks" onClose={onClose} testId="bookmarks-dialog" scope="Bookmarks" width={640}>
      <div className="bm-search" onKeyDown={onKey}>
        <input
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Search the notes"
          aria-label="Search the notes"
          data-autofocus
          data-testid="bookmarks-search"
        />
        <select value={camera} onChange={(e) => setCamera(e.target.value)} aria-label="Camera" data-testid="bookmarks-camera">
          <option value="">All cameras</option>
          {cameras.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      {error && <div className="field-error" role="alert">{error}</div>}
      <ul className="bm-list" role="listbox" aria-label="Bookmarks" data-testid="bookmarks-list" onKeyDown={onKey}>
        {list.map((b, i) => (
          <li
            key={b.id}
            role="option"
            aria-selected={i === index}
            className={i === index ? 'active' : ''}
            data-testid="bookmark-row"
            data-bookmark={b.id}
            onClick={() => setIndex(i)}
            onDoubleClick={() => play(b)}
          >
            <span className="bm-time">{formatDateTime(b.time, timeZone)}</span>
            <span className="bm-cams">{b.cameraIds.map((id) => byId(id)?.name ?? id).join(', ')}</span>
            <span className="bm-note">{b.note || <i className="muted">no note</i>}</span>
            <span className="bm-author">{b.author}</span>
          </li>
        ))}
        {items && !list.length && <li className="muted bm-empty">{text || camera ? 'No bookmark matches.' : 'No bookmarks yet: press M on Live or in Playback to mark a moment.'}</li>}
      </ul>
      <p className="muted small-print">
        <kbd>↑</kbd>/<kbd>↓</kbd> pick · <kbd>Enter</kbd> play back · <kbd>Ctrl+E</kbd> edit · <kbd>Ctrl+Del</kbd> remove{supervisor && (
          <>
            {' '}
            · <kbd>Ctrl+K</kbd> add to a case
          </>
        )}{' '}
        · <kbd>Esc</kbd> close
      </p>
    </Dialog>
  );
}
