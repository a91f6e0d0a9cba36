// One run of a real engine recording the simulated cameras. The recording,
// coverage and index sections all read their figures from the same run.
//
//   add cameras (CLI) → serve → warm-up → [T0, T1] measured window → tail
//   (so the segments covering T1 are closed and indexed) → recordings list
//   (CLI, per camera) → graceful stop → index file sizes and page breakdown

import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cpuMeter, machineMeter, selfTicks, CLK_TCK } from './cpu.mjs';
import { pickPort } from './fixtures.mjs';
import { Gatehouse } from './gatehouse.mjs';
import { dirBytes, root, tempDir } from './paths.mjs';
import { pool, sleep } from './procs.mjs';

const require = createRequire(path.join(root, 'package.json'));

function fileSize(p) {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

export function indexBytes(dataDir) {
  const p = path.join(dataDir, 'index.sqlite');
  return { main: fileSize(p), wal: fileSize(`${p}-wal`), total: fileSize(p) + fileSize(`${p}-wal`) };
}

/** Bytes of pages per table (indexes counted with their table), from SQLite's dbstat. */
export function indexBreakdown(dataDir) {
  const p = path.join(dataDir, 'index.sqlite');
  if (!fs.existsSync(p)) return null;
  let Database;
  try {
    Database = require('better-sqlite3');
  } catch {
    return null;
  }
  const db = new Database(p, { readonly: true, fileMustExist: true });
  try {
    const owner = new Map(db.prepare(`SELECT name, tbl_name FROM sqlite_schema`).all().map((r) => [r.name, r.tbl_name]));
    const perTable = {};
    for (const r of db.prepare(`SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name`).all()) {
      const t = owner.get(r.name) ?? r.name;
      perTable[t] = (perTable[t] ?? 0) + r.bytes;
    }
    const rows = {};
    for (const t of ['segments', 'gaps']) {
      try {
        rows[t] = db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get().n;
      } catch {
        /* table missing */
      }
    }
    return { perTable, rows };
  } catch {
    return null;
  } finally {
    db.close();
  }
}

/** Union of [start, end) intervals (ms), clipped to [from, to]; returns covered ms. */
export function coveredMs(intervals, from = -Infinity, to = Infinity) {
  const iv = intervals
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let cs = null;
  let ce = null;
  for (const [a, b] of iv) {
    if (cs === null || a > ce) {
      if (cs !== null) total += ce - cs;
      cs = a;
      ce = b;
    } else ce = Math.max(ce, b);
  }
  if (cs !== null) total += ce - cs;
  return total;
}

export async function engineRun(ctx, cams, { warmS, windowS, tailS }) {
  const base = tempDir('engine');
  const dataDir = path.join(base, 'data');
  const gh = new Gatehouse({ dataDir, mode: ctx.opts.engine, logFile: path.join(base, 'serve.log') });
  ctx.onCleanup(() => gh.stop(3000));
  ctx.log(`engine: running Gatehouse from ${gh.cmd.kind}; data dir ${dataDir}`);

  ctx.log(`adding ${cams.names.length} cameras with "gatehouse cameras add"…`);
  await pool(cams.names, 2, (name, i) => gh.addCamera(name, cams.urls[i]));

  const port = await pickPort(ctx.ports.from, ctx.ports.to, ctx.ports.taken);
  const tStart = Date.now();
  await gh.serve({ port, adminPassword: crypto.randomBytes(12).toString('hex') });
  const tReady = Date.now();
  ctx.log(`gatehouse serve answered /api/health after ${((tReady - tStart) / 1000).toFixed(1)} s (port ${port}); warm-up ${warmS} s…`);

  // Health polling: when did every camera first report "recording", and the
  // lowest count seen inside the window.
  const n = cams.names.length;
  let allRecordingAt = null;
  let minRecordingInWindow = null;
  let inWindow = false;
  let lastHealth = null;
  const poll = setInterval(async () => {
    const h = await gh.health().catch(() => null);
    if (!h) return;
    lastHealth = h;
    const rec = h.cameras?.recording ?? 0;
    if (allRecordingAt === null && rec >= n) allRecordingAt = Date.now();
    if (inWindow) minRecordingInWindow = minRecordingInWindow === null ? rec : Math.min(minRecordingInWindow, rec);
  }, 2000);

  let maxIndex = 0;
  const sizePoll = setInterval(() => {
    maxIndex = Math.max(maxIndex, indexBytes(dataDir).total);
  }, 5000);

  try {
    await sleep(Math.max(0, tReady + warmS * 1000 - Date.now()));
    if (!gh.running) throw new Error(`gatehouse serve exited during warm-up:\n${gh.logTail()}`);

    const recDir = path.join(dataDir, 'recordings');
    const bytes0 = dirBytes(recDir);
    inWindow = true;
    const T0 = Date.now();
    const meter = cpuMeter(() => [gh.pid]);
    const node0 = selfTicks(gh.pid);
    const srv0 = cams.pid ? selfTicks(cams.pid) : 0;
    const mach = machineMeter();
    ctx.log(`measuring for ${windowS} s…`);
    const step = 10_000;
    while (Date.now() - T0 < windowS * 1000) {
      await sleep(Math.min(step, T0 + windowS * 1000 - Date.now()));
      if (!gh.running) throw new Error(`gatehouse serve exited during the window:\n${gh.logTail()}`);
      if (ctx.opts.verbose) ctx.log(`  ${((Date.now() - T0) / 1000).toFixed(0)} s: ${JSON.stringify(lastHealth?.cameras ?? {})}`);
    }
    const cpu = meter.stop();
    const node1 = selfTicks(gh.pid);
    const machine = mach.stop();
    const T1 = Date.now();
    inWindow = false;
    const seconds = (T1 - T0) / 1000;
    const serverCpuPct = cams.pid ? (100 * (selfTicks(cams.pid) - srv0)) / CLK_TCK / seconds : null;
    const bytesPerSecond = (dirBytes(recDir) - bytes0) / seconds;
    const indexLive = indexBytes(dataDir);

    ctx.log(`tail ${tailS} s so the segments covering the window are closed and indexed…`);
    await sleep(tailS * 1000);

    const from = new Date(tStart - 60_000).toISOString();
    const to = new Date().toISOString();
    ctx.log('reading the index with "gatehouse recordings list --json"…');
    const lists = await pool(cams.names, 2, (name) => gh.recordings(name, from, to).catch((e) => ({ error: e.message })));

    clearInterval(poll);
    const tStop = Date.now();
    await gh.stop();
    const stopSeconds = (Date.now() - tStop) / 1000;
    const indexAfter = indexBytes(dataDir);
    const breakdown = indexBreakdown(dataDir);

    const perCamera = cams.names.map((name, i) => {
      const l = lists[i];
      if (l.error) return { name, error: l.error };
      const segs = (l.segments ?? []).map((s) => [Date.parse(s.start), Date.parse(s.end)]).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
      const firstStart = segs.length ? Math.min(...segs.map((s) => s[0])) : null;
      const gapsInWindow = (l.gaps ?? []).filter((g) => Date.parse(g.start) < T1 && (g.end === null || Date.parse(g.end) > T0));
      return {
        name,
        segments: segs.length,
        coverage: coveredMs(segs, T0, T1) / (T1 - T0),
        recordedSeconds: coveredMs(segs) / 1000,
        firstSegmentAfterReadyS: firstStart === null ? null : (firstStart - tReady) / 1000,
        gapsInWindow: gapsInWindow.map((g) => ({ start: g.start, end: g.end, reason: g.reason })),
      };
    });

    return {
      engine: gh.cmd.kind,
      cameras: n,
      window: { T0, T1, seconds },
      startup: {
        readySeconds: (tReady - tStart) / 1000,
        allRecordingAfterReadyS: allRecordingAt === null ? null : (allRecordingAt - tReady) / 1000,
      },
      minRecordingInWindow,
      cpuPct: cpu.cpuPct,
      /** The engine's node process alone; the rest of cpuPct is its children (ffmpeg). */
      nodeCpuPct: (100 * (node1 - node0)) / CLK_TCK / seconds,
      procs: cpu.procs,
      serverCpuPct,
      machineBusyPct: machine.busyPct,
      bytesPerSecond,
      perCamera,
      index: { live: indexLive, after: indexAfter, maxSeen: Math.max(maxIndex, indexLive.total), breakdown },
      stopSeconds,
      logTail: gh.logTail(15),
    };
  } finally {
    clearInterval(poll);
    clearInterval(sizePoll);
    await gh.stop(5000);
  }
}
