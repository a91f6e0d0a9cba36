/**
 * Playback: recorded video of one or several cameras in sync, a timeline
 * with one track per camera, and keyboard-first controls. "Go live"
 * switches the same tiles to the live streams.
 *
 * The view only composes:
 *  - usePlaybackSelection: which cameras play, the picked tile, solo;
 *  - usePlaybackClock: the master clock, its actions and the sync loop
 *    that keeps every player on it and skips gaps with a notice;
 *  - usePlaybackData: segments, gaps and events around the view;
 *  - usePlaybackShortcuts: the keys; TransportBar and ZoomBar: the buttons.
 */
import { useMemo, useRef, useState } from 'react';
import { useConnection } from '../../api/context.js';
import { usePageVisible } from '../../media/useLiveStream.js';
import { useRoute } from '../../state/route.js';
import { useTimeZone } from '../../state/settings.js';
import { useShortcutReference } from '../../keyboard/useShortcuts.js';
import { usePublishFocusCamera } from '../../state/focus-camera.js';
import { useOpenAlarms } from '../alarms/OpenAlarms.js';
import { BOOKMARK_DIALOG_KEYS, BookmarkDialog } from '../bookmarks/BookmarkDialog.js';
import { BOOKMARKS_SEARCH_KEYS, BookmarksDialog } from '../bookmarks/BookmarksDialog.js';
import { useViewFocus } from '../live/useViewFocus.js';
import { CameraSelectDialog } from './CameraSelectDialog.js';
import { GoToDialog } from './GoToDialog.js';
import { usePlaybackExport } from './playback-export.js';
import { usePlaybackShortcuts, type PlaybackDialog } from './playback-shortcuts.js';
import { PlaybackTile } from './PlaybackTile.js';
import { Timeline, type TimelineTrack } from './Timeline.js';
import { unionRuns, type TimelineEvent } from './timeline-math/runs.js';
import { TransportBar, ZoomBar } from './TransportBar.js';
import { useNotice } from './useNotice.js';
import { usePlaybackClock } from './usePlaybackClock.js';
import { usePlaybackData, type CameraRecordings } from './usePlaybackData.js';
import { MAX_SELECTED, usePlaybackSelection, type PlaybackSelection } from './usePlaybackSelection.js';
import '../live/live.css';
import './playback.css';

export function PlaybackView() {
  const user = useConnection().user?.username ?? 'anonymous';
  const tz = useTimeZone();
  const route = useRoute();
  const visible = usePageVisible();
  const rootRef = useRef<HTMLDivElement>(null);
  useViewFocus(rootRef, '#/playback');

  const sel = usePlaybackSelection(user, route.params.camera);
  const { notice, say } = useNotice();
  const clock = usePlaybackClock({ startAt: route.params.t, visible, timeZone: tz, say });
  const data = usePlaybackData(sel.trackIds, clock.view, clock.origin);
  const { tracks, coverage } = useTracks(sel, data);
  clock.coverage.current = coverage;

  const [dialog, setDialog] = useState<PlaybackDialog | null>(null);
  useShortcutReference('Bookmark dialog', BOOKMARK_DIALOG_KEYS);
  useShortcutReference('Bookmarks search', BOOKMARKS_SEARCH_KEYS);
  usePublishFocusCamera(sel.focusCam?.id ?? null);
  const { byCamera } = useOpenAlarms();
  // The moment to bookmark: the playhead (live: now), on the picked camera.
  const [markAt, setMarkAt] = useState(0);
  const openDialog = (d: PlaybackDialog) => {
    if (d === 'bookmark') setMarkAt(clock.live ? Date.now() : clock.time);
    setDialog(d);
  };
  usePlaybackShortcuts({ clock, selection: sel, openDialog, active: dialog === null });
  const pbExport = usePlaybackExport({ clock, selection: sel, events: coverage.events, active: dialog === null, timeZone: tz, say });

  const tiles = sel.solo && sel.focusCam ? [sel.focusCam] : sel.shown;
  const cols = tiles.length <= 1 ? 1 : tiles.length <= 4 ? 2 : 3;
  return (
    <div
      className="playback-view"
      data-testid="view-playback"
      data-live={clock.live}
      data-playing={clock.playing}
      data-time={Math.round(clock.time)}
      ref={rootRef}
      tabIndex={-1}
    >
      <TransportBar
        clock={clock}
        timeZone={tz}
        notice={notice}
        cameraCount={sel.shown.length}
        fps={sel.focusCam?.status.fps}
        openDialog={openDialog}
      />
      <div
        className="pb-grid"
        style={{
          gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`,
          gridTemplateRows: `repeat(${Math.ceil(tiles.length / cols) || 1}, minmax(0, 1fr))`,
        }}
      >
        {tiles.map((c) => {
          const i = sel.shown.indexOf(c);
          const a = byCamera.get(c.id);
          return (
            <PlaybackTile
              alarmId={a?.id ?? null}
              alarmPriority={a?.priority ?? null}
              alarmTitle={a?.title ?? null}
              key={c.id}
              index={i}
              camera={c}
              segments={data[c.id]?.origin === clock.origin ? data[c.id]!.segments : []}
              origin={clock.origin}
              gaps={data[c.id]?.gaps ?? []}
              live={clock.live}
              focused={i === sel.focusIdx}
              visible={visible}
              time={clock.time}
              attach={clock.attach}
              onFocus={sel.setFocus}
              onToggleSolo={(k) => {
                sel.setFocus(k);
                sel.setSolo((s) => !s);
              }}
            />
          );
        })}
        {tiles.length === 0 && <div className="live-empty muted">No camera chosen. Press C to choose cameras.</div>}
      </div>
      <div className="pb-timeline">
        <ZoomBar clock={clock} />
        {pbExport.bar}
        <Timeline
          tracks={tracks}
          view={clock.view}
          onView={clock.setView}
          playhead={clock.playhead}
          timeZone={tz}
          onSeek={clock.scrub}
          onToggleCamera={sel.toggleCamera}
          marks={pbExport.marks}
        />
      </div>
      {pbExport.dialog}
      {dialog === 'goto' && (
        <GoToDialog
          timeZone={tz}
          current={clock.time}
          onClose={() => setDialog(null)}
          onGo={(t) => {
            setDialog(null);
            clock.seek(t, { center: true });
          }}
        />
      )}
      {dialog === 'bookmark' && (
        <BookmarkDialog cameraIds={sel.focusCam ? [sel.focusCam.id] : []} time={markAt} timeZone={tz} onClose={() => setDialog(null)} />
      )}
      {dialog === 'bookmarks' && <BookmarksDialog timeZone={tz} cameraId={null} onClose={() => setDialog(null)} />}
      {dialog === 'cameras' && (
        <CameraSelectDialog
          cameras={sel.cameras}
          selected={sel.selected}
          max={MAX_SELECTED}
          onToggle={sel.toggleCamera}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}

/** The timeline's tracks, and what the playing cameras recorded (for the clock's sync loop). */
function useTracks(sel: PlaybackSelection, data: Record<string, CameraRecordings>) {
  const { trackIds, shown, selected, cameras } = sel;
  const tracks: TimelineTrack[] = useMemo(
    () =>
      trackIds.map((id) => ({
        cameraId: id,
        name: cameras.find((c) => c.id === id)?.name ?? id,
        runs: data[id]?.runs ?? [],
        gaps: data[id]?.gaps ?? [],
        events: data[id]?.events ?? [],
        locked: data[id]?.locked ?? [],
        selected: selected.includes(id),
      })),
    [trackIds, data, cameras, selected],
  );
  const runs = useMemo(() => unionRuns(shown.map((c) => data[c.id]?.runs ?? [])), [shown, data]);
  const events = useMemo<TimelineEvent[]>(
    () => shown.flatMap((c) => data[c.id]?.events ?? []).sort((a, b) => a.time - b.time),
    [shown, data],
  );
  const loadedTo = useMemo(() => Math.min(...shown.map((c) => data[c.id]?.to ?? 0)), [shown, data]);
  const gaps = useMemo(() => shown.flatMap((c) => data[c.id]?.gaps ?? []), [shown, data]);
  return { tracks, coverage: { runs, events, loadedTo, gaps } };
}
