import { useState, type PointerEvent } from 'react';
import { Notice } from '../../../ui/Notice.js';
import type { PtzVelocity } from './ptz-keys.js';
import { usePtz } from './usePtz.js';
import './ptz.css';

const PAD: Array<{ label: string; title: string; v: PtzVelocity }> = [
  { label: '↖', title: 'Up left', v: { pan: -0.5, tilt: 0.5, zoom: 0 } },
  { label: '↑', title: 'Up (↑)', v: { pan: 0, tilt: 0.5, zoom: 0 } },
  { label: '↗', title: 'Up right', v: { pan: 0.5, tilt: 0.5, zoom: 0 } },
  { label: '←', title: 'Left (←)', v: { pan: -0.5, tilt: 0, zoom: 0 } },
  { label: '⌂', title: 'Home', v: { pan: 0, tilt: 0, zoom: 0 } },
  { label: '→', title: 'Right (→)', v: { pan: 0.5, tilt: 0, zoom: 0 } },
  { label: '↙', title: 'Down left', v: { pan: -0.5, tilt: -0.5, zoom: 0 } },
  { label: '↓', title: 'Down (↓)', v: { pan: 0, tilt: -0.5, zoom: 0 } },
  { label: '↘', title: 'Down right', v: { pan: 0.5, tilt: -0.5, zoom: 0 } },
];

/**
 * On-screen PTZ pad for one camera: hold a direction (pointer down → move,
 * pointer up/leave → stop), zoom in/out, presets (go to; set needs a
 * supervisor), home. With `keyboard`, arrows and +/− work too.
 */
export function PtzPad({ cameraId, keyboard = false, canSetPresets = false }: { cameraId: string; keyboard?: boolean; canSetPresets?: boolean }) {
  const ptz = usePtz(cameraId, { keyboard });
  const [presetName, setPresetName] = useState('');
  const hold = (v: PtzVelocity) => ({
    onPointerDown: (e: PointerEvent<HTMLButtonElement>) => {
      e.currentTarget.setPointerCapture?.(e.pointerId);
      ptz.press(v);
    },
    onPointerUp: () => ptz.release(),
    onPointerCancel: () => ptz.release(),
    onLostPointerCapture: () => ptz.release(),
  });
  return (
    <div className="ptz-pad" data-testid="ptz-pad" data-moving={ptz.moving}>
      <div className="ptz-grid">
        {PAD.map((b) =>
          b.label === '⌂' ? (
            <button key={b.label} type="button" className="btn ptz-btn" title="Home position" onClick={() => void ptz.home()} data-testid="ptz-home">
              {b.label}
            </button>
          ) : (
            <button key={b.label} type="button" className="btn ptz-btn" title={b.title} aria-label={b.title} {...hold(b.v)}>
              {b.label}
            </button>
          ),
        )}
      </div>
      <div className="ptz-zoom">
        <button type="button" className="btn ptz-btn" title="Zoom in (+)" aria-label="Zoom in" {...hold({ pan: 0, tilt: 0, zoom: 0.5 })}>
          +
        </button>
        <button type="button" className="btn ptz-btn" title="Zoom out (−)" aria-label="Zoom out" {...hold({ pan: 0, tilt: 0, zoom: -0.5 })}>
          −
        </button>
      </div>
      <div className="ptz-presets">
        <select aria-label="Presets" data-testid="ptz-presets" value="" onChange={(e) => e.target.value && void ptz.gotoPreset(e.target.value)}>
          <option value="">{ptz.presets.length ? 'Go to preset…' : 'No presets'}</option>
          {ptz.presets.map((p) => (
            <option key={p.token} value={p.token}>
              {p.name}
            </option>
          ))}
        </select>
        {canSetPresets && (
          <form
            className="ptz-save"
            onSubmit={(e) => {
              e.preventDefault();
              if (presetName.trim()) void ptz.setPreset(presetName.trim()).then(() => setPresetName(''));
            }}
          >
            <input aria-label="New preset name" placeholder="Save view as…" value={presetName} onChange={(e) => setPresetName(e.target.value)} maxLength={64} />
            <button type="submit" className="btn small" disabled={!presetName.trim()}>
              Save
            </button>
          </form>
        )}
      </div>
      {ptz.error && <Notice tone="error">{ptz.error}</Notice>}
    </div>
  );
}
