import { useId, useRef, type ReactNode } from 'react';
import { useFocusTrap } from '../keyboard/focus.js';
import { useShortcuts } from '../keyboard/useShortcuts.js';

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
  width?: number;
  /** Shortcut scope name shown in the ? overlay. */
  scope?: string;
}

/** Modal dialog: traps focus, Esc closes, the view underneath stops taking keys. */
export function Dialog({ title, onClose, children, footer, testId, width = 440, scope = 'Dialog' }: DialogProps) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useFocusTrap(ref);
  useShortcuts(scope, [{ keys: 'esc', description: 'Close the dialog', run: onClose }], { modal: true });
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={ref}
        tabIndex={-1}
        style={{ width }}
        data-testid={testId}
      >
        <header className="dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="btn ghost icon" onClick={onClose} aria-label="Close" title="Close (Esc)">
            ×
          </button>
        </header>
        <div className="dialog-body">{children}</div>
        {footer && <footer className="dialog-foot">{footer}</footer>}
      </div>
    </div>
  );
}
