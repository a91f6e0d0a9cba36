import { useState, type FormEvent } from 'react';
import type { PushSubscriptionInfo } from '../../../../main/api/notify.js';
import { useClient } from '../../api/context.js';
import { useCameras } from '../../state/cameras.js';
import { Dialog } from '../../ui/Dialog.js';
import { Field } from '../../ui/Field.js';
import { fieldError } from '../../ui/format.js';
import { FormFooter } from '../../ui/FormFooter.js';

/** "All cameras", or the names of the chosen ones (an id no longer a camera as it is). */
export function cameraFilterText(ids: string[] | null, names: Map<string, string>): string {
  return ids ? ids.map((id) => names.get(id) ?? id).join(', ') : 'All cameras';
}

/**
 * Which cameras' alarms are pushed to one device as they are raised: all
 * (also alarms without a camera), or only the ones ticked. Saved with
 * push.update (the owner's own device, or anyone's as admin); escalations to
 * the user as an on-call contact come regardless.
 */
export function PushCamerasDialog({
  sub,
  onClose,
  onDone,
}: {
  sub: PushSubscriptionInfo;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const client = useClient();
  const { cameras } = useCameras();
  const [all, setAll] = useState(sub.cameraIds === null);
  const [ids, setIds] = useState<string[]>(sub.cameraIds ?? []);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const known = new Set(cameras.map((c) => c.id));
  const gone = ids.filter((id) => !known.has(id));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setBusy(true);
    // a camera removed since is left out (the server knows no such camera)
    const cameraIds = all ? null : ids.filter((id) => known.has(id));
    try {
      const s = await client.call('push.update', { id: sub.id, cameraIds });
      onDone(cameraFilterText(s.cameraIds, new Map(cameras.map((c) => [c.id, c.name]))));
    } catch (err) {
      const { field, message } = fieldError(err);
      setErrors({ [field === 'cameraIds' ? 'cameraIds' : 'form']: message });
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Cameras pushed to ${sub.label}`} onClose={onClose} testId="push-cameras-dialog" scope="Push cameras" width={440}>
      <form className="form" onSubmit={submit} noValidate>
        <div role="radiogroup" aria-label="Which cameras' alarms are pushed" className="push-cam-mode">
          <label className="check">
            <input
              type="radio"
              name="push-cams"
              checked={all}
              onChange={() => setAll(true)}
              data-autofocus={all || undefined}
              data-testid="push-cams-all"
            />
            All cameras <span className="muted">(and alarms without a camera)</span>
          </label>
          <label className="check">
            <input
              type="radio"
              name="push-cams"
              checked={!all}
              onChange={() => setAll(false)}
              data-autofocus={!all || undefined}
              data-testid="push-cams-some"
            />
            Only these cameras
          </label>
        </div>
        <Field
          label="Cameras"
          error={errors.cameraIds}
          testId="push-cams"
          hint="Alarms of the ticked priorities on these cameras are pushed as they are raised."
        >
          {(p) => (
            <div className="cam-picker" role="group" aria-label="Cameras" aria-describedby={p['aria-describedby']} id={p.id}>
              {cameras.map((c) => (
                <label key={c.id} className="check">
                  <input
                    type="checkbox"
                    disabled={all}
                    checked={!all && ids.includes(c.id)}
                    onChange={(e) => setIds((x) => (e.target.checked ? [...x, c.id] : x.filter((y) => y !== c.id)))}
                    data-testid={`push-cam-${c.id}`}
                  />
                  {c.name}
                </label>
              ))}
              {!cameras.length && <span className="muted">No cameras yet.</span>}
            </div>
          )}
        </Field>
        {!all && gone.length > 0 && <p className="muted">No longer cameras, left out when saved: {gone.join(', ')}.</p>}
        <FormFooter
          error={errors.form}
          errorTestId="push-cams-error"
          onCancel={onClose}
          submitLabel="Save"
          busyLabel="Saving…"
          busy={busy}
          submitTestId="push-cams-save"
        />
      </form>
    </Dialog>
  );
}
