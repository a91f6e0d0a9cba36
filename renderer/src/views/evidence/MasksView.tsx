/**
 * Privacy masks (admins): pick a camera, draw its masks over a live
 * snapshot with the polygon editor (mouse or keyboard alone), save. Guards
 * then see those areas black on live and recorded video, and every export
 * burns them in (those cameras are re-encoded). Ctrl+S saves, Ctrl+R
 * reverts, Shift+C picks the camera.
 */
import { useEffect, useRef, useState } from 'react';
import { useClient, useEvent } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { snapshotUrl } from '../../media/media-urls.js';
import { useCameras } from '../../state/cameras.js';
import { navigate } from '../../state/route.js';
import { PolygonEditor, usePolygonEditor } from '../../ui/polygon-editor/PolygonEditor.js';
import { problemsOf } from '../../ui/polygon-editor/editor-state.js';
import { useToast } from '../../ui/toast.js';

export function MasksView({ cameraId, active = true }: { cameraId?: string; active?: boolean }) {
  const client = useClient();
  const toast = useToast();
  const { cameras } = useCameras();
  const cam = cameras.find((c) => c.id === cameraId) ?? cameras[0];
  const ed = usePolygonEditor();
  const [saved, setSaved] = useState<string>('[]');
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  const [aspect, setAspect] = useState(16 / 9);
  const pickRef = useRef<HTMLSelectElement>(null);

  const load = () => {
    if (!cam) return;
    client.call('masks.list', { cameraId: cam.id, kind: 'privacy' }).then(
      (m) => {
        const polys = m.map((x) => ({ id: x.id, name: x.name, points: x.polygon }));
        ed.dispatch({ type: 'reset', polygons: polys });
        setSaved(JSON.stringify(polys.map((p) => p.points)));
        setError(null);
      },
      (err: Error) => setError(err.message),
    );
  };
  useEffect(load, [cam?.id]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (cam?.status.width && cam.status.height) setAspect(cam.status.width / cam.status.height);
  }, [cam?.status.width, cam?.status.height]);
  // a live snapshot under the editor, refreshed every 3 s
  useEffect(() => {
    const t = setInterval(() => setN((x) => x + 1), 3000);
    return () => clearInterval(t);
  }, []);
  const dirty = JSON.stringify(ed.state.polygons.map((p) => p.points)) !== saved;
  useEvent('masks.changed', (e) => {
    if (e.cameraId === cam?.id && !dirty) load();
  });

  const save = async () => {
    if (!cam) return;
    if (problemsOf(ed.state.polygons).size) {
      setError('fix the masks marked in red first (see the messages under the picture)');
      return;
    }
    try {
      const r = await client.call('masks.replace', { cameraId: cam.id, kind: 'privacy', masks: ed.state.polygons.map((p) => ({ ...(p.id ? { id: p.id } : {}), ...(p.name ? { name: p.name } : {}), polygon: p.points })) });
      const polys = r.map((x) => ({ id: x.id, name: x.name, points: x.polygon }));
      ed.dispatch({ type: 'reset', polygons: polys });
      setSaved(JSON.stringify(polys.map((p) => p.points)));
      setError(null);
      toast(`Privacy masks of ${cam.name} saved (${r.length}).`);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useShortcuts(
    'Privacy masks',
    [
      { keys: 'ctrl+s', description: 'Save the masks', allowInInput: true, run: () => void save() },
      { keys: 'ctrl+r', description: 'Revert to the saved masks', run: load },
      { keys: 'shift+c', description: 'Pick another camera', run: () => pickRef.current?.focus() },
    ],
    { active },
  );

  if (!cam) return <div className="empty muted">No cameras.</div>;
  return (
    <div className="masks-view" data-testid="masks-view" data-camera={cam.id} data-dirty={dirty}>
      <div className="subtoolbar">
        <label>
          Camera{' '}
          <select ref={pickRef} value={cam.id} onChange={(e) => navigate('evidence', { tab: 'masks', camera: e.target.value })} data-testid="masks-camera">
            {cameras.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn primary small" onClick={() => void save()} disabled={!dirty} data-testid="masks-save">
          Save (Ctrl+S)
        </button>
        <button type="button" className="btn small" onClick={load} disabled={!dirty}>
          Revert (Ctrl+R)
        </button>
        {dirty && <span className="muted small">unsaved changes</span>}
      </div>
      <p className="muted small">
        Black for guards on live and recorded video, and burned into every export of this camera. Supervisors and admins see the masked areas
        outlined. Press <kbd>N</kbd> for a new mask, <kbd>A</kbd> to add a point, arrows to move it, <kbd>?</kbd> for every key.
      </p>
      <PolygonEditor
        state={ed.state}
        dispatch={ed.dispatch}
        aspect={aspect}
        noun="privacy mask"
        active={active}
        testId="mask-editor"
        background={
          <img
            src={`${snapshotUrl(cam.id)}?n=${n}`}
            alt=""
            onLoad={(e) => {
              const i = e.currentTarget;
              if (i.naturalWidth && i.naturalHeight) setAspect(i.naturalWidth / i.naturalHeight);
            }}
          />
        }
      />
      {error && (
        <p className="form-error" role="alert" data-testid="masks-error">
          {error}
        </p>
      )}
    </div>
  );
}
