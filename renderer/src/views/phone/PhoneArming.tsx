/**
 * The site's arming mode on the phone (main/api/rules.ts, `arming.*`): a chip
 * in the top bar that follows `arming.changed`, and a sheet of big buttons to
 * switch it; modes a guard may not pick say so. The desk's badge and Shift+M
 * switch are views/rules/ArmingSwitch.tsx.
 */
import { useState } from 'react';
import { useClient, useQuery } from '../../api/context.js';
import { Dialog } from '../../ui/Dialog.js';
import { FormError } from '../../ui/FormFooter.js';
import { useToast } from '../../ui/toast.js';

export function PhoneArming() {
  const client = useClient();
  const toast = useToast();
  const st = useQuery('arming.status', {}, { events: ['arming.changed'], debounceMs: 50 });
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const s = st.data;
  if (!s) return null;
  const pick = (id: string) => {
    setError(null);
    client.call('arming.set', { mode: id }).then(
      (r) => {
        toast(`Armed: ${r.mode.name}`, 'info');
        setOpen(false);
        st.reload();
      },
      (e: Error) => setError(e.message.replace(/^arming\.set: /, '')),
    );
  };
  return (
    <>
      <button type="button" className={`phone-arming arming-${s.mode.id}`} onClick={() => setOpen(true)} data-testid="phone-arming" data-mode={s.mode.id} title="Arming mode">
        <span className="arming-dot" aria-hidden="true" />
        {s.mode.name}
      </button>
      {open && (
        <Dialog title="Arming mode" onClose={() => setOpen(false)} testId="phone-arming-sheet" width={360}>
          <div className="phone-arming-modes">
            {s.modes.map((m) => {
              const allowed = s.allowed.includes(m.id);
              return (
                <button
                  key={m.id}
                  type="button"
                  className={`btn${m.id === s.mode.id ? ' primary' : ''}`}
                  aria-pressed={m.id === s.mode.id}
                  disabled={!allowed || m.id === s.mode.id}
                  onClick={() => pick(m.id)}
                  data-testid={`phone-arming-${m.id}`}
                >
                  {m.name}
                  {m.id === s.mode.id ? ' · now' : !allowed ? ' · supervisor' : ''}
                </button>
              );
            })}
          </div>
          {s.by && (
            <p className="muted">
              Set by {s.by}
              {s.since ? ` at ${new Date(s.since).toLocaleTimeString()}` : ''}
            </p>
          )}
          <FormError error={error} testId="phone-arming-error" />
        </Dialog>
      )}
    </>
  );
}
