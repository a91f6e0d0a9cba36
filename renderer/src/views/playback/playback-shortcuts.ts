/**
 * Playback's keys, registered with the console's registry (listed by `?`),
 * and the one-line reminder under the timeline. docs/video.md has the table.
 */
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { navigate } from '../../state/route.js';
import { HOUR, SECOND } from '../../time/index.js';
import type { PlaybackClock } from './usePlaybackClock.js';
import type { PlaybackSelection } from './usePlaybackSelection.js';

/** The dialogs playback opens from the keyboard. */
export type PlaybackDialog = 'goto' | 'cameras' | 'bookmark' | 'bookmarks';

/** Shown under the timeline. */
export const KEY_HINT =
  'Space play · J/K/L speed · ←/→ frame · Shift+←/→ 10 s · PgUp/PgDn 1 h · [ ] events · A / Shift+A alarms · N / Shift+N bookmarks · M bookmark · T go to · Shift+L live · I/O mark · Shift+E export';

export function usePlaybackShortcuts(o: {
  clock: PlaybackClock;
  selection: PlaybackSelection;
  openDialog: (d: PlaybackDialog) => void;
  /** False while a dialog is open (it has its own keys). */
  active: boolean;
}): void {
  const { clock, selection: sel, openDialog } = o;
  useShortcuts(
    'Playback',
    [
      { keys: 'space', description: 'Play / pause', run: () => clock.togglePlay() },
      {
        keys: ['j', 'k', 'l'],
        description: 'Shuttle: J slower, K pause, L play / faster',
        run: (e) => clock.shuttleKey(e.key.toLowerCase() as 'j' | 'k' | 'l'),
      },
      {
        keys: ['left', 'right'],
        description: 'One frame back / forward',
        run: (e) => clock.step(e.key === 'ArrowLeft' ? -1 : 1, sel.focusCam?.status.fps),
      },
      {
        keys: ['shift+left', 'shift+right'],
        description: '10 s back / forward',
        run: (e) => clock.jump(e.key === 'ArrowLeft' ? -10 * SECOND : 10 * SECOND),
      },
      { keys: ['pageup', 'pagedown'], description: 'One hour back / forward', run: (e) => clock.jump(e.key === 'PageUp' ? -HOUR : HOUR) },
      { keys: ['[', ']'], description: 'Previous / next event (repeats of the same thing count once)', run: (e) => clock.toEvent(e.key === '[' ? -1 : 1) },
      { keys: ['a', 'shift+a'], description: 'Next / previous alarm or panic', run: (e) => clock.toEvent(e.shiftKey ? -1 : 1, { kinds: ['alarm', 'panic'], what: 'alarm' }) },
      { keys: ['n', 'shift+n'], description: 'Next / previous bookmark', run: (e) => clock.toEvent(e.shiftKey ? -1 : 1, { kinds: ['bookmark'], what: 'bookmark' }) },
      { keys: 'm', description: 'Bookmark this moment on the picked camera (with a note)', run: () => openDialog('bookmark') },
      { keys: 'shift+b', description: 'Bookmarks: search, play back', run: () => openDialog('bookmarks') },
      { keys: ['t', 'shift+g'], description: 'Go to a date and time', run: () => openDialog('goto') },
      { keys: 'shift+l', description: 'Go live', run: () => clock.goLive() },
      { keys: ['-', '='], description: 'Zoom the timeline out / in', run: (e) => clock.zoom(e.key === '-' ? 1 : -1) },
      {
        keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
        description: 'Pick a tile',
        run: (e) => {
          const i = Number(e.key) - 1;
          if (i < sel.shown.length) sel.setFocus(i);
        },
      },
      { keys: 'enter', description: 'Show the picked tile alone, or all again', run: () => sel.setSolo((s) => !s) },
      {
        keys: 'esc',
        description: 'Back to all tiles',
        run: () => {
          if (!sel.solo) return false;
          sel.setSolo(false);
        },
      },
      { keys: 'c', description: 'Choose cameras to play', run: () => openDialog('cameras') },
      {
        keys: 'v',
        description: 'Open the picked camera in Live',
        run: () => {
          if (sel.focusCam) navigate('live');
        },
      },
    ],
    { active: o.active },
  );
}
