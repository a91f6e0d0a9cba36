import type { ReactNode } from 'react';

/**
 * A form's error line: nothing while there is no error, else the red `form-error` paragraph,
 * announced (role="alert"). `testId` becomes its data-testid when given.
 */
export function FormError({ error, testId }: { error?: ReactNode; testId?: string }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert" data-testid={testId}>
      {error}
    </p>
  );
}

export interface FormActionsProps {
  /** Buttons start at the left (`form-actions left`) instead of the right. */
  left?: boolean;
  /** Extra buttons, placed before Cancel (e.g. a "Defaults" button). */
  children?: ReactNode;
  /** Shows the Cancel button when given. */
  onCancel?: () => void;
  /** The cancel button's text: "Cancel" unless told (some dialogs say "Close"). */
  cancelLabel?: ReactNode;
  /** The submit button's text. */
  submitLabel: ReactNode;
  /** The submit button's text while busy; the plain label when not given. */
  busyLabel?: ReactNode;
  /** A save is under way: the submit button is disabled and shows `busyLabel`. */
  busy?: boolean;
  /** Another reason to disable the submit button (e.g. nothing changed). */
  disabled?: boolean;
  /** The submit button's data-testid. */
  submitTestId?: string;
}

/** A form's button row: extra buttons, then Cancel (optional), then the submit button. */
export function FormActions({
  left,
  children,
  onCancel,
  cancelLabel = 'Cancel',
  submitLabel,
  busyLabel,
  busy,
  disabled,
  submitTestId,
}: FormActionsProps) {
  return (
    <div className={left ? 'form-actions left' : 'form-actions'}>
      {children}
      {onCancel && (
        <button type="button" className="btn" onClick={onCancel}>
          {cancelLabel}
        </button>
      )}
      <button type="submit" className="btn primary" disabled={busy || disabled} data-testid={submitTestId}>
        {busy && busyLabel !== undefined ? busyLabel : submitLabel}
      </button>
    </div>
  );
}

export interface FormFooterProps extends FormActionsProps {
  error?: ReactNode;
  errorTestId?: string;
}

/** The common end of a form: its error line, then its button row. */
export function FormFooter({ error, errorTestId, ...actions }: FormFooterProps) {
  return (
    <>
      <FormError error={error} testId={errorTestId} />
      <FormActions {...actions} />
    </>
  );
}
