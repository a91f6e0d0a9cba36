// Detection at site scale. Every figure is a ratio or a count measured in this
// run, baseline and variant interleaved (the machine is shared and noisy):
//
//  1. inference: ms per frame in the engine's path (frame transferred to the
//     detector worker, pre-processing, session.run, decoding, reply) against a
//     bare session.run of the same model in this thread, same frames,
//     interleaved frame by frame; int8 against float, the same way.
//  2. capacity: the real scheduler and detector pool fed decoded vtest frames
//     from many simulated cameras at 2 fps (more than the detector can take):
//     frames per second it sustains, with batching (up to 4 frames per
//     session.run) against without, in alternating slices. Cameras at 2 fps =
//     that rate ÷ 2; then a run at that many cameras checks processed ÷
//     offered ≥ 0.95.
//  3. recall: persons on vtest through the worker, float and int8, against
//     the counts in assets/media/README.md, and int8 against float box by box.
//  4. site: a real `gatehouse serve` with 16 RTSP cameras playing vtest
//     (768×576, 10 fps) and detection on for all: processed ÷ offered from
//     detection.status, and the CPU of the engine, its decoders and recorders.
//  5. idle: 8 RTSP cameras showing a still picture; the engine with detection
//     off, with the motion gate (the default) and without it
//     (GATEHOUSE_DETECTION_GATE=off), interleaved: the CPU detection adds,
//     gated against ungated.
//  6. the decoder alone: CPU of one decoder ffmpeg fed the clip in real time.
//
// Ports 18500-18599 (ctx.ports), temp dirs /tmp/detect-bench-<pid>-*.
// GATEHOUSE_BENCH_DETECTION=inference,capacity,recall,site,idle,decoder runs only those parts.
// GATEHOUSE_BENCH_DETECTION_CAMERAS=N: cameras in the site run (default 16).

import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from '../lib/paths.mjs';
import { cpuMeter, leafMeter, machineMeter, selfTicks, treePids } from '../lib/cpu.mjs';
import * as fixtures from '../lib/fixtures.mjs';
import { Gatehouse } from '../lib/gatehouse.mjs';
import { pool as inPool, sleep, spawnTracked, stopTracked } from '../lib/procs.mjs';
import { figure } from '../lib/report.mjs';

const CLIP = path.join(root, 'assets', 'media', 'vtest_h264.mp4');
const MODELS = path.join(root, 'assets', 'models');
const FLOAT = 'yolox_nano_dyn.onnx';
const INT8 = 'yolox_nano_int8.onnx';
/** Persons per frame at 0, 10, … 70 s (assets/media/README.md). */
const README_COUNTS = [4, 7, 8, 8, 4, 5, 7, 9];
const FRAME_BYTES = 416 * 312 * 3;

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const stats = (xs) => ({ n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95) });
const median = (xs) => percentile(xs, 50);

function tmp(name) {
  const d = path.join('/tmp', `detect-bench-${process.pid}-${name}`);
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** Frames of the clip by frame number (10 fps: frame 100 = 10 s), 416×312 BGR like the engine's decoder makes them. */
function framesAt(ctx, indices) {
  const sel = indices.map((i) => `eq(n\\,${i})`).join('+');
  const buf = execFileSync(
    ctx.ffmpeg,
    ['-v', 'error', '-i', CLIP, '-vf', `select='${sel}',scale=416:312`, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'bgr24', 'pipe:1'],
    {
      maxBuffer: 512 * 1024 * 1024,
    },
  );
  const out = [];
  for (let o = 0; o + FRAME_BYTES <= buf.length; o += FRAME_BYTES) out.push(Buffer.from(buf.subarray(o, o + FRAME_BYTES)));
  return out;
}

async function engineModules() {
  const { register } = await import('tsx/esm/api');
  register();
  const { DetectorPool, detectorDefaults } = await import(path.join(root, 'main/engine/detection/pool.ts'));
  const { DetectionScheduler } = await import(path.join(root, 'main/engine/detection/scheduler.ts'));
  const { toTensor, decode, iou } = await import(path.join(root, 'native-workers/yolox.ts'));
  const { decoderArgs } = await import(path.join(root, 'main/engine/detection/decoder.ts'));
  const ort = await import('onnxruntime-node');
  return { DetectorPool, detectorDefaults, DetectionScheduler, toTensor, decode, iou, decoderArgs, ort };
}

async function startPool(m, opts) {
  const p = new m.DetectorPool(opts);
  p.start();
  if (!(await p.whenReady(60_000))) throw new Error(`the detector worker did not start: ${p.lastError}`);
  return p;
}

// ---------------------------------------------------------------- 1. inference

async function inference(ctx, m, frames, runs) {
  const opts = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
  const bareF = await m.ort.InferenceSession.create(path.join(MODELS, FLOAT), opts);
  const bareQ = await m.ort.InferenceSession.create(path.join(MODELS, INT8), opts);
  const pool = await startPool(m, { modelPath: path.join(MODELS, FLOAT), size: 1, threads: 1, maxBatch: 1 });
  const tensor = new Float32Array(3 * 416 * 416);
  const r = { bare: [], bareInt8: [], worker: [], roundTrip: [] };
  const bare = async (s, f) => {
    m.toTensor(f, 416, 312, tensor);
    const t0 = performance.now();
    await s.run({ images: new m.ort.Tensor('float32', tensor, [1, 3, 416, 416]) });
    return performance.now() - t0;
  };
  try {
    for (let i = 0; i < runs + 5; i++) {
      const f = frames[i % frames.length];
      // Interleaved frame by frame (order rotated), so all three see the same machine.
      const order = [0, 1, 2].map((k) => (k + i) % 3);
      const got = {};
      for (const k of order) {
        if (k === 0) got.bare = await bare(bareF, f);
        else if (k === 1) got.bareInt8 = await bare(bareQ, f);
        else {
          const buf = pool.buffer(f.length);
          new Uint8Array(buf).set(f);
          const t1 = performance.now();
          const res = await pool.detect(buf, 416, 312);
          got.roundTrip = performance.now() - t1;
          if (!res) throw new Error(`the detector worker was busy or failed: ${pool.lastError}`);
          got.worker = res.inferMs;
        }
      }
      if (i >= 5) for (const k of Object.keys(r)) r[k].push(got[k]);
    }
  } finally {
    await pool.stop();
    await bareF.release?.();
    await bareQ.release?.();
  }
  // Ratios per frame (same frame, same moment), then their median: robust to the machine's load swings.
  const ratio = (a, b) => median(r[a].map((v, i) => v / r[b][i]));
  return {
    bare: stats(r.bare),
    bareInt8: stats(r.bareInt8),
    worker: stats(r.worker),
    roundTrip: stats(r.roundTrip),
    roundTripOverBare: ratio('roundTrip', 'bare'),
    workerOverBare: ratio('worker', 'bare'),
    int8OverFloat: ratio('bareInt8', 'bare'),
  };
}

// ---------------------------------------------------------------- 2. capacity

/** `n` simulated cameras offering a frame every 500 ms (staggered) to a scheduler over `pool` for `secs`. */
async function cameraLoad(m, pool, frames, n, secs, warmS = 1.5) {
  const s = new m.DetectionScheduler(() => pool);
  const ids = Array.from({ length: n }, (_, i) => `cam${i}`);
  for (const id of ids) s.add({ id, gate: null, onResult() {} });
  let k = 0;
  const timers = [];
  ids.forEach((id, i) => {
    timers.push(
      setTimeout(
        () => {
          timers.push(setInterval(() => s.offer(id, frames[k++ % frames.length], 416, 312), 500));
        },
        (500 * i) / n,
      ),
    );
  });
  await sleep(warmS * 1000);
  const c0 = ids.map((id) => s.counters(id));
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(secs * 1000);
  const c1 = ids.map((id) => s.counters(id));
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  for (const t of timers) {
    clearTimeout(t);
    clearInterval(t);
  }
  // let the request in flight come back before the next slice
  for (let i = 0; i < 50 && s.backlog().inFlight; i++) await sleep(20);
  let offered = 0;
  let processed = 0;
  let worst = Infinity;
  ids.forEach((_, i) => {
    const o = c1[i].offered - c0[i].offered;
    const p = c1[i].processed - c0[i].processed;
    offered += o;
    processed += p;
    worst = Math.min(worst, o ? p / o : 1);
  });
  // eventLoopUtilization: how busy this (main) thread was: feeding frames, scheduling, copying into the transfer buffers
  // CPU time of this process (the detector worker's inference is most of it) per frame: unlike
  // frames per wall-clock second, it hardly moves when other work on the machine takes the cores.
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    n,
    seconds,
    offered,
    processed,
    ratio: processed / offered,
    worstCamera: worst,
    fps: processed / seconds,
    cpuMsPerFrame: cpuMs / Math.max(1, processed),
    mainThreadPct: elu.utilization * 100,
    stats: s.stats(),
  };
}

async function capacity(ctx, m, frames, { rounds, sliceS, checkS }) {
  const d = m.detectorDefaults();
  // The machine's default thread count decides the headline pair; the other thread count is shown for the sizing rule.
  const threadCounts = [...new Set([d.threads, d.threads === 1 ? 2 : 1])];
  const variants = [];
  for (const threads of threadCounts)
    for (const maxBatch of [1, 4])
      variants.push({
        name: `${threads} thread${threads > 1 ? 's' : ''}, ${maxBatch === 1 ? 'no batching' : 'batches ≤ 4'}`,
        threads,
        maxBatch,
      });
  const pools = [];
  for (const v of variants)
    pools.push(await startPool(m, { modelPath: path.join(MODELS, FLOAT), size: d.workers, threads: v.threads, maxBatch: v.maxBatch }));
  try {
    // Saturated throughput: 64 cameras at 2 fps offer 128 frames/s, more than one worker takes.
    // Short slices, variants in a rotating order each round, so load swings hit all of them.
    const sat = variants.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < variants.length; i++) {
        const j = (i + r) % variants.length;
        sat[j].push(await cameraLoad(m, pools[j], frames, 64, sliceS, 0.5));
      }
    }
    const out = variants.map((v, i) => ({
      ...v,
      workers: d.workers,
      saturatedFps: median(sat[i].map((t) => t.fps)),
      slices: sat[i].map((t) => +t.fps.toFixed(1)),
      meanBatch: median(sat[i].map((t) => t.stats.meanBatch)),
      msPerFrame: median(sat[i].map((t) => t.stats.msPerFrame)),
      cpuMsPerFrame: median(sat[i].map((t) => t.cpuMsPerFrame)),
      mainThreadPctPerCamera: median(sat[i].map((t) => (t.mainThreadPct / t.fps) * 2)),
    }));
    // batching / no batching, per round (same moment), for each thread count
    for (const threads of threadCounts) {
      const a = variants.findIndex((v) => v.threads === threads && v.maxBatch === 1);
      const b = variants.findIndex((v) => v.threads === threads && v.maxBatch === 4);
      out[b].overNoBatching = median(sat[b].map((t, r) => t.fps / sat[a][r].fps));
      // frames per CPU-second, batching over none (robust to the machine's load)
      out[b].cpuOverNoBatching = median(sat[a].map((t, r) => t.cpuMsPerFrame / sat[b][r].cpuMsPerFrame));
    }
    // The most cameras at 2 fps each default-thread variant sustains: from its saturated rate with
    // 5 % to spare, checked with a run at that many cameras, stepping down if it falls short.
    for (const c of out.filter((v) => v.threads === d.threads)) {
      const p = pools[variants.findIndex((v) => v.name === c.name)];
      let n = Math.max(1, Math.floor((c.saturatedFps * 0.95) / 2));
      for (let tries = 0; tries < 6; tries++) {
        c.check = await cameraLoad(m, p, frames, n, checkS);
        if (c.check.ratio >= 0.95) break;
        n = Math.max(1, Math.floor(n * 0.85));
      }
      c.cameras = n;
    }
    return out;
  } finally {
    for (const p of pools) await p.stop();
  }
}

// ---------------------------------------------------------------- 3. recall

async function recall(ctx, m, frames80) {
  const persons = {};
  for (const [kind, file] of [
    ['float', FLOAT],
    ['int8', INT8],
  ]) {
    const p = await startPool(m, { modelPath: path.join(MODELS, file), size: 1, threads: 1, maxBatch: 4 });
    try {
      persons[kind] = [];
      for (let i = 0; i < frames80.length; i += 4) {
        const batch = frames80.slice(i, i + 4).map((f) => {
          const b = p.buffer(f.length);
          new Uint8Array(b).set(f);
          return { frame: b, width: 416, height: 312 };
        });
        const r = await p.detectBatch(batch);
        if (!r) throw new Error(`the ${kind} detector failed: ${p.lastError}`);
        for (const d of r.results) persons[kind].push((d ?? []).filter((x) => x.label === 'person'));
      }
    } finally {
      await p.stop();
    }
  }
  const expected = README_COUNTS.reduce((a, b) => a + b, 0);
  const vsReadme = (kind) => {
    const counts = README_COUNTS.map((_, i) => persons[kind][i * 10].length);
    return { counts, found: counts.reduce((a, c, i) => a + Math.min(c, README_COUNTS[i]), 0), expected };
  };
  // int8 against float, box by box (IoU ≥ 0.5), over all 80 frames
  let matched = 0;
  let total = 0;
  let extra = 0;
  for (let f = 0; f < persons.float.length; f++) {
    const ref = persons.float[f];
    const got = persons.int8[f];
    const used = new Set();
    total += ref.length;
    for (const a of ref) {
      let best = -1;
      let bestIou = 0.5;
      got.forEach((b, j) => {
        if (used.has(j)) return;
        const v = m.iou(a.box, b.box);
        if (v >= bestIou) {
          bestIou = v;
          best = j;
        }
      });
      if (best >= 0) {
        used.add(best);
        matched++;
      }
    }
    extra += got.length - used.size;
  }
  return { float: vsReadme('float'), int8: vsReadme('int8'), int8VsFloat: { matched, total, extra } };
}

// ---------------------------------------------------------------- 4 & 5. engine runs

async function rpc(base, method, params, token) {
  const r = await fetch(`${base}/api/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${method}: ${r.status} ${JSON.stringify(body)}`);
  return body?.result ?? body;
}

/** A 20 s clip of one vtest frame (768×576, 10 fps, GOP 2 s, no B-frames): a camera where nothing moves. */
function stillClip(ctx, dir) {
  const png = path.join(dir, 'still.png');
  const out = path.join(dir, 'still.mp4');
  execFileSync(ctx.ffmpeg, ['-v', 'error', '-y', '-ss', '10', '-i', CLIP, '-frames:v', '1', png]);
  execFileSync(ctx.ffmpeg, [
    '-v',
    'error',
    '-y',
    '-loop',
    '1',
    '-i',
    png,
    '-t',
    '20',
    '-r',
    '10',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '20',
    '-keyint_min',
    '20',
    '-sc_threshold',
    '0',
    '-bf',
    '0',
    '-movflags',
    '+faststart',
    out,
  ]);
  return out;
}

function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * One `gatehouse serve` over `urls` with detection on or off, measured for
 * windowS after warmS: CPU of the whole tree, of the node process, of the
 * detection decoders; and detection.status at both ends of the window.
 */
async function engineWindow(ctx, { name, urls, detection, env = {}, warmS, windowS }) {
  const base = tmp(`engine-${name}`);
  const dataDir = path.join(base, 'data');
  const gh = new Gatehouse({ dataDir, mode: ctx.opts.engine, logFile: path.join(base, 'serve.log') });
  ctx.onCleanup(async () => {
    await gh.stop(3000);
    fs.rmSync(base, { recursive: true, force: true });
  });
  await inPool(urls, 2, (url, i) => gh.addCamera(`cam${String(i + 1).padStart(2, '0')}`, url));
  const cams = JSON.parse(await gh.cli(['cameras', 'list', '--json']));
  const list = Array.isArray(cams) ? cams : (cams.cameras ?? []);
  fs.writeFileSync(
    path.join(dataDir, 'detection.json'),
    JSON.stringify({ cameras: Object.fromEntries(list.map((c) => [c.id, detection])) }),
  );
  const port = await fixtures.pickPort(ctx.ports.from, ctx.ports.to, ctx.ports.taken);
  const password = crypto.randomBytes(12).toString('hex');
  const saved = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    await gh.serve({ port, adminPassword: password });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const url = `http://127.0.0.1:${port}`;
  try {
    const { token } = await rpc(url, 'auth.login', { username: 'admin', password });
    ctx.log(
      `engine "${name}": ${urls.length} cameras, detection ${detection ? 'on' : 'off'}${
        Object.keys(env).length
          ? ` (${Object.entries(env)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')})`
          : ''
      }; warm-up ${warmS} s, window ${windowS} s`,
    );
    await sleep(warmS * 1000);
    if (!gh.running) throw new Error(`gatehouse serve exited during warm-up:\n${gh.logTail()}`);
    const decoders = treePids(gh.pid).filter((p) => /rawvideo/.test(cmdline(p)) && /pipe:0/.test(cmdline(p)));
    const st0 = await rpc(url, 'detection.status', {}, token);
    const tree = cpuMeter(() => [gh.pid]);
    const node0 = selfTicks(gh.pid);
    const dec = leafMeter(decoders);
    const mach = machineMeter();
    const lat = [];
    const t0 = Date.now();
    while (Date.now() - t0 < windowS * 1000) {
      const a = performance.now();
      await rpc(url, 'detection.status', {}, token);
      lat.push(performance.now() - a);
      await sleep(1000);
    }
    const t = tree.stop();
    const nodePct = ((selfTicks(gh.pid) - node0) / (await import('../lib/cpu.mjs')).CLK_TCK / t.seconds) * 100;
    const d = dec.stop();
    const mm = mach.stop();
    const st1 = await rpc(url, 'detection.status', {}, token);
    const cams0 = new Map(st0.cameras.map((c) => [c.cameraId, c]));
    let offered = 0;
    let processed = 0;
    let skipped = 0;
    let worst = Infinity;
    let idle = 0;
    for (const c of st1.cameras) {
      const a = cams0.get(c.cameraId) ?? { offered: 0, processed: 0, skipped: 0 };
      const o = c.offered - a.offered;
      const p = c.processed - a.processed;
      offered += o;
      processed += p;
      skipped += c.skipped - a.skipped;
      if (detection) worst = Math.min(worst, o ? p / o : 0);
      if (c.idle) idle++;
    }
    return {
      name,
      cameras: urls.length,
      seconds: t.seconds,
      treePct: t.cpuPct,
      nodePct,
      decodersPct: d.cpuPct,
      decoders: decoders.length,
      machineBusyPct: mm.busyPct,
      offered,
      processed,
      skipped,
      ratio: offered ? processed / offered : null,
      worstCamera: detection ? worst : null,
      idleCameras: idle,
      status: {
        workers: st1.workers,
        threads: st1.threads,
        maxBatch: st1.maxBatch,
        meanBatch: st1.meanBatch,
        msPerFrame: st1.msPerFrame,
        crashes: st1.crashes,
      },
      statusRpcMs: stats(lat),
    };
  } finally {
    await gh.stop();
  }
}

async function rtspCameras(ctx, mounts) {
  const { startRtspServer } = await fixtures.rtsp();
  const port = await fixtures.pickPort(ctx.ports.from, ctx.ports.to, ctx.ports.taken);
  const server = await startRtspServer({ port, mounts });
  ctx.onCleanup(() => server.close());
  return server;
}

// ---------------------------------------------------------------- 6. the decoder alone

async function decodeCpu(ctx, m, seconds) {
  const dir = tmp('decode');
  ctx.onCleanup?.(() => fs.rmSync(dir, { recursive: true, force: true }));
  // The live feed: the clip in real time as fragmented MP4, the way the recorder hands it to viewers.
  const feed = spawnTracked(
    ctx.ffmpeg,
    [
      '-v',
      'error',
      '-re',
      '-stream_loop',
      '-1',
      '-i',
      CLIP,
      '-an',
      '-c',
      'copy',
      '-f',
      'mp4',
      '-movflags',
      'frag_keyframe+empty_moov+default_base_moof',
      'pipe:1',
    ],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const dec = spawnTracked(ctx.ffmpeg, m.decoderArgs(2, dir), { stdio: ['pipe', 'pipe', 'ignore'] });
  feed.stdout.pipe(dec.stdin);
  dec.stdin.on('error', () => {});
  let bytes = 0;
  dec.stdout.on('data', (b) => (bytes += b.length));
  await sleep(3000);
  const meter = cpuMeter(() => [dec.pid]);
  const b0 = bytes;
  await sleep(seconds * 1000);
  const r = meter.stop();
  const framesOut = (bytes - b0) / FRAME_BYTES;
  await stopTracked(feed, 2000);
  await stopTracked(dec, 2000);
  // frames leave the decoder in pairs (the one detection uses and a flusher; docs/detection.md): half are used
  return { cpuPct: r.cpuPct, seconds: r.seconds, framesPerSecond: framesOut / 2 / r.seconds };
}

// ---------------------------------------------------------------- the section

export default {
  name: 'detection',
  order: 70,
  title:
    'Detection at site scale: cameras at 2 fps with and without batching, ms per frame vs a bare session.run, idle CPU gated vs ungated, person recall float/int8',
  description:
    'detector capacity (batching vs none), engine ms/frame vs bare session.run, 16-camera engine run, idle CPU of 8 gated vs ungated cameras, recall on vtest (float, int8), decoder CPU',
  async run(ctx) {
    const quick = ctx.opts.mode === 'quick';
    const only = process.env.GATEHOUSE_BENCH_DETECTION?.split(',').map((x) => x.trim());
    const part = (name) => !only || only.includes(name);
    const m = await engineModules();
    const lines = [];
    const figures = [];
    const details = { cores: os.availableParallelism?.() ?? os.cpus().length, loadavg: os.loadavg(), defaults: m.detectorDefaults() };
    lines.push(
      `machine: ${details.cores} cores, load ${details.loadavg.map((l) => l.toFixed(1)).join(' ')} at the start (shared: compare ratios, not times); pool default: ${details.defaults.workers} worker × ${details.defaults.threads} thread, batch ≤ ${details.defaults.maxBatch} (${details.defaults.why})`,
    );

    ctx.log('detection: decoding frames of the clip…');
    const frames80 = framesAt(
      ctx,
      Array.from({ length: 80 }, (_, i) => i * 10),
    );
    if (frames80.length !== 80) throw new Error(`expected 80 frames of the clip, got ${frames80.length}`);

    // 1. inference
    if (part('inference')) {
      ctx.log('detection: engine path vs bare session.run (float and int8), interleaved…');
      const inf = await inference(ctx, m, frames80, quick ? 60 : 200);
      details.inference = inf;
      lines.push(
        `per frame, p50: bare session.run float ${inf.bare.p50.toFixed(1)} ms, int8 ${inf.bareInt8.p50.toFixed(1)} ms; in the worker session.run ${inf.worker.p50.toFixed(1)} ms, ` +
          `engine round trip (transfer + pre-processing + run + decoding/NMS + reply) ${inf.roundTrip.p50.toFixed(1)} ms (${inf.bare.n} frames each, interleaved)`,
      );
      figures.push(
        figure(
          'engine ms per frame / bare session.run (median of per-frame ratios)',
          inf.roundTripOverBare,
          '×',
          { op: '<=', value: 1.3 },
          'worker round trip incl. pre/post-processing',
        ),
      );
      figures.push(figure('int8 session.run / float session.run', inf.int8OverFloat, '×', null, 'below 1 = int8 faster'));
    }

    // 2. capacity
    if (part('capacity')) {
      ctx.log('detection: detector capacity with and without batching (alternating slices)…');
      const cap = await capacity(ctx, m, frames80, { rounds: quick ? 6 : 12, sliceS: quick ? 2 : 3, checkS: quick ? 8 : 15 });
      details.capacity = cap;
      for (const c of cap) {
        lines.push(
          `${c.name} (${c.workers} worker): saturated ${c.saturatedFps.toFixed(1)} frames/s (median of ${c.slices.length} slices ${Math.min(...c.slices)}–${Math.max(...c.slices)}), mean batch ${c.meanBatch}, ${c.msPerFrame} ms per frame in the worker, ${c.cpuMsPerFrame.toFixed(1)} ms CPU per frame` +
            (c.overNoBatching
              ? `; vs no batching: ${c.overNoBatching.toFixed(2)}× the frames per second, ${c.cpuOverNoBatching.toFixed(2)}× the frames per CPU-second (per-round medians)`
              : '') +
            (c.check
              ? `; ${c.cameras} cameras at 2 fps: processed ÷ offered ${c.check.ratio.toFixed(3)} (worst camera ${c.check.worstCamera.toFixed(3)})`
              : '') +
            `; main thread ${c.mainThreadPctPerCamera.toFixed(2)} % busy per camera`,
        );
      }
      const dt = details.defaults.threads;
      const noBatch = cap.find((c) => c.threads === dt && c.maxBatch === 1);
      const batch = cap.find((c) => c.threads === dt && c.maxBatch === 4);
      figures.push(
        figure(
          `cameras at 2 fps sustained, detector alone, ${dt} thread, no batching (processed ÷ offered ≥ 0.95)`,
          noBatch.check.ratio >= 0.95 ? noBatch.cameras : 0,
          'cameras',
          null,
          'what the machine gave it in this run',
        ),
      );
      figures.push(
        figure(
          `cameras at 2 fps sustained, detector alone, ${dt} thread, batches ≤ 4`,
          batch.check.ratio >= 0.95 ? batch.cameras : 0,
          'cameras',
        ),
      );
      // From CPU time per frame: how many cameras at 2 fps one core given to the detector carries.
      figures.push(
        figure(
          `cameras at 2 fps per core of detector CPU, no batching`,
          1000 / (noBatch.cpuMsPerFrame * 2),
          'cameras',
          null,
          'from CPU ms per frame; robust to the load',
        ),
      );
      figures.push(figure(`cameras at 2 fps per core of detector CPU, batches ≤ 4`, 1000 / (batch.cpuMsPerFrame * 2), 'cameras'));
      for (const c of cap.filter((x) => x.overNoBatching)) {
        const th = `${c.threads} thread${c.threads > 1 ? 's' : ''}`;
        figures.push(
          figure(`batching / no batching, ${th}: frames per CPU-second`, c.cpuOverNoBatching, '×', null, 'above 1 = batching helps'),
        );
        figures.push(figure(`batching / no batching, ${th}: frames per second (wall clock, noisy)`, c.overNoBatching, '×'));
      }
    }

    // 3. recall
    if (part('recall')) {
      ctx.log('detection: person recall on vtest, float and int8…');
      const rec = await recall(ctx, m, frames80);
      details.recall = rec;
      lines.push(
        `persons at 0, 10, … 70 s: README ${README_COUNTS.join(' ')}; float ${rec.float.counts.join(' ')}; int8 ${rec.int8.counts.join(' ')}`,
      );
      lines.push(
        `int8 vs float over 80 frames: ${rec.int8VsFloat.matched}/${rec.int8VsFloat.total} of float's persons found (IoU ≥ 0.5), ${rec.int8VsFloat.extra} persons float did not report`,
      );
      figures.push(
        figure('person recall on vtest, float (vs README counts)', (100 * rec.float.found) / rec.float.expected, '%', {
          op: '>=',
          value: 98,
        }),
      );
      figures.push(
        figure('person recall on vtest, int8 (vs README counts)', (100 * rec.int8.found) / rec.int8.expected, '%', { op: '>=', value: 98 }),
      );
      figures.push(
        figure('int8 recall of float persons (IoU ≥ 0.5)', (100 * rec.int8VsFloat.matched) / rec.int8VsFloat.total, '%', {
          op: '>=',
          value: 98,
        }),
      );
    }

    // 4 & 5. engine runs over RTSP
    if (part('site') || part('idle')) {
      const dir = tmp('media');
      ctx.onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
      const still = stillClip(ctx, dir);
      const siteN = Number(process.env.GATEHOUSE_BENCH_DETECTION_CAMERAS) || 16;
      const idleN = 8;
      const mounts = {};
      for (let i = 1; i <= siteN; i++) mounts[`/v${i}`] = { file: CLIP, codec: 'h264' };
      for (let i = 1; i <= idleN; i++) mounts[`/s${i}`] = { file: still, codec: 'h264' };
      ctx.log(`detection: RTSP fixture with ${siteN} vtest and ${idleN} still mounts…`);
      const server = await rtspCameras(ctx, mounts);
      const vUrls = Array.from({ length: siteN }, (_, i) => server.url(`/v${i + 1}`));
      const sUrls = Array.from({ length: idleN }, (_, i) => server.url(`/s${i + 1}`));

      if (part('site')) {
        const site = await engineWindow(ctx, {
          name: 'site',
          urls: vUrls,
          detection: true,
          warmS: quick ? 20 : 30,
          windowS: quick ? 30 : 60,
        });
        details.site = site;
        lines.push(
          `engine, ${siteN} vtest cameras, detection on: offered ${site.offered}, processed ${site.processed} (${(100 * site.ratio).toFixed(1)} %, worst camera ${(100 * site.worstCamera).toFixed(1)} %), skipped ${site.skipped} over ${site.seconds.toFixed(0)} s; ` +
            `CPU ${site.treePct.toFixed(0)} % of a core = node ${site.nodePct.toFixed(0)} % + ${site.decoders} decoders ${site.decodersPct.toFixed(0)} % + recorders etc. ${(site.treePct - site.nodePct - site.decodersPct).toFixed(0)} %; ` +
            `machine busy ${site.machineBusyPct.toFixed(0)} % of ${details.cores * 100} %; detection.status answered in p50 ${site.statusRpcMs.p50.toFixed(0)} ms, p95 ${site.statusRpcMs.p95.toFixed(0)} ms`,
        );
        figures.push(
          figure(
            `engine with ${siteN} cameras at 2 fps: processed ÷ offered`,
            site.ratio,
            '×',
            { op: '>=', value: 0.95 },
            'real recorder + decoders + detector on the RTSP fixture',
          ),
        );
      }

      if (part('idle')) {
        const idleRuns = [];
        const idleWarm = quick ? 25 : 30; // decoders go idle 10 s after the last motion
        const idleWin = quick ? 30 : 45;
        const order = quick ? ['off', 'gated', 'ungated'] : ['off', 'gated', 'ungated', 'off', 'gated', 'ungated'];
        for (const kind of order) {
          idleRuns.push({
            kind,
            ...(await engineWindow(ctx, {
              name: `idle-${kind}`,
              urls: sUrls,
              detection: kind !== 'off',
              env: kind === 'ungated' ? { GATEHOUSE_DETECTION_GATE: 'off' } : {},
              warmS: idleWarm,
              windowS: idleWin,
            })),
          });
        }
        details.idle = idleRuns;
        const meanOf = (kind, key) => {
          const xs = idleRuns.filter((r) => r.kind === kind).map((r) => r[key]);
          return xs.reduce((a, b) => a + b, 0) / xs.length;
        };
        const off = meanOf('off', 'treePct');
        const gatedAdds = meanOf('gated', 'treePct') - off;
        const ungatedAdds = meanOf('ungated', 'treePct') - off;
        lines.push(
          `engine, ${idleN} still cameras: whole engine ${off.toFixed(1)} % (detection off), ${meanOf('gated', 'treePct').toFixed(1)} % (gated), ${meanOf('ungated', 'treePct').toFixed(1)} % (ungated) of a core; ` +
            `detection adds ${gatedAdds.toFixed(1)} % gated (decoders ${meanOf('gated', 'decodersPct').toFixed(1)} %, ${meanOf('gated', 'idleCameras').toFixed(0)} of ${idleN} idle) vs ${ungatedAdds.toFixed(1)} % ungated (decoders ${meanOf('ungated', 'decodersPct').toFixed(1)} %)`,
        );
        figures.push(
          figure(
            `idle CPU of ${idleN} gated cameras / ungated (detection's share)`,
            ungatedAdds > 0 ? Math.max(0, gatedAdds) / ungatedAdds : NaN,
            '×',
            { op: '<=', value: 0.2 },
          ),
        );
      }
    }

    // 6. decoder alone
    if (part('decoder')) {
      ctx.log('detection: one decoder ffmpeg on the clip in real time…');
      const dec = await decodeCpu(ctx, m, quick ? 15 : 40);
      details.decoder = dec;
      lines.push(
        `decoder: ${dec.cpuPct.toFixed(1)} % of one core over ${dec.seconds.toFixed(0)} s at ${dec.framesPerSecond.toFixed(2)} frames/s out (vtest 768×576 H.264 in real time)`,
      );
      figures.push(
        figure('decoder CPU per camera', dec.cpuPct, '%', { op: '<=', value: 15 }, 'one decoder ffmpeg per camera with detection on'),
      );
    }

    return { lines, figures, details };
  },
};
