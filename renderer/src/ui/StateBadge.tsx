import type { CameraState } from '../../../main/api/contract.js';
import { STATE_LABELS, stateTone } from './format.js';

/** Coloured dot plus words: colour is never the only signal. */
export function StateBadge({ state, title }: { state: CameraState; title?: string }) {
  return (
    <span className={`badge tone-${stateTone(state)}`} data-state={state} title={title}>
      <span className="dot" aria-hidden="true" />
      {STATE_LABELS[state] ?? state}
    </span>
  );
}
