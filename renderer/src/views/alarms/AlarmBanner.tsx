import { PRIORITY_STYLES } from './priority-style.js';
import { navigate, useRoute } from '../../state/route.js';
import { useAlarmAlerts } from './useAlarmAlerts.js';
import { useAlarmQueue } from './useAlarmQueue.js';
import { useRef } from 'react';
import './alarms.css';

/**
 * For the shell, under the top bar on every view: the most urgent alarm
 * waiting for acknowledgement, with its sound (the first alerter mounted
 * plays, so the Alarms view and this never sound twice). Hidden on the
 * Alarms view, which has its own banner.
 */
export function AlarmBanner() {
  const route = useRoute();
  const alertsRef = useRef<ReturnType<typeof useAlarmAlerts> | null>(null);
  const q = useAlarmQueue({ onRaised: (a) => alertsRef.current?.onRaised(a), onEscalated: (a, l, r) => alertsRef.current?.onEscalated(a, l, r) });
  const alerts = useAlarmAlerts(q.queue);
  alertsRef.current = alerts;
  if (route.view === 'alarms') return null;
  const waiting = q.queue.filter((a) => a.state === 'new');
  const top = waiting[0];
  if (!top) return null;
  const s = PRIORITY_STYLES[top.priority];
  return (
    <div className="alarm-banner global" role="alert" data-testid="alarm-banner-global" style={{ borderColor: s.color, background: s.tint }}>
      <span className="prio-chip" style={{ color: s.color, borderColor: s.color }}>
        P{top.priority} {s.label}
      </span>
      <b className="ab-title">{top.title}</b>
      {waiting.length > 1 && <span className="muted">+{waiting.length - 1} more</span>}
      <span className="spacer" />
      <button type="button" className="btn small" onClick={() => navigate('alarms')}>
        Go to Alarms <kbd>F3</kbd>
      </button>
    </div>
  );
}
