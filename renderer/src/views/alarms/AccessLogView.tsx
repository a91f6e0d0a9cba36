import { useState } from 'react';
import { useEvent } from '../../api/context.js';
import { useCameras } from '../../state/cameras.js';
import { navigate } from '../../state/route.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { isoOf } from './alarm-queue.js';
import { usePagedList } from './usePagedList.js';
import { AccessExportButton } from '../evidence/ExportActions.js';


/** The entry/exit log from access control: by badge, door and time, linked to the door camera's footage. */
export function AccessLogView() {
  const tz = useTimeZone();
  const { byId } = useCameras();
  const [form, setForm] = useState({ badge: '', door: '', from: '', to: '', result: '' });
  const params = {
    ...(form.badge.trim() ? { badge: form.badge.trim() } : {}),
    ...(form.door.trim() ? { door: form.door.trim() } : {}),
    ...(isoOf(form.from) ? { from: isoOf(form.from) } : {}),
    ...(isoOf(form.to) ? { to: isoOf(form.to) } : {}),
    ...(form.result ? { granted: form.result === 'granted' } : {}),
  };
  const { items, cursor, error, load } = usePagedList('access.search', params);
  useEvent('access.entry', () => {
    if (!cursor || items.length < 100) load(null);
  });

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <div className="access-log" data-testid="access-log">
      <form className="ah-filters" onSubmit={(e) => e.preventDefault()} aria-label="Search the access log">
        <label>
          Badge <input value={form.badge} onChange={set('badge')} size={12} data-testid="al-badge" />
        </label>
        <label>
          Door <input value={form.door} onChange={set('door')} size={12} data-testid="al-door" />
        </label>
        <label>
          From <input type="datetime-local" value={form.from} onChange={set('from')} />
        </label>
        <label>
          To <input type="datetime-local" value={form.to} onChange={set('to')} />
        </label>
        <label>
          Result
          <select value={form.result} onChange={set('result')}>
            <option value="">any</option>
            <option value="granted">granted</option>
            <option value="denied">denied</option>
          </select>
        </label>
      </form>
      {error && <div className="notice notice-error">{error}</div>}
      <div className="table-wrap">
        <table className="grid">
          <thead>
            <tr>
              <th>Time ({tz})</th>
              <th>Door</th>
              <th>Badge</th>
              <th>Person</th>
              <th>Result</th>
              <th>Direction</th>
              <th>Footage</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id} data-testid="access-row">
                <td>{formatDateTime(e.time, tz)}</td>
                <td>{e.door}</td>
                <td>
                  <code>{e.badge}</code>
                </td>
                <td>{e.person ?? '–'}</td>
                <td className={e.granted ? '' : 'text-bad'}>
                  {e.granted ? 'granted' : 'denied'}
                  {e.reason ? ` (${e.reason})` : ''}
                  {e.alarmId ? ` · alarm #${e.alarmId}` : ''}
                </td>
                <td>{e.direction ?? '–'}</td>
                <td>
                  {e.media.length === 0 && <span className="muted">no camera mapped to this door</span>}
                  {e.media.map((m) => (
                    <button key={m.cameraId} type="button" className="btn small ghost" onClick={() => navigate('playback', { camera: m.cameraId, t: m.from })}>
                      {byId(m.cameraId)?.name ?? m.cameraId}
                    </button>
                  ))}
                  <AccessExportButton entry={e} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!items.length && !error && <div className="empty">No badge reads match.</div>}
      </div>
      {cursor && (
        <button type="button" className="btn small" onClick={() => load(cursor)}>
          Load older
        </button>
      )}
    </div>
  );
}
