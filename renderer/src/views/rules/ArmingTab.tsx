/**
 * Arming: the mode in force and the switch (guards to the modes marked for
 * them; Shift+M does it from any view), the modes, the schedule and the
 * MQTT topics (admins), and the last switches (who, how, from where).
 */
import { useEffect, useState } from 'react';
import type { ArmingMode, ArmingScheduleEntry } from '../../../../main/api/rules.js';
import { useClient, useConnection, useQuery } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { FormError } from '../../ui/FormFooter.js';
import { Notice } from '../../ui/Notice.js';
import { useToast } from '../../ui/toast.js';
import { RowButton } from '../../ui/RowButton.js';
import { DAY_NAMES, toggle } from './rule-form.js';

export function ArmingTab() {
  const client = useClient();
  const toast = useToast();
  const tz = useTimeZone();
  const { user } = useConnection();
  const isAdmin = user?.role === 'admin';
  const st = useQuery('arming.status', {}, { events: ['arming.changed'] });
  const hist = useQuery('arming.history', { limit: 30 }, { events: ['arming.changed'] });
  const [modes, setModes] = useState<ArmingMode[]>([]);
  const [schedule, setSchedule] = useState<ArmingScheduleEntry[]>([]);
  const [mqtt, setMqtt] = useState({ enabled: true, setTopic: '', stateTopic: '' });
  const [error, setError] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);

  useEffect(() => {
    if (!st.data || dirty) return;
    setModes(st.data.modes);
    setSchedule(st.data.schedule);
    setMqtt(st.data.mqtt);
  }, [st.data, dirty]);

  const switchTo = (id: string) =>
    client.call('arming.set', { mode: id }).then(
      (s) => toast(`Armed: ${s.mode.name}`, 'info'),
      (err: Error) => toast(err.message.replace(/^arming\.set: /, ''), 'error'),
    );
  const save = () =>
    client.call('arming.configure', { modes, schedule, mqtt }).then(
      () => {
        setDirty(false);
        setError(null);
        toast('Arming setup saved', 'info');
      },
      (err: Error & { field?: string }) =>
        setError(`${err.field ? `${err.field}: ` : ''}${err.message.replace(/^arming\.configure: /, '')}`),
    );
  useShortcuts('Arming', [
    { keys: 'ctrl+s', description: 'Save the arming setup', allowInInput: true, enabled: isAdmin && dirty, run: () => void save() },
  ]);

  if (st.error)
    return (
      <Notice tone="error" onRetry={st.reload}>
        {st.error.message}
      </Notice>
    );
  const s = st.data;
  if (!s) return null;
  const change = (f: () => void) => {
    f();
    setDirty(true);
  };
  const setMode = (p: { i: number; m: Partial<ArmingMode> }) =>
    change(() => setModes((ms) => ms.map((m, j) => (j === p.i ? { ...m, ...p.m } : m))));
  const setEntry = (p: { i: number; e: Partial<ArmingScheduleEntry> }) =>
    change(() => setSchedule((es) => es.map((x, j) => (j === p.i ? { ...x, ...p.e } : x))));

  return (
    <div className="arming-tab" data-testid="arming-tab">
      <section className="arming-now">
        <div className="stat">
          <span className="stat-label">Armed</span>
          <span className="stat-value arming-mode" data-testid="arming-current" data-mode={s.mode.id}>
            {s.mode.name}
          </span>
          <span className="stat-sub">
            {s.since ? `since ${formatDateTime(Date.parse(s.since), tz)} by ${s.by} (${s.via})` : 'the initial mode'}
          </span>
          {s.next && (
            <span className="stat-sub">
              next: {s.modes.find((m) => m.id === s.next!.mode)?.name ?? s.next.mode} at {formatDateTime(Date.parse(s.next.at), tz)}
            </span>
          )}
        </div>
        <div className="arming-buttons" role="group" aria-label="Switch the mode">
          {s.modes.map((m) => (
            <button
              key={m.id}
              type="button"
              className={`btn${m.id === s.mode.id ? ' primary' : ''}`}
              disabled={!s.allowed.includes(m.id) || m.id === s.mode.id}
              title={s.allowed.includes(m.id) ? `Switch to ${m.name}` : `${m.name}: a supervisor switches to it`}
              onClick={() => void switchTo(m.id)}
              data-testid={`arming-set-${m.id}`}
            >
              {m.name}
            </button>
          ))}
        </div>
        <p className="muted">
          <kbd>Shift+M</kbd> switches from any view. Over MQTT: publish a mode name to <code>{s.mqtt.setTopic}</code>; the state is on{' '}
          <code>{s.mqtt.stateTopic}</code> (retained). Or POST <code>{'{"mode": "Night"}'}</code> to <code>/api/webhook/arming</code> with a
          webhook token that may arm (Alarm setup).
        </p>
      </section>

      <section className="form-section">
        <h3>Modes</h3>
        <table className="grid compact" data-testid="arming-modes">
          <thead>
            <tr>
              <th>Name</th>
              <th>Id</th>
              <th>Guards may switch to it</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {modes.map((m, i) => (
              <tr key={i}>
                <td>
                  <input
                    value={m.name}
                    disabled={!isAdmin}
                    aria-label="Mode name"
                    onChange={(e) => setMode({ i, m: { name: e.target.value } })}
                  />
                </td>
                <td>
                  <input
                    value={m.id}
                    disabled={!isAdmin || st.data!.modes.some((x) => x.id === m.id)}
                    aria-label="Mode id"
                    onChange={(e) => setMode({ i, m: { id: e.target.value.toLowerCase() } })}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    checked={m.guardSwitchable}
                    disabled={!isAdmin}
                    aria-label={`Guards may switch to ${m.name}`}
                    onChange={(e) => setMode({ i, m: { guardSwitchable: e.target.checked } })}
                  />
                </td>
                <td className="c-act">
                  {isAdmin && (
                    <RowButton onClick={() => change(() => setModes((ms) => ms.filter((_, j) => j !== i)))}>
                      Remove
                    </RowButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {isAdmin && (
          <button
            type="button"
            className="btn small"
            onClick={() =>
              change(() =>
                setModes((ms) => [...ms, { id: `mode-${ms.length + 1}`, name: `Mode ${ms.length + 1}`, guardSwitchable: false }]),
              )
            }
            data-testid="arming-add-mode"
          >
            Add a mode
          </button>
        )}
      </section>

      <section className="form-section">
        <h3>Schedule</h3>
        {!schedule.length && <p className="muted">No scheduled switches: the mode changes only when someone switches it.</p>}
        {schedule.map((e, i) => (
          <div className="rule-row" key={i} data-testid="arming-schedule-entry">
            <select value={e.mode} disabled={!isAdmin} aria-label="Mode" onChange={(ev) => setEntry({ i, e: { mode: ev.target.value } })}>
              {modes.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
            <span>at</span>
            <input
              type="time"
              value={e.at}
              disabled={!isAdmin}
              aria-label="Time"
              onChange={(ev) => setEntry({ i, e: { at: ev.target.value } })}
            />
            <div className="rule-checks" role="group" aria-label="Days">
              {DAY_NAMES.map((n, d) => (
                <label key={d} className="rule-check">
                  <input
                    type="checkbox"
                    disabled={!isAdmin}
                    checked={e.days.includes(d)}
                    onChange={(ev) => setEntry({ i, e: { days: toggle(e.days, d, ev.target.checked).sort() } })}
                  />
                  {n}
                </label>
              ))}
            </div>
            {isAdmin && (
              <RowButton onClick={() => change(() => setSchedule((es) => es.filter((_, j) => j !== i)))}>
                Remove
              </RowButton>
            )}
          </div>
        ))}
        {isAdmin && (
          <button
            type="button"
            className="btn small"
            onClick={() =>
              change(() => setSchedule((es) => [...es, { mode: modes[1]?.id ?? modes[0]!.id, days: [1, 2, 3, 4, 5], at: '22:00' }]))
            }
          >
            Add a scheduled switch
          </button>
        )}
      </section>

      <section className="form-section">
        <h3>MQTT</h3>
        <div className="rule-row">
          <label className="rule-check">
            <input
              type="checkbox"
              checked={mqtt.enabled}
              disabled={!isAdmin}
              onChange={(e) => change(() => setMqtt((m) => ({ ...m, enabled: e.target.checked })))}
            />
            Switch and publish over MQTT
          </label>
          <label className="field">
            <span className="label">Set topic</span>
            <input
              value={mqtt.setTopic}
              disabled={!isAdmin}
              onChange={(e) => change(() => setMqtt((m) => ({ ...m, setTopic: e.target.value })))}
            />
          </label>
          <label className="field">
            <span className="label">State topic (retained)</span>
            <input
              value={mqtt.stateTopic}
              disabled={!isAdmin}
              onChange={(e) => change(() => setMqtt((m) => ({ ...m, stateTopic: e.target.value })))}
            />
          </label>
        </div>
        <FormError error={error} testId="arming-error" />
        {isAdmin && (
          <div className="form-actions left">
            <button type="button" className="btn primary" disabled={!dirty} onClick={() => void save()} data-testid="arming-save">
              Save <kbd>Ctrl+S</kbd>
            </button>
            {dirty && (
              <button type="button" className="btn ghost" onClick={() => setDirty(false)}>
                Undo changes
              </button>
            )}
          </div>
        )}
      </section>

      <section className="form-section">
        <h3>Last switches</h3>
        <table className="grid compact" data-testid="arming-history">
          <thead>
            <tr>
              <th>Time</th>
              <th>From</th>
              <th>To</th>
              <th>By</th>
              <th>How</th>
              <th>From where</th>
            </tr>
          </thead>
          <tbody>
            {(hist.data?.changes ?? []).map((c) => (
              <tr key={c.id}>
                <td>{formatDateTime(Date.parse(c.time), tz)}</td>
                <td>{s.modes.find((m) => m.id === c.previous)?.name ?? c.previous ?? '–'}</td>
                <td>{s.modes.find((m) => m.id === c.mode)?.name ?? c.mode}</td>
                <td>{c.actor}</td>
                <td>{c.via}</td>
                <td>{c.peer ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
