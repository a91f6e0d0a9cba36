/**
 * A camera's detection settings (admins change them, everyone sees them),
 * with the detector's live counters for the camera: frames offered,
 * processed (inferred + gated by the motion gate) and skipped (a newer frame
 * replaced them while the detector was busy). Ctrl+S saves.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { CameraInfo } from '../../../../main/api/contract.js';
import { DETECTION_LIMITS, type DetectionCameraStatus, type DetectionSettings } from '../../../../main/api/detection.js';
import { useClient } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { fieldError } from '../../ui/format.js';
import { FormActions, FormError } from '../../ui/FormFooter.js';
import { useToast } from '../../ui/toast.js';
import { LabelPicker } from './LabelPicker.js';

type Form = { enabled: boolean; labels: DetectionSettings['labels']; fps: string; minScore: string; minSize: string; stream: 'sub' | 'main' };

const toForm = (s: DetectionSettings): Form => ({ enabled: s.enabled, labels: s.labels, fps: String(s.fps), minScore: String(s.minScore), minSize: String(s.minSize), stream: s.stream });

export function DetectionCounters({ st }: { st: DetectionCameraStatus }) {
  const rows: [string, string, string][] = [
    ['State', `${st.state}${st.idle ? ' (idle: key frames only)' : ''}${st.motion ? ', motion' : ''}`, 'det-state'],
    ['Frames offered', String(st.offered), 'det-offered'],
    ['Processed', `${st.processed} (${st.processed - st.gated} inferred, ${st.gated} gated)`, 'det-processed'],
    ['Skipped', String(st.skipped), 'det-skipped'],
    ['Rate', `${st.fps} fps decoded, ${st.inferFps} inferred/s${st.msPerFrame !== null ? `, ${st.msPerFrame} ms per frame` : ''}`, 'det-rate'],
    ['Objects now', st.objects.length ? st.objects.map((o) => `${o.label} #${o.trackId}`).join(', ') : 'none', 'det-objects'],
    ['Zones, masks', `${st.zones} zone(s), ${st.motionMasks} motion and ${st.objectMasks} object mask(s)`, 'det-zones'],
  ];
  return (
    <dl className="kv det-counters" data-testid="detection-counters" data-state={st.state} data-offered={st.offered} data-processed={st.processed} data-skipped={st.skipped}>
      {rows.map(([k, v, id]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd data-testid={id}>{v}</dd>
        </div>
      ))}
      {st.error && (
        <div>
          <dt>Problem</dt>
          <dd className="text-bad">{st.error}</dd>
        </div>
      )}
    </dl>
  );
}

export function DetectionSettingsForm({ camera, status, isAdmin, active = true, onSaved }: { camera: CameraInfo; status: DetectionCameraStatus | undefined; isAdmin: boolean; active?: boolean; onSaved?: () => void }) {
  const client = useClient();
  const toast = useToast();
  const [f, setF] = useState<Form | null>(status ? toForm(status.settings) : null);
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const savedKey = status ? JSON.stringify(toForm(status.settings)) : '';
  // follow the server until the form is edited
  const [base, setBase] = useState(savedKey);
  useEffect(() => {
    if (savedKey && (!f || JSON.stringify(f) === base)) {
      setF(status ? toForm(status.settings) : null);
      setBase(savedKey);
    }
  }, [savedKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const dirty = !!f && JSON.stringify(f) !== savedKey;

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!f || !isAdmin) return;
    const local: Partial<Record<keyof Form, string>> = {};
    const fps = Number(f.fps);
    const minScore = Number(f.minScore);
    const minSize = Number(f.minSize);
    if (!f.labels.length) local.labels = 'pick at least one object (or turn detection off)';
    if (!Number.isInteger(fps) || fps < DETECTION_LIMITS.fps.min || fps > DETECTION_LIMITS.fps.max) local.fps = 'a whole number from 1 to 5';
    if (!Number.isFinite(minScore) || minScore < DETECTION_LIMITS.minScore.min || minScore > DETECTION_LIMITS.minScore.max) local.minScore = 'from 0.3 to 0.95';
    if (!Number.isInteger(minSize) || minSize < 0 || minSize > DETECTION_LIMITS.minSize.max) local.minSize = 'a whole number of pixels, 0 for any size';
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setFormError(null);
    try {
      await client.call('detection.update', { cameraId: camera.id, patch: { enabled: f.enabled, labels: f.labels, fps, minScore, minSize, stream: f.stream } });
      setBase(JSON.stringify(f));
      toast(`Detection settings of ${camera.name} saved.`);
      onSaved?.();
    } catch (err) {
      const { field, message } = fieldError(err);
      const k = field?.replace(/^patch\./, '').split('.')[0] as keyof Form | undefined;
      if (k && k in (f ?? {})) setErrors({ [k]: message });
      else setFormError(message);
    } finally {
      setBusy(false);
    }
  };
  useShortcuts('Detection settings', [{ keys: 'ctrl+s', description: 'Save the detection settings', allowInInput: true, enabled: isAdmin, run: () => void submit() }], { active });

  if (!f || !status) return <p className="muted">Loading the detector status…</p>;
  const set = <K extends keyof Form>(k: K, v: Form[K]) => {
    setF({ ...f, [k]: v });
    setErrors((e) => ({ ...e, [k]: undefined }));
  };
  return (
    <div className="det-settings">
      <form className="form" onSubmit={submit} noValidate data-testid="detection-form" data-dirty={dirty}>
        <fieldset disabled={!isAdmin || busy}>
          <label className="checkbox-field">
            <input type="checkbox" checked={f.enabled} onChange={(e) => set('enabled', e.target.checked)} data-testid="det-enabled" /> Detect objects on this camera
          </label>
          <LabelPicker value={f.labels} onChange={(v) => set('labels', v)} testId="det-labels" />
          {errors.labels && <div className="field-error" role="alert">{errors.labels}</div>}
          <div className="form-row">
            <label className={`field${errors.fps ? ' invalid' : ''}`}>
              Frames per second
              <select value={f.fps} onChange={(e) => set('fps', e.target.value)} data-testid="det-fps">
                {[1, 2, 3, 4, 5].map((n) => (
                  <option key={n} value={String(n)}>
                    {n}
                  </option>
                ))}
              </select>
              {errors.fps && <span className="field-error" role="alert">{errors.fps}</span>}
            </label>
            <label className={`field${errors.minScore ? ' invalid' : ''}`}>
              Minimum score
              <input type="number" min={0.3} max={0.95} step={0.05} value={f.minScore} onChange={(e) => set('minScore', e.target.value)} data-testid="det-min-score" />
              {errors.minScore && <span className="field-error" role="alert" data-testid="det-min-score-error">{errors.minScore}</span>}
            </label>
            <label className={`field${errors.minSize ? ' invalid' : ''}`}>
              Minimum size (px)
              <input type="number" min={0} max={4000} step={1} value={f.minSize} onChange={(e) => set('minSize', e.target.value)} data-testid="det-min-size" />
              {errors.minSize && <span className="field-error" role="alert">{errors.minSize}</span>}
            </label>
            <label className="field">
              Stream
              <select value={f.stream} onChange={(e) => set('stream', e.target.value as 'sub' | 'main')} data-testid="det-stream">
                <option value="sub">sub{camera.subUrl ? '' : ' (none: main is used)'}</option>
                <option value="main">main</option>
              </select>
            </label>
          </div>
          <p className="muted small">
            A tracked object makes one event once its best score reaches the minimum score. The minimum size is the longer side of its box in pixels of
            the camera&apos;s picture. The sub stream is cheaper to decode; boxes are the same on both.
          </p>
          <FormError error={formError} testId="detection-form-error" />
          {isAdmin && <FormActions submitLabel="Save (Ctrl+S)" busyLabel="Saving…" busy={busy} disabled={!dirty} submitTestId="det-save" />}
        </fieldset>
      </form>
      <section aria-label="Detector counters">
        <h3>Now</h3>
        <DetectionCounters st={status} />
      </section>
    </div>
  );
}
