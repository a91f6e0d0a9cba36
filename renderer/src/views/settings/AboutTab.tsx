import { useConnection, useQuery } from '../../api/context.js';
import { useNow } from '../../state/now.js';
import { useSettings } from '../../state/settings.js';
import { Notice } from '../../ui/Notice.js';
import { formatAgo, formatDateTime, zoneLabel } from '../../time/index.js';

/** Version, data folder, ffmpeg, uptime and how this console is connected. */
export function AboutTab() {
  const q = useQuery('system.info', {});
  const conn = useConnection();
  const { timeZone, timeZoneIsLocal } = useSettings();
  const now = useNow(10_000);
  const i = q.data;
  if (q.error && !i)
    return (
      <Notice tone="error" onRetry={q.reload}>
        Could not read the system information: {q.error.message}
      </Notice>
    );
  if (!i) return <p className="muted">Loading…</p>;
  const rows: Array<[string, React.ReactNode]> = [
    ['Gatehouse', i.version],
    ['Engine', i.headless ? 'headless server (gatehouse serve)' : 'desktop app'],
    ['Running since', `${formatDateTime(i.startedAt, timeZone)} (${formatAgo(i.startedAt, now).replace(' ago', '')})`],
    ['Data folder', <code key="d">{i.dataDir}</code>],
    [
      'ffmpeg',
      i.ffmpeg ? (
        <code key="f">{i.ffmpeg}</code>
      ) : (
        <span className="text-bad">not found: recording cannot start; run “gatehouse doctor”</span>
      ),
    ],
    ['ffmpeg version', i.ffmpegVersion ?? '–'],
    ['Connection', conn.transport === 'ipc' ? 'desktop bridge (IPC)' : `WebSocket to ${location.host}`],
    ['Time zone', `${zoneLabel(Date.now(), timeZone)}${timeZoneIsLocal ? ', this computer’s zone' : ''}`],
  ];
  return (
    <div className="about" data-testid="settings-about">
      <dl className="kv wide">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <p className="muted small-print">Press ? anywhere for the keyboard shortcuts. Gatehouse is licensed under the Apache License 2.0.</p>
    </div>
  );
}
