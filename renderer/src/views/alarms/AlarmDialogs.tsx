import { useState, type KeyboardEvent } from 'react';
import type { Alarm } from '../../../../main/api/alarms.js';
import { Dialog } from '../../ui/Dialog.js';
import { CLOSE_REASONS } from './alarm-queue.js';

export type PromptKind = 'comment' | 'close' | 'hold' | 'escalate' | 'panic';

const TITLES: Record<PromptKind, string> = {
  comment: 'Comment',
  close: 'Close alarm',
  hold: 'Put on hold',
  escalate: 'Escalate to supervisors',
  panic: 'Raise a PANIC alarm',
};

const LABELS: Record<PromptKind, string> = {
  comment: 'Comment',
  close: 'Reason (required)',
  hold: 'Why on hold? (optional)',
  escalate: 'Note for the supervisor (optional)',
  panic: 'What is happening? (optional)',
};

const SUBMIT: Record<PromptKind, string> = {
  comment: 'Add comment',
  close: 'Close alarm',
  hold: 'Put on hold',
  escalate: 'Escalate',
  panic: 'Raise PANIC',
};

/**
 * One small keyboard-first dialog for every prompt of the queue: the text
 * field has focus, Enter submits (Shift+Enter for a new line), Esc cancels.
 * Closing offers quick reasons on 1–5 while the field is empty.
 */
export function AlarmPrompt({
  kind,
  alarm,
  onSubmit,
  onClose,
}: {
  kind: PromptKind;
  alarm: Alarm | null;
  onSubmit: (text: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const required = kind === 'comment' || kind === 'close';

  const submit = async (value = text) => {
    const v = value.trim();
    if (required && !v) {
      setError(kind === 'close' ? 'A reason is needed to close an alarm: type one, or press 1–5 for a quick reason.' : 'Type a comment first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(v);
      onClose();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void submit();
      return;
    }
    if (kind === 'close' && text === '' && /^[1-5]$/.test(e.key) && !e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      setText(CLOSE_REASONS[Number(e.key) - 1]!);
    }
  };

  return (
    <Dialog
      title={alarm ? `${TITLES[kind]} · #${alarm.id}` : TITLES[kind]}
      onClose={onClose}
      testId={`alarm-prompt-${kind}`}
      scope={TITLES[kind]}
      width={480}
      footer={
        <>
          <span className="muted small-print">
            <kbd>Enter</kbd> {SUBMIT[kind].toLowerCase()} · <kbd>Esc</kbd> cancel
          </span>
          <span className="spacer" />
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className={`btn ${kind === 'panic' || kind === 'escalate' ? 'danger' : 'primary'}`} disabled={busy} onClick={() => void submit()} data-testid="alarm-prompt-submit">
            {SUBMIT[kind]}
          </button>
        </>
      }
    >
      {alarm && <p className="alarm-prompt-title">{alarm.title}</p>}
      <label className="alarm-prompt-label" htmlFor="alarm-prompt-text">
        {LABELS[kind]}
      </label>
      <textarea
        id="alarm-prompt-text"
        className="alarm-prompt-text"
        rows={kind === 'comment' ? 3 : 2}
        value={text}
        maxLength={kind === 'close' ? 500 : 2000}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        data-autofocus
        data-testid="alarm-prompt-text"
        aria-invalid={!!error}
      />
      {kind === 'close' && (
        <div className="alarm-reasons" aria-label="Quick reasons">
          {CLOSE_REASONS.map((r, i) => (
            <button key={r} type="button" className="btn small ghost" onClick={() => void submit(r)} tabIndex={-1}>
              <kbd>{i + 1}</kbd> {r}
            </button>
          ))}
        </div>
      )}
      {error && (
        <div className="field-error" role="alert" data-testid="alarm-prompt-error">
          {error}
        </div>
      )}
    </Dialog>
  );
}
