import { memo, useEffect, useRef, useState, type DragEvent } from 'react';
import type { CameraInfo } from '../../../../main/api/contract.js';
import { useLiveStream } from '../../media/useLiveStream.js';
import { STATE_LABELS, stateTone } from '../../ui/format.js';
import { formatClock, formatDurationMs } from '../../time/index.js';
import { PRIORITY_STYLES } from '../alarms/priority-style.js';
import { PrivacyMaskOverlay } from '../../media/PrivacyMaskOverlay.js';
import { DetectionOverlay } from '../../media/DetectionOverlay.js';
import { SnapshotView } from './SnapshotView.js';
import { TilePtz } from './TilePtz.js';

export const DND_CAMERA = 'application/x-gatehouse-camera';
export const DND_TILE = 'application/x-gatehouse-tile';

export interface LiveTileProps {
  index: number;
  camera: CameraInfo | null;
  /** The id in the layout, even if the camera no longer exists. */
  cameraId: string | null;
  selected: boolean;
  fullscreen: boolean;
  /** Page visible: hidden tabs close their decoders. */
  visible: boolean;
  now: number;
  timeZone: string;
  /** The most urgent unacknowledged alarm on this camera (at or above the console's priority): outlined and labelled. */
  alarmId?: number | null;
  alarmPriority?: 1 | 2 | 3 | 4 | 5 | null;
  alarmTitle?: string | null;
  /** Draw detection boxes over the video (the Live view's O key). */
  boxes?: boolean;
  onSelect: (index: number) => void;
  onToggleFullscreen: (index: number) => void;
  onDropCamera: (index: number, cameraId: string) => void;
  onDropTile: (from: number, to: number) => void;
  onPick: (index: number) => void;
}

/** States in which the camera is not delivering pictures: show the last frame, dimmed. */
const DOWN = new Set(['offline', 'stalled', 'auth_failed', 'unsupported', 'disk_full', 'disabled']);

/**
 * One tile of the grid: the sub stream in the grid, the main stream when
 * full-screen. Switching streams never flashes black: the stream on screen
 * keeps playing until the other one has rendered its first frame.
 */
export const LiveTile = memo(function LiveTile(p: LiveTileProps) {
  const subRef = useRef<HTMLVideoElement>(null);
  const mainRef = useRef<HTMLVideoElement>(null);
  const cam = p.camera;
  const camId = cam?.id ?? null;
  const [shown, setShown] = useState<'sub' | 'main'>('sub');
  const [switchMs, setSwitchMs] = useState<number | null>(null);
  const [snapshots, setSnapshots] = useState(false);
  const switchStart = useRef(0);
  const [over, setOver] = useState(false);

  // A camera without a separate sub stream already plays its main stream in the grid:
  // full screen keeps that player, there is nothing to switch.
  const single = !!cam && !cam.subUrl;
  const wantMain = p.fullscreen && !single;
  const canPlay = p.visible && !!camId && !snapshots;
  // The sub stream runs in the grid, and during the switch back until it renders.
  const subOn = canPlay && (!wantMain || shown === 'sub');
  const mainOn = canPlay && (wantMain || shown === 'main');
  const wantMainRef = useRef(wantMain);
  wantMainRef.current = wantMain;

  const sub = useLiveStream(subRef, camId, 'sub', subOn, {
    onFirstFrame: () => {
      if (!wantMainRef.current) setShown('sub');
    },
  });
  const main = useLiveStream(mainRef, camId, 'main', mainOn, {
    onFirstFrame: () => {
      if (wantMainRef.current) {
        setShown('main');
        setSwitchMs(Math.round(performance.now() - switchStart.current));
      }
    },
  });
  useEffect(() => {
    switchStart.current = performance.now();
    setSwitchMs(null);
  }, [wantMain]);
  useEffect(() => {
    setShown('sub');
    setSnapshots(false);
  }, [camId]);

  const active = shown === 'main' ? main : sub;
  const st = cam?.status;
  const down = !!st && DOWN.has(st.state);
  const phase = active.status.phase;
  const unsupported = phase === 'unsupported' || sub.status.phase === 'unsupported';
  const liveProblem =
    !down && (phase === 'retrying' || phase === 'stalled' || phase === 'ended' || phase === 'error') ? active.status.message : null;
  const waiting = !!camId && !down && !unsupported && phase === 'connecting';

  const onDragOver = (e: DragEvent) => {
    if (e.dataTransfer.types.includes(DND_CAMERA) || e.dataTransfer.types.includes(DND_TILE)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      setOver(true);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const c = e.dataTransfer.getData(DND_CAMERA);
    const t = e.dataTransfer.getData(DND_TILE);
    if (c) p.onDropCamera(p.index, c);
    else if (t !== '') p.onDropTile(Number(t), p.index);
  };

  const alarmed = !!cam && p.alarmId != null && p.alarmPriority != null;
  const alarmColor = alarmed ? PRIORITY_STYLES[p.alarmPriority!].color : undefined;
  const label = `Tile ${p.index + 1}${cam ? `: ${cam.name}` : ': empty'}${alarmed ? `, alarm P${p.alarmPriority}: ${p.alarmTitle}` : ''}`;
  return (
    <div
      className={`tile${p.selected ? ' selected' : ''}${p.fullscreen ? ' fullscreen' : ''}${down ? ' down' : ''}${over ? ' dragover' : ''}${alarmed ? ' alarmed' : ''}`}
      style={alarmed ? { ['--alarm' as string]: alarmColor } : undefined}
      data-alarm={alarmed ? p.alarmId! : undefined}
      data-alarm-priority={alarmed ? p.alarmPriority! : undefined}
      data-testid={`tile-${p.index}`}
      data-camera={camId ?? ''}
      data-phase={phase}
      data-shown={single && p.fullscreen ? 'main' : shown}
      data-streams={single ? 'single' : 'dual'}
      data-first-frame-ms={active.firstFrameMs ?? ''}
      data-switch-ms={switchMs ?? ''}
      aria-label={label}
      aria-selected={p.selected}
      role="gridcell"
      onMouseDown={() => p.onSelect(p.index)}
      onDoubleClick={() => p.onToggleFullscreen(p.index)}
      onDragOver={onDragOver}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      draggable={!!camId}
      onDragStart={(e) => {
        e.dataTransfer.setData(DND_TILE, String(p.index));
        e.dataTransfer.effectAllowed = 'move';
      }}
    >
      {camId && !snapshots && (
        <>
          <video
            ref={subRef}
            className={`tile-video${shown === 'sub' ? ' on' : ''}`}
            data-camera={camId}
            data-stream="sub"
            muted
            playsInline
          />
          <video
            ref={mainRef}
            className={`tile-video${shown === 'main' ? ' on' : ''}`}
            data-camera={camId}
            data-stream="main"
            muted
            playsInline
          />
        </>
      )}
      {camId && snapshots && <SnapshotView cameraId={camId} visible={p.visible} />}
      {cam && p.boxes && !snapshots && p.visible && (
        <DetectionOverlay cameraId={cam.id} video={shown === 'main' ? mainRef : subRef} stream={shown} />
      )}
      {cam && <PrivacyMaskOverlay cameraId={cam.id} width={cam.status.width} height={cam.status.height} />}
      {!camId && (
        <button type="button" className="tile-empty" onClick={() => p.onPick(p.index)} title="Choose a camera (C), or drag one here">
          <span className="tile-num">{p.index + 1}</span>
          <span>Drop a camera here, or press C</span>
        </button>
      )}
      {camId && !cam && <div className="tile-center muted">This camera was removed</div>}

      {cam && (
        <div className="tile-bar top">
          <span className="tile-num" aria-hidden="true">
            {p.index + 1}
          </span>
          <span className="tile-name" title={cam.name}>
            {cam.name}
          </span>
          {(shown === 'main' || (single && p.fullscreen)) && (
            <span
              className="tile-tag"
              title={single ? 'The camera has one stream: full resolution in the grid too' : 'Main stream (full resolution)'}
            >
              MAIN
            </span>
          )}
          {cam.faces && (
            <span className="tile-tag face-notice" title="Face recognition is on for this camera: faces seen are matched against enrolled people and kept for a limited time" data-testid="tile-faces">
              FACES
            </span>
          )}
          <span className="tile-spacer" />
          {st && st.state === 'recording' ? (
            <span className="rec" title={`Recording since ${formatClock(Date.parse(st.since), p.timeZone)}`} data-testid="rec-dot">
              <span className="rec-dot" aria-hidden="true" />
              REC
            </span>
          ) : st ? (
            <span className={`tile-state tone-${stateTone(st.state)}`} title={st.message}>
              {STATE_LABELS[st.state] ?? st.state}
            </span>
          ) : null}
          <span className="tile-clock">{formatClock(p.now, p.timeZone)}</span>
        </div>
      )}

      {cam && down && st && (
        <div className="tile-center down-msg" role="status">
          <strong>
            {STATE_LABELS[st.state]} · lost {formatDurationMs(p.now - Date.parse(st.since), 'precise')} ago
          </strong>
          {st.message && <span>{st.message}</span>}
        </div>
      )}
      {cam && unsupported && !snapshots && (
        <div className="tile-center" role="status" data-testid="tile-unsupported">
          <span>{active.status.message ?? sub.status.message}</span>
          <button
            type="button"
            className="btn small"
            onClick={(e) => {
              e.stopPropagation();
              setSnapshots(true);
            }}
          >
            Show snapshots
          </button>
          <span className="muted small">Live transcoding to H.264 is engine work that is not available yet.</span>
        </div>
      )}
      {cam && waiting && <div className="tile-center muted small">Connecting…</div>}
      {alarmed && (
        <div className="tile-alarm" data-testid="tile-alarm" style={{ borderColor: alarmColor }}>
          <b style={{ color: alarmColor }}>ALARM P{p.alarmPriority}</b> <span className="tile-alarm-title">{p.alarmTitle}</span>
        </div>
      )}
      {cam && liveProblem && <div className="tile-bar bottom warn">{liveProblem}</div>}
      {cam && p.fullscreen && !cam.demo && <TilePtz cameraId={cam.id} />}
    </div>
  );
});
