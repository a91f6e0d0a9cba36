import { useState, type ReactNode } from 'react';
import { Dialog } from './Dialog.js';
import { FormError } from './FormFooter.js';

export interface ConfirmProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown> | void;
  onClose: () => void;
  testId?: string;
}

/** "Are you sure" with the action's own error shown in place. Focus starts on Cancel. */
export function ConfirmDialog({ title, children, confirmLabel, danger, onConfirm, onClose, testId = 'confirm-dialog' }: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      testId={testId}
      scope="Confirm"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} data-autofocus data-testid="confirm-cancel">
            Cancel
          </button>
          <button type="button" className={`btn ${danger ? 'danger' : 'primary'}`} onClick={run} disabled={busy} data-testid="confirm-ok">
            {busy ? 'Working…' : confirmLabel}
          </button>
        </>
      }
    >
      <div className="confirm-text">{children}</div>
      <FormError error={error} testId="confirm-error" />
    </Dialog>
  );
}
