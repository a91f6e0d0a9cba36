import { useMemo, useState } from 'react';
import type { CameraInfo } from '../../../../main/api/contract.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { Dialog } from '../../ui/Dialog.js';
import { STATE_LABELS, stateTone } from '../../ui/format.js';

/**
 * Choose a camera for a tile from the keyboard: type to filter, ↑/↓ to
 * move, Enter to place it, Del to empty the tile, Esc to cancel.
 */
export function CameraPicker({
  tile,
  cameras,
  current,
  onPick,
  onClose,
}: {
  tile: number;
  cameras: CameraInfo[];
  current: string | null;
  onPick: (cameraId: string | null) => void;
  onClose: () => void;
}) {
  const [q, setQ] = useState('');
  const list = useMemo(() => {
    const s = q.trim().toLowerCase();
    return s ? cameras.filter((c) => c.name.toLowerCase().includes(s) || c.id.includes(s)) : cameras;
  }, [q, cameras]);
  const [idx, setIdx] = useState(() =>
    Math.max(
      0,
      cameras.findIndex((c) => c.id === current),
    ),
  );
  const at = Math.min(idx, Math.max(0, list.length - 1));

  useShortcuts(
    'Choose a camera',
    [
      { keys: ['down'], description: 'Next camera', allowInInput: true, run: () => setIdx(Math.min(list.length - 1, at + 1)) },
      { keys: ['up'], description: 'Previous camera', allowInInput: true, run: () => setIdx(Math.max(0, at - 1)) },
      {
        keys: 'enter',
        description: 'Put the camera in the tile',
        allowInInput: true,
        run: () => {
          const c = list[at];
          if (c) onPick(c.id);
        },
      },
      { keys: 'ctrl+delete', description: 'Empty the tile', allowInInput: true, run: () => onPick(null) },
    ],
    { modal: true },
  );

  return (
    <Dialog title={`Camera for tile ${tile + 1}`} onClose={onClose} testId="camera-picker" scope="Choose a camera" width={420}>
      <input
        className="picker-dialog-input"
        data-autofocus
        placeholder="Type to filter cameras"
        aria-label="Filter cameras"
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          setIdx(0);
        }}
      />
      <ul className="picker-list" role="listbox" aria-label="Cameras">
        {list.map((c, i) => (
          <li
            key={c.id}
            role="option"
            aria-selected={i === at}
            className={i === at ? 'active' : ''}
            onMouseEnter={() => setIdx(i)}
            onClick={() => onPick(c.id)}
            data-testid={`pick-${c.id}`}
          >
            <span className={`dot tone-${stateTone(c.status.state)}`} aria-hidden="true" />
            <span className="picker-name">{c.name}</span>
            <span className="muted small">{STATE_LABELS[c.status.state]}</span>
            {c.id === current && <span className="muted small">in this tile</span>}
          </li>
        ))}
        {list.length === 0 && <li className="muted">No camera matches “{q}”.</li>}
      </ul>
      <div className="muted small picker-help">↑/↓ move · Enter place · Ctrl+Del empty the tile · Esc cancel</div>
    </Dialog>
  );
}
