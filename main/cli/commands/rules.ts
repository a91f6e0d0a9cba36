/**
 * `gatehouse rules`: the alarm rules (trigger → conditions → actions) in
 * config.json, with or without a running server (a running server uses a
 * change within a second), and the dry run over the stored events.
 *
 *   rules list [--json]
 *   rules add --name NAME --when object --camera CAM --zone ZONE --label person [--dwell S] --then alarm --priority N [--modes Night,Away]
 *   rules add --file rule.json
 *   rules remove ID | enable ID | disable ID
 *   rules test ID | --file rule.json [--from TIME] [--to TIME] [--limit N] [--json]
 */
import fs from 'node:fs';
import { ApiError } from '../../api/contract.js';
import { TRIGGER_KINDS, type Rule, type RuleDraft } from '../../api/rules.js';
import { alarmSetupOf, armingOf, rulesOf, settingsOf } from '../../engine/config/schema.js';
import { ArmingStore, modeTimeline } from '../../engine/arming/store.js';
import { dryRun } from '../../engine/rules/dry-run.js';
import { addRule, checkDraft, placeRule, removeRule, setRuleEnabled } from '../../engine/rules/store.js';
import { openIndex } from '../../engine/store/db.js';
import { zoneOrSystem } from '../../engine/util/time-zone.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, parseTime, table, type Command } from '../args.js';
import { openConfig, runningServer } from '../offline.js';
import { recordCliChange } from '../record.js';

const USAGE = `Usage:
  gatehouse rules list [--json] [--data DIR]
  gatehouse rules add --name NAME --when object --camera CAM --zone ZONE --label person [--dwell S] --then alarm --priority N [--modes Night,Away] [--data DIR]
  gatehouse rules add --file rule.json [--data DIR]
  gatehouse rules remove ID | enable ID | disable ID [--data DIR]
  gatehouse rules test ID | --file rule.json [--from TIME] [--to TIME] [--limit N] [--json] [--data DIR]

Rules are tried in order; the first enabled rule whose trigger and conditions match decides.
"test" is the dry run: what the rule would have raised over the stored events (default: the last 24 h).
TIME is ISO 8601, "now", or relative (-1h, -30m, -2d). Works with or without a running server.`;

const list = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];

function apiToCli(err: unknown): never {
  if (err instanceof ApiError) throw new CliError(err.message, err.code === 'not_found' ? 3 : err.code === 'conflict' ? 1 : 2);
  throw err;
}

function readRuleFile(file: string): RuleDraft {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`--file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (err) {
    throw new CliError(`--file: ${file} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j))
    throw new CliError(`--file: ${file} must hold one rule object {"name", "trigger", "conditions", "actions"}`);
  return j as RuleDraft;
}

/** The common case from flags: --when … --then …. */
function draftFromFlags(v: Record<string, string | boolean | undefined>): RuleDraft {
  const name = typeof v.name === 'string' ? v.name.trim() : '';
  if (!name) throw new CliError('--name is required (or give the whole rule with --file rule.json)');
  const when = (v.when as string | undefined) ?? 'object';
  if (!(TRIGGER_KINDS as readonly string[]).includes(when))
    throw new CliError(`--when: unknown trigger "${when}"; use one of ${TRIGGER_KINDS.join(', ')}`);
  const num = (flag: string, min: number, max: number) => {
    const raw = v[flag];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new CliError(`--${flag}: "${String(raw)}" is not a whole number from ${min} to ${max}`);
    return n;
  };
  let trigger: Record<string, unknown> = { kind: when };
  if (when === 'object') {
    const dwell = num('dwell', 1, 86_400);
    const phase = (v.phase as string | undefined) ?? (v.zone ? 'dwell' : 'seen');
    trigger = { kind: 'object', phase, ...(dwell !== undefined ? { dwellSeconds: dwell } : {}) };
  } else if (when === 'sensor') trigger = { kind: 'sensor', types: list(v.type), states: list(v.state) };
  else if (when === 'access') trigger = { kind: 'access', result: (v.result as string | undefined) ?? 'denied', doors: list(v.door) };
  else if (when === 'onvif') trigger = { kind: 'onvif', events: list(v.event) };
  else if (when === 'face') trigger = { kind: 'face', events: list(v.event) };
  else if (when === 'health') trigger = { kind: 'health', conditions: list(v.condition) };
  const then = (v.then as string | undefined) ?? 'alarm';
  const priority = num('priority', 1, 5);
  let action: Record<string, unknown>;
  if (then === 'alarm') action = { type: 'alarm', priority: priority ?? 3, ...(v.sop ? { sop: v.sop } : {}) };
  else if (then === 'log' || then === 'bookmark' || then === 'ignore') action = { type: then };
  else throw new CliError(`--then: "${then}" is not alarm, log, bookmark or ignore (other actions: give the rule with --file rule.json)`);
  return {
    name,
    trigger,
    conditions: {
      cameraIds: list(v.camera),
      zones: list(v.zone),
      labels: list(v.label),
      modes: list(v.modes),
      sensorIds: list(v.sensor),
      ...(num('min-count', 1, 100) !== undefined ? { minCount: num('min-count', 1, 100) } : {}),
    },
    actions: [action],
  };
}

/** Zone ids to their names ("Gate"), from the cameras in the config. */
function zoneNames(cfg: { cameras?: { zones?: { id: string; name: string }[] }[] }): (id: string) => string {
  const names = new Map<string, string>();
  for (const cam of cfg.cameras ?? []) for (const z of cam.zones ?? []) names.set(z.id, z.name);
  return (id) => names.get(id) ?? id;
}

function describe(r: Rule, zoneName: (id: string) => string = (id) => id): { when: string; where: string; then: string } {
  const t = r.trigger;
  const c = r.conditions;
  const when =
    t.kind === 'object'
      ? `${c.labels.join('/') || 'object'} ${t.phase}${t.dwellSeconds ? ` ${t.dwellSeconds}s` : ''}`
      : t.kind === 'sensor'
        ? `sensor ${t.types.join('/') || 'any'}${t.states.length ? ` ${t.states.join('/')}` : ''}`
        : t.kind === 'access'
          ? `badge ${t.result}`
          : t.kind === 'onvif' || t.kind === 'face'
            ? `${t.kind} ${t.events.join('/') || 'any'}`
            : t.kind === 'health'
              ? `health ${t.conditions.join('/') || 'any'}`
              : t.kind;
  const where = [
    c.cameraIds.join(','),
    c.zones.length ? `zone ${c.zones.map(zoneName).join(',')}` : '',
    c.sensorIds.join(','),
    c.modes.length ? `in ${c.modes.join(',')}` : '',
    c.schedule ? `${c.schedule.from}-${c.schedule.to}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const then = r.actions.map((a) => (a.type === 'alarm' ? `alarm P${a.priority}` : a.type)).join(', ');
  return { when, where: where || '-', then };
}

async function add(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse rules add --name NAME --when object --camera CAM --zone ZONE --label person [--dwell S] --then alarm --priority N [--modes M,M] | --file rule.json',
    {
      ...dataOption,
      file: { type: 'string' },
      name: { type: 'string' },
      when: { type: 'string' },
      phase: { type: 'string' },
      camera: { type: 'string' },
      zone: { type: 'string' },
      label: { type: 'string' },
      dwell: { type: 'string' },
      'min-count': { type: 'string' },
      sensor: { type: 'string' },
      type: { type: 'string' },
      state: { type: 'string' },
      door: { type: 'string' },
      result: { type: 'string' },
      event: { type: 'string' },
      condition: { type: 'string' },
      then: { type: 'string' },
      priority: { type: 'string' },
      sop: { type: 'string' },
      modes: { type: 'string' },
      json: { type: 'boolean' },
    },
    [
      { flag: '--file rule.json', help: 'the whole rule as JSON (any trigger, conditions, actions; see docs/alarms.md)' },
      { flag: '--name NAME', help: 'what the guard reads on the alarm list' },
      { flag: '--when KIND', help: `trigger: ${TRIGGER_KINDS.join(', ')} (default object)` },
      { flag: '--camera CAM[,CAM]', help: 'cameras (name or id)' },
      { flag: '--zone ZONE[,ZONE]', help: 'detection zones (name or id; object triggers dwell in them)' },
      { flag: '--label L[,L]', help: 'object labels: person, vehicle, bicycle, ...' },
      { flag: '--dwell S', help: "seconds in the zone before it counts (default: the zone's own)" },
      { flag: '--phase P', help: 'object: dwell (default with a zone), enter, seen (default without)' },
      { flag: '--min-count N', help: 'at least N objects in the zone at once' },
      { flag: '--sensor ID, --type T, --state S', help: 'sensor triggers: sensor ids, door/window/motion, open/forced/held/broken/active' },
      { flag: '--door D, --result R', help: 'access triggers: doors, denied/granted/any' },
      { flag: '--event E, --condition C', help: 'onvif events (motion/tamper/input); face events (watchlist/unknown/mismatch); health conditions (offline, stalled, ...)' },
      { flag: '--then ACTION', help: 'alarm (default), log, bookmark, ignore' },
      { flag: '--priority N', help: 'alarm priority, 1 (critical) to 5 (default 3)' },
      { flag: '--sop TEXT', help: 'the procedure shown on the alarm' },
      { flag: '--modes M[,M]', help: 'arming modes the rule runs in (default: every mode)' },
      { flag: '--json', help: 'print the rule as JSON' },
      dataHelp,
    ],
  );
  if (!a) return 0;
  const draft = a.values.file ? readRuleFile(a.values.file as string) : draftFromFlags(a.values);
  const { store, paths } = await openConfig(dataDirOf(a.values));
  const rule = await addRule(store, draft).catch(apiToCli);
  recordCliChange(paths, 'rules.add', `rule:${rule.id}`, { rule });
  if (a.values.json) console.log(JSON.stringify(rule, null, 2));
  else {
    const d = describe(rule, zoneNames(store.data));
    console.log(`Added rule ${rule.id}: ${rule.name} (when ${d.when}${d.where !== '-' ? `, ${d.where}` : ''} → ${d.then}).`);
    console.log(`Check what it would have raised: gatehouse rules test ${rule.id}`);
    if (runningServer(paths)) console.log('The running server uses it within a second.');
  }
  return 0;
}

async function test(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse rules test ID | --file rule.json [--from TIME] [--to TIME] [--limit N] [--json] [--data DIR]',
    {
      ...dataOption,
      file: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
    [
      { flag: '--file rule.json', help: 'a rule that is not saved yet' },
      { flag: '--from TIME', help: 'start (default: 24 h before --to)' },
      { flag: '--to TIME', help: 'end (default now)' },
      { flag: '--limit N', help: 'list at most N matches (default 50; the counts are complete)' },
      { flag: '--json', help: 'print the result as JSON' },
      dataHelp,
    ],
    true,
  );
  if (!a) return 0;
  const { store, paths } = await openConfig(dataDirOf(a.values));
  const cfg = store.data;
  let rule: Rule;
  if (a.values.file) {
    const v = checkDraft(cfg, { id: 'draft', ...readRuleFile(a.values.file as string) });
    if (!v.rule) throw new CliError(`the rule is not valid:\n${v.errors.map((e) => `  ${e.field || '(rule)'}: ${e.message}`).join('\n')}`);
    rule = v.rule;
  } else {
    const id = a.positionals[0];
    if (!id) throw new CliError(`which rule? gatehouse rules test ID (see "gatehouse rules list"), or --file rule.json\n${USAGE}`);
    const found = rulesOf(cfg).find((r) => r.id === id);
    if (!found) throw new CliError(`no rule "${id}" (see "gatehouse rules list")`, 3);
    rule = found;
  }
  const toMs = a.values.to ? parseTime(a.values.to as string, '--to') : Date.now();
  const fromMs = a.values.from ? parseTime(a.values.from as string, '--from') : toMs - 86_400_000;
  if (!(toMs > fromMs)) throw new CliError('--from must be before --to');
  if (toMs - fromMs > 31 * 86_400_000) throw new CliError('a dry run looks at 31 days at most; shorten the range');
  const limit = a.values.limit === undefined ? 50 : Number(a.values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new CliError('--limit must be a whole number from 1 to 5000');
  if (!fs.existsSync(paths.index)) {
    console.log(
      a.values.json
        ? JSON.stringify({ ruleId: rule.id, matched: 0, alarms: 0, items: [] })
        : 'No stored events yet: nothing to test against.',
    );
    return 0;
  }
  const db = openIndex(paths.index);
  try {
    const names = new Map(cfg.cameras.map((c) => [c.id, c.name]));
    const r = dryRun({
      db,
      rules: placeRule(rulesOf(cfg), rule),
      rule,
      setup: alarmSetupOf(cfg),
      cameraName: (id) => names.get(id) ?? null,
      timeZone: zoneOrSystem(settingsOf(cfg).timeZone),
      modeAt: modeTimeline(new ArmingStore(db).upTo(toMs), armingOf(cfg).initial),
      fromMs,
      toMs,
      limit,
    });
    if (a.values.json) {
      console.log(JSON.stringify(r, null, 2));
      return 0;
    }
    console.log(`Rule ${rule.id} (${rule.name}) from ${r.from} to ${r.to}: ${r.scanned} stored events looked at.`);
    console.log(
      `  ${r.alarms} alarm(s) it would have raised, ${r.coalesced} repeat(s) counted on them, ${r.matched} match(es)${r.shadowed ? `, ${r.shadowed} taken first by an earlier rule` : ''}.`,
    );
    if (r.items.length) {
      console.log('');
      console.log(
        table(
          ['TIME', 'CAMERA', 'WHAT', 'OUTCOME', 'ALARM'],
          r.items.map((i) => [
            i.time,
            i.cameraId ? (names.get(i.cameraId) ?? i.cameraId) : '-',
            i.what,
            i.shadowedBy ? `shadowed by ${i.shadowedBy}` : i.outcome,
            i.priority ? `P${i.priority} ${i.title}` : '-',
          ]),
        ),
      );
      if (r.truncated) console.log(`\n(the first ${r.items.length} listed; --limit N lists more)`);
    }
  } finally {
    db.close();
  }
  return 0;
}

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'alarm rules: list, add, remove, enable/disable, test (dry run); works with or without a running server',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'add') return add(rest);
    if (sub === 'test') return test(rest);
    if (sub === 'list') {
      const a = parse(rest, 'gatehouse rules list [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [
        { flag: '--json', help: 'print JSON' },
        dataHelp,
      ]);
      if (!a) return 0;
      const { store } = await openConfig(dataDirOf(a.values));
      const rules = rulesOf(store.data);
      if (a.values.json) console.log(JSON.stringify(rules, null, 2));
      else {
        console.log(
          table(
            ['#', 'ID', 'ON', 'NAME', 'WHEN', 'WHERE', 'THEN'],
            rules.map((r, i) => {
              const d = describe(r, zoneNames(store.data));
              return [String(i + 1), r.id, r.enabled ? 'yes' : 'no', r.name, d.when, d.where, d.then];
            }),
          ),
        );
        console.log(
          `\n${rules.length} rule(s)${store.data.rules === undefined ? ' (the built-in ones)' : ''}; tried in this order, the first match decides.`,
        );
      }
      return 0;
    }
    if (sub === 'remove' || sub === 'enable' || sub === 'disable') {
      const a = parse(rest, `gatehouse rules ${sub} ID [--data DIR]`, { ...dataOption }, [dataHelp], true);
      if (!a) return 0;
      const id = a.positionals[0];
      if (!id || a.positionals.length > 1) throw new CliError(`give exactly one rule id (see "gatehouse rules list")\n${USAGE}`);
      const { store, paths } = await openConfig(dataDirOf(a.values));
      if (sub === 'remove') {
        const gone = await removeRule(store, id).catch(apiToCli);
        recordCliChange(paths, 'rules.remove', `rule:${id}`, { rule: gone });
        console.log(`Removed rule ${id} (${gone.name}).`);
      } else {
        await setRuleEnabled(store, id, sub === 'enable').catch(apiToCli);
        recordCliChange(paths, 'rules.setEnabled', `rule:${id}`, { enabled: sub === 'enable' });
        console.log(`Rule ${id} ${sub}d.`);
      }
      return 0;
    }
    throw new CliError(`unknown subcommand "rules ${sub}"\n${USAGE}`);
  },
};
