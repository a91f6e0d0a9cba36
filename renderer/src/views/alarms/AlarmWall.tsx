import { PRIORITY_STYLES } from './priority-style.js';
import { useNow } from '../../state/now.js';
import { formatDurationMs } from '../../time/index.js';
import { STATE_TEXT } from './alarm-queue.js';
import { useAlarmQueue } from './useAlarmQueue.js';
import './alarms.css';

/**
 * The alarm wall: a full-screen, read-only queue for a second monitor
 * (the desktop shell opens it on `#/alarm-wall`). Large type, priority
 * colours, no sound (the guard's console plays it).
 */
export function AlarmWall() {
  const { queue, error } = useAlarmQueue();
  const now = useNow(1000);
  const fresh = queue.filter((a) => a.state === 'new').length;
  return (
    <div className="alarm-wall" data-testid="alarm-wall">
      <header className="aw-head">
        <span className="aw-brand">Gatehouse · Alarms</span>
        <span className="spacer" />
        <span className={fresh ? 'aw-new' : 'muted'}>{fresh} waiting</span>
        <span className="muted">{queue.length} open</span>
      </header>
      {error && <div className="notice notice-error">{error.message}</div>}
      {queue.length === 0 && <div className="aw-empty">No open alarms</div>}
      <ol className="aw-list">
        {queue.map((a) => {
          const s = PRIORITY_STYLES[a.priority];
          return (
            <li key={a.id} className={`aw-row st-${a.state}`} style={{ borderLeftColor: s.color, background: a.state === 'new' ? s.tint : undefined }} data-testid="alarm-wall-row">
              <span className="aw-prio" style={{ color: s.color }}>
                P{a.priority}
              </span>
              <span className="aw-title">
                {a.title}
                {a.count > 1 && <span className="aw-count"> ×{a.count}</span>}
              </span>
              <span className="aw-state">
                {STATE_TEXT[a.state]}
                {a.claimedBy ? ` · ${a.claimedBy}` : ''}
                {a.escalation ? ` · ESCALATED` : ''}
              </span>
              <span className="aw-age">{formatDurationMs(now - Date.parse(a.createdAt))}</span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
