import fs from 'node:fs';
import { Role } from '../../api/contract.js';
import { Sessions } from '../../engine/auth/sessions.js';
import { openIndex } from '../../engine/store/db.js';
import { Users } from '../../engine/auth/users.js';
import { ApiError } from '../../api/contract.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, secretArg, table, type Command } from '../args.js';
import { auditCli } from '../audit-cli.js';
import { openConfig } from '../offline.js';

/** End every session of a user (a running server closes their sockets at its next check, within 2 s). */
function revokeSessions(index: string, username: string, reason = 'your password was reset'): void {
  if (!fs.existsSync(index)) return;
  const db = openIndex(index);
  try {
    new Sessions(db).revokeUser(username, reason);
  } finally {
    db.close();
  }
}

export const usersCommand: Command = {
  name: 'users',
  summary: 'list users, add one, reset a password or two-factor sign-in',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(
        'Usage: gatehouse users <list|add|reset-password|totp-reset> [options]\n\n  users list [--json]\n  users add --username U (--password-stdin | --password P) --role guard|supervisor|admin\n  users reset-password --username U (--password-stdin | --password P)\n  users totp-reset --username U     turn two-factor sign-in off (a lost phone, an admin locked out)\n\nChanges are recorded in the audit trail as os:<your login name>.',
      );
      return sub ? 0 : 2;
    }
    const wrap = (p: Promise<unknown>) =>
      p.catch((err: unknown) => {
        throw err instanceof ApiError ? new CliError(err.message) : err;
      });
    if (sub === 'list') {
      const a = parse(rest, 'gatehouse users list [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [dataHelp, { flag: '--json', help: 'print JSON' }]);
      if (!a) return 0;
      const { store } = await openConfig(dataDirOf(a.values));
      const list = new Users(store).list();
      if (a.values.json) console.log(JSON.stringify(list, null, 2));
      else console.log(table(['USER', 'ROLE', 'DISABLED', '2FA', 'LAST LOGIN'], list.map((u) => [u.username, u.role, u.disabled ? 'yes' : '', u.totp ? 'on' : '', u.lastLoginAt ?? 'never'])));
      return 0;
    }
    if (sub === 'totp-reset') {
      const a = parse(rest, 'gatehouse users totp-reset --username U [--data DIR]', { ...dataOption, username: { type: 'string' } }, [
        { flag: '--username U', help: 'whose two-factor sign-in to turn off: their app and recovery codes stop working, their sessions end' },
        dataHelp,
      ]);
      if (!a) return 0;
      const username = a.values.username as string | undefined;
      if (!username) throw new CliError('--username is required');
      const { store, paths } = await openConfig(dataDirOf(a.values));
      const u = new Users(store).find(username);
      if (!u) throw new CliError(`no user named "${username}"`, 3);
      if (!u.totp) {
        console.log(`Two-factor sign-in is not on for "${u.username}"; nothing to reset.`);
        return 0;
      }
      // Works with a running server too: it reloads the config within a second.
      await store.update((c) => {
        const x = c.users.find((y) => y.username === u.username);
        if (x) delete x.totp;
      });
      revokeSessions(paths.index, u.username, 'your two-factor sign-in was reset by an administrator');
      auditCli(paths, { action: 'users.totpReset', target: `username:${u.username}` }, store.data);
      console.log(
        `Two-factor sign-in of "${u.username}" is off; their sessions were ended.${u.role === 'admin' ? ' They set up a new authenticator app at their next sign-in where admins must have one.' : ''}`,
      );
      return 0;
    }
    if (sub === 'add' || sub === 'reset-password') {
      const a = parse(
        rest,
        `gatehouse users ${sub} --username U (--password-stdin | --password P)${sub === 'add' ? ' --role ROLE' : ''} [--data DIR]`,
        { ...dataOption, username: { type: 'string' }, password: { type: 'string' }, 'password-stdin': { type: 'boolean' }, role: { type: 'string' } },
        [
          { flag: '--username U', help: 'login name: letters, digits and . _ -' },
          { flag: '--password-stdin', help: 'read the password from the first line of stdin (keeps it out of the process list)' },
          { flag: '--password P', help: 'at least 8 characters (other local users can see it in the process list while the command runs)' },
          { flag: '--role ROLE', help: 'guard, supervisor or admin' },
          dataHelp,
        ],
      );
      if (!a) return 0;
      const username = a.values.username as string | undefined;
      const password = await secretArg(a.values, 'password');
      if (!username || !password) throw new CliError('--username and a password (--password-stdin or --password) are required');
      if (password.length < 8) throw new CliError('--password needs at least 8 characters');
      const { store, paths } = await openConfig(dataDirOf(a.values));
      const users = new Users(store);
      if (sub === 'add') {
        const role = Role.safeParse(a.values.role ?? 'guard');
        if (!role.success) throw new CliError('--role must be guard, supervisor or admin');
        const u = (await wrap(users.add(username, password, role.data))) as { username: string };
        auditCli(paths, { action: 'users.add', target: `username:${u.username}`, details: { role: role.data } }, store.data);
        console.log(`Added ${role.data} "${u.username}".`);
      } else {
        const u = users.find(username);
        await wrap(users.setPassword(username, password));
        revokeSessions(paths.index, u?.username ?? username);
        auditCli(paths, { action: 'users.resetPassword', target: `username:${u?.username ?? username}` }, store.data);
        console.log(`Password of "${u?.username ?? username}" reset; their sessions were ended.`);
      }
      return 0;
    }
    throw new CliError(`unknown subcommand "users ${sub}"`);
  },
};
