/**
 * `gatehouse arming`: the site's arming mode (Day / Night / Away, or its
 * own modes). `set` commits the switch and its audit record (as
 * os:<login>) to the data dir's index; a running server takes it up
 * within a second (and publishes it on MQTT). Works with or without one.
 *
 *   arming set MODE
 *   arming status [--json]
 *   arming modes list [--json]
 *   arming history [--limit N] [--json]
 */
import fs from 'node:fs';
import { ApiError } from '../../api/contract.js';
import type { ArmingChange } from '../../api/rules.js';
import { AuditTrail } from '../../engine/audit/trail.js';
import { modeOf, recordSwitch } from '../../engine/arming/service.js';
import { nextScheduled } from '../../engine/arming/schedule.js';
import { ArmingStore } from '../../engine/arming/store.js';
import { armingOf, settingsOf } from '../../engine/config/schema.js';
import { openIndex } from '../../engine/store/db.js';
import { zoneOrSystem } from '../../engine/util/time-zone.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, table, type Command } from '../args.js';
import { openConfig, runningServer } from '../offline.js';
import { cliActor } from './export.js';

const USAGE = `Usage:
  gatehouse arming set MODE [--data DIR]           switch the site to a mode (name or id)
  gatehouse arming status [--json] [--data DIR]    the mode in force, since when, by whom
  gatehouse arming modes list [--json] [--data DIR]
  gatehouse arming history [--limit N] [--json] [--data DIR]

Works with or without a running server; every switch is in the audit trail.`;

async function latest(dataDir: string): Promise<{ change: ArmingChange | null; history: (n: number) => ArmingChange[] }> {
  const { paths } = await openConfig(dataDir);
  if (!fs.existsSync(paths.index)) return { change: null, history: () => [] };
  const db = openIndex(paths.index);
  try {
    const s = new ArmingStore(db);
    const change = s.latest();
    const all = s.recent(500);
    return { change, history: (n) => all.slice(0, n) };
  } finally {
    db.close();
  }
}

export const armingCommand: Command = {
  name: 'arming',
  summary: 'the arming mode (Day / Night / Away ...): set, status, modes, history; works with or without a running server',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'set') {
      const a = parse(rest, 'gatehouse arming set MODE [--data DIR]', { ...dataOption }, [dataHelp], true);
      if (!a) return 0;
      const ref = a.positionals.join(' ').trim();
      if (!ref) throw new CliError(`which mode? gatehouse arming set Night (see "gatehouse arming modes list")`);
      const { store, paths } = await openConfig(dataDirOf(a.values));
      const setup = armingOf(store.data);
      const db = openIndex(paths.index);
      try {
        const r = recordSwitch(
          new ArmingStore(db),
          new AuditTrail(db),
          setup,
          ref,
          { actor: cliActor().username, role: null, via: 'cli', peer: cliActor().displayName },
          Date.now(),
        );
        if (!r.change) console.log(`Already ${r.mode.name}; nothing changed.`);
        else {
          console.log(
            `Arming mode: ${modeOf(setup, r.change.previous ?? setup.initial).name} → ${r.mode.name} (audited as ${r.change.actor}).`,
          );
          if (runningServer(paths)) console.log('The running server takes it up within a second.');
        }
      } catch (err) {
        if (err instanceof ApiError) throw new CliError(err.message, err.code === 'not_found' ? 3 : 2);
        throw err;
      } finally {
        db.close();
      }
      return 0;
    }
    if (sub === 'status') {
      const a = parse(rest, 'gatehouse arming status [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [
        { flag: '--json', help: 'print JSON' },
        dataHelp,
      ]);
      if (!a) return 0;
      const dir = dataDirOf(a.values);
      const { store } = await openConfig(dir);
      const setup = armingOf(store.data);
      const { change } = await latest(dir);
      const mode = modeOf(setup, change?.mode ?? setup.initial);
      const next = nextScheduled(setup.schedule, Date.now(), zoneOrSystem(settingsOf(store.data).timeZone));
      const status = {
        mode,
        since: change?.time ?? null,
        by: change?.actor ?? null,
        via: change?.via ?? null,
        modes: setup.modes,
        schedule: setup.schedule,
        next: next ? { mode: next.mode, at: new Date(next.atMs).toISOString() } : null,
        mqtt: setup.mqtt,
      };
      if (a.values.json) console.log(JSON.stringify(status, null, 2));
      else {
        console.log(
          `Arming mode: ${mode.name}${change ? ` since ${change.time} (by ${change.actor} via ${change.via})` : ' (the initial mode; never switched)'}`,
        );
        if (next) console.log(`Next scheduled switch: ${modeOf(setup, next.mode).name} at ${status.next!.at}`);
      }
      return 0;
    }
    if (sub === 'modes') {
      const [verb, ...r2] = rest;
      if (verb !== 'list') throw new CliError('use "gatehouse arming modes list" (modes are defined in the console: Rules → Arming)');
      const a = parse(r2, 'gatehouse arming modes list [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [
        { flag: '--json', help: 'print JSON' },
        dataHelp,
      ]);
      if (!a) return 0;
      const dir = dataDirOf(a.values);
      const { store } = await openConfig(dir);
      const setup = armingOf(store.data);
      const { change } = await latest(dir);
      const current = change?.mode ?? setup.initial;
      if (a.values.json)
        console.log(
          JSON.stringify(
            setup.modes.map((m) => ({ ...m, current: m.id === current })),
            null,
            2,
          ),
        );
      else
        console.log(
          table(
            ['ID', 'NAME', 'GUARDS MAY SET', 'NOW'],
            setup.modes.map((m) => [m.id, m.name, m.guardSwitchable ? 'yes' : 'no', m.id === current ? '*' : '']),
          ),
        );
      return 0;
    }
    if (sub === 'history') {
      const a = parse(
        rest,
        'gatehouse arming history [--limit N] [--json] [--data DIR]',
        { ...dataOption, limit: { type: 'string' }, json: { type: 'boolean' } },
        [{ flag: '--limit N', help: 'at most N switches (default 20)' }, { flag: '--json', help: 'print JSON' }, dataHelp],
      );
      if (!a) return 0;
      const n = a.values.limit === undefined ? 20 : Number(a.values.limit);
      if (!Number.isInteger(n) || n < 1 || n > 500) throw new CliError('--limit must be a whole number from 1 to 500');
      const changes = (await latest(dataDirOf(a.values))).history(n);
      if (a.values.json) console.log(JSON.stringify(changes, null, 2));
      else if (!changes.length) console.log('No switches yet.');
      else
        console.log(
          table(
            ['TIME', 'FROM', 'TO', 'BY', 'VIA', 'FROM WHERE'],
            changes.map((c) => [c.time, c.previous ?? '-', c.mode, c.actor, c.via, c.peer ?? '-']),
          ),
        );
      return 0;
    }
    throw new CliError(`unknown subcommand "arming ${sub}"\n${USAGE}`);
  },
};
