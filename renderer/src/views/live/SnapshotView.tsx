import { useEffect, useState } from 'react';

/**
 * A camera shown as a JPEG refreshed every two seconds, for codecs the
 * console can't play live (H.265). Uses /api/media/<camera>/snapshot.jpg.
 */
export function SnapshotView({ cameraId, visible }: { cameraId: string; visible: boolean }) {
  const [n, setN] = useState(0);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!visible || failed) return;
    const t = setInterval(() => setN((x) => x + 1), 2000);
    return () => clearInterval(t);
  }, [visible, failed]);
  if (failed) {
    return <div className="tile-center muted">This server cannot make snapshots of this camera yet.</div>;
  }
  return (
    <img
      className="tile-video on"
      alt=""
      src={`/api/media/${encodeURIComponent(cameraId)}/snapshot.jpg?n=${n}`}
      onError={() => setFailed(true)}
      data-testid="tile-snapshot"
    />
  );
}
