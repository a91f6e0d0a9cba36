/**
 * gatehouse rotas list|add|update|remove: on-call rotas (config.notifications.rotas),
 * whose members take turns, each for the rota's period. Members are contacts,
 * by name or id. With or without a running server (it uses a change within a
 * second); every change is audited as rotas.add|update|remove by os:<login>,
 * as the console's changes are (by the user).
 */
import { ApiError } from '../../api/contract.js';
import type { Contact, Rota } from '../../api/notify.js';
import { formatPeriod, parsePeriod, rotaTurn } from '../../api/rota.js';
import { notifySetupOf, settingsOf } from '../../engine/config/schema.js';
import { addRota, findContact, removeRota, updateRota } from '../../engine/notify/settings.js';
import { printable } from '../../engine/util/printable.js';
import { localParts, localTimeToUtcMs, zoneOrSystem } from '../../engine/util/time-zone.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, parseTime, table, type Command } from '../args.js';
import { auditCli } from '../audit-cli.js';
import { openConfig, runningServer } from '../offline.js';

const USAGE = `Usage:
  gatehouse rotas list [--json]
  gatehouse rotas add NAME --members A,B,C --period 24h --starts TIME
  gatehouse rotas update NAME [--name NEW] [--members A,B,C] [--period P] [--starts TIME]
  gatehouse rotas remove NAME

A rota's members take turns, in the order given, each for one period: the first from --starts,
then the next, and round again. A member of a rota is on duty only on their turn (and within
their own duty hours, if they have any). Members are contacts, by name or id (gatehouse contacts list).
--period: 12h, 24h, 1w, 2d or a number of hours (1 hour to 90 days).
--starts: ISO 8601 (2026-01-05T07:00:00Z), a local time in the site's time zone (2026-01-05 07:00),
"now", or relative (-2h). NAME is the rota's name or id.`;

const FLAGS = {
  ...dataOption,
  members: { type: 'string' },
  period: { type: 'string' },
  starts: { type: 'string' },
} as const;
const FLAG_HELP = [
  { flag: '--members A,B,C', help: 'contacts (names or ids) in the order they take turns' },
  { flag: '--period P', help: 'how long each turn lasts: 12h, 24h, 1w, 2d or hours (default 1w)' },
  { flag: '--starts TIME', help: 'when the first member’s first turn starts (ISO 8601, "2026-01-05 07:00" in the site’s zone, now, -2h)' },
  dataHelp,
];

const p2 = (n: number) => String(n).padStart(2, '0');
/** "2026-03-02 08:00" in the site's zone. */
function localText(ms: number, tz: string): string {
  const l = localParts(ms, tz);
  return `${l.year}-${p2(l.month)}-${p2(l.day)} ${p2(l.hour)}:${p2(l.minute)}`;
}
const isoText = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/** --starts: a time with a zone or relative as elsewhere; a date and time without a zone is the site's local time. */
export function parseStarts(text: string, tz: string): string {
  const t = text.trim();
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?)?$/.exec(t);
  if (m) {
    const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1).map((x) => (x === undefined ? undefined : Number(x))) as number[];
    const valid = mo! >= 1 && mo! <= 12 && d! >= 1 && new Date(Date.UTC(y!, mo! - 1, d!)).getUTCDate() === d && h < 24 && mi < 60 && s < 60;
    if (!valid) throw new CliError(`--starts: "${t}" is not a date and time`);
    return isoText(localTimeToUtcMs(y!, mo!, d!, h, mi, tz) + s * 1000);
  }
  return isoText(Math.floor(parseTime(t, '--starts') / 1000) * 1000);
}

function membersOf(text: string, contacts: Contact[]): string[] {
  const refs = text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (!refs.length) throw new CliError('--members: give the contacts in the order they take turns, e.g. --members "Ann,Bob,Cy"');
  return refs.map((ref) => {
    const c = findContact(contacts, ref);
    if (!c)
      throw new CliError(
        `--members: no contact "${ref}" (${contacts.length ? `contacts: ${contacts.map((x) => x.name).join(', ')}` : 'there are none; add them with gatehouse contacts add'})`,
        3,
      );
    return c.id;
  });
}

function periodOf(text: string): number {
  try {
    return parsePeriod(text);
  } catch (err) {
    throw new CliError(`--period: ${(err as Error).message}`);
  }
}

/** The engine's refusal as a CLI message: the field's flag, exit 3 not found, 1 a name taken, 2 other bad input. */
function cliErrorOf(err: unknown): unknown {
  if (!(err instanceof ApiError)) return err;
  // the rota's own field is bare (`members`); another rota's is `rotas.<i>.<field>`
  const field = err.field ?? '';
  const flag = /^(name|members|periodHours|startsAt)$/.exec(field)?.[1];
  const flags: Record<string, string> = { name: 'NAME', members: '--members', periodHours: '--period', startsAt: '--starts' };
  const msg = field && err.message.startsWith(`${field}: `) ? err.message.slice(field.length + 2) : err.message;
  return new CliError(flag ? `${flags[flag]}: ${msg}` : msg, err.code === 'not_found' ? 3 : err.code === 'conflict' ? 1 : 2);
}

interface RotaRow extends Rota {
  memberNames: string[];
  /** Whose turn it is now (null before the first turn). */
  now: { member: string; name: string; index: number; since: string; until: string; next: string } | null;
}

function rowOf(r: Rota, contacts: Contact[], atMs: number): RotaRow {
  const name = (id: string) => contacts.find((c) => c.id === id)?.name ?? id;
  const t = rotaTurn(r, atMs);
  return {
    ...r,
    memberNames: r.members.map(name),
    now: t
      ? { member: t.member, name: name(t.member), index: t.index, since: isoText(t.startsMs), until: isoText(t.endsMs), next: name(t.next) }
      : null,
  };
}

function nowText(r: RotaRow, tz: string): string {
  if (!r.now) return `starts ${localText(Date.parse(r.startsAt), tz)} with ${r.memberNames[0]}`;
  return `${r.now.name} (${r.now.index + 1} of ${r.members.length}) until ${localText(Date.parse(r.now.until), tz)}, then ${r.now.next}`;
}

function describe(r: RotaRow, tz: string): string {
  return `${printable(r.memberNames.join(' → '))}, ${formatPeriod(r.periodHours)} each from ${localText(Date.parse(r.startsAt), tz)} (${tz}). Now: ${printable(nowText(r, tz))}.`;
}

export const rotasCommand: Command = {
  name: 'rotas',
  summary: 'on-call rotas (members take turns): list, add, update, remove',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'list') {
      const a = parse(rest, 'gatehouse rotas list [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [
        { flag: '--json', help: 'print JSON (times in UTC)' },
        dataHelp,
      ]);
      if (!a) return 0;
      const { store } = await openConfig(dataDirOf(a.values));
      const s = notifySetupOf(store.data);
      const tz = zoneOrSystem(settingsOf(store.data).timeZone);
      const rows = s.rotas.map((r) => rowOf(r, s.contacts, Date.now()));
      if (a.values.json) console.log(JSON.stringify(rows, null, 2));
      else if (!rows.length)
        console.log('No rotas. Add one with: gatehouse rotas add NAME --members A,B --period 1w --starts "2026-01-05 07:00"');
      else {
        console.log(`Times in ${tz}.`);
        console.log(
          table(
            ['ID', 'NAME', 'PERIOD', 'MEMBERS', 'FIRST TURN', 'NOW'],
            rows.map((r) => [
              r.id,
              r.name,
              formatPeriod(r.periodHours),
              r.memberNames.join(' → '),
              localText(Date.parse(r.startsAt), tz),
              nowText(r, tz),
            ]),
          ),
        );
      }
      return 0;
    }
    if (sub === 'add') {
      const a = parse(rest, 'gatehouse rotas add NAME --members A,B,C --period P --starts TIME [--data DIR]', FLAGS, FLAG_HELP, true);
      if (!a) return 0;
      const name = a.positionals.join(' ').trim();
      if (!name) throw new CliError(`give the rota a name: gatehouse rotas add "Night techs" --members … (see --help)`);
      if (a.values.members === undefined)
        throw new CliError('--members is required: the contacts in the order they take turns, e.g. --members "Ann,Bob"');
      if (a.values.starts === undefined)
        throw new CliError('--starts is required: when the first turn starts, e.g. --starts "2026-01-05 07:00"');
      const periodHours = a.values.period === undefined ? 168 : periodOf(String(a.values.period));
      const { store, paths } = await openConfig(dataDirOf(a.values));
      const s = notifySetupOf(store.data);
      const tz = zoneOrSystem(settingsOf(store.data).timeZone);
      const members = membersOf(String(a.values.members), s.contacts);
      const startsAt = parseStarts(String(a.values.starts), tz);
      const r = await addRota(store, { name, members, periodHours, startsAt }).catch((err: unknown) => {
        throw cliErrorOf(err);
      });
      auditCli(paths, { action: 'rotas.add', target: `rota:${r.id}`, details: { change: 'rota added', rota: r } }, store.data);
      const row = rowOf(r, notifySetupOf(store.data).contacts, Date.now());
      console.log(`Rota ${printable(r.name)} (id ${r.id}) added: ${describe(row, tz)}`);
      if (runningServer(paths)) console.log('The running server uses it within a second.');
      return 0;
    }
    if (sub === 'update') {
      const a = parse(
        rest,
        'gatehouse rotas update NAME [--name NEW] [--members A,B,C] [--period P] [--starts TIME] [--data DIR]',
        { ...FLAGS, name: { type: 'string' } },
        [{ flag: '--name NEW', help: 'a new name' }, ...FLAG_HELP],
        true,
      );
      if (!a) return 0;
      const ref = a.positionals.join(' ').trim();
      if (!ref) throw new CliError('which rota? gatehouse rotas update NAME … (see gatehouse rotas list)');
      const v = a.values;
      if (v.name === undefined && v.members === undefined && v.period === undefined && v.starts === undefined)
        throw new CliError('nothing to change: give --name, --members, --period or --starts');
      const periodHours = v.period === undefined ? undefined : periodOf(String(v.period));
      const { store, paths } = await openConfig(dataDirOf(v));
      const s = notifySetupOf(store.data);
      const tz = zoneOrSystem(settingsOf(store.data).timeZone);
      const patch = {
        name: v.name === undefined ? undefined : String(v.name),
        members: v.members === undefined ? undefined : membersOf(String(v.members), s.contacts),
        periodHours,
        startsAt: v.starts === undefined ? undefined : parseStarts(String(v.starts), tz),
      };
      const r = await updateRota(store, ref, patch).catch((err: unknown) => {
        throw cliErrorOf(err);
      });
      auditCli(paths, { action: 'rotas.update', target: `rota:${r.id}`, details: { change: 'rota changed', rota: r } }, store.data);
      console.log(`Rota ${printable(r.name)} (id ${r.id}) changed: ${describe(rowOf(r, s.contacts, Date.now()), tz)}`);
      if (runningServer(paths)) console.log('The running server uses it within a second.');
      return 0;
    }
    if (sub === 'remove') {
      const a = parse(rest, 'gatehouse rotas remove NAME [--data DIR]', { ...dataOption }, [dataHelp], true);
      if (!a) return 0;
      const ref = a.positionals.join(' ').trim();
      if (!ref) throw new CliError('which rota? gatehouse rotas remove NAME (see gatehouse rotas list)');
      const { store, paths } = await openConfig(dataDirOf(a.values));
      const r = await removeRota(store, ref).catch((err: unknown) => {
        throw cliErrorOf(err);
      });
      auditCli(paths, { action: 'rotas.remove', target: `rota:${r.id}`, details: { change: 'rota removed', rota: r } }, store.data);
      console.log(`Rota ${printable(r.name)} (id ${r.id}) removed.`);
      if (runningServer(paths)) console.log('The running server uses it within a second.');
      return 0;
    }
    throw new CliError(`unknown subcommand "rotas ${sub}"\n${USAGE}`);
  },
};
