import { Role } from '../../api/contract.js';
import { Users } from '../../engine/auth/users.js';
import { ApiError } from '../../api/contract.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, table, type Command } from '../args.js';
import { openConfig } from '../offline.js';

export const usersCommand: Command = {
  name: 'users',
  summary: 'list users, add one, or reset a password',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log('Usage: gatehouse users <list|add|reset-password> [options]\n\n  users list [--json]\n  users add --username U --password P --role guard|supervisor|admin\n  users reset-password --username U --password P');
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
      else console.log(table(['USER', 'ROLE', 'DISABLED', 'LAST LOGIN'], list.map((u) => [u.username, u.role, u.disabled ? 'yes' : '', u.lastLoginAt ?? 'never'])));
      return 0;
    }
    if (sub === 'add' || sub === 'reset-password') {
      const a = parse(
        rest,
        `gatehouse users ${sub} --username U --password P${sub === 'add' ? ' --role ROLE' : ''} [--data DIR]`,
        { ...dataOption, username: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' } },
        [{ flag: '--username U', help: 'login name' }, { flag: '--password P', help: 'at least 8 characters' }, { flag: '--role ROLE', help: 'guard, supervisor or admin' }, dataHelp],
      );
      if (!a) return 0;
      const username = a.values.username as string | undefined;
      const password = a.values.password as string | undefined;
      if (!username || !password) throw new CliError('--username and --password are required');
      if (password.length < 8) throw new CliError('--password needs at least 8 characters');
      const { store } = await openConfig(dataDirOf(a.values));
      const users = new Users(store);
      if (sub === 'add') {
        const role = Role.safeParse(a.values.role ?? 'guard');
        if (!role.success) throw new CliError('--role must be guard, supervisor or admin');
        await wrap(users.add(username, password, role.data));
        console.log(`Added ${role.data} "${username}".`);
      } else {
        await wrap(users.setPassword(username, password));
        console.log(`Password of "${username}" reset.`);
      }
      return 0;
    }
    throw new CliError(`unknown subcommand "users ${sub}"`);
  },
};
