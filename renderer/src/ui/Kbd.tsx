import { specLabels } from '../keyboard/keys.js';

/** Show a shortcut spec ("g l", "F1", "?") as key caps. */
export function Kbd({ spec }: { spec: string }) {
  const labels = specLabels(spec);
  return (
    <span className="kbd-seq">
      {labels.map((l, i) => (
        <span key={i}>
          {i > 0 && <span className="kbd-then">then</span>}
          <kbd>{l}</kbd>
        </span>
      ))}
    </span>
  );
}
