import fs from 'node:fs';
import { OPEN_STATES, PRIORITIES, type Alarm } from '../../api/alarms.js';
import { openIndex } from '../../engine/store/db.js';
import { AlarmStore } from '../../engine/alarms/store.js';
import { alarmSetupOf } from '../../engine/config/schema.js';
import { addWebhook, removeWebhook } from '../../engine/integrations/handlers.js';
import { AccessLog } from '../../engine/integrations/access-log.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, parseTime, table, type Command } from '../args.js';
import { printable } from '../../engine/util/printable.js';
import { auditCli } from '../audit-cli.js';
import { openConfig, runningServer } from '../offline.js';

const USAGE = `Usage:
  gatehouse alarms list [--state open|closed|all] [--limit N] [--json] [--data DIR]
  gatehouse alarms access [--badge B] [--door D] [--from TIME] [--to TIME] [--json] [--data DIR]
  gatehouse alarms webhook add NAME [--arming] [--sensors] | list | remove ID [--data DIR]

"list" and "access" read the database directly and work while a server runs.`;

function age(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

async function list(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse alarms list [--state open|closed|all] [--limit N] [--json] [--data DIR]',
    { ...dataOption, state: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    [
      { flag: '--state S', help: 'open (default: new, acknowledged, in progress, on hold), closed, or all' },
      { flag: '--limit N', help: 'at most N alarms, newest first (default 200; open alarms are all listed)' },
      { flag: '--json', help: 'print a JSON array of alarms' },
      dataHelp,
    ],
  );
  if (!a) return 0;
  const state = (a.values.state as string | undefined) ?? 'open';
  if (!['open', 'closed', 'all'].includes(state)) throw new CliError(`--state: "${state}" is not one of open, closed, all`);
  const limit = a.values.limit === undefined ? 200 : Number(a.values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new CliError(`--limit: "${String(a.values.limit)}" is not a whole number from 1 to 100000`);
  const { paths, store: cfg } = await openConfig(dataDirOf(a.values));
  let alarms: Alarm[] = [];
  if (fs.existsSync(paths.index)) {
    const db = openIndex(paths.index);
    try {
      const store = new AlarmStore(db, () => alarmSetupOf(cfg.data));
      if (state === 'open') alarms = store.queue();
      else {
        let cursor: string | null = null;
        do {
          const page = store.history(state === 'closed' ? { state: 'closed' } : {}, cursor, Math.min(500, limit - alarms.length));
          alarms.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor && alarms.length < limit);
      }
    } finally {
      db.close();
    }
  }
  if (a.values.json) {
    console.log(JSON.stringify(alarms, null, 2));
    return 0;
  }
  if (!alarms.length) {
    console.log(state === 'open' ? 'No open alarms.' : 'No alarms.');
    return 0;
  }
  console.log(
    table(
      ['ID', 'P', 'STATE', 'AGE', 'COUNT', 'TYPE', 'SOURCE', 'CAMERAS', 'CLAIMED', 'TITLE'],
      alarms.map((x) => [
        String(x.id),
        `${x.priority} ${PRIORITIES[x.priority].label}`,
        x.state.replace('_', ' ') + (x.resolvedAt && x.state !== 'closed' ? ' (cleared)' : '') + (x.escalation ? ` ↑${x.escalation}` : ''),
        age(x.createdAt),
        String(x.count),
        x.type,
        x.source,
        x.cameraIds.join(',') || '-',
        x.claimedBy ?? '-',
        x.title,
      ]),
    ),
  );
  const open = alarms.filter((x) => OPEN_STATES.includes(x.state)).length;
  console.log(`\n${alarms.length} alarm(s), ${open} open`);
  return 0;
}

async function access(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse alarms access [--badge B] [--door D] [--from TIME] [--to TIME] [--limit N] [--json] [--data DIR]',
    { ...dataOption, badge: { type: 'string' }, door: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    [
      { flag: '--badge B', help: 'only this badge' },
      { flag: '--door D', help: 'only this door' },
      { flag: '--from TIME', help: 'start (ISO 8601 or -1h, -2d)' },
      { flag: '--to TIME', help: 'end (default now)' },
      { flag: '--limit N', help: 'at most N entries (default 100)' },
      { flag: '--json', help: 'print JSON' },
      dataHelp,
    ],
  );
  if (!a) return 0;
  const limit = a.values.limit === undefined ? 100 : Number(a.values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError('--limit must be a whole number from 1 to 500');
  const { paths, store: cfg } = await openConfig(dataDirOf(a.values));
  if (!fs.existsSync(paths.index)) {
    console.log(a.values.json ? '[]' : 'No access-control entries.');
    return 0;
  }
  const db = openIndex(paths.index);
  try {
    const page = new AccessLog(db, () => alarmSetupOf(cfg.data)).search(
      {
        badge: a.values.badge as string | undefined,
        door: a.values.door as string | undefined,
        from: a.values.from ? new Date(parseTime(a.values.from as string, '--from')).toISOString() : undefined,
        to: a.values.to ? new Date(parseTime(a.values.to as string, '--to')).toISOString() : undefined,
      },
      null,
      limit,
    );
    if (a.values.json) console.log(JSON.stringify(page.items, null, 2));
    else if (!page.items.length) console.log('No access-control entries match.');
    else
      console.log(
        table(
          ['TIME', 'DOOR', 'BADGE', 'PERSON', 'RESULT', 'DIR', 'CAMERAS', 'ALARM'],
          page.items.map((e) => [e.time, e.door, e.badge, e.person ?? '-', e.granted ? 'granted' : `denied${e.reason ? ` (${e.reason})` : ''}`, e.direction ?? '-', e.cameraIds.join(',') || '-', e.alarmId ? `#${e.alarmId}` : '-']),
        ),
      );
  } finally {
    db.close();
  }
  return 0;
}

async function webhook(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const a = parse(
    rest,
    'gatehouse alarms webhook add NAME [--arming] [--sensors] | list | remove ID [--data DIR]',
    { ...dataOption, arming: { type: 'boolean' }, sensors: { type: 'boolean' } },
    [{ flag: '--arming', help: 'the token may switch the arming mode (POST /api/webhook/arming)' }, { flag: '--sensors', help: 'the token may post sensor messages (the default without --arming)' }, dataHelp],
    true,
  );
  if (!a) return 0;
  const { store, paths } = await openConfig(dataDirOf(a.values));
  if (sub === 'add') {
    const name = a.positionals.join(' ').trim();
    if (!name) throw new CliError('give the integration a name: gatehouse alarms webhook add "Access control"');
    if (name.length > 80) throw new CliError('the name is longer than 80 characters');
    const scopes: ('sensors' | 'arming')[] = a.values.arming ? (a.values.sensors ? ['sensors', 'arming'] : ['arming']) : ['sensors'];
    const w = await addWebhook(store, name, scopes);
    auditCli(paths, { action: 'integrations.addWebhook', target: `name:${w.name}`, details: { id: w.id, scopes } }, store.data);
    const srv = runningServer(paths);
    console.log(`Webhook integration "${printable(w.name)}" (id ${w.id}) created, for ${scopes.join(' and ')}.`);
    for (const s of scopes) console.log(`\n  POST ${srv?.url ?? 'http://HOST:PORT'}/api/webhook/${s}${s === 'arming' ? '   {"mode": "Night"}' : ''}`);
    console.log(`  Authorization: Bearer ${w.token}\n`);
    console.log('The token is shown only this once; only its SHA-256 is stored. A running server picks it up at once.');
    return 0;
  }
  if (sub === 'list') {
    const s = alarmSetupOf(store.data);
    if (!s.webhooks.length) console.log('No webhook integrations. Add one with "gatehouse alarms webhook add NAME".');
    else console.log(table(['ID', 'NAME', 'FOR', 'CREATED', 'DISABLED'], s.webhooks.map((w) => [w.id, w.name, (w.scopes ?? ['sensors']).join(','), w.createdAt, w.disabled ? 'yes' : 'no'])));
    return 0;
  }
  if (sub === 'remove') {
    const id = a.positionals[0];
    if (!id) throw new CliError('which one? gatehouse alarms webhook remove ID (see "gatehouse alarms webhook list")');
    try {
      await removeWebhook(store, id);
    } catch (err) {
      throw new CliError((err as Error).message, 3);
    }
    auditCli(paths, { action: 'integrations.removeWebhook', target: id }, store.data);
    console.log(`Webhook integration ${id} removed; its token no longer works.`);
    return 0;
  }
  throw new CliError(`unknown "alarms webhook ${sub ?? ''}"; use add NAME, list or remove ID`);
}

export const alarmsCommand: Command = {
  name: 'alarms',
  summary: 'list alarms, search the access log, manage sensor webhooks (works while a server runs)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'list') return list(rest);
    if (sub === 'access') return access(rest);
    if (sub === 'webhook') return webhook(rest);
    throw new CliError(`unknown subcommand "alarms ${sub}"\n${USAGE}`);
  },
};
