import type { DetectionCameraStatus } from '../../../../main/api/detection.js';

/** One camera's detection in a table cell: on/off, rate, and frames offered / processed / skipped. */
export function DetectionCell({ st }: { st: DetectionCameraStatus | undefined }) {
  if (!st) return <span className="muted">–</span>;
  if (!st.enabled) return <span className="muted" data-testid="det-cell" data-enabled="false">off</span>;
  return (
    <span
      className="det-cell"
      data-testid="det-cell"
      data-enabled="true"
      data-state={st.state}
      data-offered={st.offered}
      data-processed={st.processed}
      data-skipped={st.skipped}
      title={`${st.state}${st.error ? `: ${st.error}` : ''} · ${st.settings.labels.join(', ')} · frames offered ${st.offered}, processed ${st.processed} (${st.gated} gated), skipped ${st.skipped}`}
    >
      <span className="on">{st.state === 'running' ? `${st.settings.fps} fps` : st.state}</span>
      {st.objects.length ? ` · ${st.objects.length} obj` : ''}
      {st.skipped ? ` · ${st.skipped} skipped` : ''}
    </span>
  );
}
