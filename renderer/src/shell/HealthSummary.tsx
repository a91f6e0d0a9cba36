import { useCameras } from '../state/cameras.js';
import { navigate } from '../state/route.js';
import { healthCounts } from '../ui/format.js';

/** "4/4 recording" and, when something needs a look, "1 offline" in red. */
export function HealthSummary() {
  const { cameras, loading, error } = useCameras();
  if (loading && !cameras.length) return null;
  if (error && !cameras.length) {
    return (
      <span className="health health-bad" data-testid="health-summary">
        cameras unknown
      </span>
    );
  }
  const h = healthCounts(cameras.map((c) => c.status.state));
  const enabled = h.total - h.disabled;
  return (
    <button
      type="button"
      className={`health${h.attention ? ' health-bad' : ''}`}
      data-testid="health-summary"
      data-recording={h.recording}
      data-attention={h.attention}
      onClick={() => navigate('cameras')}
      title={`${h.recording} recording, ${h.connecting} connecting, ${h.attention} need attention, ${h.disabled} disabled`}
    >
      <span className="health-item">
        <span className="dot tone-ok" aria-hidden="true" />
        {h.recording}/{enabled} recording
      </span>
      {h.attention > 0 && (
        <span className="health-item attention">
          <span className="dot tone-bad" aria-hidden="true" />
          {h.attention} offline
        </span>
      )}
    </button>
  );
}
