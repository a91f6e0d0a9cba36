#!/usr/bin/env node
// `npm test`: build what the tests need (dist/ and the renderer), run every
// vitest project (unit, integration, renderer), then the Playwright e2e specs,
// and end with one summary line: "N passed, N failed, N skipped".
// Exit code is non-zero if anything failed (or a runner crashed).
//
//   npm test                       everything
//   npm test -- --unit-only        vitest only (no e2e; builds nothing)
//   npm test -- --e2e-only         Playwright only
//   npm test -- --no-build         skip the build step
//   npm test -- -- <filters>       passed to both runners (file filters)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const own = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
const filters = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
const has = (f) => own.includes(f);
for (const a of own) {
  if (!['--unit-only', '--e2e-only', '--no-build'].includes(a)) {
    if (a.startsWith('-')) {
      console.error(`test: unknown option ${a}; use --unit-only, --e2e-only, --no-build, and "-- <filters>"`);
      process.exit(2);
    }
    filters.push(a);
  }
}
const runUnit = !has('--e2e-only');
const runE2e = !has('--unit-only');

const outDir = path.join(root, 'test-results');
fs.mkdirSync(outDir, { recursive: true });
const vitestJson = path.join(outDir, 'vitest.json');
const playwrightJson = path.join(outDir, 'playwright.json');

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

function bin(pkg, rel) {
  return path.join(root, 'node_modules', pkg, rel);
}

/** Run a child, streaming its output; resolves with its exit code. Ctrl+C stops it. */
function run(file, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    const stop = () => child.kill('SIGINT');
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- build
if (runE2e && !has('--no-build')) {
  console.log('test: building dist/ and the renderer for the e2e specs');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    problems.push('the build failed (see above); e2e results may be stale or missing');
    totals.failed++;
  }
}

// ---------------------------------------------------------------- vitest
if (runUnit) {
  fs.rmSync(vitestJson, { force: true });
  const code = await run(bin('vitest', 'vitest.mjs'), [
    'run',
    '--reporter=default',
    ...(filters.length ? ['--passWithNoTests'] : []),
    '--reporter=json',
    `--outputFile.json=${vitestJson}`,
    ...filters,
  ]);
  const r = readJson(vitestJson);
  if (!r) {
    problems.push(`vitest wrote no report (exit ${code})`);
    totals.failed++;
  } else {
    totals.passed += r.numPassedTests ?? 0;
    totals.failed += r.numFailedTests ?? 0;
    totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    // A test file that fails to load has no failed test in it: count the file.
    const broken = (r.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'));
    for (const f of broken) problems.push(`vitest: ${path.relative(root, f.name)} failed to run: ${(f.message ?? '').split('\n')[0]}`);
    totals.failed += broken.length;
    if (code !== 0 && !(r.numFailedTests > 0) && broken.length === 0) {
      problems.push(`vitest exited with code ${code} although no test failed (an unhandled error?)`);
      totals.failed++;
    }
  }
}

// Skipped specs and why (the reason given to test.skip), so a skip is never silent.
const skips = [];
function skippedWithReasons(report) {
  const out = [];
  const walk = (suite, prefix) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'skipped' && !(t.results ?? []).some((x) => x.status === 'skipped')) continue;
        const reason = (t.annotations ?? []).find((a) => a.type === 'skip')?.description ?? 'no reason given';
        out.push(`${spec.file ?? prefix}: ${spec.title} (${reason})`);
      }
    }
    for (const child of suite.suites ?? []) walk(child, suite.file ?? prefix);
  };
  for (const suite of report.suites ?? []) walk(suite, suite.file ?? '');
  return out;
}

// ---------------------------------------------------------------- playwright
if (runE2e) {
  fs.rmSync(playwrightJson, { force: true });
  const code = await run(bin('@playwright/test', 'cli.js'), ['test', ...filters], { PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightJson });
  const r = readJson(playwrightJson);
  if (!r) {
    problems.push(`playwright wrote no report (exit ${code})`);
    totals.failed++;
  } else {
    const s = r.stats ?? {};
    for (const line of skippedWithReasons(r)) skips.push(line);
    totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
    totals.failed += s.unexpected ?? 0;
    totals.skipped += s.skipped ?? 0;
    // A file filter meant for vitest matches no spec: that is not a failure.
    const errors = (r.errors ?? []).filter((e) => !(filters.length && /No tests found/.test(e.message ?? '')));
    for (const e of errors) {
      problems.push(`playwright: ${(e.message ?? String(e)).split('\n')[0]}`);
      totals.failed++;
    }
    if (code !== 0 && !(s.unexpected > 0) && !errors.length) {
      // "no tests found" with filters that only match vitest files is not a failure.
      if (!(filters.length && (s.expected ?? 0) + (s.unexpected ?? 0) + (s.skipped ?? 0) === 0)) {
        problems.push(`playwright exited with code ${code}`);
        totals.failed++;
      }
    }
  }
}

console.log('');
for (const line of skips) console.log(`skipped: ${line}`);
for (const p of problems) console.log(`test: ${p}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
