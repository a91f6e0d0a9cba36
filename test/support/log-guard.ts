/**
 * Setup file of the integration project (vitest.config.ts): an ERROR line in
 * the engine log that the test did not expect fails the test. Engine errors
 * are bugs or real faults (a timer firing after its database closed, a
 * failed write); a test that provokes one on purpose says so:
 *
 *   import { expectLogErrors } from '../support/log-guard.js';
 *   expectLogErrors(/audit checkpoint refused/);      // in a test: for that test
 *                                                     // at file level or in beforeAll: for the whole file
 *
 * Lines are matched as the logger writes them (main/engine/log.ts:
 * "<time> ERROR [scope] message"). Errors logged outside any test (in
 * beforeAll/afterAll, e.g. while an engine stops) fail the file at its end.
 * Child processes (the CLI, `gatehouse serve`) log to their own stderr and are
 * not watched here.
 */
import { afterAll, afterEach, beforeEach } from 'vitest';

const ERROR_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR /;

let inTest = false;
let testAllowed: RegExp[] = [];
const fileAllowed: RegExp[] = [];
let duringTest: string[] = [];
let outside: string[] = [];

/** Expect ERROR lines matching any of `patterns`: in the current test, or (outside a test) in the rest of this file. */
export function expectLogErrors(...patterns: RegExp[]): void {
  if (inTest) testAllowed.push(...patterns);
  else fileAllowed.push(...patterns);
}

function allowed(line: string): boolean {
  return [...fileAllowed, ...testAllowed].some((p) => p.test(line));
}

// The files of the project share one process: wrap the original write once, not the previous file's wrapper.
const ORIGINAL = Symbol.for('gatehouse.log-guard.stderr-write');
const g = globalThis as unknown as Record<symbol, (...a: unknown[]) => boolean>;
g[ORIGINAL] ??= process.stderr.write.bind(process.stderr) as (...a: unknown[]) => boolean;
const write = g[ORIGINAL];
let partial = '';
process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
  try {
    const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!ERROR_LINE.test(line) || allowed(line)) continue;
      (inTest ? duringTest : outside).push(line.length > 600 ? line.slice(0, 600) + '…' : line);
    }
  } catch {
    /* never break the test's output */
  }
  return write(chunk, ...rest);
}) as typeof process.stderr.write;

function report(lines: string[], where: string): Error {
  return new Error(
    `${lines.length} unexpected ERROR line(s) in the engine log ${where}:\n  ${lines.join('\n  ')}\n` +
      'Fix the cause, or, if the test provokes them on purpose, call expectLogErrors(/pattern/) (test/support/log-guard.ts).',
  );
}

beforeEach(() => {
  inTest = true;
  testAllowed = [];
  duringTest = [];
});

afterEach(() => {
  inTest = false;
  const lines = duringTest.filter((l) => !allowed(l));
  duringTest = [];
  testAllowed = [];
  if (lines.length) throw report(lines, 'during this test');
});

afterAll(() => {
  const lines = outside.filter((l) => !allowed(l));
  outside = [];
  if (lines.length) throw report(lines, 'outside the tests of this file (beforeAll/afterAll, or a timer that fired after its test)');
});
