import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ALARM_STATES, ALARM_TYPES, ALARM_TYPE_LABELS, type Alarm, type HistoryFilter } from '../../../../main/api/alarms.js';
import { PRIORITY_STYLES } from './priority-style.js';
import { useClient } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useCameras } from '../../state/cameras.js';
import { useNow } from '../../state/now.js';
import { useTimeZone } from '../../state/settings.js';
import { browserTimeZone, formatDateTime } from '../../time/index.js';
import { isoOf, STATE_TEXT } from './alarm-queue.js';
import { AlarmDetail } from './AlarmDetail.js';

const ROW = 28;
const PAGE = 200;


/**
 * Alarm history: filter by time, camera, type, state, priority, user and
 * text; pages come from the server with keyset cursors as you scroll, and
 * only the rows on screen are rendered, so 100,000 alarms scroll smoothly.
 */
export function HistoryView({ active = true }: { active?: boolean }) {
  const client = useClient();
  const { cameras, byId } = useCameras();
  const tz = useTimeZone();
  const now = useNow(5000);
  const [form, setForm] = useState({ from: '', to: '', cameraId: '', type: '', state: '', priority: '', user: '', text: '' });
  const [items, setItems] = useState<Alarm[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [index, setIndex] = useState(0);
  const [open, setOpen] = useState<Alarm | null>(null);
  const gen = useRef(0);
  const scrollRef = useRef<HTMLDivElement>(null);

  const filter: HistoryFilter = {};
  if (isoOf(form.from)) filter.from = isoOf(form.from);
  if (isoOf(form.to)) filter.to = isoOf(form.to);
  if (form.cameraId) filter.cameraId = form.cameraId;
  if (form.type) filter.type = form.type as HistoryFilter['type'];
  if (form.state) filter.state = form.state as HistoryFilter['state'];
  if (form.priority) filter.priority = Number(form.priority) as HistoryFilter['priority'];
  if (form.user.trim()) filter.user = form.user.trim();
  if (form.text.trim()) filter.text = form.text.trim();
  const key = JSON.stringify(filter);

  const loadMore = useCallback(
    (reset: boolean) => {
      const g = reset ? ++gen.current : gen.current;
      setLoading(true);
      client.call('alarms.history', { filter: JSON.parse(key) as HistoryFilter, cursor: reset ? null : cursor, limit: PAGE }).then(
        (page) => {
          if (g !== gen.current) return;
          setItems((prev) => (reset ? page.items : [...prev, ...page.items]));
          setCursor(page.nextCursor);
          setDone(!page.nextCursor);
          setError(null);
          setLoading(false);
        },
        (err: Error) => {
          if (g !== gen.current) return;
          setError(err.message);
          setLoading(false);
        },
      );
    },
    [client, key, cursor],
  );

  // new filter: start over (debounced while typing)
  useEffect(() => {
    const t = setTimeout(() => {
      setItems([]);
      setCursor(null);
      setDone(false);
      setIndex(0);
      loadMore(true);
    }, 250);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const count = items.length + (done ? 0 : 1);
  const virt = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 20 });
  const vItems = virt.getVirtualItems();
  const lastVisible = vItems[vItems.length - 1]?.index ?? 0;
  useEffect(() => {
    if (!done && !loading && !error && lastVisible >= items.length - 40) loadMore(false);
  }, [lastVisible, items.length, done, loading, error, loadMore]);

  const move = (d: number) => {
    if (!items.length) return;
    const n = Math.max(0, Math.min(items.length - 1, index + d));
    setIndex(n);
    virt.scrollToIndex(n, { align: 'auto' });
  };
  useShortcuts(
    'Alarm history',
    [
      { keys: ['j', 'down'], description: 'Next alarm', run: () => move(1) },
      { keys: ['k', 'up'], description: 'Previous alarm', run: () => move(-1) },
      { keys: 'pagedown', description: 'Page down', run: () => move(20) },
      { keys: 'pageup', description: 'Page up', run: () => move(-20) },
      { keys: 'enter', description: 'Show the alarm', run: () => (items[index] ? setOpen(items[index]!) : false) },
      { keys: 'esc', description: 'Close the alarm', run: () => (open ? setOpen(null) : false), enabled: !!open },
    ],
    { active },
  );

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <div className={`alarm-history${open ? ' with-detail' : ''}`} data-testid="alarm-history">
      <form className="ah-filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter alarms">
        <label>
          From <input type="datetime-local" value={form.from} onChange={set('from')} data-testid="ah-from" />
        </label>
        <label>
          To <input type="datetime-local" value={form.to} onChange={set('to')} data-testid="ah-to" />
        </label>
        <label>
          Camera
          <select value={form.cameraId} onChange={set('cameraId')} data-testid="ah-camera">
            <option value="">any</option>
            {cameras.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select value={form.type} onChange={set('type')} data-testid="ah-type">
            <option value="">any</option>
            {ALARM_TYPES.map((t) => (
              <option key={t} value={t}>
                {ALARM_TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          State
          <select value={form.state} onChange={set('state')} data-testid="ah-state">
            <option value="">any</option>
            <option value="open">open</option>
            {ALARM_STATES.map((s) => (
              <option key={s} value={s}>
                {STATE_TEXT[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select value={form.priority} onChange={set('priority')} data-testid="ah-priority">
            <option value="">any</option>
            {[1, 2, 3, 4, 5].map((p) => (
              <option key={p} value={p}>
                P{p} {PRIORITY_STYLES[p as 1].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          User <input value={form.user} onChange={set('user')} placeholder="who acted" size={10} data-testid="ah-user" />
        </label>
        <label>
          Text <input value={form.text} onChange={set('text')} placeholder="title or source" size={14} data-testid="ah-text" />
        </label>
        <span className="muted small-print">Times in {browserTimeZone()}</span>
      </form>
      {error && <div className="notice notice-error">{error}</div>}
      <div className="ah-body">
        <div className="ah-table" role="grid" aria-rowcount={done ? items.length : -1}>
          <div className="ah-row ah-headrow" role="row">
            <span role="columnheader">P</span>
            <span role="columnheader">Raised ({tz})</span>
            <span role="columnheader">State</span>
            <span role="columnheader">Type</span>
            <span role="columnheader">Title</span>
            <span role="columnheader">Cameras</span>
            <span role="columnheader">Count</span>
            <span role="columnheader">By</span>
          </div>
          <div className="ah-scroll" ref={scrollRef} data-testid="ah-scroll">
            <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
              {vItems.map((v) => {
                const a = items[v.index];
                return (
                  <div
                    key={v.key}
                    className={`ah-row${v.index === index ? ' active' : ''}`}
                    role="row"
                    data-testid={a ? 'ah-item' : 'ah-loading'}
                    style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${v.start}px)` }}
                    onClick={() => {
                      setIndex(v.index);
                      if (a) setOpen(a);
                    }}
                  >
                    {a ? (
                      <>
                        <span role="gridcell" style={{ color: PRIORITY_STYLES[a.priority].color }}>P{a.priority}</span>
                        <span role="gridcell">{formatDateTime(a.createdAt, tz)}</span>
                        <span role="gridcell" className={`alarm-state st-${a.state}`}>{STATE_TEXT[a.state]}</span>
                        <span role="gridcell">{ALARM_TYPE_LABELS[a.type]}</span>
                        <span role="gridcell" className="ah-title">{a.title}</span>
                        <span role="gridcell" className="ah-cams" title={a.cameraIds.join(', ')}>
                          {a.cameraIds.map((id) => byId(id)?.name ?? id).join(', ') || '–'}
                        </span>
                        <span role="gridcell">{a.count > 1 ? `×${a.count}` : ''}</span>
                        <span role="gridcell">{a.claimedBy ?? ''}</span>
                      </>
                    ) : (
                      <span role="gridcell" className="muted">Loading…</span>
                    )}
                  </div>
                );
              })}
            </div>
          </div>
          <div className="ah-foot muted small-print" data-testid="ah-count">
            {items.length.toLocaleString()} alarm(s){done ? '' : ' so far; more load as you scroll'}
          </div>
        </div>
        {open && (
          <div className="ah-detail">
            <AlarmDetail alarm={open} now={now} timeZone={tz} mediaMode="replay" expanded={false} />
          </div>
        )}
      </div>
    </div>
  );
}
