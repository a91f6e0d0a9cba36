import { useEffect, useState } from 'react';
import { ALARM_TYPE_LABELS, type Alarm, type AlarmEntry } from '../../../../main/api/alarms.js';
import { PRIORITY_STYLES } from './priority-style.js';
import { useClient, useEvent } from '../../api/context.js';
import { useCameras } from '../../state/cameras.js';
import { formatAgo, formatDateTime, formatWhen } from '../../time/index.js';
import { STATE_TEXT, secondsToEscalation } from './alarm-queue.js';
import { AlarmCameraPane, type MediaMode } from './AlarmMedia.js';
import { AlarmFaces } from './AlarmFaces.js';
import { AlarmExportAction } from '../evidence/ExportActions.js';

const ENTRY_TEXT: Record<AlarmEntry['kind'], string> = {
  raised: 'raised',
  transition: '',
  comment: 'commented',
  claim: 'took it',
  release: 'released it',
  takeover: 'took it over',
  escalated: 'escalated',
  resolved: 'source cleared',
  notice: 'notice',
};

/** One line of an alarm's history, as the desk and the phone show it. */
export function entryLine(e: AlarmEntry): string {
  if (e.kind === 'transition') return `${e.action}${e.from ? ` (${STATE_TEXT[e.from]} → ${STATE_TEXT[e.to!]})` : ''}`;
  return ENTRY_TEXT[e.kind];
}

export function PriorityChip({ p, large }: { p: Alarm['priority']; large?: boolean }) {
  const s = PRIORITY_STYLES[p];
  return (
    <span className={`prio-chip${large ? ' large' : ''}`} style={{ color: s.color, borderColor: s.color }} title={`Priority ${p}: ${s.label}`} data-priority={p}>
      P{p} {s.label}
    </span>
  );
}

/** The alarm being worked: facts, procedure, cameras (live + replay), history. */
export function AlarmDetail({
  alarm,
  now,
  timeZone,
  mediaMode,
  expanded,
  full = false,
}: {
  alarm: Alarm;
  now: number;
  timeZone: string;
  mediaMode: MediaMode;
  expanded: boolean;
  /** The first camera's live or replay fills the panel (F). */
  full?: boolean;
}) {
  const client = useClient();
  const { byId } = useCameras();
  const [entries, setEntries] = useState<AlarmEntry[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    client.call('alarms.get', { id: alarm.id }).then(
      (r) => {
        if (!alive) return;
        setEntries(r.entries);
        setError(null);
      },
      (err: Error) => alive && setError(err.message),
    );
    return () => {
      alive = false;
    };
  }, [client, alarm.id]);
  useEvent('alarm.changed', ({ alarm: a, entry }) => {
    if (a.id === alarm.id && entry) setEntries((es) => (es.some((x) => x.id === entry.id) ? es : [...es, entry]));
  });

  const s = PRIORITY_STYLES[alarm.priority];
  const esc = secondsToEscalation(alarm, now);
  // The first camera large, the others beside it smaller; full size: the first alone.
  const media = full ? alarm.media.slice(0, 1) : alarm.media.slice(0, expanded ? 4 : 3);
  const alarmAt = Date.parse(alarm.createdAt);
  return (
    <section
      className={`alarm-detail${expanded ? ' expanded' : ''}${full ? ' full' : ''}`}
      data-testid="alarm-detail"
      data-alarm={alarm.id}
      data-state={alarm.state}
      data-full={full}
      style={{ borderTopColor: s.color }}
    >
      <header className="ad-head">
        <PriorityChip p={alarm.priority} large />
        <h1 className="ad-title">{alarm.title}</h1>
        <span className="spacer" />
        <span className={`alarm-state st-${alarm.state}`} data-testid="alarm-detail-state">
          {STATE_TEXT[alarm.state]}
        </span>
        <span className="muted">#{alarm.id}</span>
        <AlarmExportAction alarm={alarm} />
      </header>
      <div className="ad-facts">
        <span>
          <b>{ALARM_TYPE_LABELS[alarm.type]}</b>
        </span>
        <span>
          Source <b>{alarm.source}</b>
          {alarm.zone ? (
            <>
              {' '}
              · zone <b>{alarm.zone}</b>
            </>
          ) : null}
        </span>
        <span title={formatDateTime(alarm.createdAt, timeZone)}>
          Raised <b>{formatWhen(alarm.createdAt, timeZone, now)}</b> ({formatAgo(alarm.createdAt, now)})
        </span>
        {alarm.count > 1 && (
          <span className="ad-count">
            ×{alarm.count}, last {formatAgo(alarm.lastAt, now)}
          </span>
        )}
        {alarm.claimedBy && (
          <span>
            Handled by <b>{alarm.claimedBy}</b>
          </span>
        )}
        {esc !== null && <span className={esc <= 10 ? 'text-bad' : 'muted'}>{esc > 0 ? `escalates in ${esc} s` : 'escalation due'}</span>}
        {alarm.escalation > 0 && <span className="text-bad">Escalated ×{alarm.escalation}</span>}
        {alarm.resolvedAt && <span className="ad-cleared">Source cleared {formatAgo(alarm.resolvedAt, now)}</span>}
      </div>
      {error && <div className="notice notice-error">{error}</div>}
      <AlarmFaces alarm={alarm} />
      <div className="ad-body">
        <div className={`ad-media n${Math.min(media.length, 4)}`} data-testid="alarm-media">
          {alarm.media.length === 0 && <div className="am-empty muted">No camera is linked to this alarm. Map sensors and doors to cameras in the alarm setup.</div>}
          {media.map((m, i) => (
            <AlarmCameraPane
              key={m.cameraId}
              media={m}
              alarmAt={alarmAt}
              cameraName={byId(m.cameraId)?.name ?? m.cameraId}
              mode={full || i > 0 ? (mediaMode === 'both' ? 'live' : mediaMode) : mediaMode}
              timeZone={timeZone}
              visible
              large={i === 0}
            />
          ))}
          {full && (
            <div className="am-full-keys small-print">
              <kbd>L</kbd> live ⇄ replay · <kbd>P</kbd> Playback · <kbd>F</kbd> or <kbd>Esc</kbd> back
            </div>
          )}
        </div>
        <div className="ad-side">
          <h3>Procedure</h3>
          <pre className="ad-sop" data-testid="alarm-sop">
            {alarm.sop}
          </pre>
          <h3>History</h3>
          <ol className="ad-history" data-testid="alarm-history">
            {entries.map((e) => (
              <li key={e.id}>
                <span className="ad-h-time">{formatWhen(e.time, timeZone, now)}</span> <b>{e.user}</b> {entryLine(e)}
                {e.comment && <div className="ad-h-comment">{e.comment}</div>}
              </li>
            ))}
          </ol>
          {alarm.closeReason && (
            <p>
              Closed: <b>{alarm.closeReason}</b>
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
