/**
 * The alarm setup that used to live only in config.json: doors and sensors
 * mapped to cameras, inbound webhooks (the token is shown once), the MQTT
 * broker, outbound notice URLs, and the procedure (SOP) of each alarm type.
 * Admins change it (each change audited); supervisors read it.
 */
import { useEffect, useState } from 'react';
import { NOTICE_EVENTS, type AlarmType, type NoticeEvent } from '../../../../main/api/alarms.js';
import type { AlarmSetupView } from '../../../../main/api/rules.js';
import { useClient, useQuery } from '../../api/context.js';
import { useCameras } from '../../state/cameras.js';
import { FormError } from '../../ui/FormFooter.js';
import { Notice } from '../../ui/Notice.js';
import { useToast } from '../../ui/toast.js';
import { RowButton } from '../../ui/RowButton.js';
import { toggle } from './rule-form.js';

type Mapping = { id: string; name: string; zone: string; cameraIds: string[] };
const EMPTY: Mapping = { id: '', name: '', zone: '', cameraIds: [] };

function MappingSection({
  kind,
  rows,
  isAdmin,
  onSet,
  onRemove,
}: {
  kind: 'door' | 'sensor';
  rows: Mapping[];
  isAdmin: boolean;
  onSet: (m: Mapping) => Promise<unknown>;
  onRemove: (id: string) => Promise<unknown>;
}) {
  const { cameras } = useCameras();
  const [form, setForm] = useState<Mapping>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const name = (id: string) => cameras.find((c) => c.id === id)?.name ?? id;
  const save = () =>
    onSet(form).then(
      () => {
        setForm(EMPTY);
        setError(null);
      },
      (e: Error) => setError(e.message.replace(/^alarmSetup\.[a-zA-Z]+: /, '')),
    );
  return (
    <section className="form-section" data-testid={`setup-${kind}s`}>
      <h3>{kind === 'door' ? 'Doors → cameras' : 'Sensors → cameras'}</h3>
      <p className="muted">
        {kind === 'door'
          ? 'A door is the "door" of badge messages, or the id of a door sensor. Its alarms and access-log rows link these cameras.'
          : 'A sensor is the id it publishes under (gatehouse/sensors/<id>). Its alarms link these cameras.'}
      </p>
      <table className="grid compact">
        <thead>
          <tr>
            <th>{kind === 'door' ? 'Door' : 'Sensor'}</th>
            <th>Name</th>
            <th>Zone</th>
            <th>Cameras</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid={`setup-${kind}-row`} data-id={r.id}>
              <td>{r.id}</td>
              <td>{r.name || '–'}</td>
              <td>{r.zone || '–'}</td>
              <td>{r.cameraIds.map(name).join(', ') || '–'}</td>
              <td className="c-act">
                {isAdmin && (
                  <>
                    <button type="button" className="btn ghost small" onClick={() => setForm(r)}>
                      Edit
                    </button>
                    <button type="button" className="btn ghost small" onClick={() => void onRemove(r.id)}>
                      Remove
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
          {!rows.length && (
            <tr>
              <td colSpan={5} className="muted">
                None yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {isAdmin && (
        <div className="rule-row setup-add">
          <input
            placeholder={kind === 'door' ? 'door (e.g. front)' : 'sensor id (e.g. pir-yard)'}
            aria-label={kind === 'door' ? 'Door' : 'Sensor id'}
            value={form.id}
            onChange={(e) => setForm({ ...form, id: e.target.value })}
            data-testid={`setup-${kind}-id`}
          />
          <input placeholder="name" aria-label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          <input placeholder="zone" aria-label="Zone" value={form.zone} onChange={(e) => setForm({ ...form, zone: e.target.value })} />
          <div className="rule-checks" role="group" aria-label="Cameras">
            {cameras.map((c) => (
              <label key={c.id} className="rule-check">
                <input
                  type="checkbox"
                  checked={form.cameraIds.includes(c.id)}
                  onChange={(e) => setForm({ ...form, cameraIds: toggle(form.cameraIds, c.id, e.target.checked) })}
                  data-testid={`setup-${kind}-cam-${c.id}`}
                />
                {c.name}
              </label>
            ))}
          </div>
          <button
            type="button"
            className="btn small primary"
            disabled={!form.id.trim()}
            onClick={() => void save()}
            data-testid={`setup-${kind}-save`}
          >
            Save {kind}
          </button>
        </div>
      )}
      <FormError error={error} />
    </section>
  );
}

export function SetupTab({ isAdmin }: { isAdmin: boolean }) {
  const client = useClient();
  const toast = useToast();
  const q = useQuery('alarmSetup.get', {}, { events: ['integrations.status'] });
  const [view, setView] = useState<AlarmSetupView | null>(null);
  const [token, setToken] = useState<{ name: string; token: string; scopes: string[] } | null>(null);
  const [hook, setHook] = useState({ name: '', sensors: true, arming: false });
  const [mqttUrl, setMqttUrl] = useState('');
  const [mqttUser, setMqttUser] = useState('');
  const [mqttPass, setMqttPass] = useState('');
  const [notice, setNotice] = useState({ url: '', events: ['escalated'] as NoticeEvent[], token: '' });
  const [sopType, setSopType] = useState<AlarmType>('detection.zone');
  const [sop, setSop] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (q.data) setView(q.data);
  }, [q.data]);
  useEffect(() => {
    if (view) setMqttUrl(view.mqtt.url ?? '');
  }, [view?.mqtt.url]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (view) setSop(view.sops.find((s) => s.type === sopType)?.sop ?? '');
  }, [view, sopType]);

  const run = (p: Promise<AlarmSetupView>, done?: string) =>
    p.then(
      (v) => {
        setView(v);
        setError(null);
        if (done) toast(done, 'info');
      },
      (e: Error) => {
        setError(e.message.replace(/^alarmSetup\.[a-zA-Z]+: /, ''));
        throw e;
      },
    );

  if (q.error)
    return (
      <Notice tone="error" onRetry={q.reload}>
        {q.error.message}
      </Notice>
    );
  if (!view) return null;
  const sopRow = view.sops.find((s) => s.type === sopType)!;

  return (
    <div className="setup-tab" data-testid="setup-tab">
      <FormError error={error} testId="setup-error" />
      <MappingSection
        kind="door"
        isAdmin={isAdmin}
        rows={view.doors.map((d) => ({ id: d.door, name: d.name ?? '', zone: d.zone ?? '', cameraIds: d.cameraIds }))}
        onSet={(m) =>
          run(
            client.call('alarmSetup.setDoor', { door: m.id.trim(), name: m.name || null, zone: m.zone || null, cameraIds: m.cameraIds }),
            `Door ${m.id} saved`,
          )
        }
        onRemove={(id) => run(client.call('alarmSetup.removeDoor', { door: id }))}
      />
      <MappingSection
        kind="sensor"
        isAdmin={isAdmin}
        rows={view.sensors.map((d) => ({ id: d.id, name: d.name ?? '', zone: d.zone ?? '', cameraIds: d.cameraIds }))}
        onSet={(m) =>
          run(
            client.call('alarmSetup.setSensor', { id: m.id.trim(), name: m.name || null, zone: m.zone || null, cameraIds: m.cameraIds }),
            `Sensor ${m.id} saved`,
          )
        }
        onRemove={(id) => run(client.call('alarmSetup.removeSensor', { id }))}
      />

      <section className="form-section" data-testid="setup-webhooks">
        <h3>Inbound webhooks</h3>
        <p className="muted">
          Each integration has its own bearer token: <code>POST /api/webhook/sensors</code> for sensor messages,{' '}
          <code>POST /api/webhook/arming</code> {'{"mode": "Night"}'} to switch the arming mode. Only a hash of the token is kept: it is
          shown once.
        </p>
        <table className="grid compact">
          <thead>
            <tr>
              <th>Name</th>
              <th>Id</th>
              <th>May</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {view.webhooks.map((w) => (
              <tr key={w.id} data-testid="setup-webhook-row">
                <td>{w.name}</td>
                <td>{w.id}</td>
                <td>{w.scopes.map((s) => (s === 'sensors' ? 'post sensor messages' : 'switch the arming mode')).join(', ')}</td>
                <td>{w.createdAt.slice(0, 10)}</td>
                <td className="c-act">
                  {isAdmin && (
                    <RowButton onClick={() => void client.call('integrations.removeWebhook', { id: w.id }).then(() => q.reload())}>
                      Remove
                    </RowButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {token && (
          <Notice tone="ok" testId="setup-webhook-token">
            Token of “{token.name}” (shown once; copy it now): <code>{token.token}</code>
          </Notice>
        )}
        {isAdmin && (
          <div className="rule-row setup-add">
            <input
              placeholder="name (e.g. Access control)"
              aria-label="Webhook name"
              value={hook.name}
              onChange={(e) => setHook({ ...hook, name: e.target.value })}
              data-testid="setup-webhook-name"
            />
            <label className="rule-check">
              <input type="checkbox" checked={hook.sensors} onChange={(e) => setHook({ ...hook, sensors: e.target.checked })} />
              sensor messages
            </label>
            <label className="rule-check">
              <input
                type="checkbox"
                checked={hook.arming}
                onChange={(e) => setHook({ ...hook, arming: e.target.checked })}
                data-testid="setup-webhook-arming"
              />
              arming
            </label>
            <button
              type="button"
              className="btn small primary"
              disabled={!hook.name.trim() || (!hook.sensors && !hook.arming)}
              onClick={() =>
                void client
                  .call('integrations.addWebhook', {
                    name: hook.name.trim(),
                    scopes: [...(hook.sensors ? ['sensors' as const] : []), ...(hook.arming ? ['arming' as const] : [])],
                  })
                  .then(
                    (w) => {
                      setToken({ name: w.name, token: w.token, scopes: w.scopes });
                      setHook({ name: '', sensors: true, arming: false });
                      q.reload();
                    },
                    (e: Error) => setError(e.message),
                  )
              }
              data-testid="setup-webhook-add"
            >
              Create
            </button>
          </div>
        )}
      </section>

      <section className="form-section" data-testid="setup-mqtt">
        <h3>MQTT broker</h3>
        {view.mqtt.overridden && (
          <Notice tone="warn">The server was started with --mqtt {view.mqtt.overridden}: that broker is used, not the one below.</Notice>
        )}
        <div className="rule-row">
          <input
            className="setup-wide"
            placeholder="mqtt://127.0.0.1:1883 (empty: no broker)"
            aria-label="Broker URL"
            value={mqttUrl}
            disabled={!isAdmin}
            onChange={(e) => setMqttUrl(e.target.value)}
            data-testid="setup-mqtt-url"
          />
          {isAdmin && (
            <>
              <input
                placeholder={view.mqtt.hasCredentials ? 'user (kept)' : 'user (optional)'}
                aria-label="Broker user"
                autoComplete="off"
                value={mqttUser}
                onChange={(e) => setMqttUser(e.target.value)}
              />
              <input
                type="password"
                placeholder={view.mqtt.hasCredentials ? 'password (kept)' : 'password (optional)'}
                aria-label="Broker password"
                autoComplete="new-password"
                value={mqttPass}
                onChange={(e) => setMqttPass(e.target.value)}
              />
              <button
                type="button"
                className="btn small primary"
                onClick={() =>
                  void run(
                    client.call('alarmSetup.setMqtt', {
                      url: mqttUrl.trim() || null,
                      ...(mqttUser || mqttPass ? { username: mqttUser || null, password: mqttPass || null } : {}),
                    }),
                    'Broker saved; connecting within a second',
                  ).then(
                    () => {
                      setMqttUser('');
                      setMqttPass('');
                    },
                    () => undefined,
                  )
                }
                data-testid="setup-mqtt-save"
              >
                Save
              </button>
            </>
          )}
        </div>
        <p className="muted">
          Sensors on <code>{view.mqtt.sensorPrefix}/&lt;sensor-id&gt;</code>, alarms out on <code>{view.mqtt.alarmPrefix}/&lt;id&gt;</code>.
        </p>
      </section>

      <section className="form-section" data-testid="setup-notify">
        <h3>Outbound notices</h3>
        <p className="muted">
          Gatehouse POSTs a JSON notice to each URL for the events it lists (and a rule's “POST to a notice URL” action picks one of them).
        </p>
        <table className="grid compact">
          <thead>
            <tr>
              <th>URL</th>
              <th>Events</th>
              <th>Token</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {view.notify.map((n) => (
              <tr key={n.url} data-testid="setup-notify-row">
                <td>{n.url}</td>
                <td>{n.events.join(', ')}</td>
                <td>{n.hasToken ? 'set' : '–'}</td>
                <td className="c-act">
                  {isAdmin && (
                    <button
                      type="button"
                      className="btn ghost small"
                      onClick={() =>
                        void run(
                          client.call('alarmSetup.setNotify', {
                            targets: view.notify.filter((x) => x.url !== n.url).map((x) => ({ url: x.url, events: x.events })),
                          }),
                        ).catch(() => undefined)
                      }
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {isAdmin && (
          <div className="rule-row setup-add">
            <input
              className="setup-wide"
              placeholder="https://pager.example/hook"
              aria-label="Notice URL"
              value={notice.url}
              onChange={(e) => setNotice({ ...notice, url: e.target.value })}
              data-testid="setup-notify-url"
            />
            {NOTICE_EVENTS.map((ev) => (
              <label key={ev} className="rule-check">
                <input
                  type="checkbox"
                  checked={notice.events.includes(ev)}
                  onChange={(e) => setNotice({ ...notice, events: toggle(notice.events, ev, e.target.checked) })}
                />
                {ev === 'checkpoint' ? 'audit checkpoints' : ev}
              </label>
            ))}
            <input
              placeholder="bearer token (optional)"
              aria-label="Bearer token"
              type="password"
              autoComplete="off"
              value={notice.token}
              onChange={(e) => setNotice({ ...notice, token: e.target.value })}
            />
            <button
              type="button"
              className="btn small primary"
              disabled={!notice.url.trim() || !notice.events.length}
              onClick={() =>
                void run(
                  client.call('alarmSetup.setNotify', {
                    targets: [
                      ...view.notify.filter((x) => x.url !== notice.url.trim()).map((x) => ({ url: x.url, events: x.events })),
                      { url: notice.url.trim(), events: notice.events, token: notice.token || null },
                    ],
                  }),
                  'Notice URL saved',
                ).then(
                  () => setNotice({ url: '', events: ['escalated'], token: '' }),
                  () => undefined,
                )
              }
              data-testid="setup-notify-add"
            >
              Add
            </button>
          </div>
        )}
      </section>

      <section className="form-section" data-testid="setup-sops">
        <h3>Procedures (SOP) per alarm type</h3>
        <div className="rule-row">
          <select
            value={sopType}
            aria-label="Alarm type"
            onChange={(e) => setSopType(e.target.value as AlarmType)}
            data-testid="setup-sop-type"
          >
            {view.sops.map((s) => (
              <option key={s.type} value={s.type}>
                {s.label}
                {s.custom ? ' (site)' : ''}
              </option>
            ))}
          </select>
          <span className="muted">{sopRow.custom ? "this site's procedure" : 'the built-in procedure'}; a rule can give its own</span>
        </div>
        <textarea
          className="setup-sop"
          rows={6}
          value={sop}
          disabled={!isAdmin}
          aria-label="Procedure"
          onChange={(e) => setSop(e.target.value)}
          data-testid="setup-sop"
        />
        {isAdmin && (
          <div className="form-actions left">
            <button
              type="button"
              className="btn small primary"
              onClick={() =>
                void run(client.call('alarmSetup.setSop', { type: sopType, sop: sop.trim() ? sop : null }), 'Procedure saved').catch(
                  () => undefined,
                )
              }
              data-testid="setup-sop-save"
            >
              Save procedure
            </button>
            {sopRow.custom && (
              <button
                type="button"
                className="btn small ghost"
                onClick={() =>
                  void run(client.call('alarmSetup.setSop', { type: sopType, sop: null }), 'Back to the built-in procedure').catch(
                    () => undefined,
                  )
                }
              >
                Back to the built-in
              </button>
            )}
          </div>
        )}
      </section>
      <p className="muted small-print">
        Entry grace after a badge: {view.entryGraceSeconds} s · video linked to alarms: {view.preRollSeconds} s before,{' '}
        {view.postRollSeconds} s after.
      </p>
    </div>
  );
}
