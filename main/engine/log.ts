/**
 * Plain line logger. Anything that looks like a credential is masked, and
 * control characters from outside (a user name with `\r\n`, a bidi
 * override) are written as escapes, so one call is always one line.
 */
import { printable } from './util/printable.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: Level = (process.env.GATEHOUSE_LOG as Level) || 'info';

export function setLogLevel(l: Level): void {
  threshold = l;
}

/** Mask user:pass@ in URLs and password=... pairs. */
export function redact(s: string): string {
  return s
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+):([^/@\s]*)@/gi, '$1$2:***@')
    // key=value (query strings, form bodies) and "key": "value" (JSON); not prose such as "wrong password: check it".
    .replace(/\b(password|passwd|pwd|token)(=|"\s*:\s*"|'\s*:\s*')([^"'\s&,}]+)/gi, '$1$2***');
}

function write(level: Level, scope: string, msg: string, extra?: unknown): void {
  if (order[level] < order[threshold]) return;
  let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${scope}] ${printable(msg)}`;
  if (extra !== undefined) line += ' ' + describeExtra(extra);
  line = redact(line);
  // Every log line goes to stderr, so stdout carries only command output
  // (JSON from --json, the serve banner) and can be piped safely.
  process.stderr.write(line + '\n');
}

/** An error as "Name: message" (escaped) plus its stack frames, one per line; anything else on one line. */
function describeExtra(extra: unknown): string {
  if (extra instanceof Error) {
    const frames = (extra.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
    return [printable(`${extra.name}: ${extra.message}`), ...frames.map(printable)].join('\n');
  }
  return printable(typeof extra === 'string' ? extra : String(JSON.stringify(extra)));
}

export interface Logger {
  debug(msg: string, extra?: unknown): void;
  info(msg: string, extra?: unknown): void;
  warn(msg: string, extra?: unknown): void;
  error(msg: string, extra?: unknown): void;
}

export function logger(scope: string): Logger {
  return {
    debug: (m, e) => write('debug', scope, m, e),
    info: (m, e) => write('info', scope, m, e),
    warn: (m, e) => write('warn', scope, m, e),
    error: (m, e) => write('error', scope, m, e),
  };
}
