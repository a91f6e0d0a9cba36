/**
 * One camera live at a time (the sub stream; "Full quality" plays the main
 * stream), picked from a list or stepped through with ‹ ›. A hidden page
 * closes its player (useLiveStream), so a phone in a pocket uses no data.
 */
import { useRef, useState } from 'react';
import { useLiveStream, usePageVisible } from '../../media/useLiveStream.js';
import { useCameras } from '../../state/cameras.js';
import { navigate, useRoute } from '../../state/route.js';
import { StateBadge } from '../../ui/StateBadge.js';

export function PhoneLive() {
  const { cameras } = useCameras();
  const route = useRoute();
  const visible = usePageVisible();
  const [hd, setHd] = useState(false);
  const ref = useRef<HTMLVideoElement>(null);
  const list = cameras.filter((c) => c.enabled);
  const index = Math.max(0, list.findIndex((c) => c.id === route.params.camera));
  const cam = list[index] ?? null;
  const pick = (id: string) => navigate('live', { camera: id });
  const step = (d: number) => list.length && pick(list[(index + d + list.length) % list.length]!.id);
  const live = useLiveStream(ref, cam?.id ?? null, hd && cam?.subUrl ? 'main' : 'sub', visible && !!cam);

  return (
    <section className="phone-live" data-testid="view-live">
      <div className="phone-section-head">
        <h1>Live</h1>
        {cam && <StateBadge state={cam.status.state} />}
      </div>
      {list.length === 0 ? (
        <div className="empty">No camera is enabled.</div>
      ) : (
        <>
          <div className="pl-pick">
            <button type="button" className="btn" onClick={() => step(-1)} aria-label="Previous camera" data-testid="phone-live-prev">
              ‹
            </button>
            <select value={cam?.id ?? ''} onChange={(e) => pick(e.target.value)} aria-label="Camera" data-testid="phone-live-camera">
              {list.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <button type="button" className="btn" onClick={() => step(1)} aria-label="Next camera" data-testid="phone-live-next">
              ›
            </button>
          </div>
          <div className="pl-video">
            <video ref={ref} muted playsInline data-testid="phone-live-video" data-camera={cam?.id} data-stream="live" />
            {live.status.phase !== 'playing' && live.status.message && <div className="am-note">{live.status.message}</div>}
          </div>
          {cam?.subUrl && (
            <label className="pl-hd">
              <input type="checkbox" checked={hd} onChange={(e) => setHd(e.target.checked)} data-testid="phone-live-hd" /> Full quality (main stream, more data)
            </label>
          )}
        </>
      )}
    </section>
  );
}
