/**
 * Privacy masks drawn over a camera's picture (live tiles, playback tiles).
 * The video is shown with `object-fit: contain`; the SVG uses the picture's
 * own size as its viewBox with `xMidYMid meet`, so the polygons land on
 * the same pixels as the picture, whatever the tile's shape.
 *
 * Guards see the masked areas opaque black. Supervisors and admins see them
 * darkened with a dashed outline, so they can check what is masked for the
 * guards (docs/privacy.md). This is a display overlay: the recordings keep
 * the full picture; exports burn the masks in for everyone.
 */
import type { Role } from '../../../main/api/contract.js';
import { roleRank } from '../../../main/api/contract.js';
import { useConnection } from '../api/context.js';
import { usePrivacyMasks } from '../state/masks.js';
import '../ui/polygon-editor/polygon-editor.css';

export function PrivacyMaskOverlay({ cameraId, width, height }: { cameraId: string; width?: number | null; height?: number | null }) {
  const masks = usePrivacyMasks().filter((m) => m.cameraId === cameraId);
  const role: Role = useConnection().user?.role ?? 'guard';
  if (!masks.length) return null;
  const w = width && width > 0 ? width : 1920;
  const h = height && height > 0 ? height : 1080;
  const opaque = roleRank[role] < roleRank.supervisor;
  return (
    <svg
      className="privacy-overlay"
      viewBox={`0 0 ${w} ${h}`}
      preserveAspectRatio="xMidYMid meet"
      aria-hidden="true"
      data-testid="privacy-mask-overlay"
      data-camera={cameraId}
      data-masks={masks.length}
      data-mode={opaque ? 'opaque' : 'outline'}
    >
      {masks.map((m) => (
        <polygon key={m.id} className={opaque ? 'opaque' : 'outline'} points={m.polygon.map(([x, y]) => `${x * w},${y * h}`).join(' ')}>
          {!opaque && <title>{`Privacy mask${m.name ? `: ${m.name}` : ''} (hidden from guards, burned into exports)`}</title>}
        </polygon>
      ))}
    </svg>
  );
}
