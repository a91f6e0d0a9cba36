import type { Alarm } from '../../../../main/api/alarms.js';
import { useNow } from '../../state/now.js';
import { navigate } from '../../state/route.js';
import { formatDurationMs } from '../../time/index.js';
import { STATE_TEXT } from '../alarms/alarm-queue.js';
import { useOpenAlarms } from '../alarms/OpenAlarms.js';
import { PRIORITY_STYLES } from '../alarms/priority-style.js';

function Row({ a, now }: { a: Alarm; now: number }) {
  const s = PRIORITY_STYLES[a.priority];
  return (
    <li>
      <a
        href={`#/alarms?alarm=${a.id}`}
        className={`phone-alarm st-${a.state}`}
        style={{ borderLeftColor: s.color, background: a.state === 'new' ? s.tint : undefined }}
        data-testid="alarm-row"
        data-alarm={a.id}
        data-state={a.state}
        data-priority={a.priority}
        onClick={(e) => {
          e.preventDefault();
          navigate('alarms', { alarm: String(a.id) });
        }}
      >
        <span className="pa-prio" style={{ color: s.color }}>
          P{a.priority}
        </span>
        <span className="pa-main">
          <span className="pa-title">{a.title}</span>
          <span className="pa-sub">
            {STATE_TEXT[a.state]}
            {a.claimedBy ? ` · ${a.claimedBy}` : ''}
            {a.count > 1 ? ` · ×${a.count}` : ''}
          </span>
        </span>
        <span className="pa-age">{formatDurationMs(now - Date.parse(a.createdAt))}</span>
      </a>
    </li>
  );
}

/** The open alarms, most urgent first; a tap opens one. */
export function PhoneAlarms() {
  const q = useOpenAlarms();
  const now = useNow(1000);
  return (
    <section className="phone-alarms" data-testid="view-alarms">
      <div className="phone-section-head">
        <h1>Alarms</h1>
        <span className="muted" data-testid="alarm-count">
          {q.queue.length} open · {q.queue.filter((a) => a.state === 'new').length} new
        </span>
      </div>
      {q.error && <div className="notice notice-error">Could not load the queue: {q.error.message}</div>}
      {!q.loading && q.queue.length === 0 && (
        <div className="empty" data-testid="alarm-queue-empty">
          No open alarms.
        </div>
      )}
      <ul className="phone-alarm-list" data-testid="alarm-queue">
        {q.queue.map((a) => (
          <Row key={a.id} a={a} now={now} />
        ))}
      </ul>
    </section>
  );
}
