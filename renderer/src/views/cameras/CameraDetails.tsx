import { useState } from 'react';
import type { CameraInfo } from '../../../../main/api/contract.js';
import type { DetectionCameraStatus } from '../../../../main/api/detection.js';
import { navigate } from '../../state/route.js';
import { DetectionCounters } from '../detection/DetectionSettingsForm.js';
import { useNow } from '../../state/now.js';
import { useSettings } from '../../state/settings.js';
import { StateBadge } from '../../ui/StateBadge.js';
import { formatAgo, formatDateTime } from '../../time/index.js';
import { formatFps, formatResolution } from '../../ui/format.js';
import { DeviceInfoCard } from './onvif/DeviceInfoCard.js';

/** Everything known about one camera, beside the list. */
export function CameraDetails({
  camera,
  isAdmin,
  detection,
  onClose,
  onEdit,
  onToggle,
  onRemove,
}: {
  camera: CameraInfo;
  isAdmin: boolean;
  /** The detector's status for this camera, when known. */
  detection?: DetectionCameraStatus;
  onClose: () => void;
  onEdit: () => void;
  onToggle: () => void;
  onRemove: () => void;
}) {
  const now = useNow(5000);
  const [device, setDevice] = useState(false);
  const { timeZone, settings } = useSettings();
  const s = camera.status;
  const rows: Array<[string, React.ReactNode]> = [
    ['Id', <code key="id">{camera.id}</code>],
    ['State', <StateBadge key="st" state={s.state} />],
    ['Message', s.message || '–'],
    ['Since', `${formatDateTime(s.since, timeZone)} (${formatAgo(s.since, now)})`],
    ['Main URL', <code key="u">{camera.url}</code>],
    ['Sub URL', camera.subUrl ? <code key="su">{camera.subUrl}</code> : '–'],
    ['Username', camera.username ?? '–'],
    ['Password', camera.hasPassword ? 'stored (encrypted)' : 'none'],
    [
      'Video',
      [s.codec?.toUpperCase(), formatResolution(s.width, s.height), formatFps(s.fps)].filter((x) => x && x !== '–').join(' · ') || '–',
    ],
    ['Audio', s.audio ?? 'none'],
    ['Last segment', s.lastSegmentAt ? `${formatDateTime(s.lastSegmentAt, timeZone)} (${formatAgo(s.lastSegmentAt, now)})` : 'none yet'],
    [
      'Retention',
      camera.retentionDays != null
        ? `${camera.retentionDays} days`
        : `default${settings?.defaultRetentionDays ? ` (${settings.defaultRetentionDays} days)` : ''}`,
    ],
    ['Source', camera.demo ? 'demo (built-in test video)' : 'network camera'],
  ];
  return (
    <aside className="details" data-testid="camera-details" data-camera-id={camera.id} aria-label={`Details of ${camera.name}`}>
      <header className="details-head">
        <h2>{camera.name}</h2>
        <button type="button" className="btn ghost icon" onClick={onClose} aria-label="Close details" title="Close (Esc)">
          ×
        </button>
      </header>
      <dl className="kv">
        {rows.map(([k, val]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{val}</dd>
          </div>
        ))}
      </dl>
      <section className="details-detection" aria-label="Detection" data-testid="camera-detection">
        <h3>
          Detection{' '}
          <span className="muted small">
            {detection ? (detection.enabled ? `on · ${detection.settings.labels.join(', ')} · ${detection.settings.fps} fps · ${detection.settings.stream} stream` : 'off') : '–'}
          </span>
        </h3>
        {detection?.enabled && <DetectionCounters st={detection} />}
        <button type="button" className="btn small" onClick={() => navigate('cameras', { detection: camera.id })} data-testid="camera-detection-open">
          {isAdmin ? 'Settings, zones, masks' : 'Detection settings'} <kbd>d</kbd>
        </button>
      </section>
      {!camera.demo && (
        <details className="details-device" open={device} onToggle={(e) => setDevice((e.target as HTMLDetailsElement).open)}>
          <summary data-testid="camera-device-toggle">Device (ONVIF)</summary>
          {device && <DeviceInfoCard cameraId={camera.id} />}
        </details>
      )}
      {isAdmin && (
        <div className="details-actions">
          <button type="button" className="btn" onClick={onEdit} data-testid="camera-edit">
            Edit <kbd>e</kbd>
          </button>
          <button type="button" className="btn" onClick={onToggle} data-testid="camera-toggle">
            {camera.enabled ? 'Disable' : 'Enable'} <kbd>x</kbd>
          </button>
          <button type="button" className="btn danger-outline" onClick={onRemove} data-testid="camera-remove">
            Remove <kbd>Del</kbd>
          </button>
        </div>
      )}
    </aside>
  );
}
