/**
 * A camera's masks of one kind, drawn over a live snapshot with the shared
 * polygon editor (mouse or keyboard alone), saved with masks.replace:
 *
 *  - privacy: black for guards on live and recorded video, burned into exports;
 *  - motion: the motion gate ignores what moves there (trees, a flag, a road);
 *  - object: detections whose box's bottom centre is inside are dropped.
 *
 * Used by the camera's Detection page (every kind) and by Evidence → Privacy
 * masks. Ctrl+S saves, Ctrl+R reverts.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { MaskKind } from '../../../../main/api/masks.js';
import type { CameraInfo } from '../../../../main/api/contract.js';
import { useClient, useEvent } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { FormError } from '../../ui/FormFooter.js';
import { PolygonEditor, usePolygonEditor } from '../../ui/polygon-editor/PolygonEditor.js';
import { problemsOf } from '../../ui/polygon-editor/editor-state.js';
import { useToast } from '../../ui/toast.js';
import { CameraSnapshot, useAspect } from './CameraSnapshot.js';

export const MASK_TEXT: Record<MaskKind, { title: string; noun: string; what: string }> = {
  privacy: {
    title: 'Privacy masks',
    noun: 'privacy mask',
    what: 'Black for guards on live and recorded video, and burned into every export of this camera. Supervisors and admins see the masked areas outlined.',
  },
  motion: {
    title: 'Motion masks',
    noun: 'motion mask',
    what: 'The motion gate ignores what moves here (trees, a flag, traffic outside the fence): it neither wakes the detector nor makes motion events. A mask over the whole picture keeps the detector asleep.',
  },
  object: {
    title: 'Object masks',
    noun: 'object mask',
    what: 'Objects standing here (the middle of the bottom of their box) are dropped: no event, no zone, no box. For a parked car or a poster that looks like a person.',
  },
};

export function MasksEditor({ camera, kind, active = true, toolbar }: { camera: CameraInfo; kind: MaskKind; active?: boolean; toolbar?: ReactNode }) {
  const client = useClient();
  const toast = useToast();
  const ed = usePolygonEditor();
  const [saved, setSaved] = useState<string>('[]');
  const [error, setError] = useState<string | null>(null);
  // keys wait for the saved polygons: drawing before they load would be wiped by them
  const [loaded, setLoaded] = useState(false);
  const [aspect, setAspect] = useAspect(camera);
  const text = MASK_TEXT[kind];

  const load = () => {
    client.call('masks.list', { cameraId: camera.id, kind }).then(
      (m) => {
        const polys = m.map((x) => ({ id: x.id, name: x.name, points: x.polygon }));
        ed.dispatch({ type: 'reset', polygons: polys });
        setSaved(JSON.stringify(polys.map((p) => p.points)));
        setError(null);
        setLoaded(true);
      },
      (err: Error) => setError(err.message),
    );
  };
  useEffect(() => {
    setLoaded(false);
    load();
  }, [camera.id, kind]); // eslint-disable-line react-hooks/exhaustive-deps
  const dirty = JSON.stringify(ed.state.polygons.map((p) => p.points)) !== saved;
  useEvent('masks.changed', (e) => {
    if (e.cameraId === camera.id && !dirty) load();
  });

  const save = async () => {
    if (problemsOf(ed.state.polygons).size) {
      setError('fix the masks marked in red first (see the messages under the picture)');
      return;
    }
    try {
      const r = await client.call('masks.replace', {
        cameraId: camera.id,
        kind,
        masks: ed.state.polygons.map((p) => ({ ...(p.id ? { id: p.id } : {}), ...(p.name ? { name: p.name } : {}), polygon: p.points })),
      });
      const polys = r.map((x) => ({ id: x.id, name: x.name, points: x.polygon }));
      ed.dispatch({ type: 'reset', polygons: polys });
      setSaved(JSON.stringify(polys.map((p) => p.points)));
      setError(null);
      toast(`${text.title} of ${camera.name} saved (${r.length}).`);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useShortcuts(
    text.title,
    [
      { keys: 'ctrl+s', description: `Save the ${text.title.toLowerCase()}`, allowInInput: true, run: () => void save() },
      { keys: 'ctrl+r', description: 'Revert to the saved masks', run: load },
    ],
    { active },
  );

  return (
    <div className="masks-view" data-testid="masks-view" data-camera={camera.id} data-kind={kind} data-dirty={dirty} data-loaded={loaded}>
      <div className="subtoolbar">
        {toolbar}
        <button type="button" className="btn primary small" onClick={() => void save()} disabled={!dirty} data-testid="masks-save">
          Save (Ctrl+S)
        </button>
        <button type="button" className="btn small" onClick={load} disabled={!dirty}>
          Revert (Ctrl+R)
        </button>
        {dirty && <span className="muted small">unsaved changes</span>}
      </div>
      <p className="muted small">
        {text.what} Press <kbd>N</kbd> for a new mask, <kbd>A</kbd> to add a point, arrows to move it, <kbd>?</kbd> for every key.
      </p>
      <PolygonEditor
        state={ed.state}
        dispatch={ed.dispatch}
        aspect={aspect}
        noun={text.noun}
        active={active && loaded}
        testId="mask-editor"
        background={<CameraSnapshot cameraId={camera.id} onAspect={setAspect} />}
      />
      <FormError error={error} testId="masks-error" />
    </div>
  );
}
