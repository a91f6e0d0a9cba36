import { useEffect, useMemo, useRef, useState } from 'react';
import type { CameraInfo } from '../../../../main/api/contract.js';
import { useClient, useConnection } from '../../api/context.js';
import { useRovingList } from '../../keyboard/focus.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useCameras } from '../../state/cameras.js';
import { useNow } from '../../state/now.js';
import { navigate, useRoute } from '../../state/route.js';
import { useSettings } from '../../state/settings.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { Notice } from '../../ui/Notice.js';
import { StateBadge } from '../../ui/StateBadge.js';
import { formatAgo, formatDateTime } from '../../time/index.js';
import { formatFps, formatResolution, healthCounts } from '../../ui/format.js';
import { useToast } from '../../ui/toast.js';
import { RowButton } from '../../ui/RowButton.js';
import { CameraDetails } from './CameraDetails.js';
import { CameraForm, type AddMode } from './CameraForm.js';
import { DetectionPage } from '../detection/DetectionPage.js';
import { DetectionCell } from '../detection/DetectionCell.js';
import { useDetectionStatus } from '../detection/useDetectionStatus.js';
import './cameras.css';

type Dialog = { kind: 'add'; mode?: AddMode } | { kind: 'edit'; camera: CameraInfo } | { kind: 'remove'; camera: CameraInfo } | null;

/** Cameras: the list, or one camera's detection setup (#/cameras?detection=<id>). */
export function CamerasView() {
  const route = useRoute();
  if (route.params.detection) return <DetectionPage cameraId={route.params.detection} tab={route.params.tab} />;
  return <CameraList initialId={route.params.id} />;
}

/** Cameras: live status of every camera; admins add, edit, enable/disable and remove. */
function CameraList({ initialId }: { initialId?: string }) {
  const client = useClient();
  const { user } = useConnection();
  const { cameras, loading, error, reload } = useCameras();
  const { timeZone } = useSettings();
  const toast = useToast();
  const now = useNow(5000);
  const isAdmin = user?.role === 'admin';
  const [filter, setFilter] = useState('');
  const [openId, setOpenId] = useState<string | null>(initialId ?? null);
  const detection = useDetectionStatus(true, 3000);
  const [dialog, setDialog] = useState<Dialog>(null);
  const filterRef = useRef<HTMLInputElement>(null);

  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? cameras.filter((c) => c.name.toLowerCase().includes(f) || c.id.includes(f) || c.status.state.includes(f)) : cameras;
  }, [cameras, filter]);
  const roving = useRovingList(shown.length);
  // back from a camera's detection page: that camera is selected again
  const restored = useRef(false);
  useEffect(() => {
    if (restored.current || !initialId) return;
    const i = shown.findIndex((c) => c.id === initialId);
    if (i >= 0) {
      restored.current = true;
      roving.setIndex(i);
    }
  }, [shown, initialId]); // eslint-disable-line react-hooks/exhaustive-deps
  const current = shown[roving.index];
  const open = openId ? cameras.find((c) => c.id === openId) : undefined;
  const hasDemo = cameras.some((c) => c.demo);
  const counts = healthCounts(cameras.map((c) => c.status.state));

  const toggle = async (c: CameraInfo) => {
    try {
      await client.call('cameras.update', { id: c.id, patch: { enabled: !c.enabled } });
      toast(`${c.name} ${c.enabled ? 'disabled: it no longer records' : 'enabled'}`);
    } catch (err) {
      toast((err as Error).message, 'error');
    }
  };
  // One click: demo cameras are disposable (their recordings stay until retention), and
  // "Add demo cameras" takes the button's place to bring them back.
  const removeDemo = async () => {
    try {
      const r = await client.call('cameras.removeDemo', {});
      if (open?.demo) setOpenId(null);
      toast(`Removed ${r.removed} demo cameras`);
    } catch (err) {
      toast((err as Error).message, 'error');
    }
  };
  const addDemo = async () => {
    try {
      const r = await client.call('cameras.addDemo', {});
      toast(r.added ? `Added ${r.added} demo cameras` : 'The demo cameras are already there');
    } catch (err) {
      toast((err as Error).message, 'error');
    }
  };

  useShortcuts('Cameras', [
    { keys: ['j', 'down'], description: 'Next camera', run: () => roving.move(1) },
    { keys: ['k', 'up'], description: 'Previous camera', run: () => roving.move(-1) },
    { keys: ['home'], description: 'First camera', run: () => roving.setIndex(0), hidden: true },
    { keys: ['end'], description: 'Last camera', run: () => roving.setIndex(shown.length - 1), hidden: true },
    { keys: 'enter', description: 'Open details', run: () => (current ? setOpenId(current.id) : false) },
    { keys: '/', description: 'Filter cameras', run: () => filterRef.current?.focus() },
    {
      keys: 'd',
      description: 'Detection of the selected camera: settings, zones, masks',
      run: () => (current ? navigate('cameras', { detection: current.id }) : false),
    },
    {
      keys: 'esc',
      description: 'Close details / clear the filter',
      run: () => (open ? setOpenId(null) : filter ? setFilter('') : false),
      allowInInput: true,
    },
    { keys: 'n', description: 'New camera', enabled: isAdmin, run: () => setDialog({ kind: 'add' }) },
    {
      keys: 'shift+n',
      description: 'Find cameras on the network (ONVIF)',
      enabled: isAdmin,
      run: () => setDialog({ kind: 'add', mode: 'onvif' }),
    },
    {
      keys: 'e',
      description: 'Edit the selected camera',
      enabled: isAdmin,
      run: () => (current ? setDialog({ kind: 'edit', camera: current }) : false),
    },
    {
      keys: 'x',
      description: 'Enable / disable the selected camera',
      enabled: isAdmin,
      run: () => (current ? void toggle(current) : false),
    },
    {
      keys: 'delete',
      description: 'Remove the selected camera',
      enabled: isAdmin,
      run: () => (current ? setDialog({ kind: 'remove', camera: current }) : false),
    },
  ]);

  return (
    <div className="cameras-view" data-testid="view-cameras">
      <div className="toolbar">
        <h1>Cameras</h1>
        <span className="muted counts">
          {counts.total} total · {counts.recording} recording
          {counts.attention > 0 && <span className="text-bad"> · {counts.attention} need attention</span>}
          {counts.disabled > 0 && <> · {counts.disabled} disabled</>}
        </span>
        <input
          ref={filterRef}
          className="filter"
          type="search"
          placeholder="Filter (/)"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === 'ArrowDown') {
              e.preventDefault();
              roving.setIndex(0);
            }
          }}
          aria-label="Filter cameras"
          data-testid="camera-filter"
        />
        <span className="spacer" />
        {isAdmin && (
          <>
            {hasDemo ? (
              <button
                type="button"
                className="btn"
                onClick={removeDemo}
                data-testid="remove-demo"
                title="Remove the built-in demo cameras; your own cameras stay"
              >
                Remove demo cameras
              </button>
            ) : (
              <button type="button" className="btn" onClick={addDemo} data-testid="add-demo">
                Add demo cameras
              </button>
            )}
            <button
              type="button"
              className="btn"
              onClick={() => setDialog({ kind: 'add', mode: 'onvif' })}
              data-testid="camera-discover"
              title="Search the local network for ONVIF cameras (Shift+N)"
            >
              Find cameras
            </button>
            <button type="button" className="btn primary" onClick={() => setDialog({ kind: 'add' })} data-testid="camera-add">
              Add camera <kbd>n</kbd>
            </button>
          </>
        )}
      </div>

      {error && (
        <Notice tone="error" onRetry={reload} testId="cameras-error">
          Could not load the cameras: {error.message}
        </Notice>
      )}

      <div className={`split${open ? ' with-details' : ''}`}>
        <div className="table-wrap">
          <table className="grid" data-testid="camera-table" aria-label="Cameras">
            <thead>
              <tr>
                <th className="c-state">State</th>
                <th className="c-name">Name</th>
                <th className="c-msg">Status</th>
                <th className="c-since">Since</th>
                <th className="c-video">Video</th>
                <th className="c-seg">Last segment</th>
                <th className="c-ret">Retention</th>
                <th className="c-det" title="Object detection: frame rate, objects in view, frames skipped (hover a cell for the counters)">
                  Detection
                </th>
                {isAdmin && <th className="c-act" aria-label="Actions" />}
              </tr>
            </thead>
            <tbody>
              {shown.map((c, i) => {
                const s = c.status;
                const active = i === roving.index;
                return (
                  <tr
                    key={c.id}
                    {...roving.itemProps(i)}
                    className={`${c.enabled ? '' : 'dim'}${open?.id === c.id ? ' open' : ''}`}
                    data-testid="camera-row"
                    data-camera-id={c.id}
                    data-state={s.state}
                    onClick={() => {
                      roving.setIndex(i);
                      setOpenId(c.id);
                    }}
                    aria-selected={active}
                  >
                    <td className="c-state">
                      <StateBadge state={s.state} />
                    </td>
                    <td className="c-name">
                      <span className="name">{c.name}</span>
                      {c.demo && <span className="tag">demo</span>}
                    </td>
                    <td className="c-msg" title={s.message}>
                      {s.message}
                    </td>
                    <td className="c-since" title={formatDateTime(s.since, timeZone)}>
                      {formatAgo(s.since, now)}
                    </td>
                    <td className="c-video">
                      {s.codec ? (
                        <>
                          <span className="codec">{s.codec.toUpperCase()}</span> {formatResolution(s.width, s.height)} · {formatFps(s.fps)}
                        </>
                      ) : (
                        <span className="muted">–</span>
                      )}
                    </td>
                    <td className="c-seg" title={s.lastSegmentAt ? formatDateTime(s.lastSegmentAt, timeZone) : 'no segment yet'}>
                      {s.lastSegmentAt ? formatAgo(s.lastSegmentAt, now) : <span className="muted">none</span>}
                    </td>
                    <td className="c-ret">{c.retentionDays != null ? `${c.retentionDays} d` : <span className="muted">default</span>}</td>
                    <td className="c-det">
                      <DetectionCell st={detection.byCamera.get(c.id)} />
                    </td>
                    {isAdmin && (
                      <td className="c-act" onClick={(e) => e.stopPropagation()}>
                        <RowButton tabIndex={active ? 0 : -1} onClick={() => setDialog({ kind: 'edit', camera: c })} data-testid="row-edit">
                          Edit
                        </RowButton>
                        <button
                          type="button"
                          className="btn ghost small"
                          tabIndex={active ? 0 : -1}
                          onClick={() => void toggle(c)}
                          data-testid="row-toggle"
                        >
                          {c.enabled ? 'Disable' : 'Enable'}
                        </button>
                        <button
                          type="button"
                          className="btn ghost small danger-text"
                          tabIndex={active ? 0 : -1}
                          onClick={() => setDialog({ kind: 'remove', camera: c })}
                          data-testid="row-remove"
                        >
                          Remove
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
          {!loading && !error && cameras.length === 0 && (
            <div className="empty" data-testid="cameras-empty">
              <p>No cameras yet.</p>
              {isAdmin ? (
                <p className="muted">Press n to add one, or add the demo cameras to try Gatehouse with built-in test video.</p>
              ) : (
                <p className="muted">Ask an admin to add cameras.</p>
              )}
            </div>
          )}
          {cameras.length > 0 && shown.length === 0 && <div className="empty muted">No camera matches “{filter}”.</div>}
        </div>
        {open && (
          <CameraDetails
            camera={open}
            isAdmin={isAdmin}
            onClose={() => {
              setOpenId(null);
              roving.focusCurrent();
            }}
            detection={detection.byCamera.get(open.id)}
            onEdit={() => setDialog({ kind: 'edit', camera: open })}
            onToggle={() => void toggle(open)}
            onRemove={() => setDialog({ kind: 'remove', camera: open })}
          />
        )}
      </div>

      {dialog?.kind === 'add' || dialog?.kind === 'edit' ? (
        <CameraForm
          camera={dialog.kind === 'edit' ? dialog.camera : null}
          initialMode={dialog.kind === 'add' ? dialog.mode : undefined}
          onClose={() => setDialog(null)}
          onSaved={(c) => {
            setDialog(null);
            toast(dialog.kind === 'add' ? `Camera ${c.name} added` : `${c.name} saved`);
            reload();
          }}
        />
      ) : null}
      {dialog?.kind === 'remove' && (
        <ConfirmDialog
          title={`Remove ${dialog.camera.name}?`}
          confirmLabel="Remove camera"
          danger
          testId="camera-remove-confirm"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await client.call('cameras.remove', { id: dialog.camera.id });
            if (openId === dialog.camera.id) setOpenId(null);
            toast(`${dialog.camera.name} removed`);
          }}
        >
          <p>Gatehouse stops recording this camera now.</p>
          <p className="muted">Its recordings stay on disk until retention deletes them.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
