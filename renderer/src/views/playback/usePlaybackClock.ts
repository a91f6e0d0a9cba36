/**
 * The playback clock: one master clock (media/sync.ts) drives every
 * camera's player; each is corrected towards it a few times a second, so
 * cameras stay within a frame of each other at 1×. Also the timeline's
 * visible window (it follows the playhead) and the players' media origin.
 *
 * The sync loop (every 100 ms) skips stretches where none of the playing
 * cameras recorded, with a notice; stops at the end of the recordings;
 * holds the clock while a camera with recording at the playhead is still
 * loading it; and switches to live when playback catches up with the
 * present. It reads what the playing cameras recorded from `coverage`,
 * which the view fills on every render once the data is loaded.
 */
import { useCallback, useEffect, useRef, useState, type Dispatch, type RefObject, type SetStateAction } from 'react';
import { registerMaster } from '../../media/debug.js';
import type { PlaybackPlayer } from '../../media/playback-player.js';
import { frameDurationMs, MasterClock, shuttle } from '../../media/sync.js';
import { DAY, formatClockMs, formatDurationMs, HOUR, SECOND } from '../../time/index.js';
import { adjacentEvent, episodeStarts, nextPlayable, type TimeRange, type TimelineEvent, type TimelineGap } from './timeline-math/runs.js';
import { follow as followView, ladderStep, viewAround, zoomToSpan, type View } from './timeline-math/zoom.js';
import { GAP_TEXT } from './Timeline.js';

/** The playhead sits at this fraction of the timeline while it follows playback. */
export const PLAYHEAD_AT = 0.75;

/** Media time 0 of every player: a day boundary a week before `t`. */
function originFor(t: number): number {
  return Math.floor(t / DAY) * DAY - 7 * DAY;
}

/** What the playing cameras recorded around the view. */
export interface Coverage {
  /** Union of their recorded runs. */
  runs: TimeRange[];
  /** Their gaps (for the reason in the "Skipped" notice). */
  gaps: TimelineGap[];
  /** Their events, sorted by time. */
  events: TimelineEvent[];
  /** Every one of them is loaded up to here. */
  loadedTo: number;
}

export interface PlaybackClock {
  /** Wall time shown (updated every 100 ms). */
  time: number;
  playing: boolean;
  rate: number;
  live: boolean;
  /** The timeline's visible window. */
  view: View;
  setView: Dispatch<SetStateAction<View>>;
  /** Wall time of media time 0 in every player; moved back when playback goes earlier. */
  origin: number;
  /** Fill on every render: what the sync loop and the event keys read. */
  coverage: RefObject<Coverage>;
  /** The playhead now (wall ms), for the timeline's animation frames. */
  playhead: () => number;
  /** Register a camera's player with the sync loop (null: it went away). */
  attach: (cameraId: string, p: PlaybackPlayer | null) => void;
  seek: (t: number, o?: { center?: boolean }) => void;
  play: (on: boolean) => void;
  /** Space: pause live, else toggle by the master clock. */
  togglePlay: () => void;
  setSpeed: (rate: number) => void;
  /** J/K/L. */
  shuttleKey: (key: 'j' | 'k' | 'l') => void;
  /** Step `frames` frames of a camera running at `fps`. */
  step: (frames: number, fps: number | null | undefined) => void;
  /** Move the playhead by `ms`. */
  jump: (ms: number) => void;
  goLive: () => void;
  /**
   * Jump to the previous (-1) or next (1) event, saying which. Repeats of the
   * same thing count once (episodes); `kinds` keeps only those kinds (next alarm,
   * next bookmark), `what` names them in the notice.
   */
  toEvent: (direction: -1 | 1, only?: { kinds: string[]; what: string }) => void;
  /** Zoom the timeline one step in (-1) or out (1) around the playhead. */
  zoom: (direction: -1 | 1) => void;
  /** The timeline is being clicked or dragged. */
  scrub: (t: number, phase: 'start' | 'move' | 'end') => void;
}

export function usePlaybackClock(o: {
  /** Start here (ISO 8601, from the route), else 30 s ago. */
  startAt: string | undefined;
  /** The page is visible: a hidden tab stops the clock. */
  visible: boolean;
  timeZone: string;
  say: (text: string) => void;
}): PlaybackClock {
  const { visible, timeZone: tz, say } = o;
  const [start] = useState(() => {
    const t = o.startAt ? Date.parse(o.startAt) : NaN;
    return Number.isFinite(t) ? t : Date.now() - 30 * SECOND;
  });
  const clock = useRef<MasterClock>(null as unknown as MasterClock);
  if (!clock.current) clock.current = new MasterClock(start);
  const [time, setTime] = useState(start);
  const [playing, setPlaying] = useState(false);
  const [rate, setRate] = useState(1);
  const [live, setLive] = useState(false);
  const [view, setView] = useState<View>(() => viewAround(start, HOUR, PLAYHEAD_AT));
  const scrubbing = useRef(false);
  const coverage = useRef<Coverage>({ runs: [], gaps: [], events: [], loadedTo: 0 });
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

  const [origin, setOrigin] = useState(() => originFor(start));
  useEffect(() => {
    if (time < origin + HOUR || view.start < origin) setOrigin(originFor(Math.min(time, view.start)));
  }, [time, view.start, origin]);

  // ----------------------------------------------------------- actions
  const sync = useCallback(() => {
    const c = clock.current;
    for (const p of players.current.values()) p.follow(c.now(), c.rate, c.playing);
    setTime(c.now());
  }, []);

  const seek = useCallback(
    (t: number, so: { center?: boolean } = {}) => {
      const c = clock.current;
      const target = Math.min(t, Date.now());
      setLive(false);
      c.seek(target);
      for (const p of players.current.values()) p.seekExact(target);
      setTime(target);
      setView((v) => (so.center ? viewAround(target, v.span, 0.5) : followView(v, target, PLAYHEAD_AT)));
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

  const togglePlay = useCallback(() => play(live ? false : !clock.current.playing), [live, play]);

  const setSpeed = useCallback(
    (r: number) => {
      clock.current.setRate(r);
      setRate(r);
      sync();
    },
    [sync],
  );

  const shuttleKey = useCallback(
    (k: 'j' | 'k' | 'l') => {
      const c = clock.current;
      const r = shuttle(c.rate, k, c.playing && !live);
      if (r.rate !== c.rate) setSpeed(r.rate);
      if (r.playing !== c.playing || live) play(r.playing);
    },
    [live, setSpeed, play],
  );

  const step = useCallback(
    (frames: number, fps: number | null | undefined) => {
      const c = clock.current;
      if (live) {
        setLive(false);
        c.seek(Date.now() - 2 * SECOND);
      }
      c.pause();
      setPlaying(false);
      seek(c.now() + frames * frameDurationMs(fps));
    },
    [live, seek],
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
    (dir: -1 | 1, only?: { kinds: string[]; what: string }) => {
      const pool = only ? coverage.current.events.filter((e) => only.kinds.includes(e.kind)) : episodeStarts(coverage.current.events);
      const e = adjacentEvent(pool, live ? Date.now() : clock.current.now(), dir);
      if (!e) {
        const what = only?.what ?? 'event';
        say(dir < 0 ? `No earlier ${what} in the loaded range` : `No later ${what} in the loaded range`);
        return;
      }
      seek(e.time, { center: true });
      say(`${e.label} · ${formatClockMs(e.time, tz)}`);
    },
    [live, seek, say, tz],
  );

  const zoom = useCallback((dir: -1 | 1) => setView((v) => zoomToSpan(v, ladderStep(v.span, dir), clock.current.now())), []);

  const scrub = useCallback(
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

  // ------------------------------------------------------- the sync loop
  useEffect(() => {
    const iv = setInterval(() => {
      const c = clock.current;
      if (live) {
        setTime(Date.now());
        setView((v) => followView(v, Date.now(), PLAYHEAD_AT));
        return;
      }
      const { runs, loadedTo: to, gaps } = coverage.current;
      let t = c.now();
      if (c.playing && !scrubbing.current) {
        if (t >= Date.now() - 1500) {
          goLive();
          say('Caught up with the present: live');
          return;
        }
        const np = nextPlayable(runs, t, 1);
        if (np?.skipped && np.skipped.end - np.skipped.start > 250) {
          const g = gaps.find((x) => x.start <= np.skipped!.start + 1000 && x.end >= np.skipped!.start);
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

  return {
    time,
    playing,
    rate,
    live,
    view,
    setView,
    origin,
    coverage,
    playhead,
    attach,
    seek,
    play,
    togglePlay,
    setSpeed,
    shuttleKey,
    step,
    jump,
    goLive,
    toEvent,
    zoom,
    scrub,
  };
}
