import { useEffect, useState } from 'react';
import { roleRank } from '../../../../main/api/contract.js';
import { useClient, useConnection } from '../../api/context.js';
import { PtzPad } from './ptz/PtzPad.js';

/** Which cameras can pan/tilt/zoom (onvif.cameras, no network calls), refreshed at most every 30 s. */
let ptzCameras: { at: number; ids: Promise<Set<string>> } | null = null;
function ptzIds(client: ReturnType<typeof useClient>): Promise<Set<string>> {
  if (!ptzCameras || Date.now() - ptzCameras.at > 30_000) {
    ptzCameras = {
      at: Date.now(),
      ids: client.call('onvif.cameras', {}).then(
        (r) => new Set(r.cameras.filter((c) => c.ptz).map((c) => c.cameraId)),
        () => new Set<string>(), // ONVIF not available: no pads
      ),
    };
  }
  return ptzCameras.ids;
}

/**
 * The PTZ pad over a full-screen tile, for ONVIF cameras that report PTZ.
 * Arrows pan and tilt, +/− zoom while it is shown (usePtz); the grid's own
 * keys for those stand aside in full screen.
 */
export function TilePtz({ cameraId }: { cameraId: string }) {
  const client = useClient();
  const role = useConnection().user?.role ?? 'guard';
  const [ptz, setPtz] = useState(false);
  useEffect(() => {
    let live = true;
    void ptzIds(client).then((ids) => live && setPtz(ids.has(cameraId)));
    return () => {
      live = false;
    };
  }, [client, cameraId]);
  if (!ptz) return null;
  return (
    <div className="tile-ptz" onMouseDown={(e) => e.stopPropagation()} onDoubleClick={(e) => e.stopPropagation()}>
      <PtzPad cameraId={cameraId} keyboard canSetPresets={roleRank[role] >= roleRank.supervisor} />
    </div>
  );
}
