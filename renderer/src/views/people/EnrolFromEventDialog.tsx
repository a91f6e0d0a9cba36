/**
 * Enrol a face a camera saw: the kept face crop of an object event (a review
 * item with a face, or a sighting found by a search) goes to a person's
 * enrolments through people.enrolFromEvent (admin; audited faces.enrol).
 * The engine refuses with a message that says what to do when the crop is
 * gone (retention) or the face is too small or poor; the dialog shows it.
 */
import { useEffect, useMemo, useState } from 'react';
import { useClient, useQuery } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { Dialog } from '../../ui/Dialog.js';
import { FormError } from '../../ui/FormFooter.js';
import { useToast } from '../../ui/toast.js';

export interface EnrolFromEventProps {
  eventId: number;
  cropId: string;
  /** Where and when it was seen, in words ("Door · 6 Dec 10:01"). */
  caption: string;
  /** The person picked at first (the match, or the person whose sightings these are). */
  personId?: string | null;
  onClose: () => void;
}

export function EnrolFromEventDialog({ eventId, cropId, caption, personId, onClose }: EnrolFromEventProps) {
  const client = useClient();
  const toast = useToast();
  const people = useQuery('people.list', {}, { events: ['people.changed'] });
  const list = useMemo(() => people.data ?? [], [people.data]);
  const [person, setPerson] = useState<string>(personId ?? '');
  const [crop, setCrop] = useState<string | null>(null);
  const [cropError, setCropError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    client.call('faces.getCrop', { id: cropId }).then(
      (r) => live && setCrop(r.dataUrl),
      (err: Error) => live && setCropError(err.message),
    );
    return () => {
      live = false;
    };
  }, [client, cropId]);
  useEffect(() => {
    if (!person && list.length === 1) setPerson(list[0]!.id);
  }, [list, person]);

  const enrol = async () => {
    if (!person) {
      setError('pick the person this face belongs to');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await client.call('people.enrolFromEvent', { person, eventId });
      toast(`Enrolled this face for ${r.person.name} (quality ${r.enrolment.quality.toFixed(2)}, ${r.enrolment.grade}).`, 'ok');
      onClose();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  useShortcuts('Enrol from event', [{ keys: 'enter', description: 'Enrol the face for the picked person', run: () => void enrol() }], { modal: true });

  return (
    <Dialog
      title="Enrol this face"
      onClose={onClose}
      testId="enrol-event-dialog"
      width={440}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn primary" onClick={() => void enrol()} disabled={busy || !!cropError} data-testid="enrol-event-save">
            {busy ? 'Working…' : 'Enrol'} <kbd>Enter</kbd>
          </button>
        </>
      }
    >
      <p className="muted small">
        {caption}. The kept face crop is added to the person's enrolled faces (sealed with the site key) and is no longer
        removed by the face crop retention.
      </p>
      <div className="people-faces">
        <figure className="people-face" data-testid="enrol-event-crop">
          {crop ? <img src={crop} alt="face seen on the event" /> : <div className="people-face-empty" />}
        </figure>
      </div>
      {cropError && (
        <p className="form-error" role="alert" data-testid="enrol-event-crop-error">
          The face crop of this event is no longer kept ({cropError}); pick a newer event or enrol from a photo.
        </p>
      )}
      <label>
        Person{' '}
        <select data-autofocus value={person} onChange={(e) => setPerson(e.target.value)} data-testid="enrol-event-person">
          <option value="">Pick a person…</option>
          {list.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.enrolments.length} face(s))
            </option>
          ))}
        </select>
      </label>
      {!people.loading && !list.length && <p className="muted small">Nobody yet: add the person in People (n) first.</p>}
      <FormError error={error} testId="enrol-event-error" />
    </Dialog>
  );
}
