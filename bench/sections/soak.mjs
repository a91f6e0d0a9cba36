// Soak: a real `gatehouse serve` recording N cameras for an hour (or --minutes M)
// while one camera flaps (its RTSP server goes away and comes back every
// minute), one stalls (its RTSP server is frozen with SIGSTOP, then SIGCONT),
// and the CLI writes to the index (arming switches) and reads it meanwhile.
// Sampled every 10 s: the engine's RSS and open file descriptors (/proc/PID)
// and its event-loop lag (`system.status`, main/engine/system/monitor.ts).
//
// Figures: RSS and FD slope per hour (least squares over the samples after the
// warm-up), event-loop lag p99, and recording lost while cameras were up:
// from the index (`gatehouse recordings list --json`), every second a camera's
// RTSP server was up and serving, less an allowance after each return (the
// 2 s resume bound plus one GOP to the first key frame), must be in a segment
// whose file exists.
//
// Not in the default run (it takes an hour): `npm run bench -- soak [--minutes N] [--cameras N]`.
// The cameras loop the project's pre-encoded H.264 clip (assets/media/vtest_h264.mp4,
// 768×576, 10 fps, GOP 2 s) from memory: no live encoder, so the fixture costs
// little CPU. Three RTSP fixture processes: the steady cameras, the flapping
// one, the stalled one (so each fault touches its camera only).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cpuMeter, procStat, selfTicks, CLK_TCK } from '../lib/cpu.mjs';
import { coveredMs } from '../lib/engine-run.mjs';
import * as fixtures from '../lib/fixtures.mjs';
import { Gatehouse } from '../lib/gatehouse.mjs';
import { listFiles, outDir, tempDir } from '../lib/paths.mjs';
import { pool, sleep } from '../lib/procs.mjs';
import { figure, table } from '../lib/report.mjs';

/** After a camera comes back, this long may pass before its recording must resume: the 2 s bound + a GOP (2 s) + 1 s slack for the probe period. */
export const RESUME_ALLOWANCE_MS = 5000;
const SAMPLE_MS = 10_000;

/** Least-squares slope of y over x; null with fewer than 2 distinct x. */
export function slope(points) {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : null;
}

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * Up periods [a, b) less the allowance after each start, and the holes the
 * segments leave in them: [{ start, end }] (ms), only holes longer than `minMs`.
 */
export function holesWhileUp(upPeriods, segments, allowanceMs, minMs = 500) {
  const segs = segments.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const holes = [];
  let required = 0;
  for (const [a0, b] of upPeriods) {
    const a = a0 + allowanceMs;
    if (b <= a) continue;
    required += b - a;
    let cursor = a;
    for (const [s, e] of segs) {
      if (e <= cursor) continue;
      if (s >= b) break;
      if (s > cursor && s - cursor > minMs) holes.push({ start: cursor, end: Math.min(s, b) });
      cursor = Math.max(cursor, e);
      if (cursor >= b) break;
    }
    if (cursor < b && b - cursor > minMs) holes.push({ start: cursor, end: b });
  }
  return { requiredMs: required, holes, lostMs: holes.reduce((t, h) => t + (h.end - h.start), 0) };
}

/** What the engine log says about indexing trouble (each of these would explain a hole). */
export function logFindings(text) {
  const count = (re) => (text.match(re) ?? []).length;
  return {
    errors: count(/^\S+ ERROR /gm),
    couldNotClose: count(/could not close segment/g),
    indexBusy: count(/the index is busy/g),
    droppedNoFragment: count(/had no complete fragment; dropped/g),
    stallKills: count(/no progress for \d+ s: killing ffmpeg/g),
  };
}

/**
 * A hole was found: keep what explains it before the data dir goes (it is tens of GB after an hour). The engine
 * log, the index, the journals, a listing of every media file, and the media files within a minute of each hole,
 * into bench/.out/soak-evidence-<time>/.
 */
export function keepEvidence(base, dataDir, perCamera) {
  const dest = path.join(outDir, `soak-evidence-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(dest, { recursive: true });
  const copy = (from, to) => {
    try {
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to);
    } catch {
      /* not there */
    }
  };
  for (const f of fs.readdirSync(base)) if (f.endsWith('.log')) copy(path.join(base, f), path.join(dest, f));
  for (const f of ['index.sqlite', 'index.sqlite-wal', 'index.sqlite-shm', 'config.json']) copy(path.join(dataDir, f), path.join(dest, f));
  const recordings = path.join(dataDir, 'recordings');
  const listing = listFiles(recordings).map((f) => ({ rel: path.relative(recordings, f.path), bytes: f.bytes }));
  fs.writeFileSync(path.join(dest, 'files.json'), JSON.stringify(listing));
  const stampMs = (name) => {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z_/.exec(name);
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]) : null;
  };
  for (const f of listing) if (path.basename(f.rel) === 'journal.jsonl' || f.rel.includes('.incoming')) copy(path.join(recordings, f.rel), path.join(dest, 'recordings', f.rel));
  for (const cam of perCamera) {
    if (!cam.dir) continue;
    for (const h of cam.holes ?? []) {
      const a = Date.parse(h.start) - 60_000;
      const b = Date.parse(h.start) + h.seconds * 1000 + 60_000;
      for (const f of listing) {
        const t = stampMs(path.basename(f.rel));
        if (f.rel.startsWith(`${cam.dir}/`) && t !== null && t >= a && t <= b) copy(path.join(recordings, f.rel), path.join(dest, 'recordings', f.rel));
      }
    }
  }
  return dest;
}

function childPid(port) {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (procStat(Number(name))?.ppid !== process.pid) continue;
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(`--port ${port}`)) return Number(name);
    } catch {
      /* gone */
    }
  }
  return null;
}

function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
function fdCount(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

async function rpc(base, method, params, token) {
  const r = await fetch(`${base}/api/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(params ?? {}),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${method}: ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body?.result ?? body;
}

export default {
  name: 'soak',
  order: 90,
  manual: true,
  title: 'Soak: RSS / FD slope, event-loop lag, recording lost while cameras were up',
  description: 'an hour (--minutes) of N cameras (--cameras), one flapping every minute, one stalled (SIGSTOP), the CLI writing meanwhile',
  async run(ctx) {
    const o = ctx.opts;
    const minutes = o.minutes ?? (o.quick ? 5 : 60);
    const n = Math.max(3, o.cams);
    const windowMs = minutes * 60_000;
    const warmS = o.quick ? 30 : 60;
    const { vtestH264 } = await fixtures.media();
    const { startRtspServer, freePort } = await fixtures.rtsp();
    const names = Array.from({ length: n }, (_, i) => `cam${String(i + 1).padStart(2, '0')}`);
    const flapName = names[n - 2];
    const stallName = names[n - 1];
    const steadyNames = names.slice(0, n - 2);
    const mount = { file: vtestH264, codec: 'h264' };

    const port = () => fixtures.pickPort(ctx.ports.from, ctx.ports.to, ctx.ports.taken);
    ctx.log(`soak: ${n} cameras looping ${path.basename(vtestH264)} (pre-encoded H.264, no live encoder), ${minutes} min after a ${warmS} s warm-up`);
    const steady = await startRtspServer({ port: await port(), mounts: Object.fromEntries(steadyNames.map((x) => [`/${x}`, mount])) });
    ctx.onCleanup(() => steady.close());
    // The faulty cameras' servers listen on ports the OS picks (ephemeral range), not in the bench range: while the
    // flapping one is down, another bench or test on this machine must not take its port over.
    const flap = await startRtspServer({ port: await freePort(), mounts: { [`/${flapName}`]: mount } });
    ctx.onCleanup(() => flap.close());
    const stall = await startRtspServer({ port: await freePort(), mounts: { [`/${stallName}`]: mount } });
    const stallPid = childPid(stall.port);
    if (!stallPid) throw new Error('cannot find the stalled camera\'s RTSP server process');
    let stalled = false;
    ctx.onCleanup(async () => {
      if (stalled) process.kill(stallPid, 'SIGCONT');
      await stall.close();
    });
    const urlOf = (name) => (name === flapName ? flap : name === stallName ? stall : steady).url(`/${name}`);

    const base = tempDir('soak');
    const dataDir = path.join(base, 'data');
    const gh = new Gatehouse({ dataDir, mode: o.engine, logFile: path.join(base, 'serve.log') });
    ctx.onCleanup(() => gh.stop(5000));
    ctx.log(`engine from ${gh.cmd.kind}; data dir ${dataDir}; adding ${n} cameras with "gatehouse cameras add"…`);
    // the first one alone: two CLI processes creating a fresh index at once race on its migrations ("table … already exists")
    await gh.addCamera(names[0], urlOf(names[0]));
    await pool(names.slice(1), 2, (name) => gh.addCamera(name, urlOf(name)));
    const modes = JSON.parse(await gh.cli(['arming', 'modes', 'list', '--json']));
    const modeNames = (Array.isArray(modes) ? modes : (modes.modes ?? [])).map((m) => m.name ?? m.id).filter(Boolean);

    const adminPassword = crypto.randomBytes(12).toString('hex');
    const httpPort = await port();
    await gh.serve({ port: httpPort, adminPassword });
    const api = `http://127.0.0.1:${httpPort}`;
    const login = await rpc(api, 'auth.login', { username: 'admin', password: adminPassword });
    const token = login.token;
    const status0 = await rpc(api, 'system.status', {}, token);
    const pid = status0.pid;
    ctx.log(`serve answers on ${httpPort}, engine pid ${pid}; warm-up ${warmS} s…`);
    await sleep(warmS * 1000);
    if (!gh.running) throw new Error(`gatehouse serve exited during warm-up:\n${gh.logTail()}`);

    const T0 = Date.now();
    const T1 = T0 + windowMs;
    const cpu = cpuMeter(() => [pid]);
    const node0 = selfTicks(pid);
    const srvPids = [childPid(steady.port), stallPid].filter(Boolean);
    const srv0 = srvPids.reduce((t, p) => t + selfTicks(p), 0);
    const samples = [];
    const lagWindows = [];
    const flapUp = [[T0, null]];
    const stallDown = [];
    const cli = { runs: 0, failures: [], writes: 0 };
    const faultErrors = [];
    let stop = false;
    // a background task that fails is reported, never an unhandled rejection that ends the run
    const guard = (what, p) =>
      p.catch((e) => {
        faultErrors.push(`${what}: ${e.message}`);
        ctx.log(`soak: ${what} failed: ${e.message}`);
      });

    // Sampler: RSS and FDs from /proc, lag from system.status.
    const sampler = guard('sampler', (async () => {
      let lastWindowKey = null;
      while (!stop) {
        const t = Date.now();
        const st = await rpc(api, 'system.status', {}, token).catch((e) => ({ error: e.message }));
        samples.push({ t, rss: rssBytes(pid), fds: fdCount(pid), children: st.children ?? null, heap: st.memory?.heapUsedBytes ?? null, error: st.error });
        const last = st.eventLoop?.last;
        if (last) {
          const key = `${last.samples}:${last.maxMs}:${last.p99Ms}`;
          if (key !== lastWindowKey) lagWindows.push({ t, ...last });
          lastWindowKey = key;
        }
        await sleep(Math.max(0, t + SAMPLE_MS - Date.now()));
      }
    })());

    // Flapping camera: down 20 s of every minute (its RTSP server stops), then back.
    const flapper = guard('flapping camera', (async () => {
      for (let k = 0; !stop; k++) {
        const downAt = T0 + k * 60_000 + 20_000;
        const upAt = downAt + 20_000;
        if (downAt >= T1) break;
        await sleep(Math.max(0, downAt - Date.now()));
        if (stop) break;
        flapUp[flapUp.length - 1][1] = Date.now(); // the mount goes away now
        await flap.stop();
        await sleep(Math.max(0, upAt - Date.now()));
        if (stop) break;
        await flap.start();
        flapUp.push([flap.readyAt, null]);
      }
    })());

    // Stalled camera: frozen for a minute in every 10 (a shorter run: one stall a third of the way in).
    const stallEvery = Math.min(600_000, windowMs);
    const stallFor = Math.min(60_000, Math.round(windowMs / 6));
    const staller = guard('stalled camera', (async () => {
      for (let k = 0; !stop; k++) {
        const at = T0 + k * stallEvery + Math.round(stallEvery / 3);
        if (at + stallFor >= T1) break;
        await sleep(Math.max(0, at - Date.now()));
        if (stop) break;
        process.kill(stallPid, 'SIGSTOP');
        stalled = true;
        const a = Date.now();
        await sleep(stallFor);
        process.kill(stallPid, 'SIGCONT');
        stalled = false;
        stallDown.push([a, Date.now()]);
        ctx.log(`soak: ${stallName} stalled (SIGSTOP) for ${((Date.now() - a) / 1000).toFixed(0)} s`);
      }
    })());

    // The CLI meanwhile: an arming switch (written to the index and the audit trail), alarm and recording lists.
    const cliLoop = guard('CLI loop', (async () => {
      for (let i = 0; !stop; i++) {
        const t = Date.now();
        const kind = i % 4;
        const args =
          kind === 0 && modeNames.length
            ? ['arming', 'set', modeNames[(i / 4) % modeNames.length | 0]]
            : kind === 1
              ? ['alarms', 'list', '--state', 'all', '--limit', '50', '--json']
              : kind === 2
                ? ['recordings', 'list', '--camera', names[i % n], '--from', '-5m', '--to', 'now', '--json']
                : ['arming', 'history', '--limit', '20', '--json'];
        try {
          await gh.cli(args, { timeoutMs: 60_000 });
          if (args[1] === 'set') cli.writes++;
        } catch (e) {
          cli.failures.push({ at: new Date(t).toISOString(), args: args.join(' '), error: e.message.slice(0, 300) });
        }
        cli.runs++;
        await sleep(Math.max(0, t + 15_000 - Date.now()));
      }
    })());

    let lastLog = T0;
    while (Date.now() < T1) {
      await sleep(Math.min(5000, T1 - Date.now()));
      if (!gh.running) {
        stop = true;
        throw new Error(`gatehouse serve exited during the soak:\n${gh.logTail()}`);
      }
      if (Date.now() - lastLog >= 60_000) {
        lastLog = Date.now();
        const s = samples.at(-1);
        const l = lagWindows.at(-1);
        ctx.log(
          `soak ${((Date.now() - T0) / 60_000).toFixed(0)}/${minutes} min: rss ${s?.rss ? (s.rss / 2 ** 20).toFixed(1) : '?'} MiB, fds ${s?.fds ?? '?'}, children ${s?.children ?? '?'}, lag p99 ${l?.p99Ms ?? '?'} ms, cli runs ${cli.runs} (${cli.failures.length} failed)`,
        );
      }
    }
    stop = true;
    const tEnd = Date.now();
    const cpuUsed = cpu.stop();
    const nodeCpuPct = (100 * (selfTicks(pid) - node0)) / CLK_TCK / ((tEnd - T0) / 1000);
    const srvCpuPct = (100 * (srvPids.reduce((t, p) => t + selfTicks(p), 0) - srv0)) / CLK_TCK / ((tEnd - T0) / 1000);
    await Promise.all([flapper, staller]);
    if (flapUp.at(-1)[1] === null) flapUp.at(-1)[1] = tEnd;
    await Promise.all([sampler, cliLoop]);
    const statusEnd = await rpc(api, 'system.status', {}, token).catch(() => null);

    ctx.log('soak: tail 20 s so the last segments are closed and indexed, then reading the index…');
    await sleep(20_000);
    const from = new Date(T0 - warmS * 1000 - 60_000).toISOString();
    const to = new Date().toISOString();
    const lists = await pool(names, 2, (name) => gh.recordings(name, from, to).catch((e) => ({ error: e.message })));
    await gh.stop();

    // Up periods per camera, clipped to the window [T0, tEnd].
    const clip = (ivs) => ivs.map(([a, b]) => [Math.max(a, T0), Math.min(b, tEnd)]).filter(([a, b]) => b > a);
    const stallUp = [];
    let c = T0;
    for (const [a, b] of stallDown) {
      stallUp.push([c, a]);
      c = b;
    }
    stallUp.push([c, tEnd]);
    const perCamera = names.map((name, i) => {
      const l = lists[i];
      // the steady cameras must be recorded from T0; the first period of the faulty ones too (they were up before T0)
      const up = clip(name === flapName ? flapUp : name === stallName ? stallUp : [[T0, tEnd]]);
      if (l.error) return { name, error: l.error, up };
      const segs = (l.segments ?? []).map((s) => ({ a: Date.parse(s.start), b: Date.parse(s.end), path: s.path }));
      const iv = segs.map((s) => [s.a, s.b]).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
      const missing = segs.filter((s) => s.path && !fs.existsSync(path.isAbsolute(s.path) ? s.path : path.join(dataDir, s.path))).length;
      // no allowance for the first period of a camera that was already recording at T0
      const periods = up.map(([a, b], k) => [k === 0 && a === T0 ? a - RESUME_ALLOWANCE_MS : a, b]);
      const h = holesWhileUp(periods, iv, RESUME_ALLOWANCE_MS);
      const resumes = up
        .filter(([a]) => a > T0)
        .map(([a, b]) => {
          const first = iv.filter(([s, e]) => e > a && s < b).map(([s]) => s).sort((x, y) => x - y)[0];
          return first === undefined ? null : Math.max(0, first - a) / 1000;
        });
      return {
        name,
        up: up.length,
        upSeconds: up.reduce((t, [a, b]) => t + (b - a), 0) / 1000,
        requiredSeconds: h.requiredMs / 1000,
        coveredWhileUpSeconds: up.reduce((t, [a, b]) => t + coveredMs(iv, a, b), 0) / 1000,
        lostSeconds: h.lostMs / 1000,
        holes: h.holes.map((x) => ({ start: new Date(x.start).toISOString(), seconds: (x.end - x.start) / 1000 })),
        segments: segs.length,
        dir: segs[0]?.path ? path.relative(path.join(dataDir, 'recordings'), path.isAbsolute(segs[0].path) ? segs[0].path : path.join(dataDir, segs[0].path)).split(path.sep)[0] : null,
        missingFiles: missing,
        resumeSeconds: resumes,
        gaps: (l.gaps ?? []).filter((g) => Date.parse(g.start) < tEnd && (g.end === null || Date.parse(g.end) > T0)).map((g) => ({ start: g.start, end: g.end, reason: g.reason })),
      };
    });

    // Figures
    const inWin = samples.filter((s) => s.t >= T0 && s.rss !== null && s.fds !== null);
    const hours = (t) => (t - T0) / 3_600_000;
    const rssSlope = slope(inWin.map((s) => [hours(s.t), s.rss / 2 ** 20]));
    const fdSlope = slope(inWin.map((s) => [hours(s.t), s.fds]));
    const heapSlope = slope(inWin.filter((s) => s.heap).map((s) => [hours(s.t), s.heap / 2 ** 20]));
    const rssFirst = inWin[0]?.rss / 2 ** 20;
    const rssLast = inWin.at(-1)?.rss / 2 ** 20;
    const lagP99s = lagWindows.filter((w) => w.t >= T0).map((w) => w.p99Ms);
    const lagRun = statusEnd?.eventLoop?.sinceStart ?? null;
    const ok = perCamera.filter((x) => !x.error);
    const lost = ok.reduce((t, x) => t + x.lostSeconds, 0);
    const required = ok.reduce((t, x) => t + x.requiredSeconds, 0);
    const holes = ok.reduce((t, x) => t + x.holes.length, 0);
    const missing = ok.reduce((t, x) => t + x.missingFiles, 0);
    const resumes = ok.flatMap((x) => x.resumeSeconds);
    const resumed = resumes.filter((r) => r !== null);
    const runMinutes = (tEnd - T0) / 60_000;
    let logText = '';
    try {
      logText = fs.readFileSync(gh.logFile, 'utf8');
    } catch {
      /* no log */
    }
    const findings = logFindings(logText);
    const evidence = lost > 0 || missing > 0 ? keepEvidence(base, dataDir, ok) : null;
    if (evidence) ctx.log(`soak: a hole: the engine log, index, journals and the media files around it are kept in ${evidence}`);

    const lines = [
      `${n} cameras (${steadyNames.length} steady, ${flapName} flapping: down 20 s of every minute, ${stallName} stalled ${stallDown.length}× for ${stallFor / 1000} s by SIGSTOP); ${runMinutes.toFixed(1)} min measured after a ${warmS} s warm-up; engine ${gh.cmd.kind}`,
      `samples every ${SAMPLE_MS / 1000} s: ${inWin.length}; RSS ${rssFirst?.toFixed(1)} → ${rssLast?.toFixed(1)} MiB, FDs ${inWin[0]?.fds} → ${inWin.at(-1)?.fds}, children ${inWin.at(-1)?.children}`,
      `event loop: p99 over the run ${lagRun?.p99Ms ?? '?'} ms (max ${lagRun?.maxMs ?? '?'} ms); per-10-s-window p99: median ${percentile(lagP99s, 50)} ms, worst ${Math.max(...lagP99s)} ms (timer resolution ${statusEnd?.eventLoop?.resolutionMs ?? '?'} ms included)`,
      `CPU: engine tree ${cpuUsed.cpuPct.toFixed(1)} % of one core (node ${nodeCpuPct.toFixed(1)} %, the rest its ffmpegs); RTSP fixture servers ${srvCpuPct.toFixed(1)} %`,
      `CLI meanwhile: ${cli.runs} commands (${cli.writes} arming switches written), ${cli.failures.length} failed${cli.failures.length ? `: ${cli.failures[0].args}: ${cli.failures[0].error}` : ''}`,
      `returns of the flapping/stalled cameras: ${resumes.length}; resume after the camera answered: ${resumed.length ? `median ${percentile(resumed, 50).toFixed(1)} s, worst ${Math.max(...resumed).toFixed(1)} s` : 'n/a'}${resumes.length - resumed.length ? `, ${resumes.length - resumed.length} never resumed` : ''}`,
      `recording required while up (less ${RESUME_ALLOWANCE_MS / 1000} s after each return): ${(required / 3600).toFixed(2)} camera-hours; lost ${lost.toFixed(1)} s in ${holes} hole(s); segments pointing at missing files: ${missing}`,
    ];
    lines.push(
      `engine log: ${findings.errors} ERROR line(s); segments it could not close ${findings.couldNotClose}, index busy ${findings.indexBusy}, dropped with no complete fragment ${findings.droppedNoFragment}, stall kills ${findings.stallKills}`,
    );
    if (evidence) lines.push(`a hole: evidence kept in ${path.relative(process.cwd(), evidence)}`);
    if (faultErrors.length) lines.push(`faults that failed (the run went on): ${faultErrors.join('; ')}`);
    const faulty = ok.filter((x) => x.lostSeconds > 0 || x.name === flapName || x.name === stallName);
    lines.push(
      '',
      ...table(
        ['CAMERA', 'UP PERIODS', 'UP s', 'LOST s', 'HOLES', 'SEGMENTS', 'GAPS (reasons)'],
        faulty.map((x) => [x.name, x.up, x.upSeconds.toFixed(0), x.lostSeconds.toFixed(1), x.holes.length, x.segments, `${x.gaps.length} (${[...new Set(x.gaps.map((g) => g.reason))].join(', ')})`]),
      ).split('\n'),
    );
    if (perCamera.some((x) => x.error)) lines.push(`recordings list failed for: ${perCamera.filter((x) => x.error).map((x) => x.name).join(', ')}`);

    return {
      lines,
      figures: [
        figure('engine RSS slope', rssSlope, 'MiB/h', undefined, `heap ${heapSlope?.toFixed(2)} MiB/h; ${rssFirst?.toFixed(1)} → ${rssLast?.toFixed(1)} MiB`),
        figure('engine open FDs slope', fdSlope, 'FDs/h'),
        figure('event-loop lag p99 (whole run)', lagRun?.p99Ms ?? NaN, 'ms'),
        figure('event-loop lag p99, worst 10-s window', lagP99s.length ? Math.max(...lagP99s) : NaN, 'ms'),
        figure('recording lost while cameras were up', lost, 's', { op: '<=', value: 0 }),
        figure('coverage while up', required > 0 ? (100 * (required - lost)) / required : NaN, '%', { op: '>=', value: 99.9 }),
        figure('worst resume after a return', resumed.length ? Math.max(...resumed) : NaN, 's', { op: '<=', value: 2 + 2 }, 'from the camera answering to the first indexed frame; includes the wait for a key frame (GOP 2 s)'),
        figure('index rows pointing at missing files', missing, '', { op: '<=', value: 0 }),
      ],
      details: {
        minutes: runMinutes,
        window: { T0, tEnd },
        samples,
        lagWindows,
        flapUp,
        stallDown,
        cli,
        faultErrors,
        logFindings: findings,
        evidence,
        perCamera,
        statusEnd,
        cpu: { enginePct: cpuUsed.cpuPct, nodePct: nodeCpuPct, fixturePct: srvCpuPct },
        logTail: gh.logTail(30),
      },
    };
  },
};
