import { navigate, useRoute } from '../../state/route.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { PriorityChip } from './AlarmDetail.js';
import { useOpenAlarms } from './OpenAlarms.js';
import { PRIORITY_STYLES } from './priority-style.js';
import './alarms.css';

/**
 * For the shell, under the top bar on every view but Alarms (which has its
 * own): the newest alarm of the highest priority that nobody acknowledged
 * yet, at or above this console's priority (Settings → This console).
 * Shift+Enter opens it.
 */
export function AlarmBanner() {
  const route = useRoute();
  const { alerting, byCamera } = useOpenAlarms();
  const top = alerting[0];
  const show = route.view !== 'alarms' && !!top;
  useShortcuts('Global', [{ keys: 'shift+enter', description: 'Open the alarm in the banner', enabled: show, run: () => top && navigate('alarms', { alarm: String(top.id) }) }], {
    active: show,
  });
  if (!show || !top) return null;
  const s = PRIORITY_STYLES[top.priority];
  const cams = top.cameraIds.filter((c) => byCamera.get(c)?.id === top.id).length;
  return (
    <div
      className="alarm-banner global"
      role="alert"
      data-testid="alarm-banner-global"
      data-alarm={top.id}
      data-priority={top.priority}
      style={{ borderColor: s.color, background: s.tint }}
    >
      <PriorityChip p={top.priority} />
      <b className="ab-title">{top.title}</b>
      {cams > 0 && <span className="ab-cams">{cams === 1 ? 'its camera is outlined' : `its ${cams} cameras are outlined`}</span>}
      {alerting.length > 1 && <span className="ab-more">+{alerting.length - 1} more waiting</span>}
      <span className="spacer" />
      <button type="button" className="btn small" onClick={() => navigate('alarms', { alarm: String(top.id) })} data-testid="alarm-banner-open">
        Open <kbd>Shift+Enter</kbd>
      </button>
    </div>
  );
}
