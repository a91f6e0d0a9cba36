#!/usr/bin/env node
// `npm run bench`: Gatehouse benchmarks. Every figure is a ratio against a
// baseline measured in the same run, or a size per unit recorded: never an
// absolute wall-clock pass/fail (the machine is shared and noisy).
//
//   npm run bench                          every section, full durations (~20 min)
//   npm run bench -- --quick               short smoke run (~4 min)
//   npm run bench -- recording coverage    only these sections
//   npm run bench -- --list                the sections
//   npm run bench -- --help                all options
//
// Sections are files in bench/sections/*.mjs (see docs/bench.md to add one).
// Results: a table on stdout and bench/.out/results.json.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createContext, PRESETS } from '../bench/lib/context.mjs';
import { installCleanup, killAllSync } from '../bench/lib/procs.mjs';
import { cleanupTemp, outDir, root } from '../bench/lib/paths.mjs';
import { printSection } from '../bench/lib/report.mjs';

const HELP = `Usage: npm run bench -- [SECTION...] [options]

Sections (default: all but the long manual ones, soak and storm): see --list
Options:
  --quick            short durations for a smoke test (engine window 60 s, baseline 30 s)
  --cams N           number of simulated cameras (default 32); --cameras N is the same
  --minutes M        soak: how long to measure (default 60, quick 5)
  --rate N           storm: sensor messages a second (default 1000, quick 200); --duration S sets its length (default 60, quick 10)
  --duration S       engine measurement window in seconds (default 600, quick 60)
  --baseline S       bare-ffmpeg measurement window in seconds (default 120, quick 30)
  --rebaseline S     measure the baseline again after the engine run for S seconds (default 60, quick 0)
  --warmup S         seconds after start-up before measuring the engine (default 30, quick 20)
  --engine MODE      auto | dist | source: how to run gatehouse (auto: dist/ only if newer than main/**/*.ts)
  --out FILE         where to write the JSON results (default bench/.out/results.json)
  --strict           exit 1 when a figure misses its aim
  --verbose          more progress output
  --list             list the sections and exit
  -h, --help         this help
`;

async function loadSections() {
  const dir = path.join(root, 'bench', 'sections');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.mjs') && !f.startsWith('_'));
  const sections = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(dir, f)).href);
    const s = mod.default;
    if (!s?.name || typeof s.run !== 'function') {
      console.error(`bench: ${f} does not export a section ({ name, title, run })`);
      continue;
    }
    sections.push({ order: 100, ...s });
  }
  return sections.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

function num(v, name, min = 0) {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) {
    console.error(`bench: ${name} must be a number ≥ ${min} (got "${v}")`);
    process.exit(2);
  }
  return n;
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        quick: { type: 'boolean' },
        cams: { type: 'string' },
        cameras: { type: 'string' },
        minutes: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        baseline: { type: 'string' },
        rebaseline: { type: 'string' },
        warmup: { type: 'string' },
        engine: { type: 'string' },
        out: { type: 'string' },
        strict: { type: 'boolean' },
        verbose: { type: 'boolean' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    console.error(`bench: ${e.message}\n\n${HELP}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const sections = await loadSections();
  if (v.list) {
    for (const s of sections) console.log(`  ${s.name.padEnd(14)} ${s.title}${s.manual ? ' (only when named)' : ''}${s.description ? `\n  ${''.padEnd(14)} ${s.description}` : ''}`);
    return 0;
  }
  // Manual sections (the hour-long soak, the alarm storm) run only when named.
  const wanted = parsed.positionals.length ? parsed.positionals : sections.filter((s) => !s.manual).map((s) => s.name);
  const unknown = wanted.filter((w) => !sections.some((s) => s.name === w));
  if (unknown.length) {
    console.error(`bench: unknown section(s) ${unknown.join(', ')}; known: ${sections.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const engine = v.engine ?? 'auto';
  if (!['auto', 'dist', 'source'].includes(engine)) {
    console.error('bench: --engine must be auto, dist or source');
    return 2;
  }
  const preset = PRESETS[v.quick ? 'quick' : 'full'];
  const opts = {
    mode: v.quick ? 'quick' : 'full',
    quick: !!v.quick,
    cams: num(v.cams ?? v.cameras, '--cams', 1) ?? preset.cams,
    minutes: num(v.minutes, '--minutes', 0.5),
    rate: num(v.rate, '--rate', 1),
    durationSet: v.duration !== undefined,
    duration: num(v.duration, '--duration', 5) ?? preset.duration,
    baseline: num(v.baseline, '--baseline', 5) ?? preset.baseline,
    rebaseline: num(v.rebaseline, '--rebaseline', 0) ?? preset.rebaseline,
    baselineWarm: preset.baselineWarm,
    engineWarm: num(v.warmup, '--warmup', 0) ?? preset.engineWarm,
    tail: preset.tail,
    engine,
    verbose: !!v.verbose,
  };

  const ctx = createContext(opts);
  ctx.cores = os.cpus().length;
  installCleanup(cleanupTemp);
  const started = new Date();
  console.log(`Gatehouse bench (${opts.mode}): ${wanted.join(', ')}; ${opts.cams} cameras; ${ctx.cores} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const results = {};
  try {
    for (const s of sections.filter((x) => wanted.includes(x.name))) {
      ctx.log(`section "${s.name}": ${s.title}`);
      try {
        results[s.name] = { title: s.title, ...(await s.run(ctx)) };
      } catch (e) {
        results[s.name] = { title: s.title, error: e.message };
        ctx.log(`section "${s.name}" failed: ${e.message}`);
        if (v.verbose) console.error(e);
      }
    }
  } finally {
    await ctx.cleanup();
    killAllSync();
    cleanupTemp();
  }

  console.log(`\nGatehouse bench results (${opts.mode}, ${started.toISOString()})`);
  for (const [, r] of Object.entries(results)) printSection(r.title, r);

  const outFile = v.out ? path.resolve(v.out) : path.join(outDir, 'results.json');
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(
    outFile,
    JSON.stringify(
      {
        started: started.toISOString(),
        finished: new Date().toISOString(),
        host: { cores: ctx.cores, loadavg: os.loadavg(), node: process.version },
        opts,
        sections: results,
      },
      null,
      2,
    ),
  );
  console.log(`\nresults written to ${path.relative(process.cwd(), outFile) || outFile}`);

  const failed = Object.values(results).some((r) => r.error);
  const missed = Object.values(results).some((r) => r.figures?.some((f) => f.meetsAim === false));
  if (failed) return 1;
  if (v.strict && missed) return 1;
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`bench: ${e.stack ?? e}`);
    killAllSync();
    process.exit(1);
  },
);
