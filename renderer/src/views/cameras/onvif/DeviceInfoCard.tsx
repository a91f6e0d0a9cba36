import type { ReactNode } from 'react';
import type { OnvifDeviceInfo } from '../../../../../main/api/onvif.js';
import { useQuery } from '../../../api/context.js';
import { Notice } from '../../../ui/Notice.js';
import { formatAgo } from '../../../time/index.js';
import './onvif.css';

/** ONVIF facts for the camera page: device, profiles, capabilities, clock and event subscription. */
export function DeviceInfoCard({ cameraId }: { cameraId: string }) {
  const q = useQuery('onvif.deviceInfo', { cameraId }, { events: ['camera.clockSkew'] });
  const d: OnvifDeviceInfo | undefined = q.data;
  if (q.error && !d) return <Notice tone="warn">{q.error.message}</Notice>;
  if (!d) return <p className="muted">Reading the device…</p>;
  const skew = d.clockSkewMs === null ? '–' : `${d.clockSkewMs > 0 ? '+' : ''}${(d.clockSkewMs / 1000).toFixed(1)} s${d.ntp ? ' (NTP)' : ''}`;
  const rows: Array<[string, ReactNode]> = [
    ['Device', [d.manufacturer, d.model].filter(Boolean).join(' ') || '?'],
    ['Firmware', d.firmware ?? '?'],
    ['Serial', d.serial ?? '–'],
    ['Address', <code key="x">{d.xaddr}</code>],
    ['Profiles', `${d.mainProfile}${d.subProfile ? ` / ${d.subProfile}` : ''}`],
    ['PTZ', d.capabilities.ptz ? 'yes' : 'no'],
    ['Inputs / relays', `${d.capabilities.inputs} / ${d.capabilities.relayOutputs}`],
    ['Clock', <span key="c" className={d.clockOk === false ? 'onvif-bad' : undefined}>{skew}</span>],
    ['Events', `${d.events.state}${d.events.lastEventAt ? ` · last ${formatAgo(d.events.lastEventAt)}` : ''}`],
  ];
  return (
    <div className="onvif-info" data-testid="onvif-device-info">
      {d.clockOk === false && <Notice tone="warn">The camera clock is off by more than 2 s: set it to use NTP, or evidence times will be wrong.</Notice>}
      {d.error && <Notice tone="warn">{d.error}</Notice>}
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
