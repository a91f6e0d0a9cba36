import { useEffect, useRef, useState } from 'react';
import type { AlarmMedia as Media } from '../../../../main/api/alarms.js';
import type { Segment } from '../../../../main/api/contract.js';
import { useClient } from '../../api/context.js';
import { segmentUrl } from '../../media/media-urls.js';
import { PlaybackPlayer, type PlaybackStatus } from '../../media/playback-player.js';
import { useLiveStream } from '../../media/useLiveStream.js';
import { navigate } from '../../state/route.js';
import { formatClock } from '../../ui/format.js';

const DAY = 86_400_000;

/** Live view of one alarm camera (sub stream), via video's live player. */
function LivePane({ cameraId, enabled }: { cameraId: string; enabled: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  const live = useLiveStream(ref, cameraId, 'sub', enabled);
  return (
    <>
      <video ref={ref} className="am-video" muted playsInline data-stream="live" data-camera={cameraId} />
      <span className="am-badge live">LIVE</span>
      {live.status.phase !== 'playing' && live.status.message && <div className="am-note">{live.status.message}</div>}
    </>
  );
}

/**
 * Replay of the seconds around the alarm (pre-roll to post-roll), looping,
 * through video's playback player. Falls back to the still image at the
 * alarm time when nothing was recorded.
 */
function ReplayPane({ media, alarmAt, enabled, timeZone }: { media: Media; alarmAt: number; enabled: boolean; timeZone: string }) {
  const client = useClient();
  const ref = useRef<HTMLVideoElement>(null);
  const [segments, setSegments] = useState<Segment[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [status, setStatus] = useState<PlaybackStatus>({ phase: 'idle', message: null });
  const [at, setAt] = useState(() => Date.parse(media.from));
  const from = Date.parse(media.from);
  const to = Date.parse(media.to);

  useEffect(() => {
    if (!enabled) return;
    let alive = true;
    client.call('recordings.list', { cameraId: media.cameraId, from: media.from, to: media.to }).then(
      (r) => alive && setSegments(r.segments),
      (err: Error) => alive && setFailed(err.message),
    );
    return () => {
      alive = false;
    };
  }, [client, media.cameraId, media.from, media.to, enabled]);

  const hasVideo = !!segments && segments.length > 0;
  useEffect(() => {
    const v = ref.current;
    if (!v || !enabled || !hasVideo) return;
    const origin = Math.floor(from / DAY) * DAY - 7 * DAY;
    const pl = new PlaybackPlayer(v, origin, { onStatus: setStatus });
    pl.setSegments(segments!.map((s) => ({ start: Date.parse(s.start), end: Date.parse(s.end), url: segmentUrl(media.cameraId, s) })));
    let master = from;
    let last = performance.now();
    const iv = setInterval(() => {
      const now = performance.now();
      master += now - last;
      last = now;
      if (master > Math.min(to, Date.now())) master = from;
      pl.follow(master, 1, true);
      setAt(master);
    }, 200);
    pl.follow(master, 1, true);
    return () => {
      clearInterval(iv);
      pl.destroy();
    };
    // segments identity is stable per fetch
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [segments, enabled, media.cameraId, from, to]);

  return (
    <>
      {hasVideo ? (
        <video ref={ref} className="am-video" muted playsInline data-stream="replay" data-camera={media.cameraId} />
      ) : (
        <img className="am-video" src={media.snapshotUrl} alt="" onError={(e) => ((e.target as HTMLImageElement).style.visibility = 'hidden')} />
      )}
      <span className="am-badge replay">
        REPLAY {hasVideo ? `${formatClock(at, timeZone)} (${at < alarmAt ? '−' : '+'}${Math.abs(Math.round((at - alarmAt) / 1000))} s)` : 'snapshot'}
      </span>
      {failed && <div className="am-note">{failed}</div>}
      {segments && !hasVideo && <div className="am-note">No recording around the alarm time; showing the still image if there is one.</div>}
      {hasVideo && status.phase === 'gap' && <div className="am-note">No recording at this moment</div>}
      {hasVideo && (status.phase === 'error' || status.phase === 'unsupported') && <div className="am-note bad">{status.message}</div>}
    </>
  );
}

/** One camera of an alarm: live beside (or instead of) the replay before the alarm; L toggles. */
export function AlarmCameraPane({
  media,
  alarmAt,
  cameraName,
  mode,
  timeZone,
  visible,
}: {
  media: Media;
  alarmAt: number;
  cameraName: string;
  mode: 'both' | 'live' | 'replay';
  timeZone: string;
  visible: boolean;
}) {
  return (
    <div className="am-cam" data-testid="alarm-camera" data-camera={media.cameraId}>
      <div className="am-cam-head">
        <span className="am-cam-name">{cameraName}</span>
        <span className="spacer" />
        <a
          href={`#/playback?camera=${encodeURIComponent(media.cameraId)}&t=${encodeURIComponent(media.from)}`}
          onClick={(e) => {
            e.preventDefault();
            navigate('playback', { camera: media.cameraId, t: media.from });
          }}
          className="small"
          tabIndex={-1}
        >
          Open in Playback
        </a>
      </div>
      <div className={`am-panes ${mode}`}>
        {mode !== 'replay' && (
          <div className="am-pane">
            <LivePane cameraId={media.cameraId} enabled={visible} />
          </div>
        )}
        {mode !== 'live' && (
          <div className="am-pane">
            <ReplayPane media={media} alarmAt={alarmAt} enabled={visible} timeZone={timeZone} />
          </div>
        )}
      </div>
    </div>
  );
}
