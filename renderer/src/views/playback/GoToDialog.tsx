import { useState } from 'react';
import { Dialog } from '../../ui/Dialog.js';
import { Field } from '../../ui/Field.js';
import { formatDateTime, zoneAbbrev } from '../../time/index.js';
import { parseGoTo } from './timeline-math/goto.js';

/** "Europe/Berlin, CET", but "UTC" once when the zone and its abbreviation are the same. */
export function zoneLabelOnce(zone: string, abbrev: string): string {
  return !abbrev || abbrev === zone || (zone === 'Etc/UTC' && abbrev === 'UTC') ? zone.replace(/^Etc\//, '') : `${zone}, ${abbrev}`;
}

/** "Go to time": a typed date and time in the console's zone, or a relative "-1h". */
export function GoToDialog({
  timeZone,
  current,
  onGo,
  onClose,
}: {
  timeZone: string;
  current: number;
  onGo: (t: number) => void;
  onClose: () => void;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const preview = text.trim() ? parseGoTo(text, timeZone, Date.now()) : null;
  const submit = () => {
    const r = parseGoTo(text, timeZone, Date.now());
    if ('error' in r) setError(r.error);
    else onGo(r.t);
  };
  return (
    <Dialog
      title="Go to time"
      onClose={onClose}
      testId="goto-dialog"
      scope="Go to time"
      footer={
        <>
          <span className="muted small-print">
            <kbd>Enter</kbd> go · <kbd>Esc</kbd> cancel
          </span>
          <span className="spacer" />
          <button type="button" className="btn ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="goto-form" className="btn primary">
            Go
          </button>
        </>
      }
    >
      <form
        id="goto-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Field
          label={`Date and time (${zoneLabelOnce(timeZone, zoneAbbrev(current, timeZone))})`}
          error={error}
          hint={
            preview && 't' in preview
              ? `→ ${formatDateTime(preview.t, timeZone)} ${zoneAbbrev(preview.t, timeZone)}`
              : 'e.g. 2026-11-26 08:15, 08:15:30 (today), -1h, -90s, -1h30m'
          }
        >
          {(a) => (
            <input
              {...a}
              data-autofocus
              style={{ width: '100%' }}
              value={text}
              placeholder={formatDateTime(current, timeZone)}
              onChange={(e) => {
                setText(e.target.value);
                setError(null);
              }}
              data-testid="goto-input"
            />
          )}
        </Field>
      </form>
    </Dialog>
  );
}
