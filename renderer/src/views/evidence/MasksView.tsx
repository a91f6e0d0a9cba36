/**
 * Privacy masks (admins), under Evidence: pick a camera, draw its masks over
 * a live snapshot with the polygon editor (mouse or keyboard alone), save.
 * Guards then see those areas black on live and recorded video, and every
 * export burns them in (those cameras are re-encoded). The editor is the
 * one every mask kind uses (views/detection/MasksEditor.tsx; the camera's
 * Detection page edits motion and object masks with it too). Ctrl+S saves,
 * Ctrl+R reverts, Shift+C picks the camera.
 */
import { useRef } from 'react';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useCameras } from '../../state/cameras.js';
import { navigate } from '../../state/route.js';
import { MasksEditor } from '../detection/MasksEditor.js';

export function MasksView({ cameraId, active = true }: { cameraId?: string; active?: boolean }) {
  const { cameras } = useCameras();
  const cam = cameras.find((c) => c.id === cameraId) ?? cameras[0];
  const pickRef = useRef<HTMLSelectElement>(null);
  useShortcuts('Privacy masks', [{ keys: 'shift+c', description: 'Pick another camera', run: () => pickRef.current?.focus() }], { active });
  if (!cam) return <div className="empty muted">No cameras.</div>;
  return (
    <MasksEditor
      camera={cam}
      kind="privacy"
      active={active}
      toolbar={
        <label>
          Camera{' '}
          <select ref={pickRef} value={cam.id} onChange={(e) => navigate('evidence', { tab: 'masks', camera: e.target.value })} data-testid="masks-camera">
            {cameras.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      }
    />
  );
}
