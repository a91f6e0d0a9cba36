import { useState } from 'react';
import type { CameraInfo } from '../../../../main/api/contract.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { Dialog } from '../../ui/Dialog.js';

/** Choose which cameras play together: ↑/↓ move, Space toggles, Enter closes. */
export function CameraSelectDialog({
  cameras,
  selected,
  max,
  onToggle,
  onClose,
}: {
  cameras: CameraInfo[];
  selected: string[];
  max: number;
  onToggle: (id: string) => void;
  onClose: () => void;
}) {
  const [at, setAt] = useState(0);
  useShortcuts(
    'Cameras to play',
    [
      { keys: 'down', description: 'Next camera', run: () => setAt((i) => Math.min(cameras.length - 1, i + 1)) },
      { keys: 'up', description: 'Previous camera', run: () => setAt((i) => Math.max(0, i - 1)) },
      {
        keys: 'space',
        description: 'Play this camera too, or not',
        run: () => {
          const c = cameras[at];
          if (c) onToggle(c.id);
        },
      },
      { keys: 'enter', description: 'Done', run: onClose },
    ],
    { modal: true },
  );
  return (
    <Dialog title="Cameras to play in sync" onClose={onClose} testId="camera-select" scope="Cameras to play">
      <ul className="picker-list" role="listbox" aria-multiselectable="true" aria-label="Cameras" tabIndex={0} data-autofocus>
        {cameras.map((c, i) => {
          const on = selected.includes(c.id);
          return (
            <li
              key={c.id}
              role="option"
              aria-selected={on}
              className={i === at ? 'active' : ''}
              onMouseEnter={() => setAt(i)}
              onClick={() => onToggle(c.id)}
            >
              <input type="checkbox" readOnly checked={on} tabIndex={-1} />
              <span className="picker-name">{c.name}</span>
            </li>
          );
        })}
      </ul>
      <div className="muted small picker-help">
        Up to {max} cameras play together, kept within a frame of each other. ↑/↓ move · Space toggle · Enter done
      </div>
    </Dialog>
  );
}
