import { useEffect, useState } from 'react';
import type { CameraInfo } from '../../../../main/api/contract.js';
import { snapshotUrl } from '../../media/media-urls.js';

/** The picture's width / height: the camera's reported size until the snapshot says otherwise. */
export function useAspect(camera: CameraInfo): [number, (a: number) => void] {
  const [aspect, setAspect] = useState(16 / 9);
  useEffect(() => {
    if (camera.status.width && camera.status.height) setAspect(camera.status.width / camera.status.height);
  }, [camera.status.width, camera.status.height]);
  return [aspect, setAspect];
}

/** A live snapshot of the camera under a polygon editor, refreshed every 3 s. */
export function CameraSnapshot({ cameraId, onAspect }: { cameraId: string; onAspect?: (a: number) => void }) {
  const [n, setN] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setN((x) => x + 1), 3000);
    return () => clearInterval(t);
  }, []);
  return (
    <img
      src={`${snapshotUrl(cameraId)}?n=${n}`}
      alt=""
      onLoad={(e) => {
        const i = e.currentTarget;
        if (i.naturalWidth && i.naturalHeight) onAspect?.(i.naturalWidth / i.naturalHeight);
      }}
    />
  );
}
