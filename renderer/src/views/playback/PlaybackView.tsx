/**
 * Playback: recorded video of one or several cameras in sync, a timeline
 * with one track per camera, and keyboard-first controls.
 *
 * One master clock (media/sync.ts) drives every camera; each player is
 * corrected towards it a few times a second, so cameras stay within a
 * frame of each other at 1×. Gaps in the selected cameras' recordings are
 * skipped with a notice. "Go live" switches the same tiles to the live
 * streams.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConnection } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { registerMaster } from '../../media/debug.js';
import type { PlaybackPlayer } from '../../media/playback-player.js';
import { frameDurationMs, MasterClock, shuttle, SPEEDS, speedLabel } from '../../media/sync.js';
import { usePageVisible } from '../../media/useLiveStream.js';
import { useCameras } from '../../state/cameras.js';
import { navigate, useRoute } from '../../state/route.js';
import { useTimeZone } from '../../state/settings.js';
import { CameraSelectDialog } from './CameraSelectDialog.js';
import { GoToDialog } from './GoToDialog.js';
import { IconFrameBack, IconFrameFwd, IconNextEvent, IconPause, IconPlay, IconPrevEvent } from './icons.js';
import { PlaybackTile } from './PlaybackTile.js';
import { GAP_TEXT, Timeline, type TimelineTrack } from './Timeline.js';
import { DAY, formatClockMs, formatDay, formatDurationMs, HOUR, SECOND, zoneAbbrev } from '../../time/index.js';
import { adjacentEvent, nextPlayable, unionRuns, type TimelineEvent } from './timeline-math/runs.js';
import { follow as followView, ladderStep, viewAround, zoomToSpan, type View } from './timeline-math/zoom.js';
import { usePlaybackData } from './usePlaybackData.js';
import { useViewFocus } from '../live/useViewFocus.js';
import '../live/live.css';
import './playback.css';

const MAX_SELECTED = 9;
/** The playhead sits at this fraction of the timeline while it follows playback. */
const PLAYHEAD_AT = 0.75;

function originFor(t: number): number {
  return Math.floor(t / DAY) * DAY - 7 * DAY;
}

function selKey(user: string): string {
  return `gatehouse.playback.${user}`;
}

export function PlaybackView() {
  const user = useConnection().user?.username ?? 'anonymous';
  const { cameras, byId } = useCameras();
  const tz = useTimeZone();
  const route = useRoute();
  const visible = usePageVisible();

  // ----------------------------------------------------------- selection
  const [selected, setSelected] = useState<string[]>(() => {
    if (route.params.camera) return [route.params.camera];
    try {
      const v = JSON.parse(localStorage.getItem(selKey(user)) ?? '[]') as unknown;
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_SELECTED) : [];
    } catch {
      return [];
    }
  });
  useEffect(() => {
    if (route.params.camera && !selected.includes(route.params.camera)) setSelected([route.params.camera]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [route.params.camera]);
  useEffect(() => {
    if (!selected.length && cameras.length) setSelected([cameras[0]!.id]);
  }, [selected.length, cameras]);
  useEffect(() => localStorage.setItem(selKey(user), JSON.stringify(selected)), [selected, user]);
  const shown = useMemo(() => selected.map((id) => byId(id)).filter((c) => !!c), [selected, byId]);
  const [focus, setFocus] = useState(0);
  const focusIdx = Math.min(focus, Math.max(0, shown.length - 1));
  const focusCam = shown[focusIdx];
  const [solo, setSolo] = useState(false);
  const toggleCamera = useCallback((id: string) => {
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : s.length >= MAX_SELECTED ? s : [...s, id]));
  }, []);

  // --------------------------------------------------------------- clock
  const start = useMemo(() => {
    const t = route.params.t ? Date.parse(route.params.t) : NaN;
    return Number.isFinite(t) ? t : Date.now() - 30 * SECOND;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const clock = useRef<MasterClock>(null as unknown as MasterClock);
  if (!clock.current) clock.current = new MasterClock(start);
  const [time, setTime] = useState(start);
  const [playing, setPlaying] = useState(false);
  const [rate, setRate] = useState(1);
  const [live, setLive] = useState(false);
  const [view, setView] = useState<View>(() => viewAround(start, HOUR, PLAYHEAD_AT));
  const [notice, setNotice] = useState<{ text: string; at: number } | null>(null);
  const [dialog, setDialog] = useState<'goto' | 'cameras' | null>(null);
  const scrubbing = useRef(false);
  const rootRef = useRef<HTMLDivElement>(null);
  useViewFocus(rootRef, '#/playback');
  const players = useRef(new Map<string, PlaybackPlayer>());
  const attach = useCallback((id: string, p: PlaybackPlayer | null) => {
    if (p) players.current.set(id, p);
    else players.current.delete(id);
  }, []);
  const playhead = useCallback(() => (live ? Date.now() : clock.current.now()), [live]);

  useEffect(
    () =>
      registerMaster(() => ({
        time: live ? Date.now() : clock.current.now(),
        playing: live || clock.current.playing,
        rate: clock.current.rate,
      })),
    [live],
  );

  // ---------------------------------------------------------------- data
  const trackIds = useMemo(() => {
    const rest = cameras.map((c) => c.id).filter((id) => !selected.includes(id));
    return [...selected.filter((id) => byId(id)), ...rest].slice(0, 32);
  }, [cameras, selected, byId]);
  // Media time 0 of every player: a day boundary a week before; moved back if playback goes earlier.
  const [origin, setOrigin] = useState(() => originFor(start));
  useEffect(() => {
    if (time < origin + HOUR || view.start < origin) setOrigin(originFor(Math.min(time, view.start)));
  }, [time, view.start, origin]);
  const data = usePlaybackData(trackIds, view, origin);
  const tracks: TimelineTrack[] = useMemo(
    () =>
      trackIds.map((id) => ({
        cameraId: id,
        name: byId(id)?.name ?? id,
        runs: data[id]?.runs ?? [],
        gaps: data[id]?.gaps ?? [],
        events: data[id]?.events ?? [],
        selected: selected.includes(id),
      })),
    [trackIds, data, byId, selected],
  );
  const selRuns = useMemo(() => unionRuns(shown.map((c) => data[c.id]?.runs ?? [])), [shown, data]);
  const selEvents = useMemo<TimelineEvent[]>(
    () => shown.flatMap((c) => data[c.id]?.events ?? []).sort((a, b) => a.time - b.time),
    [shown, data],
  );
  const loadedTo = useMemo(() => Math.min(...shown.map((c) => data[c.id]?.to ?? 0)), [shown, data]);
  const stateRef = useRef({ selRuns, loadedTo, shown, data });
  stateRef.current = { selRuns, loadedTo, shown, data };

  const say = useCallback((text: string) => setNotice({ text, at: Date.now() }), []);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(t);
  }, [notice]);

  // ----------------------------------------------------------- actions
  const sync = useCallback(() => {
    const c = clock.current;
    for (const p of players.current.values()) p.follow(c.now(), c.rate, c.playing);
    setTime(c.now());
  }, []);

  const seek = useCallback(
    (t: number, o: { center?: boolean } = {}) => {
      const c = clock.current;
      const target = Math.min(t, Date.now());
      setLive(false);
      c.seek(target);
      for (const p of players.current.values()) p.seekExact(target);
      setTime(target);
      setView((v) => (o.center ? viewAround(target, v.span, 0.5) : followView(v, target, PLAYHEAD_AT)));
      sync();
    },
    [sync],
  );

  const play = useCallback(
    (on: boolean) => {
      const c = clock.current;
      if (live && on) return;
      if (live && !on) {
        // Pausing live freezes on the latest recorded moment.
        setLive(false);
        c.seek(Date.now() - 2 * SECOND);
      }
      if (on) c.play();
      else c.pause();
      setPlaying(on);
      sync();
    },
    [live, sync],
  );

  const setSpeed = useCallback(
    (r: number) => {
      clock.current.setRate(r);
      setRate(r);
      sync();
    },
    [sync],
  );

  const step = useCallback(
    (frames: number) => {
      const c = clock.current;
      if (live) {
        setLive(false);
        c.seek(Date.now() - 2 * SECOND);
      }
      c.pause();
      setPlaying(false);
      seek(c.now() + frames * frameDurationMs(focusCam?.status.fps));
    },
    [live, seek, focusCam],
  );

  const jump = useCallback((ms: number) => seek((live ? Date.now() : clock.current.now()) + ms), [live, seek]);

  const goLive = useCallback(() => {
    const c = clock.current;
    c.pause();
    c.seek(Date.now());
    setPlaying(false);
    setLive(true);
    setView((v) => viewAround(Date.now(), v.span, PLAYHEAD_AT));
    say('Live');
  }, [say]);

  const toEvent = useCallback(
    (dir: -1 | 1) => {
      const e = adjacentEvent(selEvents, live ? Date.now() : clock.current.now(), dir);
      if (!e) {
        say(dir < 0 ? 'No earlier event in the loaded range' : 'No later event in the loaded range');
        return;
      }
      seek(e.time, { center: true });
      say(`${e.label} · ${formatClockMs(e.time, tz)}`);
    },
    [selEvents, live, seek, say, tz],
  );

  // ------------------------------------------------------- the sync loop
  useEffect(() => {
    const iv = setInterval(() => {
      const c = clock.current;
      if (live) {
        setTime(Date.now());
        setView((v) => followView(v, Date.now(), PLAYHEAD_AT));
        return;
      }
      const { selRuns: runs, loadedTo: to, data: d, shown: cams } = stateRef.current;
      let t = c.now();
      if (c.playing && !scrubbing.current) {
        if (t >= Date.now() - 1500) {
          goLive();
          say('Caught up with the present: live');
          return;
        }
        const np = nextPlayable(runs, t, 1);
        if (np?.skipped && np.skipped.end - np.skipped.start > 250) {
          const focusGaps = cams.flatMap((cam) => d[cam.id]?.gaps ?? []);
          const g = focusGaps.find((x) => x.start <= np.skipped!.start + 1000 && x.end >= np.skipped!.start);
          c.seek(np.t);
          t = np.t;
          say(
            `Skipped ${formatDurationMs(np.skipped.end - np.skipped.start, 'precise')} without recording${g ? ` (${GAP_TEXT[g.reason] ?? g.reason})` : ''}`,
          );
        } else if (!np && runs.length && t < to && t > runs[runs.length - 1]!.end) {
          c.pause();
          setPlaying(false);
          say('End of the recordings. Shift+L goes live.');
        }
        // Hold the clock while a camera that has recording here is still loading it.
        for (const p of players.current.values()) {
          if (p.covers(t) && !p.bufferedAt(t)) {
            c.seek(t);
            break;
          }
        }
      }
      for (const p of players.current.values()) p.follow(c.now(), c.rate, c.playing);
      setTime(c.now());
      if (c.playing && !scrubbing.current) setView((v) => followView(v, c.now(), PLAYHEAD_AT));
    }, 100);
    return () => clearInterval(iv);
  }, [live, goLive, say]);

  // Hidden tab: stop the clock (the decoders go quiet with it).
  useEffect(() => {
    if (!visible && clock.current.playing) {
      clock.current.pause();
      setPlaying(false);
    }
  }, [visible]);

  // ------------------------------------------------------------ keyboard
  const idle = dialog !== null;
  useShortcuts(
    'Playback',
    [
      { keys: 'space', description: 'Play / pause', run: () => play(live ? false : !clock.current.playing) },
      {
        keys: ['j', 'k', 'l'],
        description: 'Shuttle: J slower, K pause, L play / faster',
        run: (e) => {
          const k = e.key.toLowerCase() as 'j' | 'k' | 'l';
          const r = shuttle(clock.current.rate, k, clock.current.playing && !live);
          if (r.rate !== clock.current.rate) setSpeed(r.rate);
          if (r.playing !== clock.current.playing || live) play(r.playing);
        },
      },
      { keys: ['left', 'right'], description: 'One frame back / forward', run: (e) => step(e.key === 'ArrowLeft' ? -1 : 1) },
      {
        keys: ['shift+left', 'shift+right'],
        description: '10 s back / forward',
        run: (e) => jump(e.key === 'ArrowLeft' ? -10 * SECOND : 10 * SECOND),
      },
      { keys: ['pageup', 'pagedown'], description: 'One hour back / forward', run: (e) => jump(e.key === 'PageUp' ? -HOUR : HOUR) },
      { keys: ['[', ']'], description: 'Previous / next event', run: (e) => toEvent(e.key === '[' ? -1 : 1) },
      { keys: ['shift+g', 't'], description: 'Go to a date and time', run: () => setDialog('goto') },
      { keys: 'shift+l', description: 'Go live', run: () => goLive() },
      {
        keys: ['-', '='],
        description: 'Zoom the timeline out / in',
        run: (e) => setView((v) => zoomToSpan(v, ladderStep(v.span, e.key === '-' ? 1 : -1), clock.current.now())),
      },
      {
        keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
        description: 'Pick a tile',
        run: (e) => {
          const i = Number(e.key) - 1;
          if (i < shown.length) setFocus(i);
        },
      },
      { keys: 'enter', description: 'Show the picked tile alone, or all again', run: () => setSolo((s) => !s) },
      {
        keys: 'esc',
        description: 'Back to all tiles',
        run: () => {
          if (!solo) return false;
          setSolo(false);
        },
      },
      { keys: 'c', description: 'Choose cameras to play', run: () => setDialog('cameras') },
      {
        keys: 'v',
        description: 'Open the picked camera in Live',
        run: () => {
          if (focusCam) navigate('live');
        },
      },
    ],
    { active: !idle },
  );

  // -------------------------------------------------------------- render
  const tiles = solo && focusCam ? [focusCam] : shown;
  const cols = tiles.length <= 1 ? 1 : tiles.length <= 4 ? 2 : 3;
  const onSeekTimeline = useCallback(
    (t: number, phase: 'start' | 'move' | 'end') => {
      scrubbing.current = phase !== 'end';
      const c = clock.current;
      const t2 = Math.min(t, Date.now());
      setLive(false);
      c.seek(t2);
      for (const p of players.current.values()) p.seekExact(t2);
      setTime(t2);
      sync();
    },
    [sync],
  );

  return (
    <div
      className="playback-view"
      data-testid="view-playback"
      data-live={live}
      data-playing={playing}
      data-time={Math.round(time)}
      ref={rootRef}
      tabIndex={-1}
    >
      {/* Buttons don't take focus on click, so Space and the arrows keep driving playback. */}
      <div
        className="pb-top"
        role="toolbar"
        aria-label="Playback controls"
        onMouseDown={(e) => e.target instanceof HTMLElement && e.target.closest('button') && e.preventDefault()}
      >
        <div className="pb-time" data-testid="pb-time" title={`${tz}`}>
          <span className="pb-day">{formatDay(time, tz)}</span>
          <span className="pb-clock">{formatClockMs(time, tz).slice(0, 10)}</span>
          <span className="pb-zone muted">{zoneAbbrev(time, tz)}</span>
        </div>
        <div className="pb-buttons">
          <button
            type="button"
            className="btn small ghost"
            onClick={() => toEvent(-1)}
            title="Previous event ([)"
            aria-label="Previous event"
          >
            <IconPrevEvent />
          </button>
          <button type="button" className="btn small ghost" onClick={() => step(-1)} title="One frame back (←)" aria-label="One frame back">
            <IconFrameBack />
          </button>
          <button
            type="button"
            className="btn small pb-play"
            onClick={() => play(live ? false : !playing)}
            title="Play / pause (Space)"
            data-testid="pb-play"
            aria-label={playing ? 'Pause' : 'Play'}
          >
            {playing ? <IconPause /> : <IconPlay />}
          </button>
          <button
            type="button"
            className="btn small ghost"
            onClick={() => step(1)}
            title="One frame forward (→)"
            aria-label="One frame forward"
          >
            <IconFrameFwd />
          </button>
          <button type="button" className="btn small ghost" onClick={() => toEvent(1)} title="Next event (])" aria-label="Next event">
            <IconNextEvent />
          </button>
          <div className="seg" role="group" aria-label="Speed">
            {SPEEDS.map((s) => (
              <button
                key={s}
                type="button"
                className={`seg-btn${s === rate ? ' on' : ''}`}
                aria-pressed={s === rate}
                onClick={() => setSpeed(s)}
                title="Speed (J slower, L faster)"
              >
                {speedLabel(s)}
              </button>
            ))}
          </div>
          <button
            type="button"
            className="btn small"
            onClick={() => setDialog('goto')}
            title="Go to a date and time (G)"
            data-testid="pb-goto"
          >
            Go to… <kbd>G</kbd>
          </button>
          <button
            type="button"
            className={`btn small${live ? ' primary' : ''}`}
            onClick={goLive}
            title="Go live (Shift+L)"
            data-testid="pb-live"
          >
            {live ? '● Live' : 'Go live'}
          </button>
        </div>
        <span className="tile-spacer" />
        {notice && (
          <span className="pb-notice" role="status" data-testid="pb-notice">
            {notice.text}
          </span>
        )}
        <button type="button" className="btn small ghost" onClick={() => setDialog('cameras')} title="Cameras to play (C)">
          Cameras ({shown.length})
        </button>
      </div>
      <div
        className="pb-grid"
        style={{
          gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`,
          gridTemplateRows: `repeat(${Math.ceil(tiles.length / cols) || 1}, minmax(0, 1fr))`,
        }}
      >
        {tiles.map((c) => {
          const i = shown.indexOf(c);
          return (
            <PlaybackTile
              key={c.id}
              index={i}
              camera={c}
              segments={data[c.id]?.origin === origin ? data[c.id]!.segments : []}
              origin={origin}
              gaps={data[c.id]?.gaps ?? []}
              live={live}
              focused={i === focusIdx}
              visible={visible}
              time={time}
              attach={attach}
              onFocus={setFocus}
              onToggleSolo={(k) => {
                setFocus(k);
                setSolo((s) => !s);
              }}
            />
          );
        })}
        {tiles.length === 0 && <div className="live-empty muted">No camera chosen. Press C to choose cameras.</div>}
      </div>
      <div className="pb-timeline">
        <div className="pb-zoom muted small">
          <button
            type="button"
            className="btn small ghost"
            onClick={() => setView((v) => zoomToSpan(v, ladderStep(v.span, 1), clock.current.now()))}
            title="Zoom out (-)"
            aria-label="Zoom out"
          >
            −
          </button>
          <span data-testid="pb-span">{formatDurationMs(view.span, 'precise')}</span>
          <button
            type="button"
            className="btn small ghost"
            onClick={() => setView((v) => zoomToSpan(v, ladderStep(v.span, -1), clock.current.now()))}
            title="Zoom in (=)"
            aria-label="Zoom in"
          >
            +
          </button>
          <span className="pb-keys">
            Space play · J/K/L speed · ←/→ frame · Shift+←/→ 10 s · PgUp/PgDn 1 h · [ ] events · G go to · Shift+L live
          </span>
        </div>
        <Timeline
          tracks={tracks}
          view={view}
          onView={setView}
          playhead={playhead}
          timeZone={tz}
          onSeek={onSeekTimeline}
          onToggleCamera={toggleCamera}
        />
      </div>
      {dialog === 'goto' && (
        <GoToDialog
          timeZone={tz}
          current={time}
          onClose={() => setDialog(null)}
          onGo={(t) => {
            setDialog(null);
            seek(t, { center: true });
          }}
        />
      )}
      {dialog === 'cameras' && (
        <CameraSelectDialog
          cameras={cameras}
          selected={selected}
          max={MAX_SELECTED}
          onToggle={toggleCamera}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}
