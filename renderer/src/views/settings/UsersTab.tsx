import { useState, type FormEvent } from 'react';
import { ROLES, type Role, type UserInfo } from '../../../../main/api/contract.js';
import { useClient, useConnection, useQuery } from '../../api/context.js';
import { useRovingList } from '../../keyboard/focus.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useSettings } from '../../state/settings.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { Dialog } from '../../ui/Dialog.js';
import { Field } from '../../ui/Field.js';
import { Notice } from '../../ui/Notice.js';
import { formatDateTime } from '../../time/index.js';
import { fieldError } from '../../ui/format.js';
import { FormActions, FormError, FormFooter } from '../../ui/FormFooter.js';
import { useToast } from '../../ui/toast.js';
import { RowButton } from '../../ui/RowButton.js';

const ROLE_HELP: Record<Role, string> = {
  guard: 'watches live, plays back, handles alarms',
  supervisor: 'also exports and locks evidence',
  admin: 'also manages cameras, users and settings',
};

/** Users (admin only): add, change role, disable, reset password, reset two-factor sign-in. */
export function UsersTab() {
  const client = useClient();
  const { user: me } = useConnection();
  const { timeZone } = useSettings();
  const toast = useToast();
  const q = useQuery('users.list', {}, { events: ['users.changed'] });
  const [dialog, setDialog] = useState<{ kind: 'add' } | { kind: 'reset'; user: UserInfo } | { kind: 'totp'; user: UserInfo } | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const users = q.data ?? [];
  const roving = useRovingList(users.length);
  const current = users[roving.index];

  const update = async (u: UserInfo, patch: { role?: Role; disabled?: boolean }) => {
    setRowError(null);
    try {
      await client.call('users.update', { username: u.username, ...patch });
      toast(
        patch.role
          ? `${u.username} is now ${patch.role}`
          : patch.disabled
            ? `${u.username} disabled and logged out`
            : `${u.username} enabled`,
      );
      q.reload();
    } catch (err) {
      setRowError((err as Error).message);
    }
  };

  useShortcuts('Users', [
    { keys: ['j', 'down'], description: 'Next user', run: () => roving.move(1) },
    { keys: ['k', 'up'], description: 'Previous user', run: () => roving.move(-1) },
    { keys: 'n', description: 'Add a user', run: () => setDialog({ kind: 'add' }) },
    {
      keys: 'p',
      description: 'Reset the selected user’s password',
      run: () => (current ? setDialog({ kind: 'reset', user: current }) : false),
    },
    {
      keys: 'x',
      description: 'Disable / enable the selected user',
      run: () => (current && current.username !== me?.username ? void update(current, { disabled: !current.disabled }) : false),
    },
  ]);

  if (q.error && !q.data)
    return (
      <Notice tone="error" onRetry={q.reload} testId="users-error">
        Could not load the users: {q.error.message}
      </Notice>
    );
  return (
    <div className="users" data-testid="users-tab">
      <div className="subtoolbar">
        <span className="muted">
          {users.length} {users.length === 1 ? 'user' : 'users'} · {users.filter((u) => u.disabled).length} disabled
        </span>
        <span className="spacer" />
        <button type="button" className="btn primary" onClick={() => setDialog({ kind: 'add' })} data-testid="users-add">
          Add user <kbd>n</kbd>
        </button>
      </div>
      <FormError error={rowError} testId="users-error" />
      <div className="table-wrap">
        <table className="grid" data-testid="users-table">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>Status</th>
              <th title="Two-factor sign-in">2FA</th>
              <th>Last login</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {users.map((u, i) => {
              const self = u.username === me?.username;
              const tab = i === roving.index ? 0 : -1;
              return (
                <tr
                  key={u.username}
                  {...roving.itemProps(i)}
                  className={u.disabled ? 'dim' : ''}
                  data-testid="users-row"
                  data-username={u.username}
                  data-role={u.role}
                  data-disabled={u.disabled}
                >
                  <td>
                    {u.username}
                    {self && <span className="tag">you</span>}
                  </td>
                  <td>
                    <select
                      value={u.role}
                      onChange={(e) => void update(u, { role: e.target.value as Role })}
                      disabled={self}
                      tabIndex={tab}
                      aria-label={`Role of ${u.username}`}
                      title={self ? 'You cannot change your own role' : ROLE_HELP[u.role]}
                      data-testid="users-role"
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{u.disabled ? <span className="text-bad">disabled</span> : 'active'}</td>
                  <td data-testid="users-totp" data-on={!!u.totp}>
                    {u.totp ? 'on' : <span className="muted">off</span>}
                  </td>
                  <td>{u.lastLoginAt ? formatDateTime(u.lastLoginAt, timeZone) : <span className="muted">never</span>}</td>
                  <td>{formatDateTime(u.createdAt, timeZone)}</td>
                  <td className="c-act">
                    <RowButton tabIndex={tab} onClick={() => setDialog({ kind: 'reset', user: u })} data-testid="users-reset">
                      Reset password
                    </RowButton>
                    {u.totp && (
                      <RowButton
                        tabIndex={tab}
                        onClick={() => setDialog({ kind: 'totp', user: u })}
                        data-testid="users-totp-reset"
                        title="Turn two-factor sign-in off (a lost phone); they are signed out and enrol again"
                      >
                        Reset 2FA
                      </RowButton>
                    )}
                    <button
                      type="button"
                      className="btn ghost small"
                      tabIndex={tab}
                      disabled={self}
                      title={self ? 'You cannot disable yourself' : undefined}
                      onClick={() => void update(u, { disabled: !u.disabled })}
                      data-testid="users-toggle"
                    >
                      {u.disabled ? 'Enable' : 'Disable'}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="muted small-print">Roles: {ROLES.map((r) => `${r} ${ROLE_HELP[r]}`).join('; ')}.</p>
      {dialog?.kind === 'add' && (
        <UserDialog
          onClose={() => setDialog(null)}
          onDone={(name) => {
            setDialog(null);
            toast(`User ${name} added`);
            q.reload();
          }}
        />
      )}
      {dialog?.kind === 'totp' && (
        <ConfirmDialog
          title={`Reset two-factor sign-in of ${dialog.user.username}?`}
          confirmLabel="Reset 2FA"
          danger
          testId="users-totp-reset-dialog"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await client.call('users.totpReset', { username: dialog.user.username });
            toast(`Two-factor sign-in of ${dialog.user.username} reset; they were signed out`);
            q.reload();
          }}
        >
          <p>
            Their authenticator app and recovery codes stop working and their sessions end. They sign in with the password alone
            {dialog.user.role === 'admin' ? ' and, as an admin on a server reachable from the network, set up a new app at once' : ''}. Use it
            for a lost phone.
          </p>
        </ConfirmDialog>
      )}
      {dialog?.kind === 'reset' && (
        <ResetDialog
          user={dialog.user}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            toast(`Password of ${dialog.user.username} reset; their sessions were logged out`);
          }}
        />
      )}
    </div>
  );
}

function UserDialog({ onClose, onDone }: { onClose: () => void; onDone: (name: string) => void }) {
  const client = useClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('guard');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const u = await client.call('users.add', { username: username.trim(), password, role });
      onDone(u.username);
    } catch (err) {
      const { field, message } = fieldError(err);
      setErrors({ [field ?? 'form']: message });
      setBusy(false);
    }
  };
  return (
    <Dialog title="Add user" onClose={onClose} testId="users-add-dialog" scope="Add user">
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Username" error={errors.username} testId="users-add-username" hint="Letters, digits and . _ -">
          {(p) => (
            <input
              {...p}
              data-autofocus
              data-testid="users-add-username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Password" error={errors.password} testId="users-add-password" hint="At least 8 characters.">
          {(p) => (
            <input
              {...p}
              type="password"
              data-testid="users-add-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="new-password"
            />
          )}
        </Field>
        <Field label="Role" error={errors.role} testId="users-add-role" hint={ROLE_HELP[role]}>
          {(p) => (
            <select {...p} data-testid="users-add-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
        <FormFooter
          error={errors.form || errors['']}
          errorTestId="users-add-error"
          onCancel={onClose}
          submitLabel="Add user"
          busyLabel="Adding…"
          busy={busy}
          submitTestId="users-add-submit"
        />
      </form>
    </Dialog>
  );
}

function ResetDialog({ user, onClose, onDone }: { user: UserInfo; onClose: () => void; onDone: () => void }) {
  const client = useClient();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await client.call('users.resetPassword', { username: user.username, password });
      onDone();
    } catch (err) {
      setError(fieldError(err).message);
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Reset the password of ${user.username}`} onClose={onClose} testId="users-reset-dialog" scope="Reset password">
      <form className="form" onSubmit={submit} noValidate>
        <Field
          label="New password"
          error={error}
          testId="users-reset-password"
          hint="At least 8 characters. Their open sessions are logged out."
        >
          {(p) => (
            <input
              {...p}
              type="password"
              data-autofocus
              data-testid="users-reset-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="new-password"
            />
          )}
        </Field>
        <FormActions onCancel={onClose} submitLabel="Reset password" busyLabel="Saving…" busy={busy} submitTestId="users-reset-submit" />
      </form>
    </Dialog>
  );
}
