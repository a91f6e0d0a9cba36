import { memo, useEffect, useRef, useState } from 'react';
import type { CameraInfo } from '../../../../main/api/contract.js';
import type { MapSegment } from '../../media/media-urls.js';
import { PlaybackPlayer, type PlaybackStatus } from '../../media/playback-player.js';
import { registerPlayback } from '../../media/debug.js';
import { useLiveStream } from '../../media/useLiveStream.js';
import { frameDurationMs } from '../../media/sync.js';
import { PrivacyMaskOverlay } from '../../media/PrivacyMaskOverlay.js';
import { gapAt, type TimelineGap } from './timeline-math/runs.js';
import { GAP_TEXT } from './Timeline.js';
import { PRIORITY_STYLES } from '../alarms/priority-style.js';

export interface PlaybackTileProps {
  index: number;
  camera: CameraInfo;
  segments: MapSegment[];
  /** Wall time of media time 0 (the segment map's origin). */
  origin: number;
  gaps: TimelineGap[];
  live: boolean;
  focused: boolean;
  visible: boolean;
  /** Wall time shown, for the gap message (updated a few times a second). */
  time: number;
  /** Register the player with the sync loop. */
  attach: (cameraId: string, p: PlaybackPlayer | null) => void;
  onFocus: (index: number) => void;
  onToggleSolo: (index: number) => void;
  /** The most urgent unacknowledged alarm on this camera (at or above the console's priority). */
  alarmId?: number | null;
  alarmPriority?: 1 | 2 | 3 | 4 | 5 | null;
  alarmTitle?: string | null;
}

/**
 * One camera in playback: recorded video driven by the sync loop, or the
 * live stream after "Go live".
 */
export const PlaybackTile = memo(function PlaybackTile(p: PlaybackTileProps) {
  const recRef = useRef<HTMLVideoElement>(null);
  const liveRef = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState<PlaybackStatus>({ phase: 'idle', message: null });
  const origin = p.origin;
  const playerRef = useRef<PlaybackPlayer | null>(null);
  const cam = p.camera;

  useEffect(() => {
    const v = recRef.current;
    if (!v || p.live) return;
    const pl = new PlaybackPlayer(v, origin, { onStatus: setStatus, frameMs: frameDurationMs(cam.status.fps) });
    playerRef.current = pl;
    p.attach(cam.id, pl);
    const unregister = registerPlayback(cam.id, pl);
    return () => {
      unregister();
      p.attach(cam.id, null);
      pl.destroy();
      playerRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cam.id, origin, p.live]);

  useEffect(() => {
    playerRef.current?.setSegments(
      p.segments.map((s) => ({
        start: s.startMs,
        end: s.endMs,
        url: s.url,
        init: s.init,
        initKey: s.initHash ?? s.init ?? null,
        codec: s.codec,
      })),
    );
  }, [p.segments, origin, p.live]);

  const live = useLiveStream(liveRef, cam.id, p.focused ? 'main' : 'sub', p.live && p.visible);

  const gap = !p.live && status.phase === 'gap' ? gapAt(p.gaps, p.time) : undefined;
  const alarmed = p.alarmId != null && p.alarmPriority != null;
  const alarmColor = alarmed ? PRIORITY_STYLES[p.alarmPriority!].color : undefined;
  return (
    <div
      className={`tile pb-tile${p.focused ? ' selected' : ''}${!p.live && status.phase === 'gap' ? ' gap' : ''}${alarmed ? ' alarmed' : ''}`}
      style={alarmed ? { ['--alarm' as string]: alarmColor } : undefined}
      data-alarm={alarmed ? p.alarmId! : undefined}
      data-testid={`pb-tile-${p.index}`}
      data-camera={cam.id}
      data-phase={p.live ? live.status.phase : status.phase}
      onMouseDown={() => p.onFocus(p.index)}
      onDoubleClick={() => p.onToggleSolo(p.index)}
    >
      <video ref={recRef} className={`tile-video${p.live ? '' : ' on'}`} data-camera={cam.id} data-stream="recorded" muted playsInline />
      <video
        ref={liveRef}
        className={`tile-video${p.live ? ' on' : ''}`}
        data-camera={cam.id}
        data-stream={p.focused ? 'main' : 'sub'}
        muted
        playsInline
      />
      <PrivacyMaskOverlay cameraId={cam.id} width={cam.status.width} height={cam.status.height} />
      <div className="tile-bar top">
        <span className="tile-num">{p.index + 1}</span>
        <span className="tile-name">{cam.name}</span>
        <span className="tile-spacer" />
        {p.live && (
          <span className="rec" title="Live">
            <span className="rec-dot" aria-hidden="true" />
            LIVE
          </span>
        )}
      </div>
      {!p.live && status.phase === 'gap' && (
        <div className="tile-center muted" role="status">
          No recording here{gap ? `: ${GAP_TEXT[gap.reason] ?? gap.reason}` : ''}
        </div>
      )}
      {!p.live && status.phase === 'loading' && <div className="tile-center muted small">Loading…</div>}
      {!p.live && (status.phase === 'error' || status.phase === 'unsupported') && (
        <div className="tile-center" role="alert">
          <span className="text-bad">{status.message}</span>
        </div>
      )}
      {alarmed && (
        <div className="tile-alarm" data-testid="tile-alarm" style={{ borderColor: alarmColor }}>
          <b style={{ color: alarmColor }}>ALARM P{p.alarmPriority}</b> {p.alarmTitle}
        </div>
      )}
      {p.live && live.status.message && live.status.phase !== 'playing' && (
        <div className="tile-bar bottom warn">{live.status.message}</div>
      )}
    </div>
  );
});
