import fs from 'node:fs';
import path from 'node:path';
import { parseCheckpoints } from '../../engine/audit/checkpoints.js';
import { AuditTrail } from '../../engine/audit/trail.js';
import { verifyAudit, type ExternalCheckpoints } from '../../engine/audit/verify.js';
import { readSitePublicKeys } from '../../engine/keys/site-key.js';
import { DataPaths } from '../../engine/paths.js';
import { openIndex } from '../../engine/store/db.js';
import { printable } from '../../engine/util/printable.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, parseTime, table, type Command } from '../args.js';

const USAGE = `Usage:
  gatehouse audit verify [--checkpoints FILE]... [--json] [--data DIR]
      check the hash chain and the signed checkpoints (the index's, and each FILE's); exit 1 at the first problem
  gatehouse audit list [--actor U] [--action PREFIX] [--from TIME] [--to TIME] [--limit N] [--json] [--data DIR]`;

function openTrail(dataDir: string): { trail: AuditTrail; db: ReturnType<typeof openIndex>; close: () => void } | null {
  const paths = new DataPaths(dataDir);
  if (!fs.existsSync(paths.index)) return null;
  const db = openIndex(paths.index);
  return { trail: new AuditTrail(db), db, close: () => db.close() };
}

async function verify(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse audit verify [--checkpoints FILE]... [--json] [--data DIR]',
    { ...dataOption, json: { type: 'boolean' }, checkpoints: { type: 'string', multiple: true } },
    [
      { flag: '--checkpoints FILE', help: 'also check the checkpoints in FILE: a copy kept off this machine (the checkpoint file, an MQTT or webhook archive; JSON lines)' },
      { flag: '--json', help: 'print the result as JSON' },
      dataHelp,
    ],
  );
  if (!a) return 0;
  const dir = dataDirOf(a.values);
  const external: ExternalCheckpoints[] = [];
  for (const f of (a.values.checkpoints as unknown as string[] | undefined) ?? []) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch (err) {
      throw new CliError(`--checkpoints: cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2);
    }
    const { checkpoints, skipped } = parseCheckpoints(text);
    if (!checkpoints.length) throw new CliError(`--checkpoints: ${f} holds no audit checkpoint (${skipped} line(s) of something else)`, 2);
    external.push({ source: path.resolve(f), checkpoints });
  }
  let keys: ReturnType<typeof readSitePublicKeys> = [];
  try {
    keys = readSitePublicKeys(dir);
  } catch (err) {
    console.error(`gatehouse: the site's keys could not be read (${(err as Error).message}); checkpoints can't be verified without them`);
  }
  const t = openTrail(dir);
  if (!t) {
    if (external.length) {
      console.log(a.values.json ? JSON.stringify({ ok: false, records: 0, firstBad: { seq: 1, problem: 'checkpoint_missing_records', message: `${dir} has no audit trail, but the checkpoints vouch for one` }, headHash: null }) : `FAILED: ${dir} has no audit trail (index.sqlite), but the checkpoints given vouch for one.`);
      return 1;
    }
    if (a.values.json) console.log(JSON.stringify({ ok: true, records: 0, firstBad: null, headHash: null }));
    else console.log(`No audit trail yet in ${dir}.`);
    return 0;
  }
  try {
    const r = verifyAudit(t.db, { keys, external, trail: t.trail });
    if (a.values.json) {
      console.log(JSON.stringify(r, null, 2));
      return r.ok ? 0 : 1;
    }
    for (const c of r.checks ?? []) {
      const name = c.check === 'checkpoints' ? `checkpoints (${c.source})` : c.check;
      console.log(`  ${c.ok ? 'ok    ' : 'FAILED'}  ${name}: ${printable(c.message)}`);
    }
    const cp = r.checkpoints;
    if (r.ok) {
      console.log(
        `Audit trail OK: ${r.records} record(s), chain intact${r.headHash ? `, head ${r.headHash.slice(0, 16)}…` : ''}` +
          (cp?.newest ? `; signed up to record ${cp.newest.seq} (checkpoint #${cp.newest.n}, ${cp.newest.time})${cp.uncovered ? `, ${cp.uncovered} newer record(s) not signed yet` : ''}.` : '; no signed checkpoint yet.'),
      );
    } else {
      console.log(`Audit trail FAILED at record ${r.firstBad!.seq} (${r.firstBad!.problem}): ${printable(r.firstBad!.message)}.`);
      console.log(`${r.records} record(s) link up in the chain${cp?.newest ? `; the newest checkpoint that still matches is #${cp.newest.n} (records 1–${cp.newest.seq})` : ''}.`);
    }
    return r.ok ? 0 : 1;
  } finally {
    t.close();
  }
}

async function list(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse audit list [--actor U] [--action PREFIX] [--from TIME] [--to TIME] [--limit N] [--json] [--data DIR]',
    { ...dataOption, actor: { type: 'string' }, action: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    [
      { flag: '--actor U', help: 'only records by this user ("system" for the engine)' },
      { flag: '--action PREFIX', help: 'only actions starting with this, e.g. alarm. or auth.login' },
      { flag: '--from TIME', help: 'start (ISO 8601 or -1h, -2d)' },
      { flag: '--to TIME', help: 'end' },
      { flag: '--limit N', help: 'at most N records, newest first (default 50)' },
      { flag: '--json', help: 'print JSON' },
      dataHelp,
    ],
  );
  if (!a) return 0;
  const limit = a.values.limit === undefined ? 50 : Number(a.values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError('--limit must be a whole number from 1 to 500');
  const t = openTrail(dataDirOf(a.values));
  if (!t) {
    console.log(a.values.json ? '[]' : 'No audit records.');
    return 0;
  }
  try {
    const page = t.trail.list(
      {
        actor: a.values.actor as string | undefined,
        action: a.values.action as string | undefined,
        from: a.values.from ? new Date(parseTime(a.values.from as string, '--from')).toISOString() : undefined,
        to: a.values.to ? new Date(parseTime(a.values.to as string, '--to')).toISOString() : undefined,
      },
      null,
      limit,
    );
    if (a.values.json) console.log(JSON.stringify(page.items, null, 2));
    else if (!page.items.length) console.log('No audit records match.');
    else
      console.log(
        table(
          ['SEQ', 'TIME', 'ACTOR', 'ACTION', 'TARGET', 'DETAILS'],
          page.items.map((r) => [String(r.seq), r.time, r.actor, r.action, r.target ?? '-', JSON.stringify(r.details).slice(0, 80)]),
        ),
      );
  } finally {
    t.close();
  }
  return 0;
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'verify the hash-chained audit trail, or list its records',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'verify') return verify(rest);
    if (sub === 'list') return list(rest);
    throw new CliError(`unknown subcommand "audit ${sub}"\n${USAGE}`);
  },
};
