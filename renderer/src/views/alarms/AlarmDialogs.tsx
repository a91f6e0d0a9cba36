import { useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Alarm } from '../../../../main/api/alarms.js';
import type { Shortcut } from '../../keyboard/registry.js';
import { Dialog } from '../../ui/Dialog.js';
import { CLOSE_REASONS, quickReasonKey } from './alarm-queue.js';

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

/** The keys of these dialogs, for the `?` overlay (the text field handles them itself). */
export const PROMPT_KEYS: Omit<Shortcut, 'run'>[] = [
  { keys: 'enter', description: 'Send: add the comment, close, hold, escalate, raise the panic' },
  { keys: 'shift+enter', description: 'New line in the text' },
  { keys: ['alt+1', 'alt+2', 'alt+3', 'alt+4', 'alt+5'], display: 'Alt+1 … Alt+5', description: 'Close: pick a quick reason (also from the text field)' },
  { keys: ['1', '2', '3', '4', '5'], display: '1 … 5', description: 'Close: pick a quick reason while a reason button has focus (Tab to them); in the text field digits are typed' },
  { keys: 'esc', description: 'Cancel' },
];

/**
 * One small keyboard-first dialog for every prompt of the queue: the text
 * field has focus, Enter submits (Shift+Enter for a new line), Esc cancels.
 * What the guard types is stored exactly: quick close reasons never take a
 * key from the text field; they are on Alt+1–5, or 1–5 on the reason buttons.
 */
export function AlarmPrompt({
  kind,
  alarm,
  onSubmit,
  onClose,
  extra,
}: {
  kind: PromptKind;
  alarm: Alarm | null;
  onSubmit: (text: string) => Promise<unknown>;
  onClose: () => void;
  /** More controls under the text (the panic dialog's camera). */
  extra?: ReactNode;
}) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const required = kind === 'comment' || kind === 'close';

  const submit = async (value = text) => {
    const v = value.trim();
    if (required && !v) {
      setError(kind === 'close' ? 'A reason is needed to close an alarm: type one, or press Alt+1 to Alt+5 for a quick reason.' : 'Type a comment first.');
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
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      void submit();
      return;
    }
    const q = kind === 'close' ? quickReasonKey(e, true) : null;
    if (q !== null) {
      e.preventDefault();
      void submit(CLOSE_REASONS[q]!);
    }
  };
  // On the quick-reason buttons (not a text field) plain 1–5 pick too.
  const onReasonKey = (e: KeyboardEvent<HTMLElement>) => {
    const q = quickReasonKey(e, false);
    if (q !== null) {
      e.preventDefault();
      void submit(CLOSE_REASONS[q]!);
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
            <kbd>Enter</kbd> {SUBMIT[kind].toLowerCase()} · <kbd>Shift+Enter</kbd> new line · <kbd>Esc</kbd> cancel
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
        <div className="alarm-reasons" role="group" aria-label="Quick reasons (Alt+1 to Alt+5)" onKeyDown={onReasonKey}>
          {CLOSE_REASONS.map((r, i) => (
            <button key={r} type="button" className="btn small ghost" onClick={() => void submit(r)} data-testid={`alarm-reason-${i + 1}`}>
              <kbd>Alt+{i + 1}</kbd> {r}
            </button>
          ))}
        </div>
      )}
      {extra}
      {error && (
        <div className="field-error" role="alert" data-testid="alarm-prompt-error">
          {error}
        </div>
      )}
    </Dialog>
  );
}
