/**
 * `gatehouse export verify DIR [--json] [--data DIR]`: check an evidence
 * export offline (no engine, no network): the signature, every file's hash,
 * missing and extra files, and whether the key is one of this site's (the
 * public keys in the data dir's export-keys.json). Exit 0 when valid, 1 when
 * not, 2 on bad usage.
 *
 * (`export create` and `export list` come with the export jobs in the engine.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { readSitePublicKeys, siteKeyFile, verifyBundle, type VerifyResult } from '../../engine/export/index.js';
import { printable } from '../../engine/util/printable.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, type Command } from '../args.js';

const USAGE = `Usage:
  gatehouse export verify DIR [--json] [--data DIR]   check an export bundle: signature, every file, missing and extra files`;

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
  const a = parse(argv, 'gatehouse export verify DIR [--json] [--data DIR]', { ...dataOption, json: { type: 'boolean' } }, [{ flag: '--json', help: 'print the result as JSON' }, dataHelp], true);
  if (!a) return 0;
  if (a.positionals.length !== 1) throw new CliError(`give exactly one export folder\n${USAGE}`);
  const dir = path.resolve(a.positionals[0]!);
  const dataDir = dataDirOf(a.values);
  let keys: ReturnType<typeof readSitePublicKeys> = [];
  try {
    keys = fs.existsSync(siteKeyFile(dataDir)) ? readSitePublicKeys(dataDir) : [];
  } catch (err) {
    console.error(`gatehouse: the site's export keys could not be read (${(err as Error).message}); checking without them`);
  }
  const r = await verifyBundle(dir, { siteKeys: keys.length ? keys : null });
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
  summary: 'verify an evidence export (signature, every file)',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'verify') return verify(rest);
    throw new CliError(`unknown subcommand "export ${sub}"\n${USAGE}`);
  },
};
