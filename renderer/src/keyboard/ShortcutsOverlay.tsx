import { useRef } from 'react';
import { Kbd } from '../ui/Kbd.js';
import { useFocusTrap } from './focus.js';
import { useShortcutList, useShortcuts } from './useShortcuts.js';

/** Every registered shortcut, grouped by scope. `?` or Esc closes it. */
export function ShortcutsOverlay({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useFocusTrap(ref);
  useShortcuts(
    'Shortcuts',
    [
      { keys: ['esc', '?'], description: 'Close', run: onClose, hidden: true },
      { keys: 'ctrl+/', description: 'Close', run: onClose, hidden: true, allowInInput: true },
    ],
    { modal: true },
  );
  const groups = useShortcutList();
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="dialog shortcuts"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        ref={ref}
        tabIndex={-1}
        data-testid="shortcuts-overlay"
      >
        <header className="dialog-head">
          <h2>Keyboard shortcuts</h2>
          <button type="button" className="btn ghost icon" onClick={onClose} aria-label="Close" title="Close (Esc)">
            ×
          </button>
        </header>
        <div className="dialog-body shortcuts-body">
          {groups.map((g) => (
            <section key={g.scope} className="shortcut-group" data-scope={g.scope}>
              <h3>{g.scope}</h3>
              <dl>
                {g.shortcuts.map((s, i) => (
                  <div className="shortcut" key={i}>
                    <dt>
                      {s.display ? (
                        <span className="kbd-label">{s.display}</span>
                      ) : (
                        s.keys.map((k, j) => (
                          <span key={k}>
                            {j > 0 && <span className="kbd-or">or</span>}
                            <Kbd spec={k} />
                          </span>
                        ))
                      )}
                    </dt>
                    <dd>{s.description}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
          <p className="muted shortcuts-note">
            Keys are ignored while you type in a field, except Esc, F1–F5 and Ctrl+/ (this list). Tab and Shift+Tab move between
            controls.
          </p>
        </div>
      </div>
    </div>
  );
}
