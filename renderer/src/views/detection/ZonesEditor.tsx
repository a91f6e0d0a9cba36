/**
 * A camera's detection zones, drawn over a live snapshot with the shared
 * polygon editor (mouse or keyboard alone) and saved with zones.replace.
 * The selected zone's fields sit beside the picture: name, objects (empty =
 * every label the camera detects), minimum dwell (loitering) and inertia.
 * New zones are named "Zone 1", "Zone 2"… until renamed. Ctrl+S saves,
 * Ctrl+R reverts, Shift+R renames the selected zone.
 */
import { useEffect, useRef, useState } from 'react';
import type { CameraInfo } from '../../../../main/api/contract.js';
import type { CameraZone, ObjectLabel } from '../../../../main/api/detection.js';
import { useClient, useEvent } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { FormError } from '../../ui/FormFooter.js';
import { PolygonEditor, usePolygonEditor, type EditorPolygon } from '../../ui/polygon-editor/PolygonEditor.js';
import { problemsOf } from '../../ui/polygon-editor/editor-state.js';
import { useToast } from '../../ui/toast.js';
import { CameraSnapshot, useAspect } from './CameraSnapshot.js';
import { LabelPicker } from './LabelPicker.js';

interface ZoneData extends Record<string, unknown> {
  labels: ObjectLabel[];
  minDwellSeconds: number;
  inertiaFrames: number;
}
const DEFAULTS: ZoneData = { labels: [], minDwellSeconds: 0, inertiaFrames: 3 };

const dataOf = (p: EditorPolygon): ZoneData => ({ ...DEFAULTS, ...(p.data as Partial<ZoneData> | undefined) });
const toPoly = (z: CameraZone): EditorPolygon => ({ id: z.id, name: z.name, points: z.polygon, data: { labels: z.labels, minDwellSeconds: z.minDwellSeconds, inertiaFrames: z.inertiaFrames } });
const key = (ps: EditorPolygon[]) => JSON.stringify(ps.map((p) => [p.name ?? '', p.points, dataOf(p)]));

/** Problems with the zones' own fields (the polygons are checked by the editor). */
export function zoneFieldProblems(polys: EditorPolygon[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  polys.forEach((p, i) => {
    const name = (p.name ?? '').trim();
    const d = dataOf(p);
    if (!name) out.push(`zone ${i + 1}: give it a name`);
    else if (seen.has(name.toLowerCase())) out.push(`zone ${i + 1}: another zone is already named "${name}"`);
    seen.add(name.toLowerCase());
    if (!Number.isFinite(d.minDwellSeconds) || d.minDwellSeconds < 0 || d.minDwellSeconds > 86_400) out.push(`zone ${i + 1}: minimum dwell is 0 to 86400 seconds`);
    if (!Number.isInteger(d.inertiaFrames) || d.inertiaFrames < 1 || d.inertiaFrames > 20) out.push(`zone ${i + 1}: inertia is a whole number of frames from 1 to 20`);
  });
  return out;
}

export function ZonesEditor({ camera, active = true }: { camera: CameraInfo; active?: boolean }) {
  const client = useClient();
  const toast = useToast();
  const ed = usePolygonEditor();
  const [saved, setSaved] = useState('[]');
  const [error, setError] = useState<string | null>(null);
  // keys wait for the saved polygons: drawing before they load would be wiped by them
  const [loaded, setLoaded] = useState(false);
  const [aspect, setAspect] = useAspect(camera);
  const nameRef = useRef<HTMLInputElement>(null);
  const { polygons, poly } = ed.state;
  const sel = polygons[poly];

  const reset = (zones: CameraZone[]) => {
    const ps = zones.map(toPoly);
    ed.dispatch({ type: 'reset', polygons: ps });
    setSaved(key(ps));
  };
  const load = () => {
    client.call('zones.list', { cameraId: camera.id }).then(
      (z) => {
        reset(z);
        setError(null);
        setLoaded(true);
      },
      (err: Error) => setError(err.message),
    );
  };
  useEffect(() => {
    setLoaded(false);
    load();
  }, [camera.id]); // eslint-disable-line react-hooks/exhaustive-deps
  const dirty = key(polygons) !== saved;
  useEvent('zones.changed', (e) => {
    if (e.cameraId === camera.id && !dirty) load();
  });
  // a new zone gets a name at once, so it can be saved as drawn
  useEffect(() => {
    polygons.forEach((p, i) => {
      if (p.name !== undefined) return;
      const taken = new Set(polygons.map((x) => (x.name ?? '').toLowerCase()));
      let n = i + 1;
      while (taken.has(`zone ${n}`)) n++;
      ed.dispatch({ type: 'setMeta', poly: i, name: `Zone ${n}`, data: { ...DEFAULTS } });
    });
  }, [polygons]); // eslint-disable-line react-hooks/exhaustive-deps

  const fieldProblems = zoneFieldProblems(polygons);
  const save = async () => {
    if (problemsOf(polygons).size || fieldProblems.length) {
      setError('fix the zones marked in red first (see the messages under the picture)');
      return;
    }
    try {
      const r = await client.call('zones.replace', {
        cameraId: camera.id,
        zones: polygons.map((p) => ({ ...(p.id ? { id: p.id } : {}), name: (p.name ?? '').trim(), polygon: p.points, ...dataOf(p) })),
      });
      reset(r);
      setError(null);
      toast(`Zones of ${camera.name} saved (${r.length}).`);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const setData = (d: Partial<ZoneData>) => sel && ed.dispatch({ type: 'setMeta', poly, data: d });
  useShortcuts(
    'Zones',
    [
      { keys: 'ctrl+s', description: 'Save the zones', allowInInput: true, run: () => void save() },
      { keys: 'ctrl+r', description: 'Revert to the saved zones', run: load },
      { keys: 'shift+r', description: 'Rename the selected zone (then Tab: objects, dwell, inertia)', run: () => (sel ? nameRef.current?.select() : false) },
    ],
    { active },
  );

  const d = sel ? dataOf(sel) : DEFAULTS;
  return (
    <div className="zones-view" data-testid="zones-view" data-camera={camera.id} data-dirty={dirty} data-zones={polygons.length} data-loaded={loaded}>
      <div className="subtoolbar">
        <button type="button" className="btn primary small" onClick={() => void save()} disabled={!dirty} data-testid="zones-save">
          Save (Ctrl+S)
        </button>
        <button type="button" className="btn small" onClick={load} disabled={!dirty}>
          Revert (Ctrl+R)
        </button>
        {dirty && <span className="muted small">unsaved changes</span>}
      </div>
      <p className="muted small">
        An object is in a zone when the middle of the bottom of its box (where it stands) is inside. Events: enter, dwell (after the minimum dwell;
        loitering) and leave, after the inertia in detection frames. Press <kbd>N</kbd> for a new zone, <kbd>A</kbd> to add a point, arrows to move
        it, <kbd>Shift+R</kbd> to rename, <kbd>?</kbd> for every key.
      </p>
      <div className="zones-layout">
        <PolygonEditor
          state={ed.state}
          dispatch={ed.dispatch}
          aspect={aspect}
          noun="zone"
          active={active && loaded}
          testId="zone-editor"
          background={<CameraSnapshot cameraId={camera.id} onAspect={setAspect} />}
        />
        <aside className="zone-fields" aria-label="The selected zone">
          {sel ? (
            <>
              <label className="field">
                Name
                <input
                  ref={nameRef}
                  value={sel.name ?? ''}
                  maxLength={64}
                  onChange={(e) => ed.dispatch({ type: 'setMeta', poly, name: e.target.value })}
                  data-testid="zone-name"
                />
              </label>
              <LabelPicker legend="Objects (none ticked: all)" value={d.labels} onChange={(labels) => setData({ labels })} testId="zone-labels" />
              <label className="field">
                Minimum dwell (s)
                <input type="number" min={0} max={86400} step={1} value={d.minDwellSeconds} onChange={(e) => setData({ minDwellSeconds: Number(e.target.value) })} data-testid="zone-dwell" />
              </label>
              <label className="field">
                Inertia (frames)
                <input type="number" min={1} max={20} step={1} value={d.inertiaFrames} onChange={(e) => setData({ inertiaFrames: Number(e.target.value) })} data-testid="zone-inertia" />
              </label>
            </>
          ) : (
            <p className="muted">No zone selected. Press N to draw one.</p>
          )}
          <ul className="zone-list" data-testid="zone-list">
            {polygons.map((p, i) => (
              <li key={i} className={i === poly ? 'current' : ''}>
                <button type="button" className="btn ghost small" onClick={() => ed.dispatch({ type: 'select', poly: i })}>
                  {p.name || `zone ${i + 1}`}
                </button>
                <span className="muted small">
                  {dataOf(p).labels.length ? dataOf(p).labels.join(', ') : 'all'} · {dataOf(p).minDwellSeconds} s
                </span>
              </li>
            ))}
          </ul>
        </aside>
      </div>
      {fieldProblems.length > 0 && (
        <ul className="pe-problems" role="alert" data-testid="zone-problems">
          {fieldProblems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <FormError error={error} testId="zones-error" />
    </div>
  );
}
