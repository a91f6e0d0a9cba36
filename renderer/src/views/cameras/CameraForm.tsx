import { useState, type FormEvent } from 'react';
import { splitUrlCredentials, type CameraInfo, type ParamsOf } from '../../../../main/api/contract.js';
import { useClient } from '../../api/context.js';
import { useSettings } from '../../state/settings.js';
import { Dialog } from '../../ui/Dialog.js';
import { Field } from '../../ui/Field.js';
import { fieldError } from '../../ui/format.js';
import { FormFooter } from '../../ui/FormFooter.js';
import { DETECTION_DEFAULTS, type ObjectLabel } from '../../../../main/api/detection.js';
import { LabelPicker } from '../detection/LabelPicker.js';
import { DiscoveryPanel } from './onvif/DiscoveryPanel.js';
import { TestConnection } from './onvif/TestConnection.js';

type Values = { name: string; url: string; subUrl: string; username: string; password: string; retentionDays: string; enabled: boolean };
type FieldKey = keyof Values;

function initial(c: CameraInfo | null): Values {
  return {
    name: c?.name ?? '',
    url: c?.url ?? '',
    subUrl: c?.subUrl ?? '',
    username: c?.username ?? '',
    password: '',
    retentionDays: c?.retentionDays != null ? String(c.retentionDays) : '',
    enabled: c?.enabled ?? true,
  };
}

export type AddMode = 'manual' | 'onvif';

/**
 * Add or edit a camera. Adding offers two ways: a stream URL typed in (with
 * "Test connection"), or an ONVIF device found on the network. Server
 * validation messages appear under their field.
 */
export function CameraForm({
  camera,
  onClose,
  onSaved,
  initialMode = 'manual',
}: {
  camera: CameraInfo | null;
  onClose: () => void;
  onSaved: (c: CameraInfo) => void;
  initialMode?: AddMode;
}) {
  const [mode, setMode] = useState<AddMode>(camera ? 'manual' : initialMode);
  const client = useClient();
  const { settings } = useSettings();
  const [v, setV] = useState<Values>(() => initial(camera));
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [moved, setMoved] = useState(false);
  // adding: detection can be turned on with the camera (stored with detection.update once the camera exists)
  const [detect, setDetect] = useState(false);
  const [labels, setLabels] = useState<ObjectLabel[]>(['person', 'vehicle']);
  const editing = !!camera;
  const set = (k: FieldKey) => (e: { target: { value: string; checked?: boolean; type?: string } }) => {
    const value = e.target.type === 'checkbox' ? !!e.target.checked : e.target.value;
    // A URL pasted from a camera manual with user:password@ inside: the credentials go into their
    // fields (the password is stored encrypted), the URL stays clean, and the form says so.
    if ((k === 'url' || k === 'subUrl') && typeof value === 'string') {
      const c = splitUrlCredentials(value);
      if (c && (!v.username || v.username === c.username)) {
        setV((s) => ({ ...s, [k]: c.url, username: c.username, password: c.password ?? s.password }));
        setErrors((er) => ({ ...er, [k]: undefined, username: undefined, password: undefined }));
        setMoved(true);
        return;
      }
    }
    setV((s) => ({ ...s, [k]: value }));
    setErrors((er) => ({ ...er, [k]: undefined }));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Partial<Record<FieldKey, string>> = {};
    if (!v.name.trim()) local.name = 'give the camera a name, such as "Gate North"';
    if (!v.url.trim()) local.url = 'enter the stream URL, for example rtsp://192.168.1.20:554/stream1';
    let retention: number | null = null;
    if (v.retentionDays.trim()) {
      retention = Number(v.retentionDays);
      if (!Number.isInteger(retention) || retention < 1 || retention > 3650)
        local.retentionDays = 'a whole number of days from 1 to 3650, or empty for the default';
    }
    if (Object.keys(local).length) {
      setErrors(local);
      return;
    }
    setBusy(true);
    setFormError(null);
    try {
      let saved: CameraInfo;
      if (!camera) {
        const input: ParamsOf<'cameras.add'> = {
          name: v.name.trim(),
          url: v.url.trim(),
          subUrl: v.subUrl.trim() || null,
          username: v.username.trim() || null,
          password: v.password || null,
          enabled: v.enabled,
          retentionDays: retention,
        };
        saved = await client.call('cameras.add', input);
        if (detect) {
          try {
            await client.call('detection.update', { cameraId: saved.id, patch: { enabled: true, labels: labels.length ? labels : [...DETECTION_DEFAULTS.labels] } });
          } catch (err) {
            // the camera is there and records; say what is left to do
            setFormError(`${saved.name} was added, but detection could not be turned on: ${(err as Error).message}. Turn it on under Cameras → ${saved.name} → Detection (D).`);
            setBusy(false);
            return;
          }
        }
      } else {
        const patch: ParamsOf<'cameras.update'>['patch'] = {};
        if (v.name.trim() !== camera.name) patch.name = v.name.trim();
        if (v.url.trim() !== camera.url) patch.url = v.url.trim();
        if ((v.subUrl.trim() || null) !== camera.subUrl) patch.subUrl = v.subUrl.trim() || null;
        if ((v.username.trim() || null) !== camera.username) patch.username = v.username.trim() || null;
        if (v.password) patch.password = v.password;
        if (v.enabled !== camera.enabled) patch.enabled = v.enabled;
        if (retention !== camera.retentionDays) patch.retentionDays = retention;
        saved = Object.keys(patch).length ? await client.call('cameras.update', { id: camera.id, patch }) : camera;
      }
      onSaved(saved);
    } catch (err) {
      const { field, message } = fieldError(err);
      if (field && field in v) setErrors({ [field as FieldKey]: message });
      else setFormError(message);
      setBusy(false);
    }
  };

  const defaultRetention = settings?.defaultRetentionDays;
  return (
    <Dialog
      title={editing ? `Edit ${camera.name}` : 'Add camera'}
      onClose={onClose}
      testId="camera-form"
      width={mode === 'onvif' ? 640 : 520}
      scope="Camera form"
    >
      {!editing && (
        <div className="mode-switch" role="radiogroup" aria-label="How to add the camera">
          <label className={mode === 'manual' ? 'current' : ''}>
            <input
              type="radio"
              name="add-mode"
              checked={mode === 'manual'}
              onChange={() => setMode('manual')}
              data-testid="camera-mode-manual"
            />{' '}
            Stream URL
          </label>
          <label className={mode === 'onvif' ? 'current' : ''}>
            <input
              type="radio"
              name="add-mode"
              checked={mode === 'onvif'}
              onChange={() => setMode('onvif')}
              data-testid="camera-mode-onvif"
            />{' '}
            Find on the network (ONVIF)
          </label>
        </div>
      )}
      {mode === 'onvif' && !editing ? (
        <DiscoveryPanel onAdded={onSaved} onCancel={onClose} />
      ) : (
        <form onSubmit={submit} noValidate className="form">
          <Field label="Name" error={errors.name} testId="camera-name">
            {(p) => (
              <input
                {...p}
                data-testid="camera-name"
                data-autofocus
                value={v.name}
                onChange={set('name')}
                maxLength={64}
                placeholder="Gate North"
              />
            )}
          </Field>
          <Field
            label="Main stream URL"
            error={errors.url}
            testId="camera-url"
            hint={
              moved ? (
                <span className="field-note" role="status" data-testid="camera-url-moved">
                  The user name and password were in the URL: they are now in the fields below, and the password is stored encrypted.
                </span>
              ) : (
                'Recorded. rtsp://host:554/path. A URL with user:password@ inside is fine: they move to the fields below.'
              )
            }
          >
            {(p) => (
              <input
                {...p}
                data-testid="camera-url"
                value={v.url}
                onChange={set('url')}
                spellCheck={false}
                placeholder="rtsp://192.168.1.20:554/stream1"
              />
            )}
          </Field>
          <Field
            label="Sub stream URL (optional)"
            error={errors.subUrl}
            testId="camera-suburl"
            hint="Lower resolution, used for grids and detection."
          >
            {(p) => (
              <input
                {...p}
                data-testid="camera-suburl"
                value={v.subUrl}
                onChange={set('subUrl')}
                spellCheck={false}
                placeholder="rtsp://192.168.1.20:554/stream2"
              />
            )}
          </Field>
          <div className="form-row">
            <Field label="Username" error={errors.username} testId="camera-username">
              {(p) => (
                <input
                  {...p}
                  data-testid="camera-username"
                  value={v.username}
                  onChange={set('username')}
                  autoComplete="off"
                  spellCheck={false}
                />
              )}
            </Field>
            <Field
              label="Password"
              error={errors.password}
              testId="camera-password"
              hint={editing && camera.hasPassword ? 'Leave empty to keep the stored password.' : 'Stored encrypted on the server.'}
            >
              {(p) => (
                <input
                  {...p}
                  data-testid="camera-password"
                  type="password"
                  value={v.password}
                  onChange={set('password')}
                  autoComplete="new-password"
                  placeholder={editing && camera.hasPassword ? '••••••••' : ''}
                />
              )}
            </Field>
          </div>
          <div className="form-row">
            <Field
              label="Retention (days)"
              error={errors.retentionDays}
              testId="camera-retention"
              hint={`Empty: the default${defaultRetention ? ` (${defaultRetention} days)` : ''}.`}
            >
              {(p) => (
                <input
                  {...p}
                  data-testid="camera-retention"
                  inputMode="numeric"
                  value={v.retentionDays}
                  onChange={set('retentionDays')}
                  placeholder={defaultRetention ? String(defaultRetention) : ''}
                />
              )}
            </Field>
            <div className="field checkbox-field">
              <label>
                <input type="checkbox" data-testid="camera-enabled" checked={v.enabled} onChange={set('enabled')} /> Enabled (record this
                camera)
              </label>
            </div>
          </div>
          {!editing && (
            <div className="field detection-field">
              <label>
                <input type="checkbox" checked={detect} onChange={(e) => setDetect(e.target.checked)} data-testid="camera-detect" /> Detect objects
                (uses the sub stream; zones and masks under Cameras → Detection)
              </label>
              {detect && <LabelPicker value={labels} onChange={setLabels} testId="camera-detect-labels" />}
            </div>
          )}
          {(!editing || !camera.hasPassword || v.password || !v.username) && (
            <TestConnection url={v.url} username={v.username || undefined} password={v.password || undefined} />
          )}
          <FormFooter
            error={formError}
            errorTestId="camera-form-error"
            onCancel={onClose}
            submitLabel={editing ? 'Save' : 'Add camera'}
            busyLabel="Saving…"
            busy={busy}
            submitTestId="camera-submit"
          />
        </form>
      )}
    </Dialog>
  );
}
