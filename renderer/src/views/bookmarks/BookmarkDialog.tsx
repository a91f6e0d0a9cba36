import { useState, type KeyboardEvent } from 'react';
import type { Bookmark } from '../../../../main/api/bookmarks.js';
import { useClient } from '../../api/context.js';
import type { Shortcut } from '../../keyboard/registry.js';
import { useCameras } from '../../state/cameras.js';
import { formatDateTime, zoneAbbrev } from '../../time/index.js';
import { Dialog } from '../../ui/Dialog.js';
import { fieldError } from '../../ui/format.js';
import { useToast } from '../../ui/toast.js';
import './bookmarks.css';

/** The bookmark dialog's keys, for the `?` overlay (the text field handles them). */
export const BOOKMARK_DIALOG_KEYS: Omit<Shortcut, 'run'>[] = [
  { keys: 'enter', description: 'Save the bookmark' },
  { keys: 'shift+enter', description: 'New line in the note' },
  { keys: 'esc', description: 'Cancel' },
];

/**
 * Mark a moment (M on Live and in Playback): the cameras and the time are
 * taken from where the guard is; the note is typed, stored word for word.
 * Also edits an existing bookmark's note.
 */
export function BookmarkDialog({
  cameraIds,
  time,
  timeZone,
  existing,
  onClose,
  onSaved,
}: {
  cameraIds: string[];
  time: number;
  timeZone: string;
  existing?: Bookmark;
  onClose: () => void;
  onSaved?: (b: Bookmark) => void;
}) {
  const client = useClient();
  const toast = useToast();
  const { byId } = useCameras();
  const [note, setNote] = useState(existing?.note ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = existing?.cameraIds ?? cameraIds;
  const at = existing ? Date.parse(existing.time) : time;

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const b = existing
        ? await client.call('bookmarks.update', { id: existing.id, note })
        : await client.call('bookmarks.add', { cameraIds: ids, time: new Date(at).toISOString(), note });
      toast(existing ? `Bookmark #${b.id} saved` : `Bookmarked ${formatDateTime(at, timeZone)} (#${b.id})`);
      onSaved?.(b);
      onClose();
    } catch (err) {
      setError(fieldError(err).message);
      setBusy(false);
    }
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      void save();
    }
  };

  return (
    <Dialog
      title={existing ? `Edit bookmark #${existing.id}` : 'Bookmark this moment'}
      onClose={onClose}
      testId="bookmark-dialog"
      scope="Bookmark"
      width={480}
      footer={
        <>
          <span className="muted small-print">
            <kbd>Enter</kbd> save · <kbd>Shift+Enter</kbd> new line · <kbd>Esc</kbd> cancel
          </span>
          <span className="spacer" />
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn primary" disabled={busy || !ids.length} onClick={() => void save()} data-testid="bookmark-save">
            Save
          </button>
        </>
      }
    >
      <p className="bm-what" data-testid="bookmark-what">
        <b>{formatDateTime(at, timeZone)}</b> {zoneAbbrev(at, timeZone)} ·{' '}
        {ids.length ? ids.map((id) => byId(id)?.name ?? id).join(', ') : <span className="text-bad">no camera in focus: pick a tile first</span>}
      </p>
      <label className="alarm-prompt-label" htmlFor="bookmark-note">
        Note (optional)
      </label>
      <textarea
        id="bookmark-note"
        className="alarm-prompt-text"
        rows={2}
        maxLength={1000}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        onKeyDown={onKey}
        data-autofocus
        data-testid="bookmark-note"
        placeholder="What happened, e.g. van stopped at the gate, 2 people got out"
      />
      {error && (
        <div className="field-error" role="alert" data-testid="bookmark-error">
          {error}
        </div>
      )}
    </Dialog>
  );
}
