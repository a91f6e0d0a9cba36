/**
 * The arming mode in the status bar, and its switch: Shift+M (or a click on
 * the badge) opens a list of the modes; a digit or Enter picks one. Guards
 * see only the modes marked for them. The badge follows `arming.changed`,
 * whoever switched (console, schedule, MQTT, webhook, CLI).
 */
import { useState } from 'react';
import type { ArmingStatus } from '../../../../main/api/rules.js';
import { useClient, useQuery } from '../../api/context.js';
import { useRovingList } from '../../keyboard/focus.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { Dialog } from '../../ui/Dialog.js';
import { FormError } from '../../ui/FormFooter.js';
import { useToast } from '../../ui/toast.js';

export function ArmingDialog({ status, onClose }: { status: ArmingStatus; onClose: () => void }) {
  const client = useClient();
  const toast = useToast();
  const modes = status.modes;
  const list = useRovingList(modes.length);
  const [error, setError] = useState<string | null>(null);
  const pick = (i: number) => {
    const m = modes[i];
    if (!m) return;
    if (!status.allowed.includes(m.id)) {
      setError(`${m.name}: a supervisor switches to it`);
      return;
    }
    client.call('arming.set', { mode: m.id }).then(
      (s) => {
        toast(`Armed: ${s.mode.name}`, 'info');
        onClose();
      },
      (e: Error) => setError(e.message.replace(/^arming\.set: /, '')),
    );
  };
  useShortcuts(
    'Arming',
    [
      { keys: ['j', 'down'], description: 'Next mode', run: () => list.move(1) },
      { keys: ['k', 'up'], description: 'Previous mode', run: () => list.move(-1) },
      { keys: 'enter', description: 'Switch to the highlighted mode', run: () => pick(list.index) },
      {
        keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
        description: 'Switch to mode 1 … 9',
        display: '1 … 9',
        run: (e) => pick(Number(e.key) - 1),
      },
    ],
    // registered after the Dialog's own (modal) keys, so these come first and Esc still closes
  );
  return (
    <Dialog title="Arming mode" onClose={onClose} testId="arming-dialog" scope="Arming" width={360}>
      <ul className="arming-list" role="listbox" aria-label="Arming modes">
        {modes.map((m, i) => (
          <li
            key={m.id}
            role="option"
            aria-selected={m.id === status.mode.id}
            aria-disabled={!status.allowed.includes(m.id)}
            {...list.itemProps(i)}
            onClick={() => pick(i)}
            className={`arming-option${m.id === status.mode.id ? ' current' : ''}${status.allowed.includes(m.id) ? '' : ' locked'}`}
            data-testid={`arming-option-${m.id}`}
          >
            <kbd>{i + 1}</kbd> {m.name}
            {m.id === status.mode.id && <span className="muted"> · now</span>}
            {!status.allowed.includes(m.id) && <span className="muted"> · supervisor</span>}
          </li>
        ))}
      </ul>
      <FormError error={error} testId="arming-dialog-error" />
    </Dialog>
  );
}

/** The badge in the top bar; Shift+M opens the switch from any view. */
export function ArmingBadge() {
  const st = useQuery('arming.status', {}, { events: ['arming.changed'], debounceMs: 50 });
  const [open, setOpen] = useState(false);
  useShortcuts('Global', [
    { keys: 'shift+m', description: 'Arming mode: switch it (Day, Night, Away …)', enabled: !!st.data, run: () => setOpen(true) },
  ]);
  if (!st.data) return null;
  const m = st.data.mode;
  return (
    <>
      <button
        type="button"
        className={`arming-badge arming-${m.id}`}
        onClick={() => setOpen(true)}
        title={`Arming mode: ${m.name}${st.data.by ? ` (by ${st.data.by})` : ''}. Shift+M to switch`}
        data-testid="arming-status"
        data-mode={m.id}
      >
        <span className="arming-dot" aria-hidden="true" />
        {m.name}
      </button>
      {open && <ArmingDialog status={st.data} onClose={() => setOpen(false)} />}
    </>
  );
}
