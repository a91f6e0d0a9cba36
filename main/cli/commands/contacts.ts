/**
 * gatehouse contacts add|list|remove|test: on-call contacts and their
 * channels (config.notifications.contacts). `test` sends one test notice on
 * each of the contact's channels from this command and prints each answer.
 */
import fs from 'node:fs';
import { ApiError } from '../../api/contract.js';
import type { Contact } from '../../api/notify.js';
import { alarmSetupOf, notifySetupOf, settingsOf } from '../../engine/config/schema.js';
import { dutyOf, formatWindow, parseDuty } from '../../engine/notify/duty.js';
import { addContact, removeContact } from '../../engine/notify/settings.js';
import { NotifyStore } from '../../engine/notify/store.js';
import { sendTestNow } from '../../engine/notify/test-send.js';
import { openIndex } from '../../engine/store/db.js';
import { printable } from '../../engine/util/printable.js';
import { zoneOrSystem } from '../../engine/util/time-zone.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, table, type Command } from '../args.js';
import { auditCli } from '../audit-cli.js';
import { openConfig } from '../offline.js';

const USAGE = `Usage:
  gatehouse contacts add --name NAME [--email ADDR] [--user USERNAME] [--mqtt TOPIC] [--webhook URL]
                         [--priorities 1,2] [--level N] [--duty "Mon-Fri 08:00-18:00"]
  gatehouse contacts list [--json]
  gatehouse contacts remove ID
  gatehouse contacts test ID

A contact needs at least one channel. --user sends push notices to that Gatehouse user's subscribed
browsers and phones. --level 2 is told first when an alarm stays unacknowledged (the supervisor),
3 next (the site manager) ... (the ladders: Settings → On call). --duty takes weekly windows in the
site's time zone, separated by ";" ("Mon-Fri 08:00-18:00; Sat 09:00-13:00", "daily 22:00-06:00").`;

function channels(c: Contact): string {
  return [
    c.email && `e-mail ${c.email}`,
    c.username && `push ${c.username}`,
    c.mqttTopic && `mqtt ${c.mqttTopic}`,
    c.webhookUrl && `webhook ${c.webhookUrl}`,
  ]
    .filter(Boolean)
    .join(', ');
}

async function add(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse contacts add --name NAME [--email ADDR] [--user USERNAME] [--mqtt TOPIC] [--webhook URL] [--priorities 1,2] [--level N] [--duty TEXT] [--data DIR]',
    {
      ...dataOption,
      name: { type: 'string' },
      email: { type: 'string' },
      user: { type: 'string' },
      mqtt: { type: 'string' },
      webhook: { type: 'string' },
      priorities: { type: 'string' },
      level: { type: 'string' },
      duty: { type: 'string' },
      id: { type: 'string' },
    },
    [
      { flag: '--name NAME', help: 'who it is ("Sam Supervisor")' },
      { flag: '--email ADDR', help: 'e-mail notices, with the snapshot attached (needs gatehouse smtp set)' },
      { flag: '--user USERNAME', help: "push notices to this user's subscribed browsers and phones" },
      { flag: '--mqtt TOPIC', help: 'a JSON notice on this topic of the engine’s broker' },
      { flag: '--webhook URL', help: 'a JSON notice POSTed here' },
      { flag: '--priorities 1,2', help: 'only alarms of these priorities (default: all)' },
      { flag: '--level N', help: 'rung of the escalation ladder, 2 and up (default 2)' },
      { flag: '--duty TEXT', help: 'weekly duty hours, e.g. "Mon-Fri 08:00-18:00" (default: always)' },
      { flag: '--id ID', help: 'the contact’s id (default: from the name)' },
      dataHelp,
    ],
  );
  if (!a) return 0;
  const v = a.values;
  if (!v.name) throw new CliError('--name NAME is required');
  let priorities: number[] = [];
  if (v.priorities) {
    priorities = String(v.priorities)
      .split(',')
      .map((x) => Number(x.trim()));
    if (priorities.some((p) => !Number.isInteger(p) || p < 1 || p > 5))
      throw new CliError(`--priorities: "${v.priorities}" is not a list of priorities 1 to 5, e.g. 1,2`);
  }
  const level = v.level === undefined ? 2 : Number(v.level);
  if (!Number.isInteger(level) || level < 2 || level > 9)
    throw new CliError(`--level: "${v.level}" is not a level from 2 to 9 (level 1 is the console)`);
  let duty: Contact['duty'] = [];
  if (v.duty) {
    try {
      duty = parseDuty(String(v.duty));
    } catch (err) {
      throw new CliError(`--duty: ${(err as Error).message}`);
    }
  }
  const { store, paths } = await openConfig(dataDirOf(v));
  let c: Contact;
  try {
    c = await addContact(store, {
      id: v.id,
      name: v.name,
      email: v.email ?? null,
      username: v.user ?? null,
      mqttTopic: v.mqtt ?? null,
      webhookUrl: v.webhook ?? null,
      priorities,
      level,
      duty,
    });
  } catch (err) {
    if (err instanceof ApiError) throw new CliError(err.message.replace(/^contact: (email: )?/, ''), err.code === 'conflict' ? 3 : 2);
    throw err;
  }
  auditCli(
    paths,
    {
      action: 'contacts.add',
      target: `contact:${c.id}`,
      details: { name: c.name, channels: channels(c), level: c.level, priorities: c.priorities },
    },
    store.data,
  );
  console.log(
    `Contact ${printable(c.name)} (id ${c.id}) added at level ${c.level}: ${printable(channels(c))}${c.duty.length ? `; on duty ${c.duty.map(formatWindow).join(', ')}` : ''}.`,
  );
  console.log(`Send a test notice with: gatehouse contacts test ${c.id}`);
  return 0;
}

export const contactsCommand: Command = {
  name: 'contacts',
  summary: 'on-call contacts for notices: add, list, remove, test',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'add') return add(rest);
    if (sub === 'list') {
      const a = parse(rest, 'gatehouse contacts list [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [
        { flag: '--json', help: 'print JSON' },
        dataHelp,
      ]);
      if (!a) return 0;
      const { store } = await openConfig(dataDirOf(a.values));
      const s = notifySetupOf(store.data);
      const tz = zoneOrSystem(settingsOf(store.data).timeZone);
      const rows = s.contacts.map((c) => ({ ...c, ...dutyOf(c, s.rotas, Date.now(), tz) }));
      if (a.values.json) console.log(JSON.stringify(rows, null, 2));
      else if (!rows.length) console.log('No contacts. Add one with: gatehouse contacts add --name NAME --email ADDR');
      else
        console.log(
          table(
            ['ID', 'NAME', 'LEVEL', 'PRIORITIES', 'CHANNELS', 'DUTY', 'NOW'],
            rows.map((c) => [
              c.id,
              c.name,
              String(c.level),
              c.priorities.length ? c.priorities.join(',') : 'all',
              channels(c),
              c.duty.length ? c.duty.map(formatWindow).join('; ') : 'always',
              c.onDuty ? 'on duty' : c.note,
            ]),
          ),
        );
      return 0;
    }
    if (sub === 'remove') {
      const a = parse(rest, 'gatehouse contacts remove ID [--data DIR]', { ...dataOption }, [dataHelp], true);
      if (!a) return 0;
      const id = a.positionals[0];
      if (!id) throw new CliError('which one? gatehouse contacts remove ID (see gatehouse contacts list)');
      const { store, paths } = await openConfig(dataDirOf(a.values));
      try {
        await removeContact(store, id);
      } catch (err) {
        throw new CliError((err as Error).message, 3);
      }
      auditCli(paths, { action: 'contacts.remove', target: `contact:${id}` }, store.data);
      console.log(`Contact ${id} removed.`);
      return 0;
    }
    if (sub === 'test') {
      const a = parse(rest, 'gatehouse contacts test ID [--data DIR]', { ...dataOption }, [dataHelp], true);
      if (!a) return 0;
      const id = a.positionals[0];
      if (!id) throw new CliError('which one? gatehouse contacts test ID (see gatehouse contacts list)');
      const { store, paths, secrets } = await openConfig(dataDirOf(a.values));
      const s = notifySetupOf(store.data);
      const c = s.contacts.find((x) => x.id === id);
      if (!c) throw new CliError(`no contact "${id}"; see gatehouse contacts list`, 3);
      let pushTargets: ReturnType<NotifyStore['targets']> = [];
      if (c.username && fs.existsSync(paths.index)) {
        const db = openIndex(paths.index);
        try {
          pushTargets = new NotifyStore(db, secrets).targets(c.username);
        } finally {
          db.close();
        }
      }
      const results = await sendTestNow(c, {
        setup: s,
        secrets,
        timeZone: zoneOrSystem(settingsOf(store.data).timeZone),
        pushTargets,
        mqttUrl: alarmSetupOf(store.data).mqtt.url,
      });
      auditCli(
        paths,
        { action: 'contacts.test', target: `contact:${id}`, details: { results: results.map((r) => ({ channel: r.channel, ok: r.ok })) } },
        store.data,
      );
      console.log(
        table(
          ['CHANNEL', 'TO', 'RESULT'],
          results.map((r) => [r.channel, r.target, `${r.ok ? 'ok' : 'FAILED'}: ${r.message}`]),
        ),
      );
      return results.every((r) => r.ok) ? 0 : 1;
    }
    throw new CliError(`unknown subcommand "contacts ${sub}"\n${USAGE}`);
  },
};
