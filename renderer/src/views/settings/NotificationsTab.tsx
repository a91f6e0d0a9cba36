import { useEffect, useState } from 'react';
import type { Priority } from '../../../../main/api/alarms.js';
import type { PushSubscriptionInfo } from '../../../../main/api/notify.js';
import { useClient, useConnection, useQuery } from '../../api/context.js';
import { useRovingList } from '../../keyboard/focus.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { browserLabel, currentSubscription, pushSupport, subscribeThisBrowser } from '../../notify/push-client.js';
import { useCameras } from '../../state/cameras.js';
import { useSettings } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { Field } from '../../ui/Field.js';
import { FormError } from '../../ui/FormFooter.js';
import { Notice } from '../../ui/Notice.js';
import { useToast } from '../../ui/toast.js';
import { RowButton } from '../../ui/RowButton.js';
import { PRIORITY_STYLES } from '../alarms/priority-style.js';
import { cameraFilterText, PushCamerasDialog } from './PushCamerasDialog.js';

const LEVELS: Priority[] = [1, 2, 3, 4, 5];

export function PriorityPicker({
  value,
  onChange,
  testId,
  label,
}: {
  value: number[];
  onChange: (v: Priority[]) => void;
  testId: string;
  label: string;
}) {
  return (
    <span className="prio-picker" role="group" aria-label={label} data-testid={testId}>
      {LEVELS.map((p) => (
        <label key={p} className="check" title={PRIORITY_STYLES[p].label}>
          <input
            type="checkbox"
            checked={value.includes(p)}
            onChange={(e) => onChange((e.target.checked ? [...value, p] : value.filter((x) => x !== p)).sort() as Priority[])}
            data-testid={`${testId}-${p}`}
          />
          P{p}
        </label>
      ))}
    </span>
  );
}

/**
 * Notifications (every user): subscribe this browser or phone to Web Push for
 * alarms of chosen priorities, and see, test and revoke your subscriptions,
 * and choose per device the cameras whose alarms it gets (an admin sees and
 * changes everyone's with A).
 */
export function NotificationsTab() {
  const client = useClient();
  const { user } = useConnection();
  const { timeZone } = useSettings();
  const toast = useToast();
  const isAdmin = user?.role === 'admin';
  const [all, setAll] = useState(false);
  const q = useQuery('push.list', { all: isAdmin && all }, { events: ['notify.changed'] });
  const subs = q.data ?? [];
  const roving = useRovingList(subs.length);
  const current = subs[roving.index];
  const support = pushSupport();
  const [label, setLabel] = useState(() => browserLabel());
  const [priorities, setPriorities] = useState<Priority[]>([1, 2]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [here, setHere] = useState<string | null>(null);
  const [camerasOf, setCamerasOf] = useState<PushSubscriptionInfo | null>(null);
  const { cameras } = useCameras();
  const cameraNames = new Map(cameras.map((c) => [c.id, c.name]));

  useEffect(() => {
    let alive = true;
    currentSubscription().then(
      (s) => alive && setHere(s?.endpoint ? new URL(s.endpoint).origin : null),
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [q.data]);

  const subscribe = async () => {
    setBusy(true);
    setError(null);
    try {
      const s = await subscribeThisBrowser(client, { label: label.trim() || browserLabel(), priorities, cameraIds: null });
      toast(`Push on for ${s.label}: P${s.priorities.join(', P') || ' none'} alarms`);
      q.reload();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const act = async (what: 'test' | 'remove', s: PushSubscriptionInfo) => {
    setError(null);
    try {
      if (what === 'test') {
        await client.call('push.test', { id: s.id });
        toast(`Test push sent to ${s.label}`);
      } else {
        await client.call('push.remove', { id: s.id });
        toast(`${s.label} no longer gets push notices`);
        q.reload();
      }
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const setPrio = async (s: PushSubscriptionInfo, p: Priority[]) => {
    try {
      await client.call('push.update', { id: s.id, priorities: p });
      q.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  useShortcuts('Notifications', [
    { keys: ['j', 'down'], description: 'Next subscription', run: () => roving.move(1) },
    { keys: ['k', 'up'], description: 'Previous subscription', run: () => roving.move(-1) },
    { keys: 's', description: 'Subscribe this browser to push', run: () => (support.ok && !busy ? void subscribe() : false) },
    { keys: 't', description: 'Send a test push to the selected subscription', run: () => (current ? void act('test', current) : false) },
    { keys: ['x', 'delete'], description: 'Revoke the selected subscription', run: () => (current ? void act('remove', current) : false) },
    {
      keys: 'c',
      description: 'Choose the cameras pushed to the selected subscription',
      run: () => (current ? setCamerasOf(current) : false),
    },
    { keys: 'a', description: 'Everyone’s subscriptions / mine', enabled: isAdmin, run: () => setAll((v) => !v) },
  ]);

  return (
    <div className="notify-tab" data-testid="settings-notifications">
      <section className="form narrow">
        <h2>This browser</h2>
        {support.ok ? (
          <p className="muted">
            Alarms of the priorities you tick are pushed to this browser or phone as they are raised, with the camera, a small snapshot and
            an <b>Acknowledge</b> button. When you are an on-call contact, escalations reach it too.{' '}
            {here ? <span data-testid="push-here">This browser is subscribed ({here}).</span> : 'This browser is not subscribed.'}
          </p>
        ) : (
          <Notice tone="warn" testId="push-unsupported">
            Push cannot work here: {support.reason}.
          </Notice>
        )}
        <Field label="Name of this device" hint="Shown in the list below and in the alarm's history.">
          {(p) => <input {...p} value={label} onChange={(e) => setLabel(e.target.value)} maxLength={80} data-testid="push-label" />}
        </Field>
        <Field label="Push alarms of priority">
          {() => <PriorityPicker value={priorities} onChange={setPriorities} testId="push-priorities" label="Priorities to push" />}
        </Field>
        <div className="form-actions left">
          <button
            type="button"
            className="btn primary"
            disabled={!support.ok || busy}
            onClick={() => void subscribe()}
            data-testid="push-subscribe"
          >
            {busy ? 'Subscribing…' : here ? 'Subscribe again' : 'Subscribe this browser'} <kbd>s</kbd>
          </button>
        </div>
        <FormError error={error} testId="push-error" />
      </section>
      <section>
        <div className="subtoolbar">
          <h2>{all ? 'Everyone’s subscriptions' : 'Your subscriptions'}</h2>
          <span className="spacer" />
          {isAdmin && (
            <button type="button" className="btn ghost small" onClick={() => setAll((v) => !v)} data-testid="push-all">
              {all ? 'Mine only' : 'Everyone’s'} <kbd>a</kbd>
            </button>
          )}
        </div>
        {q.error && !q.data ? (
          <Notice tone="error" onRetry={q.reload}>
            Could not load the subscriptions: {q.error.message}
          </Notice>
        ) : !subs.length ? (
          <p className="muted" data-testid="push-none">
            No subscriptions yet.
          </p>
        ) : (
          <div className="table-wrap">
            <table className="grid" data-testid="push-table">
              <thead>
                <tr>
                  <th>Device</th>
                  {all && <th>User</th>}
                  <th>Push service</th>
                  <th>Priorities</th>
                  <th>Cameras</th>
                  <th>Last delivered</th>
                  <th>Problem</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {subs.map((s, i) => (
                  <tr key={s.id} {...roving.itemProps(i)} data-testid="push-row" data-id={s.id}>
                    <td>{s.label}</td>
                    {all && <td>{s.username}</td>}
                    <td className="muted">{new URL(s.service).host}</td>
                    <td>
                      <PriorityPicker
                        value={s.priorities}
                        onChange={(p) => void setPrio(s, p)}
                        testId={`push-row-prio-${s.id}`}
                        label={`Priorities pushed to ${s.label}`}
                      />
                    </td>
                    <td className="small" data-testid="push-row-cameras">
                      <span className={s.cameraIds ? '' : 'muted'}>{cameraFilterText(s.cameraIds, cameraNames)}</span>{' '}
                      <RowButton
                        tabIndex={i === roving.index ? 0 : -1}
                        onClick={() => setCamerasOf(s)}
                        aria-label={`Choose the cameras pushed to ${s.label}`}
                        data-testid="push-cameras"
                      >
                        Cameras…
                      </RowButton>
                    </td>
                    <td>{s.lastOkAt ? formatDateTime(s.lastOkAt, timeZone) : <span className="muted">never</span>}</td>
                    <td className={s.failures ? 'text-bad' : 'muted'}>
                      {s.lastError ? `${s.lastError}${s.failures > 1 ? ` (${s.failures}×)` : ''}` : '–'}
                    </td>
                    <td className="c-act">
                      <RowButton tabIndex={i === roving.index ? 0 : -1} onClick={() => void act('test', s)} data-testid="push-test">
                        Test
                      </RowButton>
                      <RowButton tabIndex={i === roving.index ? 0 : -1} onClick={() => void act('remove', s)} data-testid="push-remove">
                        Revoke
                      </RowButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {camerasOf && (
          <PushCamerasDialog
            sub={camerasOf}
            onClose={() => setCamerasOf(null)}
            onDone={(text) => (setCamerasOf(null), toast(`${camerasOf.label}: ${text}`), q.reload())}
          />
        )}
        <p className="muted small-print">
          A notice leaves the site through the browser maker’s push service, end-to-end encrypted; it carries the alarm’s title, camera and
          a small snapshot (docs/privacy.md). A push service that says a subscription is gone removes it here.
        </p>
      </section>
    </div>
  );
}
