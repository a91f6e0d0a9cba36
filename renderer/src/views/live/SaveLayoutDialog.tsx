import { useState } from 'react';
import type { LayoutInfo } from '../../../../main/api/layouts.js';
import { useClient } from '../../api/context.js';
import { Dialog } from '../../ui/Dialog.js';
import { Field } from '../../ui/Field.js';
import { fieldError } from '../../ui/format.js';
import type { GridState } from './layout-state.js';

/** Save the current grid as a named layout of this user (new, or over the loaded one). */
export function SaveLayoutDialog({
  state,
  existing,
  onSaved,
  onClose,
}: {
  state: GridState;
  existing: LayoutInfo | null;
  onSaved: (l: LayoutInfo) => void;
  onClose: () => void;
}) {
  const client = useClient();
  const [name, setName] = useState(existing?.name ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (asNew: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const l = await client.call('layouts.save', {
        ...(existing && !asNew ? { id: existing.id } : {}),
        name,
        grid: state.grid,
        tiles: state.tiles,
      });
      onSaved(l);
    } catch (err) {
      setError(fieldError(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Save layout"
      onClose={onClose}
      testId="save-layout"
      scope="Save layout"
      footer={
        <>
          <button type="button" className="btn ghost" onClick={onClose}>
            Cancel
          </button>
          {existing && (
            <button type="button" className="btn" disabled={busy} onClick={() => void save(true)}>
              Save as new
            </button>
          )}
          <button type="submit" form="save-layout-form" className="btn primary" disabled={busy || !name.trim()}>
            {existing ? `Save “${existing.name}”` : 'Save'}
          </button>
        </>
      }
    >
      <form
        id="save-layout-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save(false);
        }}
      >
        <Field
          label="Name"
          error={error}
          hint={`${state.grid.replace('x', '×')} grid, ${state.tiles.filter(Boolean).length} camera(s). Only you see your layouts.`}
        >
          {(a) => (
            <input
              {...a}
              style={{ width: '100%' }}
              data-autofocus
              value={name}
              maxLength={64}
              onChange={(e) => setName(e.target.value)}
              placeholder="e.g. Night shift"
            />
          )}
        </Field>
      </form>
    </Dialog>
  );
}
