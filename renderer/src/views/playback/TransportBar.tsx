/**
 * Playback's controls: the transport bar above the tiles (time, events,
 * frame steps, play, speed, go to, live, notice, cameras) and the zoom bar
 * above the timeline. Every button has a key (playback-shortcuts.ts).
 */
import { SPEEDS, speedLabel } from '../../media/sync.js';
import { formatClockMs, formatDay, formatDurationMs, zoneAbbrev } from '../../time/index.js';
import { IconFrameBack, IconFrameFwd, IconNextEvent, IconPause, IconPlay, IconPrevEvent } from './icons.js';
import { KEY_HINT, type PlaybackDialog } from './playback-shortcuts.js';
import type { PlaybackClock } from './usePlaybackClock.js';
import type { Notice } from './useNotice.js';

export function TransportBar({
  clock,
  timeZone: tz,
  notice,
  cameraCount,
  fps,
  openDialog,
}: {
  clock: PlaybackClock;
  timeZone: string;
  notice: Notice | null;
  cameraCount: number;
  /** Frame rate of the picked camera (frame steps). */
  fps: number | null | undefined;
  openDialog: (d: PlaybackDialog) => void;
}) {
  const { time, playing, live, rate } = clock;
  return (
    // Buttons don't take focus on click, so Space and the arrows keep driving playback.
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
          onClick={() => clock.toEvent(-1)}
          title="Previous event ([)"
          aria-label="Previous event"
        >
          <IconPrevEvent />
        </button>
        <button
          type="button"
          className="btn small ghost"
          onClick={() => clock.step(-1, fps)}
          title="One frame back (←)"
          aria-label="One frame back"
        >
          <IconFrameBack />
        </button>
        <button
          type="button"
          className="btn small pb-play"
          onClick={() => clock.play(live ? false : !playing)}
          title="Play / pause (Space)"
          data-testid="pb-play"
          aria-label={playing ? 'Pause' : 'Play'}
        >
          {playing ? <IconPause /> : <IconPlay />}
        </button>
        <button
          type="button"
          className="btn small ghost"
          onClick={() => clock.step(1, fps)}
          title="One frame forward (→)"
          aria-label="One frame forward"
        >
          <IconFrameFwd />
        </button>
        <button type="button" className="btn small ghost" onClick={() => clock.toEvent(1)} title="Next event (])" aria-label="Next event">
          <IconNextEvent />
        </button>
        <div className="seg" role="group" aria-label="Speed">
          {SPEEDS.map((s) => (
            <button
              key={s}
              type="button"
              className={`seg-btn${s === rate ? ' on' : ''}`}
              aria-pressed={s === rate}
              onClick={() => clock.setSpeed(s)}
              title="Speed (J slower, L faster)"
            >
              {speedLabel(s)}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="btn small"
          onClick={() => openDialog('goto')}
          title="Go to a date and time (T or Shift+G)"
          data-testid="pb-goto"
        >
          Go to… <kbd>T</kbd>
        </button>
        <button
          type="button"
          className={`btn small${live ? ' primary' : ''}`}
          onClick={clock.goLive}
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
      <button type="button" className="btn small ghost" onClick={() => openDialog('bookmark')} title="Bookmark this moment (M)" data-testid="pb-bookmark">
        Bookmark <kbd>M</kbd>
      </button>
      <button type="button" className="btn small ghost" onClick={() => openDialog('cameras')} title="Cameras to play (C)">
        Cameras ({cameraCount})
      </button>
    </div>
  );
}

/** Zoom out / span / zoom in, and the key reminder, above the timeline. */
export function ZoomBar({ clock }: { clock: PlaybackClock }) {
  return (
    <div className="pb-zoom muted small">
      <button type="button" className="btn small ghost" onClick={() => clock.zoom(1)} title="Zoom out (-)" aria-label="Zoom out">
        −
      </button>
      <span data-testid="pb-span">{formatDurationMs(clock.view.span, 'precise')}</span>
      <button type="button" className="btn small ghost" onClick={() => clock.zoom(-1)} title="Zoom in (=)" aria-label="Zoom in">
        +
      </button>
      <span className="pb-keys">{KEY_HINT}</span>
    </div>
  );
}
