import { parseArgs, type ParseArgsConfig } from 'node:util';
import path from 'node:path';
import { defaultDataDir } from '../engine/paths.js';
import { printable } from '../engine/util/printable.js';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export interface Command {
  name: string;
  summary: string;
  /** Returns the exit code, or -1 to keep the process running (servers). */
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;
export interface OptionHelp {
  flag: string;
  help: string;
}

/** Parse options strictly; --help prints the usage and returns null. */
export function parse<O extends Options>(
  argv: string[],
  usage: string,
  options: O,
  help: OptionHelp[],
  allowPositionals = false,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } | null {
  if (argv.includes('--help') || argv.includes('-h')) {
    const w = Math.max(...help.map((h) => h.flag.length), 10);
    console.log(`Usage: ${usage}\n\nOptions:\n${help.map((h) => `  ${h.flag.padEnd(w)}  ${h.help}`).join('\n')}\n  ${'--help'.padEnd(w)}  show this help`);
    return null;
  }
  try {
    const r = parseArgs({ args: joinDashValues(argv, options), allowPositionals, options, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nUsage: ${usage} (see --help)`);
  }
}

/**
 * `--from -5m`: node's parseArgs takes a value that starts with "-" for an
 * option ("argument is ambiguous"), so the documented relative times would
 * only work as `--from=-5m`. A string option followed by a negative number
 * or a relative time is joined into `--opt=value` first.
 */
export function joinDashValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    const m = /^--([^=]+)$/.exec(a);
    if (m && options[m[1]!]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export const dataOption = { data: { type: 'string' } } as const;
export const dataHelp: OptionHelp = { flag: '--data DIR', help: `data dir (default: ${defaultDataDir()}, or GATEHOUSE_DATA)` };

export function dataDirOf(values: Record<string, unknown>): string {
  return path.resolve((values.data as string | undefined) ?? defaultDataDir());
}

/** A time argument: ISO 8601, "now", or relative like -1h / -30m / -2d / -1h30m (before now). */
export function parseTime(s: string, flag: string): number {
  if (s === 'now') return Date.now();
  if (/^-(\d+(?:\.\d+)?[smhd])+$/.test(s)) {
    const mult = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };
    let ms = 0;
    for (const m of s.slice(1).matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) ms += Number(m[1]) * mult[m[2] as 's' | 'm' | 'h' | 'd'];
    return Date.now() - ms;
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new CliError(`${flag}: "${s}" is not a time; use ISO 8601 like 2026-11-26T08:00:00Z, "now", or -1h / -30m / -1h30m`);
  return t;
}

/** Render rows as an aligned text table. Control characters in cells are shown as escapes (util/printable.ts). */
export function table(headers: string[], rows: string[][]): string {
  rows = rows.map((r) => r.map((c) => printable(c ?? '')));
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (c ?? '').padEnd(w[i]!)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/**
 * A secret for a command: from stdin with --password-stdin (first line), else
 * the flag's value. A flag's value is visible to every local user in the
 * process list while the command runs; stdin is not.
 */
export async function secretArg(values: Record<string, unknown>, flag: string): Promise<string | undefined> {
  if (values['password-stdin']) {
    if (values[flag] !== undefined) throw new CliError(`give the password either with --${flag} or with --password-stdin, not both`);
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
    if (!line) throw new CliError('--password-stdin: stdin held no password (give it on the first line)');
    return line;
  }
  return values[flag] as string | undefined;
}
