import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { CameraInfo } from '../../../main/api/contract.js';
import { useClient, useEvent, useReconnect } from '../api/context.js';

export interface CamerasState {
  cameras: CameraInfo[];
  loading: boolean;
  error: Error | null;
  reload: () => void;
  byId: (id: string) => CameraInfo | undefined;
}

const Ctx = createContext<CamerasState | null>(null);

/**
 * One camera list for the whole console: `cameras.list`, then `camera.status`
 * events patch single cameras and `cameras.changed` reloads the list.
 */
export function CamerasProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const [cameras, setCameras] = useState<CameraInfo[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const reload = useCallback(() => {
    const n = ++seq.current;
    client.call('cameras.list', {}).then(
      (list) => {
        if (n !== seq.current) return;
        setCameras(list);
        setError(null);
        setLoading(false);
      },
      (err: Error) => {
        if (n !== seq.current) return;
        setError(err);
        setLoading(false);
      },
    );
  }, [client]);

  useEffect(() => {
    reload();
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [reload]);
  useReconnect(reload);
  useEvent('cameras.changed', () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      reload();
    }, 150);
  });
  useEvent('camera.status', ({ cameraId, status }) => {
    setCameras((list) => {
      const i = list.findIndex((c) => c.id === cameraId);
      if (i < 0) return list;
      const next = list.slice();
      next[i] = { ...list[i]!, status };
      return next;
    });
  });

  const value = useMemo<CamerasState>(
    () => ({ cameras, loading, error, reload, byId: (id) => cameras.find((c) => c.id === id) }),
    [cameras, loading, error, reload],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** The camera list with live status. */
export function useCameras(): CamerasState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useCameras() outside <CamerasProvider>');
  return v;
}
