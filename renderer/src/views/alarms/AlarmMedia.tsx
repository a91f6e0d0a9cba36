import { useEffect, useRef, useState } from 'react';
import type { AlarmMedia as Media } from '../../../../main/api/alarms.js';
import type { Segment } from '../../../../main/api/contract.js';
import { useClient } from '../../api/context.js';
import { useLiveStream } from '../../media/useLiveStream.js';
import { navigate } from '../../state/route.js';
import { formatClock } from '../../time/index.js';

export const MEDIA_MODES = ['both', 'live', 'replay'] as const;
export type MediaMode = (typeof MEDIA_MODES)[number];

/** Live view of one alarm camera (the sub stream in small panes, the main stream large), via video's live player. */
function LivePane({ cameraId, enabled, large }: { cameraId: string; enabled: boolean; large: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  const live = useLiveStream(ref, cameraId, large ? 'main' : 'sub', enabled);
  return (
    <>
      <video ref={ref} className="am-video" muted playsInline data-stream="live" data-camera={cameraId} />
      <span className="am-badge live">LIVE</span>
      {live.status.phase !== 'playing' && live.status.message && <div className="am-note">{live.status.message}</div>}
    </>
  );
}

/** One continuous fMP4 of a time range (recorder's playback API, docs/recording.md). */
function clipUrl(cameraId: string, fromMs: number, toMs: number): string {
  const q = `from=${encodeURIComponent(new Date(fromMs).toISOString())}&to=${encodeURIComponent(new Date(toMs).toISOString())}`;
  return `/api/media/${encodeURIComponent(cameraId)}/stream.mp4?${q}`;
}

/**
 * Replay of the seconds around the alarm (pre-roll to post-roll), looping.
 * The recorder serves whole segments, so the clip starts at the segment
 * holding the pre-roll; the player starts at the pre-roll inside it. While
 * the post-roll is still being recorded, each loop fetches the clip again.
 * Falls back to the still image at the alarm time when nothing was recorded.
 */
function ReplayPane({ media, alarmAt, enabled, timeZone }: { media: Media; alarmAt: number; enabled: boolean; timeZone: string }) {
  const client = useClient();
  const ref = useRef<HTMLVideoElement>(null);
  const [segments, setSegments] = useState<Segment[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [at, setAt] = useState<number | null>(null);
  const [round, setRound] = useState(0);
  const from = Date.parse(media.from);
  const to = Date.parse(media.to);

  useEffect(() => {
    if (!enabled) return;
    let alive = true;
    client.call('recordings.list', { cameraId: media.cameraId, from: media.from, to: new Date(Math.min(to, Date.now())).toISOString() }).then(
      (r) => alive && setSegments(r.segments),
      (err: Error) => alive && setFailed(err.message),
    );
    return () => {
      alive = false;
    };
  }, [client, media.cameraId, media.from, to, enabled, round]);

  const first = segments?.[0];
  const clipStart = first ? Date.parse(first.start) : from;
  const until = Math.min(to, Date.now());
  const src = first && enabled ? clipUrl(media.cameraId, Math.max(from, clipStart), until) : null;

  useEffect(() => {
    const v = ref.current;
    if (!v || !src) return;
    const startAt = Math.max(0, (from - clipStart) / 1000);
    const onMeta = () => {
      v.currentTime = startAt;
      void v.play().catch(() => undefined);
    };
    const onTime = () => {
      setAt(clipStart + v.currentTime * 1000);
      if (clipStart + v.currentTime * 1000 > to) v.currentTime = startAt;
    };
    const onEnded = () => {
      // post-roll still growing: fetch the longer clip; else loop
      if (Date.now() < to + 15_000) setRound((r) => r + 1);
      else {
        v.currentTime = startAt;
        void v.play().catch(() => undefined);
      }
    };
    v.addEventListener('loadedmetadata', onMeta);
    v.addEventListener('timeupdate', onTime);
    v.addEventListener('ended', onEnded);
    return () => {
      v.removeEventListener('loadedmetadata', onMeta);
      v.removeEventListener('timeupdate', onTime);
      v.removeEventListener('ended', onEnded);
    };
  }, [src, from, to, clipStart]);

  const hasVideo = !!first;
  return (
    <>
      {hasVideo ? (
        <video ref={ref} className="am-video" src={src ?? undefined} muted playsInline preload="auto" data-stream="replay" data-camera={media.cameraId} />
      ) : (
        <img className="am-video" src={media.snapshotUrl} alt="" onError={(e) => ((e.target as HTMLImageElement).style.visibility = 'hidden')} />
      )}
      <span className="am-badge replay">
        REPLAY{' '}
        {hasVideo && at !== null ? `${formatClock(at, timeZone)} (${at < alarmAt ? '−' : '+'}${Math.abs(Math.round((at - alarmAt) / 1000))} s)` : hasVideo ? '' : 'snapshot'}
      </span>
      {failed && <div className="am-note">{failed}</div>}
      {segments && !hasVideo && <div className="am-note">Nothing recorded around the alarm time; showing the still image if there is one.</div>}
    </>
  );
}

/**
 * One camera of an alarm: live beside (or instead of) the replay before the
 * alarm; L toggles. The first camera is the large one (`large`): it plays
 * the main stream live.
 */
export function AlarmCameraPane({
  media,
  alarmAt,
  cameraName,
  mode,
  timeZone,
  visible,
  large = false,
}: {
  media: Media;
  alarmAt: number;
  cameraName: string;
  mode: MediaMode;
  timeZone: string;
  visible: boolean;
  large?: boolean;
}) {
  return (
    <div className={`am-cam${large ? ' large' : ''}`} data-testid="alarm-camera" data-camera={media.cameraId} data-mode={mode} data-large={large}>
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
          title="Open in Playback (P opens the first camera)"
        >
          {large ? 'Open in Playback' : 'Playback'}
        </a>
      </div>
      <div className={`am-panes ${mode}`}>
        {mode !== 'replay' && (
          <div className="am-pane">
            <LivePane cameraId={media.cameraId} enabled={visible} large={large} />
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
