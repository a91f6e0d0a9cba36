import { useEffect } from 'react';
import type { StorageCamera } from '../../../../main/api/contract.js';
import { useQuery } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useSettings } from '../../state/settings.js';
import { Notice } from '../../ui/Notice.js';
import { formatDateTime, formatDurationSeconds } from '../../time/index.js';
import { formatBytes } from '../../ui/format.js';

/** How far back this camera's recordings reach: from its oldest to newest segment when known. */
function keptLabel(c: StorageCamera): string {
  const span = c.oldest && c.newest ? (Date.parse(c.newest) - Date.parse(c.oldest)) / 1000 : NaN;
  const seconds = Number.isFinite(span) && span > 0 ? span : c.daysRetained * 86400;
  if (!c.segments) return '–';
  return seconds < 86400 ? formatDurationSeconds(seconds) : `${(seconds / 86400).toFixed(seconds < 864000 ? 1 : 0)} d`;
}

/** Disk use: the volume, the quota, per-camera bytes and days kept, and how long the quota lasts. */
export function StorageTab() {
  const q = useQuery('storage.status', {}, { events: ['storage.purged', 'storage.lowSpace', 'cameras.changed'], debounceMs: 1000 });
  const { timeZone } = useSettings();
  const { reload } = q;
  const rebuilding = !!q.data?.rebuilding;
  useEffect(() => {
    // every 2 s while the index is being rebuilt (its progress), else every 30 s
    const t = setInterval(reload, rebuilding ? 2_000 : 30_000);
    return () => clearInterval(t);
  }, [reload, rebuilding]);
  useShortcuts('Storage', [{ keys: 'r', description: 'Refresh storage figures', run: reload }]);

  const s = q.data;
  if (q.error && !s)
    return (
      <Notice tone="error" onRetry={reload} testId="storage-error">
        Could not read the storage status: {q.error.message}
      </Notice>
    );
  if (!s) return <p className="muted">Loading…</p>;
  const usedPct = s.quotaBytes > 0 ? Math.min(100, (s.usedBytes / s.quotaBytes) * 100) : 0;
  const volUsed = s.volumeTotalBytes - s.volumeFreeBytes;
  return (
    <div className="storage" data-testid="settings-storage">
      {s.rebuilding && (
        <Notice tone="warn" testId="storage-rebuilding">
          The recordings index is being rebuilt from the media files ({s.rebuilding.reason}; since {formatDateTime(s.rebuilding.since, timeZone)}):{' '}
          {s.rebuilding.camerasDone} of {s.rebuilding.cameras} cameras done, {s.rebuilding.segments} segments found so far. Recording goes on;
          older footage appears in Playback camera by camera.
        </Notice>
      )}
      {s.lowSpace && (
        <Notice tone="warn" testId="storage-lowspace">
          The volume is low on space ({formatBytes(s.volumeFreeBytes)} free). The oldest unlocked recordings are being deleted to keep
          recording.
        </Notice>
      )}
      <div className="stat-row">
        <div className="stat">
          <span className="stat-label">Recordings</span>
          <span className="stat-value" data-testid="storage-used">
            {formatBytes(s.usedBytes)}
          </span>
          <span className="stat-sub">of {formatBytes(s.quotaBytes)} quota</span>
          <div className="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(usedPct)} aria-label={`${usedPct.toFixed(0)} % of the quota`}>
            <div className={`meter-fill${usedPct > 95 ? ' warn' : ''}`} style={{ width: `${usedPct}%` }} />
          </div>
        </div>
        <div className="stat">
          <span className="stat-label">Volume</span>
          <span className="stat-value">{formatBytes(s.volumeFreeBytes)} free</span>
          <span className="stat-sub">
            {formatBytes(volUsed)} used of {formatBytes(s.volumeTotalBytes)}
          </span>
        </div>
        <div className="stat">
          <span className="stat-label">Locked (evidence)</span>
          <span className="stat-value">{formatBytes(s.lockedBytes)}</span>
          <span className="stat-sub">never deleted by retention</span>
        </div>
        <div className="stat">
          <span className="stat-label">Quota lasts</span>
          <span className="stat-value" data-testid="storage-forecast">
            {s.forecastDays == null
              ? '–'
              : s.forecastDays >= 3650
                ? '10+ years'
                : `${s.forecastDays.toFixed(s.forecastDays < 10 ? 1 : 0)} days`}
          </span>
          <span className="stat-sub">at the current total bitrate</span>
        </div>
        <span className="spacer" />
        <button type="button" className="btn small" onClick={reload} disabled={q.loading} data-testid="storage-refresh">
          {q.loading ? 'Refreshing…' : 'Refresh'} <kbd>r</kbd>
        </button>
      </div>
      <p className="muted small-print">
        Data folder <code>{s.dataDir}</code>
      </p>
      <div className="table-wrap">
        <table className="grid" data-testid="storage-table">
          <thead>
            <tr>
              <th>Camera</th>
              <th className="num">Stored</th>
              <th className="num">Segments</th>
              <th className="num">Kept</th>
              <th className="num">Per day</th>
              <th className="num">Locked</th>
              <th className="num">Retention</th>
              <th>Oldest</th>
              <th>Newest</th>
            </tr>
          </thead>
          <tbody>
            {s.cameras.map((c) => (
              <tr key={c.cameraId} data-testid="storage-row" data-camera-id={c.cameraId}>
                <td>{c.name}</td>
                <td className="num">{formatBytes(c.bytes)}</td>
                <td className="num">{c.segments.toLocaleString('en')}</td>
                <td className="num">{keptLabel(c)}</td>
                <td className="num">{formatBytes(c.bytesPerDay)}</td>
                <td className="num">{c.lockedBytes ? formatBytes(c.lockedBytes) : <span className="muted">–</span>}</td>
                <td className="num">{c.retentionDays != null ? `${c.retentionDays} d` : <span className="muted">default</span>}</td>
                <td>{formatDateTime(c.oldest, timeZone)}</td>
                <td>{formatDateTime(c.newest, timeZone)}</td>
              </tr>
            ))}
            {s.cameras.length === 0 && (
              <tr>
                <td colSpan={9} className="muted">
                  Nothing recorded yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
