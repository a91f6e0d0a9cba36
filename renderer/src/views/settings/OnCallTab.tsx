import { useState, type FormEvent } from 'react';
import type { Priority } from '../../../../main/api/alarms.js';
import { formatLadder, formatWindow, parseDuty, parseLadder } from '../../../../main/api/notify-text.js';
import type { ContactView, Notice as NoticeRow, SmtpTls } from '../../../../main/api/notify.js';
import { useClient, useConnection, useEvent, useQuery } from '../../api/context.js';
import { useRovingList } from '../../keyboard/focus.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useSettings } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { Dialog } from '../../ui/Dialog.js';
import { Field } from '../../ui/Field.js';
import { Notice } from '../../ui/Notice.js';
import { fieldError } from '../../ui/format.js';
import { FormError, FormFooter } from '../../ui/FormFooter.js';
import { useToast } from '../../ui/toast.js';
import { RowButton } from '../../ui/RowButton.js';
import { PriorityPicker } from './NotificationsTab.js';
import { focusInRotas, RotasSection } from './RotasSection.js';

const channelsOf = (c: ContactView) =>
  [
    c.email && `✉ ${c.email}`,
    c.username && `push ${c.username}`,
    c.mqttTopic && `mqtt ${c.mqttTopic}`,
    c.webhookUrl && `webhook ${new URL(c.webhookUrl).host}`,
  ]
    .filter(Boolean)
    .join(' · ');

/**
 * On call (supervisors see it, admins change it): the contacts and their
 * channels and duty hours, the escalation ladder of each priority, the rotas,
 * the SMTP server (admin), and the latest notices with their outcome.
 */
export function OnCallTab() {
  const client = useClient();
  const { user } = useConnection();
  const isAdmin = user?.role === 'admin';
  const toast = useToast();
  const { timeZone } = useSettings();
  const contacts = useQuery('contacts.list', {}, { events: ['notify.changed'] });
  const oncall = useQuery('oncall.get', {}, { events: ['notify.changed'] });
  const notices = useQuery('notify.history', { limit: 30 }, { events: ['notify.notice'] });
  const list = contacts.data?.contacts ?? [];
  const roving = useRovingList(list.length);
  const current = list[roving.index];
  const [dialog, setDialog] = useState<
    | { kind: 'contact'; contact: ContactView | null }
    | { kind: 'remove'; contact: ContactView }
    | { kind: 'smtp' }
    | { kind: 'ladders' }
    | null
  >(null);
  const [error, setError] = useState<string | null>(null);

  const test = async (c: ContactView) => {
    setError(null);
    try {
      const sent = await client.call('contacts.test', { id: c.id });
      toast(`Test notice to ${c.name}: ${sent.map((n) => n.channel).join(', ')} queued; see "Latest notices"`);
      notices.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  // in the rotas table, j/k/e/Delete are its own (RotasSection)
  const contactKey = (fn: () => unknown) => () => (focusInRotas() ? false : void fn());
  useShortcuts('On call', [
    { keys: ['j', 'down'], description: 'Next contact', run: contactKey(() => roving.move(1)) },
    { keys: ['k', 'up'], description: 'Previous contact', run: contactKey(() => roving.move(-1)) },
    { keys: 't', description: 'Send a test notice to the selected contact', run: () => (current ? void test(current) : false) },
    { keys: 'n', description: 'Add a contact', enabled: isAdmin, run: () => setDialog({ kind: 'contact', contact: null }) },
    {
      keys: 'e',
      description: 'Edit the selected contact',
      enabled: isAdmin,
      run: () => (current && !focusInRotas() ? setDialog({ kind: 'contact', contact: current }) : false),
    },
    {
      keys: 'delete',
      description: 'Remove the selected contact',
      enabled: isAdmin,
      run: () => (current && !focusInRotas() ? setDialog({ kind: 'remove', contact: current }) : false),
    },
    { keys: 'l', description: 'Edit the escalation ladders', enabled: isAdmin, run: () => setDialog({ kind: 'ladders' }) },
    { keys: 'm', description: 'SMTP server (e-mail)', enabled: isAdmin, run: () => setDialog({ kind: 'smtp' }) },
  ]);

  if (contacts.error && !contacts.data)
    return (
      <Notice tone="error" onRetry={contacts.reload} testId="oncall-error">
        Could not load the contacts: {contacts.error.message}
      </Notice>
    );
  return (
    <div className="oncall-tab" data-testid="settings-oncall">
      <div className="subtoolbar">
        <h2>Contacts</h2>
        <span className="muted">
          {list.length} · {list.filter((c) => c.onDuty).length} on duty now ({contacts.data?.timeZone})
        </span>
        <span className="spacer" />
        {isAdmin && (
          <>
            <button type="button" className="btn" onClick={() => setDialog({ kind: 'smtp' })} data-testid="smtp-open">
              E-mail server <kbd>m</kbd>
            </button>
            <button
              type="button"
              className="btn primary"
              onClick={() => setDialog({ kind: 'contact', contact: null })}
              data-testid="contact-add"
            >
              Add contact <kbd>n</kbd>
            </button>
          </>
        )}
      </div>
      <FormError error={error} testId="oncall-action-error" />
      {!list.length ? (
        <p className="muted" data-testid="contacts-none">
          No contacts: an alarm nobody acknowledges stays on the consoles only.{' '}
          {isAdmin ? 'Add one with N.' : 'An administrator adds them.'}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="grid" data-testid="contacts-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Level</th>
                <th>Priorities</th>
                <th>Channels</th>
                <th>Duty</th>
                <th>Now</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {list.map((c, i) => {
                const tab = i === roving.index ? 0 : -1;
                return (
                  <tr key={c.id} {...roving.itemProps(i)} className={c.enabled ? '' : 'dim'} data-testid="contact-row" data-id={c.id}>
                    <td>{c.name}</td>
                    <td>{c.level}</td>
                    <td>{c.priorities.length ? c.priorities.map((p) => `P${p}`).join(' ') : 'all'}</td>
                    <td className="small">{channelsOf(c)}</td>
                    <td className="small">{c.duty.length ? c.duty.map(formatWindow).join('; ') : 'always'}</td>
                    <td className={c.onDuty ? 'text-ok' : 'muted'} title={c.dutyNote}>
                      {c.onDuty ? 'on duty' : 'off'}
                    </td>
                    <td className="c-act">
                      <RowButton tabIndex={tab} onClick={() => void test(c)} data-testid="contact-test">
                        Test
                      </RowButton>
                      {isAdmin && (
                        <>
                          <RowButton tabIndex={tab} onClick={() => setDialog({ kind: 'contact', contact: c })} data-testid="contact-edit">
                            Edit
                          </RowButton>
                          <RowButton tabIndex={tab} onClick={() => setDialog({ kind: 'remove', contact: c })} data-testid="contact-remove">
                            Remove
                          </RowButton>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <div className="subtoolbar">
        <h2>Escalation ladders</h2>
        <span className="muted">level 1 is the console and the subscribed phones, at once; then each level while nobody acknowledges</span>
        <span className="spacer" />
        {isAdmin && (
          <button type="button" className="btn" onClick={() => setDialog({ kind: 'ladders' })} data-testid="ladders-edit">
            Edit <kbd>l</kbd>
          </button>
        )}
      </div>
      <table className="grid compact" data-testid="ladders-table">
        <tbody>
          {(oncall.data?.ladders ?? []).map((l) => (
            <tr key={l.priority} data-priority={l.priority}>
              <td>P{l.priority}</td>
              <td>{l.steps.length ? formatLadder(l.steps) : <span className="muted">never escalates</span>}</td>
              <td className="muted">{l.builtIn ? 'default' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <RotasSection
        rotas={oncall.data?.rotas ?? []}
        contacts={list}
        isAdmin={isAdmin}
        timeZone={timeZone}
        onChanged={() => (oncall.reload(), contacts.reload())}
      />

      <h2>Latest notices</h2>
      <NoticeList items={notices.data?.items ?? []} timeZone={timeZone} />
      <p className="muted small-print">
        E-mail and push carry the alarm’s title, camera and a snapshot off the site (docs/privacy.md). A failed notice is retried after{' '}
        {(oncall.data?.retrySeconds ?? []).map((s) => `${s} s`).join(', ')} and then reported here and in the alarm’s history.
      </p>

      {dialog?.kind === 'contact' && (
        <ContactDialog
          contact={dialog.contact}
          onClose={() => setDialog(null)}
          onDone={(name) => (setDialog(null), toast(`Contact ${name} saved`), contacts.reload())}
        />
      )}
      {dialog?.kind === 'remove' && (
        <ConfirmDialog
          title={`Remove ${dialog.contact.name}?`}
          confirmLabel="Remove"
          danger
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await client.call('contacts.remove', { id: dialog.contact.id });
            setDialog(null);
            toast(`${dialog.contact.name} removed`);
            contacts.reload();
          }}
        >
          They will no longer be told about alarms.
        </ConfirmDialog>
      )}
      {dialog?.kind === 'smtp' && <SmtpDialog onClose={() => setDialog(null)} />}
      {dialog?.kind === 'ladders' && oncall.data && (
        <LaddersDialog
          ladders={oncall.data.ladders}
          onClose={() => setDialog(null)}
          onDone={() => (setDialog(null), toast('Ladders saved'), oncall.reload())}
        />
      )}
    </div>
  );
}

function NoticeList({ items, timeZone }: { items: NoticeRow[]; timeZone: string }) {
  const [live, setLive] = useState<Map<number, NoticeRow>>(new Map());
  useEvent('notify.notice', (n) => setLive((m) => new Map(m).set(n.id, n)));
  const rows = items.map((n) => live.get(n.id) ?? n);
  if (!rows.length) return <p className="muted">No notices yet.</p>;
  return (
    <div className="table-wrap">
      <table className="grid compact" data-testid="notices-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Alarm</th>
            <th>To</th>
            <th>Channel</th>
            <th>Level</th>
            <th>State</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((n) => (
            <tr key={n.id} data-testid="notice-row" data-state={n.state} data-channel={n.channel}>
              <td>{formatDateTime(n.createdAt, timeZone)}</td>
              <td>{n.alarmId ? `#${n.alarmId}` : n.kind}</td>
              <td>{n.recipient}</td>
              <td>
                {n.channel} <span className="muted">{n.target}</span>
              </td>
              <td>{n.level}</td>
              <td
                className={n.state === 'delivered' ? 'text-ok' : n.state === 'failed' || n.state === 'removed' ? 'text-bad' : 'text-warn'}
              >
                {n.state}
                {n.attempts > 1 ? ` (${n.attempts}×)` : ''}
              </td>
              <td className="small">{n.lastError ?? (n.nextAt ? `next try ${formatDateTime(n.nextAt, timeZone)}` : '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ContactDialog({ contact, onClose, onDone }: { contact: ContactView | null; onClose: () => void; onDone: (name: string) => void }) {
  const client = useClient();
  const [f, setF] = useState({
    name: contact?.name ?? '',
    email: contact?.email ?? '',
    username: contact?.username ?? '',
    mqttTopic: contact?.mqttTopic ?? '',
    webhookUrl: contact?.webhookUrl ?? '',
    level: String(contact?.level ?? 2),
    duty: contact?.duty.map(formatWindow).join('; ') ?? '',
    priorities: (contact?.priorities ?? []) as Priority[],
    enabled: contact?.enabled ?? true,
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    let duty;
    try {
      duty = f.duty.trim() ? parseDuty(f.duty) : [];
    } catch (err) {
      setErrors({ duty: (err as Error).message });
      return;
    }
    const body = {
      name: f.name.trim(),
      email: f.email.trim() || null,
      username: f.username.trim() || null,
      mqttTopic: f.mqttTopic.trim() || null,
      webhookUrl: f.webhookUrl.trim() || null,
      level: Number(f.level),
      duty,
      priorities: f.priorities,
      enabled: f.enabled,
    };
    setBusy(true);
    try {
      const c = contact ? await client.call('contacts.update', { id: contact.id, ...body }) : await client.call('contacts.add', body);
      onDone(c.name);
    } catch (err) {
      const { field, message } = fieldError(err);
      setErrors({ [field ?? 'form']: message });
      setBusy(false);
    }
  };
  return (
    <Dialog title={contact ? `Edit ${contact.name}` : 'Add contact'} onClose={onClose} testId="contact-dialog" scope="Contact" width={520}>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Name" error={errors.name} testId="contact-name">
          {(p) => <input {...p} data-autofocus value={f.name} onChange={set('name')} data-testid="contact-name" />}
        </Field>
        <Field label="E-mail" error={errors.email} hint="The snapshot is attached." testId="contact-email">
          {(p) => <input {...p} type="email" value={f.email} onChange={set('email')} data-testid="contact-email" autoComplete="off" />}
        </Field>
        <Field label="User (push)" error={errors.username} hint="Their subscribed browsers and phones." testId="contact-username">
          {(p) => (
            <input
              {...p}
              value={f.username}
              onChange={set('username')}
              data-testid="contact-username"
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="MQTT topic" error={errors.mqttTopic}>
          {(p) => <input {...p} value={f.mqttTopic} onChange={set('mqttTopic')} data-testid="contact-mqtt" spellCheck={false} />}
        </Field>
        <Field label="Webhook URL" error={errors.webhookUrl}>
          {(p) => <input {...p} value={f.webhookUrl} onChange={set('webhookUrl')} data-testid="contact-webhook" spellCheck={false} />}
        </Field>
        <Field label="Level" error={errors.level} hint="2 is told first when nobody acknowledges (supervisor), 3 next (site manager) …">
          {(p) => (
            <select {...p} value={f.level} onChange={set('level')} data-testid="contact-level">
              {[2, 3, 4, 5, 6, 7, 8, 9].map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Priorities" hint="None ticked: every priority.">
          {() => (
            <PriorityPicker
              value={f.priorities}
              onChange={(p) => setF((x) => ({ ...x, priorities: p }))}
              testId="contact-priorities"
              label="Priorities of this contact"
            />
          )}
        </Field>
        <Field
          label="Duty hours"
          error={errors.duty}
          hint='Empty: always. "Mon-Fri 08:00-18:00; Sat 09:00-13:00", "daily 22:00-06:00".'
          testId="contact-duty"
        >
          {(p) => <input {...p} value={f.duty} onChange={set('duty')} data-testid="contact-duty" spellCheck={false} />}
        </Field>
        <label className="check">
          <input type="checkbox" checked={f.enabled} onChange={(e) => setF((x) => ({ ...x, enabled: e.target.checked }))} /> Enabled
        </label>
        <FormFooter
          error={errors.form || errors['']}
          errorTestId="contact-error"
          onCancel={onClose}
          submitLabel="Save"
          busyLabel="Saving…"
          busy={busy}
          submitTestId="contact-submit"
        />
      </form>
    </Dialog>
  );
}

function LaddersDialog({
  ladders,
  onClose,
  onDone,
}: {
  ladders: { priority: number; steps: { level: number; afterSeconds: number }[]; builtIn: boolean }[];
  onClose: () => void;
  onDone: () => void;
}) {
  const client = useClient();
  const [text, setText] = useState(() => ladders.map((l) => formatLadder(l.steps)));
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const out = text.map((t, i) => ({ priority: i + 1, steps: parseLadder(t) }));
      await client.call('oncall.set', { ladders: out });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Dialog title="Escalation ladders" onClose={onClose} testId="ladders-dialog" scope="Ladders" width={520}>
      <form className="form" onSubmit={submit} noValidate>
        <p className="muted">
          Each step: LEVEL after TIME since the alarm was raised, while nobody has acknowledged it. Empty: never escalates.
        </p>
        {text.map((t, i) => (
          <Field key={i} label={`P${i + 1}`}>
            {(p) => (
              <input
                {...p}
                value={t}
                onChange={(e) => setText((x) => x.map((v, j) => (j === i ? e.target.value : v)))}
                data-testid={`ladder-${i + 1}`}
                placeholder="2 after 1m, 3 after 5m"
              />
            )}
          </Field>
        ))}
        <FormFooter error={error} errorTestId="ladders-error" onCancel={onClose} submitLabel="Save" submitTestId="ladders-submit">
          <button type="button" className="btn" onClick={async () => (await client.call('oncall.set', { ladders: null }), onDone())}>
            Defaults
          </button>
        </FormFooter>
      </form>
    </Dialog>
  );
}

function SmtpDialog({ onClose }: { onClose: () => void }) {
  const client = useClient();
  const toast = useToast();
  const q = useQuery('smtp.get', {});
  const v = q.data;
  const [f, setF] = useState<{
    url: string;
    from: string;
    user: string;
    password: string;
    tls: SmtpTls;
    caFile: string;
    publicUrl: string;
  } | null>(null);
  const form =
    f ??
    (v
      ? {
          url: v.url ?? '',
          from: v.from ?? '',
          user: v.user ?? '',
          password: '',
          tls: v.tls,
          caFile: v.caFile ?? '',
          publicUrl: v.publicUrl ?? '',
        }
      : null);
  const [testTo, setTestTo] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!form) return null;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setF({ ...form, [k]: e.target.value });
  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    setErrors({});
    setBusy(true);
    try {
      await client.call('smtp.set', {
        url: form.url.trim() || null,
        from: form.from.trim() || undefined,
        user: form.user.trim() || null,
        password: form.password ? form.password : undefined,
        tls: form.tls,
        caFile: form.caFile.trim() || null,
        publicUrl: form.publicUrl.trim().replace(/\/+$/, '') || null,
      });
      toast(form.url.trim() ? 'E-mail server saved' : 'E-mail server removed');
      setF({ ...form, password: '' });
      q.reload();
      return true;
    } catch (err) {
      const { field, message } = fieldError(err);
      setErrors({ [field ?? 'form']: message });
      return false;
    } finally {
      setBusy(false);
    }
  };
  const test = async () => {
    setResult(null);
    setErrors({});
    setBusy(true);
    try {
      const r = await client.call('smtp.test', { to: testTo.trim() });
      setResult(r.message);
    } catch (err) {
      setErrors({ test: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title="E-mail server (SMTP)" onClose={onClose} testId="smtp-dialog" scope="SMTP" width={560}>
      <form className="form" onSubmit={save} noValidate>
        <Field label="Server" error={errors.url} hint="smtp://HOST:587 (STARTTLS) or smtps://HOST:465. Empty removes it." testId="smtp-url">
          {(p) => <input {...p} data-autofocus value={form.url} onChange={set('url')} data-testid="smtp-url" spellCheck={false} />}
        </Field>
        <Field label="From" error={errors.from} testId="smtp-from">
          {(p) => <input {...p} value={form.from} onChange={set('from')} data-testid="smtp-from" />}
        </Field>
        <Field label="User" error={errors.user}>
          {(p) => <input {...p} value={form.user} onChange={set('user')} data-testid="smtp-user" autoComplete="off" />}
        </Field>
        <Field
          label="Password"
          error={errors.password}
          hint={v?.hasPassword ? 'Stored (sealed). Leave empty to keep it.' : 'Stored sealed, like camera passwords.'}
        >
          {(p) => (
            <input
              {...p}
              type="password"
              value={form.password}
              onChange={set('password')}
              data-testid="smtp-password"
              autoComplete="new-password"
            />
          )}
        </Field>
        <Field label="TLS" hint="The server's certificate is always checked.">
          {(p) => (
            <select {...p} value={form.tls} onChange={set('tls')} data-testid="smtp-tls">
              <option value="starttls">STARTTLS (required)</option>
              <option value="implicit">TLS from the start</option>
              <option value="none">none (a relay on this machine only)</option>
            </select>
          )}
        </Field>
        <Field label="Extra CA file" error={errors.caFile} hint="Absolute path of a PEM file on the server, for a server with its own CA.">
          {(p) => <input {...p} value={form.caFile} onChange={set('caFile')} data-testid="smtp-ca" spellCheck={false} />}
        </Field>
        <Field
          label="Console's public URL"
          error={errors.publicUrl}
          hint="https://nvr.example.org:8780, where recipients open the console; e-mails link to the alarm there."
        >
          {(p) => <input {...p} value={form.publicUrl} onChange={set('publicUrl')} data-testid="smtp-public-url" spellCheck={false} />}
        </Field>
        <FormFooter
          error={errors.form || errors['']}
          errorTestId="smtp-error"
          onCancel={onClose}
          cancelLabel="Close"
          submitLabel="Save"
          busy={busy}
          submitTestId="smtp-save"
        />
        <Field label="Send a test e-mail to" error={errors.test} testId="smtp-test-to">
          {(p) => <input {...p} type="email" value={testTo} onChange={(e) => setTestTo(e.target.value)} data-testid="smtp-test-to" />}
        </Field>
        <div className="form-actions left">
          <button type="button" className="btn" disabled={busy || !testTo.trim()} onClick={() => void test()} data-testid="smtp-test">
            Send test
          </button>
        </div>
        {result && (
          <p className="text-ok" role="status" data-testid="smtp-test-result">
            {result}
          </p>
        )}
      </form>
    </Dialog>
  );
}
