/**
 * Live view: the camera grid. Stock 1×1 … 4×4 grids and layouts each user
 * saves; drag a camera (or a tile) onto a tile, or work from the keyboard:
 * digits pick tiles, C chooses a camera, Enter goes full-screen, Esc back.
 * Grid tiles play the sub stream, a full-screen tile the main stream.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LayoutInfo } from '../../../../main/api/layouts.js';
import { useClient, useConnection, useQuery } from '../../api/context.js';
import { useShortcutReference, useShortcuts } from '../../keyboard/useShortcuts.js';
import { usePageVisible } from '../../media/useLiveStream.js';
import { useCameras } from '../../state/cameras.js';
import { usePublishFocusCamera } from '../../state/focus-camera.js';
import { useNow } from '../../state/now.js';
import { navigate } from '../../state/route.js';
import { useTimeZone } from '../../state/settings.js';
import { STATE_LABELS, stateTone } from '../../ui/format.js';
import { useToast } from '../../ui/toast.js';
import { useOpenAlarms } from '../alarms/OpenAlarms.js';
import { BOOKMARK_DIALOG_KEYS, BookmarkDialog } from '../bookmarks/BookmarkDialog.js';
import { BOOKMARKS_SEARCH_KEYS, BookmarksDialog } from '../bookmarks/BookmarksDialog.js';
import { CameraPicker } from './CameraPicker.js';
import {
  assign,
  autoLayout,
  columns,
  digitPick,
  fromLayout,
  GRIDS,
  moveSelection,
  parseStored,
  resize,
  stepGrid,
  storageKey,
  swap,
  type Grid,
  type GridState,
} from './layout-state.js';
import { DND_CAMERA, LiveTile } from './LiveTile.js';
import { SaveLayoutDialog } from './SaveLayoutDialog.js';
import { useViewFocus } from './useViewFocus.js';
import { useLiveBoxes } from '../../state/detections.js';
import './live.css';

const GRID_LABEL: Record<Grid, string> = { '1x1': '1×1', '2x2': '2×2', '3x3': '3×3', '4x4': '4×4' };

export function LiveView() {
  const client = useClient();
  const toast = useToast();
  const user = useConnection().user?.username ?? 'anonymous';
  const { cameras, loading, byId } = useCameras();
  const tz = useTimeZone();
  const now = useNow(1000);
  const visible = usePageVisible();
  const layouts = useQuery('layouts.list', {}, { events: ['layouts.changed'] });

  const [state, setState] = useState<GridState | null>(() => parseStored(localStorage.getItem(storageKey(user))));
  const [selected, setSelected] = useState(0);
  const [fullscreen, setFullscreen] = useState<number | null>(null);
  const [picker, setPicker] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  const [sidebar, setSidebar] = useState(true);
  const [boxes, setBoxes] = useLiveBoxes();
  const [bookmark, setBookmark] = useState<{ cameraIds: string[]; time: number } | null>(null);
  const [bookmarks, setBookmarks] = useState(false);
  const { byCamera } = useOpenAlarms();
  const digitMemo = useRef<{ digit: number; at: number } | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  useViewFocus(rootRef, '#/live', state !== null);

  // First run: every camera, in the smallest grid that holds them.
  useEffect(() => {
    if (state || loading) return;
    setState(autoLayout(cameras.filter((c) => c.enabled).map((c) => c.id)));
  }, [state, loading, cameras]);

  useEffect(() => {
    if (state) localStorage.setItem(storageKey(user), JSON.stringify(state));
  }, [state, user]);

  const grid = state?.grid ?? '2x2';
  const tiles = useMemo(() => state?.tiles ?? [], [state]);
  const cells = tiles.length;
  const sel = Math.min(selected, Math.max(0, cells - 1));
  const saved: LayoutInfo[] = layouts.data ?? [];
  const current = state?.layoutId ? (saved.find((l) => l.id === state.layoutId) ?? null) : null;
  usePublishFocusCamera(tiles[sel] ?? null);

  const update = useCallback((fn: (s: GridState) => GridState) => setState((s) => (s ? fn(s) : s)), []);
  const select = useCallback((i: number) => setSelected(i), []);
  const toggleFull = useCallback((i: number) => {
    setSelected(i);
    setFullscreen((f) => (f === i ? null : i));
  }, []);
  const dropCamera = useCallback((i: number, cam: string) => update((s) => assign(s, i, cam)), [update]);
  const dropTile = useCallback((a: number, b: number) => update((s) => swap(s, a, b)), [update]);
  const pick = useCallback((i: number) => {
    setSelected(i);
    setPicker(i);
  }, []);

  const setGrid = (g: Grid) => {
    setFullscreen(null);
    update((s) => resize(s, g));
  };
  const loadLayout = (id: string) => {
    setFullscreen(null);
    if (id === '') {
      update((s) => ({ ...s, layoutId: null }));
      return;
    }
    const l = saved.find((x) => x.id === id);
    if (l) setState(fromLayout(l));
  };
  const removeLayout = async () => {
    if (!current) return;
    try {
      await client.call('layouts.remove', { id: current.id });
      update((s) => ({ ...s, layoutId: null, dirty: true }));
      toast(`Layout “${current.name}” removed`);
    } catch (err) {
      toast((err as Error).message, 'error');
    }
  };

  const inFull = fullscreen !== null;
  const idle = picker !== null || saving || bookmark !== null || bookmarks;
  useShortcuts(
    'Live',
    [
      {
        keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'],
        description: 'Pick a tile (two digits quickly for tiles 10–16)',
        run: (e) => {
          const r = digitPick(digitMemo.current, Number(e.key), Date.now(), cells);
          digitMemo.current = r.memo;
          if (r.index === null) return;
          setSelected(r.index);
          if (inFull) setFullscreen(r.index);
        },
      },
      {
        keys: ['left', 'right', 'up', 'down'],
        description: 'Move between tiles',
        run: (e) => {
          if (inFull) return false;
          const dir = e.key.replace('Arrow', '').toLowerCase() as 'left' | 'right' | 'up' | 'down';
          setSelected(moveSelection(sel, grid, dir));
        },
      },
      { keys: 'enter', description: 'Full-screen the selected tile, or back to the grid', run: () => toggleFull(sel) },
      {
        keys: 'esc',
        description: 'Back to the grid',
        run: () => {
          if (!inFull) return false;
          setFullscreen(null);
        },
      },
      { keys: 'c', description: 'Choose the camera for the selected tile', run: () => pick(sel) },
      { keys: ['delete', 'backspace'], description: 'Empty the selected tile', run: () => update((s) => assign(s, sel, null)) },
      // In full screen, - and + belong to PTZ zoom (when the camera has it).
      { keys: ['-'], description: 'Smaller grid', run: () => (inFull ? false : setGrid(stepGrid(grid, -1))) },
      { keys: ['=', '+'], description: 'Bigger grid', run: () => (inFull ? false : setGrid(stepGrid(grid, 1))) },
      {
        keys: 'l',
        description: 'Next saved layout',
        run: () => {
          if (!saved.length) return;
          const i = current ? saved.findIndex((l) => l.id === current.id) : -1;
          const next = saved[(i + 1) % saved.length]!;
          setFullscreen(null);
          setState(fromLayout(next));
          toast(`Layout “${next.name}”`, 'info');
        },
      },
      { keys: 'shift+s', description: 'Save the layout', run: () => setSaving(true) },
      { keys: 'b', description: 'Show or hide the camera list', run: () => setSidebar((v) => !v) },
      {
        keys: 'p',
        description: 'Play back the selected camera',
        run: () => {
          const cam = tiles[sel];
          if (cam) navigate('playback', { camera: cam });
        },
      },
      {
        keys: 'm',
        description: 'Bookmark this moment on the selected camera (with a note)',
        run: () => {
          const cam = tiles[sel];
          if (!cam) return toast('Pick a tile with a camera first, then press M.', 'info');
          setBookmark({ cameraIds: [cam], time: Date.now() });
        },
      },
      { keys: 'shift+b', description: 'Bookmarks: search, play back', run: () => setBookmarks(true) },
      {
        keys: 'o',
        description: 'Show or hide object boxes (detection) on the tiles',
        run: () => {
          setBoxes(!boxes);
          toast(boxes ? 'Object boxes hidden (O shows them)' : 'Object boxes shown (O hides them)', 'info');
        },
      },
    ],
    { active: !idle },
  );
  useShortcutReference('Bookmark dialog', BOOKMARK_DIALOG_KEYS);
  useShortcutReference('Bookmarks search', BOOKMARKS_SEARCH_KEYS);

  const known = useMemo(() => new Set(cameras.map((c) => c.id)), [cameras]);
  const placed = useMemo(() => new Set(tiles.filter(Boolean)), [tiles]);

  if (!state) {
    return (
      <div className="live-view" data-testid="view-live">
        <div className="live-empty muted">Loading cameras…</div>
      </div>
    );
  }

  return (
    <div className="live-view" data-testid="view-live" data-grid={grid} ref={rootRef} tabIndex={-1}>
      <div className="live-toolbar" role="toolbar" aria-label="Live layout">
        <div className="seg" role="group" aria-label="Grid">
          {GRIDS.map((g) => (
            <button
              key={g}
              type="button"
              className={`seg-btn${g === grid ? ' on' : ''}`}
              aria-pressed={g === grid}
              onClick={() => setGrid(g)}
              onMouseDown={(e) => e.preventDefault()}
              data-testid={`grid-${g}`}
              title={`${GRID_LABEL[g]} grid (- / + step the size)`}
            >
              {GRID_LABEL[g]}
            </button>
          ))}
        </div>
        <label className="live-layout-pick">
          <span className="muted small">Layout</span>
          <select
            className="live-select"
            value={state.layoutId ?? ''}
            onChange={(e) => {
              loadLayout(e.target.value);
              // Give the keys back to the grid (digits, Enter) after a pick with the mouse.
              e.target.blur();
            }}
            data-testid="layout-select"
            title="Saved layouts (L steps through them)"
          >
            <option value="">{state.layoutId ? 'Working layout' : state.dirty ? 'Working layout (unsaved)' : 'Working layout'}</option>
            {saved.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
                {state.layoutId === l.id && state.dirty ? ' (changed)' : ''}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="btn small"
          onClick={() => setSaving(true)}
          data-testid="save-layout-button"
          title="Save the layout (Shift+S)"
        >
          Save…
        </button>
        {current && (
          <button
            type="button"
            className="btn small ghost"
            onClick={() => void removeLayout()}
            title={`Remove the layout “${current.name}”`}
          >
            Remove
          </button>
        )}
        <span className="tile-spacer" />
        {inFull && (
          <button type="button" className="btn small" onClick={() => setFullscreen(null)} data-testid="exit-fullscreen">
            Back to grid <kbd>Esc</kbd>
          </button>
        )}
        <button
          type="button"
          className={`btn small ghost${boxes ? ' on' : ''}`}
          onClick={() => setBoxes(!boxes)}
          onMouseDown={(e) => e.preventDefault()}
          aria-pressed={boxes}
          data-testid="live-boxes"
          title="Object boxes from detection (O)"
        >
          Boxes {boxes ? 'on' : 'off'} <kbd>o</kbd>
        </button>
        <span className="muted small live-hint">Digits pick a tile · C camera · Enter full screen · M bookmark · Shift+P panic · ? all keys</span>
        <button
          type="button"
          className="btn small ghost"
          onClick={() => setSidebar((v) => !v)}
          aria-pressed={sidebar}
          title="Camera list (B)"
        >
          Cameras
        </button>
      </div>
      <div className="live-body">
        <div
          className={`live-grid${inFull ? ' has-full' : ''}`}
          role="grid"
          aria-label={`${GRID_LABEL[grid]} camera grid`}
          style={{
            gridTemplateColumns: `repeat(${columns(grid)}, minmax(0, 1fr))`,
            gridTemplateRows: `repeat(${columns(grid)}, minmax(0, 1fr))`,
          }}
          data-testid="live-grid"
        >
          {/* Rows for assistive technology only (display: contents): the tiles stay the CSS grid's items. */}
          {Array.from({ length: columns(grid) }, (_, r) => (
            <div role="row" className="live-row" key={r}>
              {tiles.slice(r * columns(grid), (r + 1) * columns(grid)).map((camId, k) => {
                const i = r * columns(grid) + k;
                const a = camId ? byCamera.get(camId) : undefined;
                return (
                  <LiveTile
                    key={i}
                    index={i}
                    cameraId={camId}
                    camera={camId ? (byId(camId) ?? null) : null}
                    selected={i === sel}
                    fullscreen={fullscreen === i}
                    visible={visible && (fullscreen === null || fullscreen === i)}
                    now={now}
                    timeZone={tz}
                    alarmId={a?.id ?? null}
                    alarmPriority={a?.priority ?? null}
                    alarmTitle={a?.title ?? null}
                    boxes={boxes}
                    onSelect={select}
                    onToggleFullscreen={toggleFull}
                    onDropCamera={dropCamera}
                    onDropTile={dropTile}
                    onPick={pick}
                  />
                );
              })}
            </div>
          ))}
        </div>
        {sidebar && (
          <aside className="live-cams" aria-label="Cameras" data-testid="live-cameras">
            <div className="live-cams-head muted small">Cameras · drag onto a tile</div>
            <ul>
              {cameras.map((c) => (
                <li
                  key={c.id}
                  draggable
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DND_CAMERA, c.id);
                    e.dataTransfer.effectAllowed = 'move';
                  }}
                  onClick={() => update((s) => assign(s, sel, c.id))}
                  onDoubleClick={() => navigate('playback', { camera: c.id })}
                  title={`${c.name}: ${STATE_LABELS[c.status.state]}${c.status.message ? ' — ' + c.status.message : ''}. Click to put in tile ${sel + 1}; drag onto any tile.`}
                  className={placed.has(c.id) ? 'placed' : ''}
                  data-testid={`live-cam-${c.id}`}
                >
                  <span className={`dot tone-${stateTone(c.status.state)}`} aria-hidden="true" />
                  <span className="live-cam-name">{c.name}</span>
                </li>
              ))}
              {cameras.length === 0 && <li className="muted small">No cameras yet. Add them under Cameras.</li>}
            </ul>
            {tiles.some((t) => t && !known.has(t)) && <div className="muted small">Some tiles show cameras that were removed.</div>}
          </aside>
        )}
      </div>
      {picker !== null && (
        <CameraPicker
          tile={picker}
          cameras={cameras}
          current={tiles[picker] ?? null}
          onClose={() => setPicker(null)}
          onPick={(id) => {
            update((s) => assign(s, picker, id));
            setPicker(null);
          }}
        />
      )}
      {bookmark && <BookmarkDialog cameraIds={bookmark.cameraIds} time={bookmark.time} timeZone={tz} onClose={() => setBookmark(null)} />}
      {bookmarks && <BookmarksDialog timeZone={tz} onClose={() => setBookmarks(false)} />}
      {saving && (
        <SaveLayoutDialog
          state={state}
          existing={current}
          onClose={() => setSaving(false)}
          onSaved={(l) => {
            setSaving(false);
            setState({ ...state, layoutId: l.id, dirty: false });
            layouts.reload();
            toast(`Layout “${l.name}” saved`);
          }}
        />
      )}
    </div>
  );
}
