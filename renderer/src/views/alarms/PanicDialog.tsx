import { useState } from 'react';
import { useClient } from '../../api/context.js';
import { useCameras } from '../../state/cameras.js';
import { AlarmPrompt } from './AlarmDialogs.js';
import { useOpenAlarms } from './OpenAlarms.js';

/**
 * Shift+P on every view: raise a priority-1 PANIC alarm, with the camera in
 * focus attached (the selected tile on Live, the picked one in Playback, the
 * selected alarm's camera) unless the guard unticks it.
 */
export function PanicDialog({ cameraId, onClose }: { cameraId: string | null; onClose: () => void }) {
  const client = useClient();
  const { byId } = useCameras();
  const { apply } = useOpenAlarms();
  const cam = cameraId ? byId(cameraId) : undefined;
  const [attach, setAttach] = useState(!!cam);
  return (
    <AlarmPrompt
      kind="panic"
      alarm={null}
      onClose={onClose}
      onSubmit={async (text) => {
        const a = await client.call('alarms.panic', { ...(attach && cam ? { cameraId: cam.id } : {}), ...(text ? { comment: text } : {}) });
        apply(a);
      }}
      extra={
        cam ? (
          <label className="panic-camera">
            <input type="checkbox" checked={attach} onChange={(e) => setAttach(e.target.checked)} data-testid="panic-attach-camera" /> Attach the camera in
            focus: <b>{cam.name}</b>
          </label>
        ) : (
          <p className="muted small-print">No camera is in focus; the alarm goes out without one.</p>
        )
      }
    />
  );
}
