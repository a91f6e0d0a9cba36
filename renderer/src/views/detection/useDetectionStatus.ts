/**
 * The detector's status (settings, counters, objects now) for every camera,
 * polled every 2 s while a view shows it: offered, processed and skipped
 * frames change all the time and have no event of their own.
 */
import { useEffect, useRef, useState } from 'react';
import type { DetectionCameraStatus, DetectionStatus } from '../../../../main/api/detection.js';
import { useClient, useEvent } from '../../api/context.js';

export function useDetectionStatus(active = true, everyMs = 2000): { status: DetectionStatus | null; byCamera: Map<string, DetectionCameraStatus>; error: string | null; reload: () => void } {
  const client = useClient();
  const [status, setStatus] = useState<DetectionStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const load = () => {
    const n = ++seq.current;
    client.call('detection.status', {}).then(
      (s) => {
        if (n !== seq.current) return;
        setStatus(s);
        setError(null);
      },
      (err: Error) => n === seq.current && setError(err.message),
    );
  };
  useEffect(() => {
    if (!active) return;
    load();
    const t = setInterval(load, everyMs);
    return () => clearInterval(t);
  }, [active, everyMs]); // eslint-disable-line react-hooks/exhaustive-deps
  useEvent('cameras.changed', () => active && load());
  const byCamera = new Map((status?.cameras ?? []).map((c) => [c.cameraId, c]));
  return { status, byCamera, error, reload: load };
}
