/**
 * Review: object events with the best shot of each object, newest first,
 * split into alerts (an alarm was raised for the object) and detections,
 * filtered by camera, object, zone and time. Keyboard-driven: j / k move,
 * Enter plays the object back from a few seconds before it appeared, r marks
 * it reviewed (or not; audited, stored per event), 1 / 2 / 3 switch tabs,
 * u shows only what is not reviewed yet, f goes to the filters.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { OBJECT_LABELS, type CameraZone, type ReviewItem, type ReviewKind } from '../../../../main/api/detection.js';
import { useConnection, useQuery } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useCameras } from '../../state/cameras.js';
import { navigate, useRoute } from '../../state/route.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime, formatDurationMs } from '../../time/index.js';
import { FormError } from '../../ui/FormFooter.js';
import { Tabs, type TabDef } from '../../ui/Tabs.js';
import { useToast } from '../../ui/toast.js';
import { EnrolFromEventDialog } from '../people/EnrolFromEventDialog.js';
import { SnapshotThumb } from './SnapshotThumb.js';
import { useReviewList, type ReviewFilters } from './useReviewList.js';
import './review.css';

const TABS: TabDef<ReviewKind>[] = [
  { key: 'alerts', label: 'Alerts' },
  { key: 'detections', label: 'Detections' },
  { key: 'all', label: 'All' },
];
const RANGES: [string, string, number][] = [
  ['1h', 'last hour', 3600_000],
  ['24h', 'last 24 h', 86_400_000],
  ['7d', 'last 7 days', 7 * 86_400_000],
  ['30d', 'last 30 days', 30 * 86_400_000],
];
/** Playback starts this long before the object appeared. */
export const PREROLL_MS = 5000;

export function ReviewView() {
  const route = useRoute();
  const p = route.params;
  const tz = useTimeZone();
  const toast = useToast();
  const { cameras, byId } = useCameras();
  const zonesQ = useQuery('zones.list', {}, { events: ['zones.changed'] });
  const kind: ReviewKind = (TABS.some((t) => t.key === p.kind) ? p.kind : 'alerts') as ReviewKind;
  const range = RANGES.find((r) => r[0] === p.range) ?? RANGES[1]!;
  const rangeKey = range[0];
  const unreviewed = p.unreviewed === '1';
  const set = (patch: Record<string, string | undefined>) => {
    const next: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...p, ...patch })) if (v) next[k] = v;
    navigate('review', next);
  };
  // the time range is fixed when the filters change, so paging stays on one window
  const anchor = useMemo(() => Date.now(), [rangeKey, p.camera, p.label, p.zone, kind, unreviewed]); // eslint-disable-line react-hooks/exhaustive-deps
  const filters: ReviewFilters = {
    kind,
    from: new Date(anchor - range[2]).toISOString(),
    ...(p.camera ? { cameraId: p.camera } : {}),
    ...(p.label ? { label: p.label } : {}),
    ...(p.zone ? { zone: p.zone } : {}),
    ...(unreviewed ? { reviewed: false } : {}),
  };
  const list = useReviewList(filters);
  const items = list.items;
  // The selection is an object, not a row number: new objects come in at the top while a guard works
  // the list, and the selection stays on its object (or the row where it was, when it went).
  const [sel, setSel] = useState<{ id: number | null; at: number }>({ id: null, at: 0 });
  const found = sel.id === null ? -1 : items.findIndex((x) => x.id === sel.id);
  const index = found >= 0 ? found : Math.min(sel.at, Math.max(0, items.length - 1));
  const cur: ReviewItem | undefined = items[index];
  const { user } = useConnection();
  const isAdmin = user?.role === 'admin';
  const [enrolling, setEnrolling] = useState(false);
  const setIndex = (i: number) => {
    const j = Math.max(0, Math.min(i, items.length - 1));
    setSel({ id: items[j]?.id ?? null, at: j });
  };
  useEffect(() => setSel({ id: null, at: 0 }), [kind, p.camera, p.label, p.zone, rangeKey, unreviewed]);
  useEffect(() => {
    if (index >= items.length - 5 && list.more && !list.loading) list.loadMore();
  }, [index, items.length, list.more, list.loading]); // eslint-disable-line react-hooks/exhaustive-deps
  const rowsRef = useRef<HTMLDivElement>(null);
  const filterRef = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    rowsRef.current?.querySelector<HTMLElement>(`[data-index="${index}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [index]);

  const zones: CameraZone[] = (zonesQ.data ?? []).filter((z) => !p.camera || z.cameraId === p.camera);
  const zoneNames = useMemo(() => [...new Set(zones.map((z) => z.name))].sort(), [zones]);
  const open = (it: ReviewItem | undefined) => {
    if (!it) return false;
    navigate('playback', { camera: it.cameraId, t: new Date(Date.parse(it.start) - PREROLL_MS).toISOString() });
  };
  const toggleReviewed = async (it: ReviewItem | undefined) => {
    if (!it) return false;
    try {
      await list.mark(it, !it.reviewed);
      if (!it.reviewed) setIndex(index + 1);
    } catch (err) {
      toast((err as Error).message, 'error');
    }
  };

  useShortcuts('Review', [
    { keys: ['j', 'down'], description: 'Next object', run: () => setIndex(index + 1) },
    { keys: ['k', 'up'], description: 'Previous object', run: () => setIndex(index - 1) },
    { keys: 'enter', description: 'Play it back from a few seconds before', run: () => open(cur) },
    { keys: 'r', description: 'Mark reviewed / not reviewed', run: () => void toggleReviewed(cur) },
    ...TABS.map((t, i) => ({ keys: String(i + 1), description: `Show ${t.label.toLowerCase()}`, run: () => set({ kind: t.key }) })),
    { keys: 'u', description: 'Only what is not reviewed yet, on / off', run: () => set({ unreviewed: unreviewed ? undefined : '1' }) },
    { keys: 'f', description: 'Filters (camera, object, zone, time)', run: () => filterRef.current?.focus() },
    ...(isAdmin ? [{ keys: 'e', description: 'Enrol the face of this object for a person (admin)', run: () => (cur?.face?.cropId ? setEnrolling(true) : false) }] : []),
  ]);

  return (
    <div className="review-view" data-testid="view-review" data-kind={kind}>
      <div className="toolbar">
        <h1>Review</h1>
        <Tabs tabs={TABS} current={kind} onChange={(k) => set({ kind: k })} testId="review-tab" />
        <div className="review-filters" role="group" aria-label="Filters">
          <select ref={filterRef} value={p.camera ?? ''} onChange={(e) => set({ camera: e.target.value || undefined, zone: undefined })} data-testid="review-camera" aria-label="Camera">
            <option value="">All cameras</option>
            {cameras.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <select value={p.label ?? ''} onChange={(e) => set({ label: e.target.value || undefined })} data-testid="review-label" aria-label="Object">
            <option value="">All objects</option>
            {OBJECT_LABELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
          <select value={p.zone ?? ''} onChange={(e) => set({ zone: e.target.value || undefined })} data-testid="review-zone" aria-label="Zone">
            <option value="">Any zone</option>
            {zoneNames.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
          <select value={range[0]} onChange={(e) => set({ range: e.target.value })} data-testid="review-range" aria-label="Time">
            {RANGES.map(([k, l]) => (
              <option key={k} value={k}>
                {l}
              </option>
            ))}
          </select>
          <label className="small">
            <input type="checkbox" checked={unreviewed} onChange={() => set({ unreviewed: unreviewed ? undefined : '1' })} data-testid="review-unreviewed" /> not reviewed <kbd>u</kbd>
          </label>
        </div>
      </div>
      <div className="review-body">
        <div className="review-list" ref={rowsRef} tabIndex={0} role="listbox" aria-label={`${TABS.find((t) => t.key === kind)!.label}: objects`} data-testid="review-list" data-count={items.length}>
          {items.map((it, i) => {
            const cam = byId(it.cameraId);
            return (
              <div
                key={it.id}
                role="option"
                aria-selected={i === index}
                className={`review-row${i === index ? ' current' : ''}${it.reviewed ? ' reviewed' : ''}`}
                data-testid="review-row"
                data-index={i}
                data-event={it.id}
                data-alert={it.alert}
                data-reviewed={!!it.reviewed}
                onClick={() => setIndex(i)}
                onDoubleClick={() => open(it)}
              >
                <SnapshotThumb id={it.id} has={it.snapshot} label={it.label} />
                <div className="review-main">
                  <div>
                    <b>{it.label}</b> <span className="muted">#{it.trackId} · {Math.round(it.score * 100)} %</span>
                    {it.alert && <span className="badge alert">alert</span>}
                    {it.reviewed && <span className="badge">reviewed</span>}
                    {it.face && (
                      <span className={`badge${it.face.name ? ' face-match' : ''}`} data-testid="review-face" title={it.face.distance !== null ? `distance ${it.face.distance.toFixed(2)}` : (it.face.reason ?? '')}>
                        {it.face.name ?? 'unknown face'}
                      </span>
                    )}
                  </div>
                  <div className="muted small">
                    {cam?.name ?? it.cameraId} · {formatDateTime(it.start, tz)}
                    {it.end ? ` · ${formatDurationMs(Date.parse(it.end) - Date.parse(it.start), 'compact')}` : ' · still there'}
                    {it.zones.length > 0 && ` · ${it.zones.map((z) => z.name).join(', ')}`}
                  </div>
                </div>
              </div>
            );
          })}
          {!list.loading && !items.length && (
            <div className="empty muted" data-testid="review-empty">
              {kind === 'alerts' ? 'No alerts: no alarm was raised for an object in this range.' : 'No objects in this range.'} Detection is set up per camera under
              Cameras → a camera → Detection.
            </div>
          )}
          <FormError error={list.error} />
        </div>
        {cur && (
          <aside className="review-detail" tabIndex={0} aria-label="The selected object" data-testid="review-detail" data-event={cur.id}>
            <SnapshotThumb key={cur.id} id={cur.id} has={cur.snapshot} label={cur.label} large />
            <dl className="kv">
              <div>
                <dt>Object</dt>
                <dd>
                  {cur.label} #{cur.trackId}, best score {Math.round(cur.score * 100)} %
                </dd>
              </div>
              <div>
                <dt>Camera</dt>
                <dd>{byId(cur.cameraId)?.name ?? cur.cameraId}</dd>
              </div>
              <div>
                <dt>Seen</dt>
                <dd>
                  {formatDateTime(cur.start, tz)} – {cur.end ? formatDateTime(cur.end, tz) : 'now'}
                </dd>
              </div>
              <div>
                <dt>Zones</dt>
                <dd>{cur.zones.length ? cur.zones.map((z) => z.name).join(', ') : '–'}</dd>
              </div>
              {cur.face && (
                <div>
                  <dt>Face</dt>
                  <dd data-testid="review-detail-face">
                    {cur.face.name ? `${cur.face.name} (distance ${cur.face.distance?.toFixed(2) ?? '?'})` : `unknown (${cur.face.reason ?? 'no match'})`}, quality {cur.face.quality.toFixed(2)}
                  </dd>
                </div>
              )}
              <div>
                <dt>Alarms</dt>
                <dd>{cur.alarmIds.length ? cur.alarmIds.map((a) => `#${a}`).join(', ') : 'none (a detection)'}</dd>
              </div>
              <div>
                <dt>Reviewed</dt>
                <dd data-testid="review-reviewed">{cur.reviewed ? `by ${cur.reviewed.by}, ${formatDateTime(cur.reviewed.at, tz)}` : 'not yet'}</dd>
              </div>
            </dl>
            <div className="form-actions">
              <button type="button" className="btn primary" onClick={() => open(cur)} data-testid="review-play">
                Play <kbd>Enter</kbd>
              </button>
              <button type="button" className="btn" onClick={() => void toggleReviewed(cur)} data-testid="review-mark">
                {cur.reviewed ? 'Not reviewed' : 'Reviewed'} <kbd>r</kbd>
              </button>
              {isAdmin && cur.face?.cropId && (
                <button type="button" className="btn" onClick={() => setEnrolling(true)} data-testid="review-enrol-face" title="Add this face to a person's enrolled faces">
                  Enrol face <kbd>e</kbd>
                </button>
              )}
            </div>
          </aside>
        )}
        {enrolling && cur?.face?.cropId && (
          <EnrolFromEventDialog
            eventId={cur.id}
            cropId={cur.face.cropId}
            caption={`${cur.label} #${cur.trackId} on ${byId(cur.cameraId)?.name ?? cur.cameraId}, ${formatDateTime(cur.start, tz)}`}
            personId={cur.face.personId}
            onClose={() => setEnrolling(false)}
          />
        )}
      </div>
    </div>
  );
}
