/**
 * `gatehouse evidence`: evidence locks (footage kept from retention because
 * it was exported or locked by a supervisor). Works on the data dir
 * directly, with or without a running server.
 *
 *   evidence list [--all] [--json]
 *   evidence unlock ID --reason TEXT
 */
import fs from 'node:fs';
import { ApiError } from '../../api/contract.js';
import { AuditTrail } from '../../engine/audit/trail.js';
import { EvidenceLocks } from '../../engine/evidence/locks.js';
import { cliRunner } from '../../engine/export/job-store.js';
import { ExportService } from '../../engine/export/service.js';
import { openIndex } from '../../engine/store/db.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, table, type Command } from '../args.js';
import { openConfig } from '../offline.js';
import { cliActor } from './export.js';

const USAGE = `Usage:
  gatehouse evidence list [--all] [--json] [--data DIR]          evidence locks (active ones; --all also the released)
  gatehouse evidence unlock ID --reason TEXT [--data DIR]        release a lock: its footage goes back to retention`;

const mb = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : `${(n / 1e6).toFixed(1)} MB`);

async function list(argv: string[]): Promise<number> {
  const a = parse(argv, 'gatehouse evidence list [--all] [--json] [--data DIR]', { ...dataOption, all: { type: 'boolean' }, json: { type: 'boolean' } }, [
    { flag: '--all', help: 'also released locks' },
    { flag: '--json', help: 'print JSON' },
    dataHelp,
  ]);
  if (!a) return 0;
  const { paths } = await openConfig(dataDirOf(a.values));
  let locks: ReturnType<EvidenceLocks['list']> = [];
  if (fs.existsSync(paths.index)) {
    const db = openIndex(paths.index);
    try {
      locks = new EvidenceLocks(db).list({ all: !!a.values.all });
    } finally {
      db.close();
    }
  }
  if (a.values.json) {
    console.log(JSON.stringify(locks, null, 2));
    return 0;
  }
  if (!locks.length) {
    console.log(a.values.all ? 'No evidence locks.' : 'No active evidence locks.');
    return 0;
  }
  console.log(
    table(
      ['ID', 'STATE', 'LOCKED', 'BY', 'CASE', 'CAMERAS', 'FROM', 'TO', 'SEGMENTS', 'SIZE', 'EXPORT', 'REASON'],
      locks.map((l) => [
        String(l.id),
        l.active ? 'active' : `released ${l.releasedAt?.slice(0, 16)} by ${l.releasedBy}`,
        l.createdAt.slice(0, 19) + 'Z',
        l.username,
        l.caseName ?? '-',
        l.cameraIds.join(','),
        l.from,
        l.to,
        String(l.segments),
        mb(l.bytes),
        l.exportJob ?? '-',
        l.reason,
      ]),
    ),
  );
  return 0;
}

async function unlock(argv: string[]): Promise<number> {
  const a = parse(argv, 'gatehouse evidence unlock ID --reason TEXT [--data DIR]', { ...dataOption, reason: { type: 'string' } }, [{ flag: '--reason TEXT', help: 'why the footage may be deleted again (required; audited)' }, dataHelp], true);
  if (!a) return 0;
  if (a.positionals.length !== 1 || !/^\d+$/.test(a.positionals[0]!)) throw new CliError(`give exactly one lock id (see "gatehouse evidence list")\n${USAGE}`);
  const reason = (a.values.reason as string | undefined)?.trim();
  if (!reason) throw new CliError('--reason is required: why may this footage be deleted again? (it goes into the audit trail)');
  const { paths, store, secrets } = await openConfig(dataDirOf(a.values));
  if (!fs.existsSync(paths.index)) throw new CliError(`no evidence lock ${a.positionals[0]} (nothing recorded in ${paths.root})`, 3);
  const db = openIndex(paths.index);
  db.pragma('synchronous = FULL');
  try {
    const service = new ExportService({ db, paths, config: () => store.data, secrets, audit: new AuditTrail(db), ffmpeg: () => null, runner: cliRunner() });
    const l = service.unlock(Number(a.positionals[0]), reason, cliActor());
    console.log(`Evidence lock ${l.id} released (${l.cameraIds.join(', ')}, ${l.from} to ${l.to}). Its footage goes back to retention unless another lock holds it.`);
    return 0;
  } catch (err) {
    if (err instanceof ApiError) throw new CliError(err.message, err.code === 'not_found' ? 3 : 1);
    throw err;
  } finally {
    db.close();
  }
}

export const evidenceCommand: Command = {
  name: 'evidence',
  summary: 'list evidence locks, or release one (works while a server runs)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'list') return list(rest);
    if (sub === 'unlock') return unlock(rest);
    throw new CliError(`unknown subcommand "evidence ${sub}"\n${USAGE}`);
  },
};
