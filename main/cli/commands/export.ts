/**
 * `gatehouse export`: evidence exports from the command line, with or
 * without a running server (like the other commands, it works on the data
 * dir directly: a job made here runs in this process, is listed by a
 * running server's console, and locks its footage in the shared index).
 *
 *   export create --camera NAME[,NAME…] --from TIME --to TIME [--case TEXT] [--reason TEXT] [--out DIR] [--zip] [--reencode] [--json]
 *   export list [--json]
 *   export verify DIR|ZIP [--json]: check a bundle offline (no engine, no network), its folder or
 *     its .zip as it is (read in place, not unzipped): the signature, every file's hash, missing
 *     and extra files, and whether the key is one of this site's (the public keys in the data dir's
 *     export-keys.json). Exit 0 when valid, 1 when not, 2 on bad usage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../api/contract.js';
import type { ExportJob } from '../../api/export.js';
import { osActor } from '../../engine/audit/actor.js';
import { AuditTrail } from '../../engine/audit/trail.js';
import { readSitePublicKeys, siteKeyFile, verifyBundle, type VerifyResult } from '../../engine/export/index.js';
import { cliRunner, JobStore, runnerAlive } from '../../engine/export/job-store.js';
import { ExportService } from '../../engine/export/service.js';
import { resolveFfmpeg } from '../../engine/media/ffmpeg.js';
import { openIndex } from '../../engine/store/db.js';
import { printable } from '../../engine/util/printable.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, parseTime, table, type Command } from '../args.js';
import { openConfig, runningServer } from '../offline.js';

const USAGE = `Usage:
  gatehouse export create --camera NAME[,NAME...] --from TIME --to TIME [--case TEXT] [--reason TEXT] [--out DIR] [--zip] [--reencode] [--json] [--data DIR]
                                                       export footage as a signed bundle (a folder; --zip also a .zip)
  gatehouse export list [--json] [--data DIR]          export jobs, newest first
  gatehouse export verify DIR|ZIP [--json] [--data DIR]
                                                       check an export bundle (its folder, or its .zip as it is):
                                                       signature, every file, missing and extra files

TIME is ISO 8601 (2026-11-26T08:00:00Z), "now", or relative (-1h, -30m, -2d).`;

/** The command line's user, as the exports and the audit trail name it: `os:<login>` (audit/actor.ts), like every CLI change. */
export function cliActor(): { username: string; displayName: string; os: string } {
  const actor = osActor();
  const user = actor.slice('os:'.length);
  return { username: actor, displayName: `${user} (gatehouse command line on ${os.hostname()})`, os: user };
}

function apiToCli(err: unknown): never {
  if (err instanceof ApiError) throw new CliError(err.message, err.code === 'not_found' ? 3 : 2);
  throw err;
}

const mb = (n: number | null | undefined) => (n === null || n === undefined ? '?' : n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : `${(n / 1e6).toFixed(1)} MB`);

function bar(f: number, width = 30): string {
  const n = Math.round(Math.max(0, Math.min(1, f)) * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

async function create(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    'gatehouse export create --camera NAME[,NAME...] --from TIME --to TIME [--case TEXT] [--reason TEXT] [--out DIR] [--zip] [--reencode] [--json] [--data DIR]',
    {
      ...dataOption,
      camera: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      case: { type: 'string' },
      reason: { type: 'string' },
      out: { type: 'string' },
      zip: { type: 'boolean' },
      reencode: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    [
      { flag: '--camera NAME[,NAME...]', help: 'cameras by name or id (comma-separated, or --camera again)' },
      { flag: '--from TIME', help: 'start of the range' },
      { flag: '--to TIME', help: 'end of the range' },
      { flag: '--case TEXT', help: 'the case it belongs to (made when there is none of that name)' },
      { flag: '--reason TEXT', help: 'why it is exported (default: "exported from the command line by USER")' },
      { flag: '--out DIR', help: 'folder to write the bundle into (default: the data dir\'s exports/)' },
      { flag: '--zip', help: 'also write a .zip of the bundle' },
      { flag: '--reencode', help: 'frame-exact cut with time, camera name and watermark burned in (slower)' },
      { flag: '--json', help: 'print the finished job as JSON (progress goes to stderr)' },
      dataHelp,
    ],
  );
  if (!a) return 0;
  const cams = ((a.values.camera as unknown as string[] | undefined) ?? []).flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean);
  if (!cams.length) throw new CliError('--camera is required (one or more names, comma-separated)');
  if (!a.values.from) throw new CliError('--from is required');
  if (!a.values.to) throw new CliError('--to is required');
  const fromMs = parseTime(a.values.from as string, '--from');
  const toMs = parseTime(a.values.to as string, '--to');
  if (toMs <= fromMs) throw new CliError(`--from (${new Date(fromMs).toISOString()}) is after --to (${new Date(toMs).toISOString()}); swap them`);
  const who = cliActor();
  const reason = ((a.values.reason as string | undefined) ?? `exported from the command line by ${who.os}`).trim();
  if (!reason) throw new CliError('--reason must not be empty');
  const caseName = (a.values.case as string | undefined)?.trim();
  if (a.values.case !== undefined && !caseName) throw new CliError('--case must not be empty');

  const { store, paths, secrets } = await openConfig(dataDirOf(a.values));
  paths.ensure();
  const db = openIndex(paths.index);
  db.pragma('synchronous = FULL');
  const srv = runningServer(paths);
  let ffmpeg: string | null = null;
  try {
    ffmpeg = resolveFfmpeg().ffmpeg;
  } catch {
    /* only re-encoded cameras need it; the export says so */
  }
  const service = new ExportService({ db, paths, config: () => store.data, secrets, audit: new AuditTrail(db), ffmpeg: () => ffmpeg, runner: cliRunner() });
  const abort = new AbortController();
  const onSignal = () => {
    if (!abort.signal.aborted) process.stderr.write('\nCancelling: removing what was written...\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = !a.values.json && process.stderr.isTTY;
  try {
    const job = await service
      .create(
        { cameraIds: cams, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), reason, zip: !!a.values.zip, reencode: !!a.values.reencode, source: { kind: 'cli' } },
        who,
        { outDir: a.values.out ? path.resolve(a.values.out as string) : undefined, caseName, wait: !!srv },
      )
      .catch(apiToCli);
    const say = (s: string) => (a.values.json ? process.stderr.write(s + '\n') : console.log(s));
    say(`Export ${job.id}: ${job.cameraIds.join(', ')}, ${job.from} to ${job.to}, case "${job.caseName}", about ${mb(job.estimateBytes)}.`);
    if (job.waitUntil) {
      say(`Waiting until ${job.waitUntil} for the end of the range to be recorded (Ctrl+C cancels)...`);
      service.jobs.update(job.id, { state: 'waiting' });
      await new Promise<void>((res) => {
        const t = setTimeout(res, Math.max(0, Date.parse(job.waitUntil!) - Date.now()));
        abort.signal.addEventListener('abort', () => {
          clearTimeout(t);
          res();
        });
      });
    }
    let lastPersist = 0;
    let lastDraw = 0;
    const started = Date.now();
    const end: ExportJob = abort.signal.aborted
      ? service.cancelQueued(job.id, who)
      : await service.run(job.id, who, {
          signal: abort.signal,
          onProgress: (p) => {
            const now = Date.now();
            if (now - lastPersist > 2000) {
              lastPersist = now;
              service.jobs.update(job.id, { progress: p.fraction, phase: p.phase });
            }
            if (tty && (now - lastDraw > 100 || p.phase === 'done')) {
              lastDraw = now;
              const el = now - started;
              const eta = p.fraction > 0.01 && el > 1000 ? Math.round((el * (1 - p.fraction)) / p.fraction / 1000) : null;
              process.stderr.write(`\r${bar(p.fraction)} ${(p.fraction * 100).toFixed(0).padStart(3)}% ${p.phase.padEnd(8)} ${eta === null ? '' : `ETA ${eta} s`}   `);
            }
          },
        });
    if (tty) process.stderr.write('\n');
    if (a.values.json) console.log(JSON.stringify(end, null, 2));
    if (end.state === 'done') {
      if (!a.values.json) {
        console.log(`Exported to ${end.dir}${end.zipPath ? ` and ${end.zipPath}` : ''} (${mb(end.bytes)}).`);
        console.log(`manifest.json SHA-256: ${end.manifestSha256}`);
        console.log(`Signed with ${end.fingerprint}. Evidence lock ${end.lockId} keeps the footage from retention.`);
        if (end.maskedCameras.length) console.log(`Privacy masks burned into: ${end.maskedCameras.join(', ')}.`);
        console.log(`Check it: gatehouse export verify "${end.dir}"   (or by hand: see README.txt in the folder)`);
      }
      return 0;
    }
    const msg = end.state === 'cancelled' ? `export ${end.id} cancelled; nothing was kept` : `export ${end.id} failed: ${end.error}`;
    console.error(`gatehouse: ${msg}`);
    return end.state === 'cancelled' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    db.close();
  }
}

async function list(argv: string[]): Promise<number> {
  const a = parse(argv, 'gatehouse export list [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [{ flag: '--json', help: 'print JSON' }, dataHelp]);
  if (!a) return 0;
  const { paths } = await openConfig(dataDirOf(a.values));
  let jobs: (ExportJob & { runnerGone?: boolean })[] = [];
  if (fs.existsSync(paths.index)) {
    const db = openIndex(paths.index);
    try {
      const store = new JobStore(db);
      jobs = store.list({ limit: 500 }).map((j) => {
        const runner = store.runnerOf(j.id) ?? '';
        const active = j.state === 'running' || j.state === 'waiting' || j.state === 'queued';
        const gone = active && (runner === 'engine' ? !runningServer(paths) : !runnerAlive(runner));
        return gone ? { ...j, runnerGone: true } : j;
      });
    } finally {
      db.close();
    }
  }
  if (a.values.json) {
    console.log(JSON.stringify(jobs, null, 2));
    return 0;
  }
  if (!jobs.length) {
    console.log('No exports yet. Make one with: gatehouse export create --camera NAME --from TIME --to TIME');
    return 0;
  }
  console.log(
    table(
      ['ID', 'STATE', 'CREATED', 'BY', 'CASE', 'CAMERAS', 'FROM', 'TO', 'SIZE', 'FOLDER / ERROR'],
      jobs.map((j) => [
        j.id,
        j.state === 'running' ? `running ${Math.round(j.progress * 100)}%${j.runnerGone ? ' (process gone)' : ''}` : j.state + (j.runnerGone ? ' (process gone)' : ''),
        j.createdAt.slice(0, 19) + 'Z',
        j.username,
        j.caseName ?? '-',
        j.cameraIds.join(','),
        j.from,
        j.to,
        j.state === 'done' ? mb(j.bytes) : '-',
        j.state === 'done' ? (j.dir ?? '') : (j.error ?? ''),
      ]),
    ),
  );
  return 0;
}

/** Record the check in the data dir's audit trail (chain of custody), when the data dir has one. */
function auditVerify(dataDir: string, dir: string, r: VerifyResult): void {
  const index = path.join(dataDir, 'index.sqlite');
  if (!fs.existsSync(index)) return;
  try {
    const db = openIndex(index);
    try {
      new AuditTrail(db).append({
        actor: cliActor().username,
        action: 'export.verify',
        target: null,
        details: { dir, ok: r.ok, signature: r.signature, manifestSha256: r.manifestSha256, fingerprint: r.fingerprint, siteKey: r.siteKey.status, exportId: r.manifest?.exportId ?? null, problems: r.problems.slice(0, 20), via: 'cli' },
      });
    } finally {
      db.close();
    }
  } catch (err) {
    console.error(`gatehouse: the check could not be written to the audit trail (${(err as Error).message})`);
  }
}

function describeKey(r: VerifyResult, keysFound: boolean, dataDir: string): string {
  if (!r.fingerprint) return 'Key: none readable.';
  if (r.siteKey.status === 'this-site') {
    const k = r.siteKey.key;
    return `Key: ${r.fingerprint}, this site's ${k.current ? 'current' : `retired (until ${k.retiredAt})`} export key (made ${k.createdAt}).`;
  }
  if (!keysFound) return `Key: ${r.fingerprint}. ${dataDir} has no export keys, so whether it is this site's key was not checked.`;
  return `Key: ${r.fingerprint}, NOT one of this site's export keys (signed elsewhere, or with a key this data dir does not know).`;
}

async function verify(argv: string[]): Promise<number> {
  const a = parse(argv, 'gatehouse export verify DIR|ZIP [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [{ flag: '--json', help: 'print the result as JSON' }, dataHelp], true);
  if (!a) return 0;
  if (a.positionals.length !== 1) throw new CliError(`give exactly one export folder or .zip\n${USAGE}`);
  const dir = path.resolve(a.positionals[0]!);
  const dataDir = dataDirOf(a.values);
  let keys: ReturnType<typeof readSitePublicKeys> = [];
  try {
    keys = fs.existsSync(siteKeyFile(dataDir)) ? readSitePublicKeys(dataDir) : [];
  } catch (err) {
    console.error(`gatehouse: the site's export keys could not be read (${(err as Error).message}); checking without them`);
  }
  const r = await verifyBundle(dir, { siteKeys: keys.length ? keys : null });
  auditVerify(dataDir, dir, r);
  if (a.values.json) {
    console.log(JSON.stringify(r, null, 2));
    return r.ok ? 0 : 1;
  }
  const counts = { ok: 0, changed: 0, missing: 0, extra: 0 };
  for (const f of r.files) counts[f.status]++;
  if (r.manifest) {
    const c = r.manifest.case;
    // The manifest is the bundle's text, which anyone may have written: printed with control characters escaped.
    console.log(
      printable(
        `Export ${r.manifest.exportId}: case "${c?.name}"${c?.reference ? ` (${c.reference})` : ''}, ${r.manifest.range?.from} to ${r.manifest.range?.to}, made ${r.manifest.createdAt} by ${r.manifest.operator?.username} at ${r.manifest.site?.name}.`,
      ),
    );
  }
  console.log(`Signature: ${r.signature === 'valid' ? 'valid' : `BAD (${r.signature})`}.`);
  console.log(describeKey(r, keys.length > 0, dataDir));
  if (r.manifestSha256) console.log(`manifest.json SHA-256: ${r.manifestSha256}`);
  console.log(`Files: ${counts.ok} ok, ${counts.changed} changed, ${counts.missing} missing, ${counts.extra} extra.`);
  if (r.ok) {
    console.log(`VALID: ${dir} is unchanged since it was signed.`);
    return 0;
  }
  for (const p of r.problems) console.log(`  ${printable(p)}`);
  console.log(`NOT VALID: ${dir} was changed or is incomplete (see above).`);
  return 1;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'export footage as a signed evidence bundle, list exports, verify a bundle',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'verify') return verify(rest);
    if (sub === 'create') return create(rest);
    if (sub === 'list') return list(rest);
    throw new CliError(`unknown subcommand "export ${sub}"\n${USAGE}`);
  },
};
