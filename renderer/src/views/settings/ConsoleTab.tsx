import type { Priority } from '../../../../main/api/alarms.js';
import { setConsolePrefs, useConsolePrefs } from '../../state/console-prefs.js';
import { Field } from '../../ui/Field.js';
import { PRIORITY_STYLES } from '../alarms/priority-style.js';

const LEVELS: Priority[] = [1, 2, 3, 4, 5];

/**
 * Settings of this console (this browser or desktop window), kept on it:
 * which alarms are made impossible to miss on every view, and whether a new
 * one takes over the screen. Per console rather than per user, because it
 * belongs to the desk: the guard station's main monitor takes over, a
 * supervisor's laptop does not, whoever is logged in.
 */
export function ConsoleTab() {
  const prefs = useConsolePrefs();
  const label = (p: Priority) => (p === 1 ? 'P1 only' : p === 5 ? 'every priority (P1–P5)' : `P1 to P${p}`);
  return (
    <div className="form narrow" data-testid="settings-console">
      <p className="muted">These settings belong to this console (this browser or window), whoever logs in on it.</p>
      <Field
        label="New alarms on every view"
        hint="The banner names the newest alarm of the highest priority, its cameras' tiles are outlined on Live and in Playback, and the Alarms tab counts them."
      >
        {(a) => (
          <select
            {...a}
            value={prefs.alertPriority}
            onChange={(e) => setConsolePrefs({ alertPriority: Number(e.target.value) as Priority })}
            data-testid="console-alert-priority"
          >
            {LEVELS.map((p) => (
              <option key={p} value={p}>
                {label(p)}
                {p === 2 ? ' (default)' : ''} · {PRIORITY_STYLES[p].label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="field checkbox-field">
        <label>
          <input type="checkbox" checked={prefs.takeover} onChange={(e) => setConsolePrefs({ takeover: e.target.checked })} data-testid="console-takeover" /> A
          new alarm takes over the screen
        </label>
        <div className="field-hint">
          Like an alarm wall on the main monitor: a new alarm of {label(prefs.alertPriority)} switches this console to it, with its cameras large. An open
          dialog is never thrown away: the switch waits until it closes. Off by default.
        </div>
      </div>
    </div>
  );
}
