import { useState, type FormEvent } from 'react';
import type { CameraInfo } from '../../../../../main/api/contract.js';
import type { DiscoveredDeviceInfo } from '../../../../../main/api/onvif.js';
import { useClient } from '../../../api/context.js';
import { Field } from '../../../ui/Field.js';
import { Notice } from '../../../ui/Notice.js';
import { fieldError } from '../../../ui/format.js';
import { FormFooter } from '../../../ui/FormFooter.js';
import './onvif.css';

const PROBE_MS = 3000;

type Creds = { username: string; password: string; name: string };

/**
 * "Add camera → ONVIF": search the network (WS-Discovery), list what
 * answered with manufacturer, model, firmware, address and whether it is
 * already added; pick one (or type an address), give its credentials, add.
 */
export function DiscoveryPanel({ onAdded, onCancel }: { onAdded: (c: CameraInfo) => void; onCancel?: () => void }) {
  const client = useClient();
  const [devices, setDevices] = useState<DiscoveredDeviceInfo[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [xaddr, setXaddr] = useState('');
  const [creds, setCreds] = useState<Creds>({ username: '', password: '', name: '' });
  const [errors, setErrors] = useState<Partial<Record<'xaddr' | 'username' | 'password' | 'name', string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);

  const search = async () => {
    setSearching(true);
    setSearchError(null);
    try {
      const r = await client.call('onvif.discover', { timeoutMs: PROBE_MS }, { timeoutMs: PROBE_MS + 10_000 });
      setDevices(r.devices);
    } catch (err) {
      setSearchError(fieldError(err).message);
    } finally {
      setSearching(false);
    }
  };

  const pick = (d: DiscoveredDeviceInfo) => {
    setXaddr(d.xaddr);
    setErrors({});
    setFormError(null);
    if (!creds.name) setCreds((c) => ({ ...c, name: '' }));
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!xaddr.trim()) {
      setErrors({ xaddr: 'pick a device above, or type its address, e.g. http://192.168.1.20/onvif/device_service' });
      return;
    }
    setAdding(true);
    setFormError(null);
    setErrors({});
    try {
      const cam = await client.call(
        'onvif.add',
        {
          xaddr: xaddr.trim(),
          ...(creds.username.trim() ? { username: creds.username.trim(), password: creds.password } : {}),
          ...(creds.name.trim() ? { name: creds.name.trim() } : {}),
        },
        { timeoutMs: 90_000 },
      );
      onAdded(cam);
    } catch (err) {
      const { field, message } = fieldError(err);
      if (field === 'xaddr' || field === 'username' || field === 'password' || field === 'name') setErrors({ [field]: message });
      else setFormError(message);
    } finally {
      setAdding(false);
    }
  };

  const selected = devices?.find((d) => d.xaddr === xaddr) ?? null;
  return (
    <div className="onvif-discovery" data-testid="onvif-discovery">
      <div className="subtoolbar">
        <button type="button" className="btn" onClick={search} disabled={searching} data-testid="onvif-search">
          {searching ? 'Searching…' : devices ? 'Search again' : 'Search the network'}
        </button>
        <span className="muted">ONVIF cameras answer within {PROBE_MS / 1000} s. Cameras on other subnets do not: type their address below.</span>
      </div>
      {searchError && <Notice tone="error">{searchError}</Notice>}
      {devices && devices.length === 0 && (
        <Notice tone="warn" testId="onvif-none">
          No ONVIF device answered. Check that ONVIF is switched on in the camera and that it is on this network; some switches drop multicast.
        </Notice>
      )}
      {devices && devices.length > 0 && (
        <div className="table-wrap onvif-devices">
          <table className="grid" data-testid="onvif-devices">
            <thead>
              <tr>
                <th>Manufacturer</th>
                <th>Model</th>
                <th>Firmware</th>
                <th>Address</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.endpoint} data-active={d.xaddr === xaddr} data-testid="onvif-device" onClick={() => !d.cameraId && pick(d)}>
                  <td>{d.manufacturer ?? '?'}</td>
                  <td>{d.model ?? '?'}</td>
                  <td title={d.infoFrom === 'scopes' ? 'The camera only tells this after login' : undefined}>{d.firmware ?? (d.infoFrom === 'scopes' ? <span className="muted">after login</span> : '?')}</td>
                  <td>
                    <code>{d.xaddr}</code>
                  </td>
                  <td>
                    {d.cameraId ? (
                      <span className="badge" data-testid="onvif-added">
                        added ({d.cameraId})
                      </span>
                    ) : (
                      <button type="button" className="btn small" onClick={() => pick(d)}>
                        Select
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="form" onSubmit={add} noValidate>
        <Field label="Device address" error={errors.xaddr} testId="onvif-xaddr" hint={selected ? `${selected.manufacturer ?? ''} ${selected.model ?? ''}`.trim() : 'http://IP/onvif/device_service, or just the IP address'}>
          {(p) => <input {...p} data-testid="onvif-xaddr" value={xaddr} onChange={(e) => setXaddr(e.target.value)} spellCheck={false} placeholder="http://192.168.1.20/onvif/device_service" />}
        </Field>
        <div className="form-row">
          <Field label="Username" error={errors.username} testId="onvif-username">
            {(p) => <input {...p} data-testid="onvif-username" value={creds.username} onChange={(e) => setCreds({ ...creds, username: e.target.value })} autoComplete="off" spellCheck={false} />}
          </Field>
          <Field label="Password" error={errors.password} testId="onvif-password" hint="Stored encrypted on the server.">
            {(p) => <input {...p} data-testid="onvif-password" type="password" value={creds.password} onChange={(e) => setCreds({ ...creds, password: e.target.value })} autoComplete="new-password" />}
          </Field>
        </div>
        <Field label="Name (optional)" error={errors.name} testId="onvif-name" hint="Default: manufacturer and model.">
          {(p) => <input {...p} data-testid="onvif-name" value={creds.name} onChange={(e) => setCreds({ ...creds, name: e.target.value })} maxLength={64} placeholder="Gate North" />}
        </Field>
        <FormFooter
          error={formError}
          errorTestId="onvif-error"
          onCancel={onCancel}
          submitLabel="Add camera"
          busyLabel="Reading the camera…"
          busy={adding}
          submitTestId="onvif-add"
        />
      </form>
    </div>
  );
}
