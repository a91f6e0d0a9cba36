// Detection: (1) YOLOX-Nano inference per frame in the detector worker
// (worker_threads, the engine's DetectorPool) next to a bare session.run in
// this thread on the same frames, same session options, same run; (2) CPU
// of the per-camera decoder ffmpeg (live fMP4 on stdin → 2 fps BGR 416 px)
// fed the test clip in real time, in % of one core.
//
// No ports. Temp dirs /tmp/detect-bench-<pid>-*.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root } from '../lib/paths.mjs';
import { cpuMeter } from '../lib/cpu.mjs';
import { sleep, spawnTracked, stopTracked } from '../lib/procs.mjs';
import { figure } from '../lib/report.mjs';

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const stats = (xs) => ({ n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95) });

function tmp(name) {
  const d = path.join('/tmp', `detect-bench-${process.pid}-${name}`);
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** Frames of the clip at 1 fps, scaled to 416×312 BGR, like the engine's decoder makes them. */
function frames(ctx, n) {
  const clip = path.join(root, 'assets', 'media', 'vtest_h264.mp4');
  const buf = execFileSync(ctx.ffmpeg, ['-v', 'error', '-i', clip, '-vf', 'fps=1,scale=416:312', '-frames:v', String(n), '-f', 'rawvideo', '-pix_fmt', 'bgr24', 'pipe:1'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const size = 416 * 312 * 3;
  const out = [];
  for (let o = 0; o + size <= buf.length; o += size) out.push(new Uint8Array(buf.subarray(o, o + size)));
  return out;
}

async function inference(ctx, runs) {
  const { register } = await import('tsx/esm/api');
  register();
  const { DetectorPool } = await import(path.join(root, 'main/engine/detection/pool.ts'));
  const { toTensor, decode } = await import(path.join(root, 'native-workers/yolox.ts'));
  const ort = await import('onnxruntime-node');
  const model = path.join(root, 'assets', 'models', 'yolox_nano.onnx');
  const fr = frames(ctx, 30);
  if (!fr.length) throw new Error('could not decode frames of the test clip');

  // Baseline: a bare session.run in this thread, same options. The engine's path: transfer a
  // frame to the worker, preprocess, run, decode, NMS, reply. Interleaved frame by frame, so
  // both see the same machine load.
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const pool = new DetectorPool({ modelPath: model });
  pool.start();
  if (!(await pool.whenReady(60_000))) throw new Error(`the detector worker did not start: ${pool.lastError}`);
  const tensor = new Float32Array(3 * 416 * 416);
  const bare = [];
  const infer = [];
  const roundTrip = [];
  let persons = 0;
  try {
    for (let i = 0; i < runs + 5; i++) {
      const f = fr[i % fr.length];
      toTensor(f, 416, 312, tensor);
      const t0 = performance.now();
      const out = await session.run({ images: new ort.Tensor('float32', tensor, [1, 3, 416, 416]) });
      const ms = performance.now() - t0;
      decode(out.output.data);
      const buf = f.slice().buffer;
      const t1 = performance.now();
      const r = await pool.detect(buf, 416, 312);
      const rt = performance.now() - t1;
      if (!r) throw new Error('the detector worker was busy or gone');
      if (i >= 5) {
        bare.push(ms);
        infer.push(r.inferMs);
        roundTrip.push(rt);
        persons += r.detections.filter((d) => d.label === 'person').length;
      }
    }
  } finally {
    await pool.stop();
    await session.release?.();
  }
  return { bare: stats(bare), infer: stats(infer), roundTrip: stats(roundTrip), personsPerFrame: persons / runs };
}

async function decodeCpu(ctx, seconds) {
  const { register } = await import('tsx/esm/api');
  register();
  const { decoderArgs } = await import(path.join(root, 'main/engine/detection/decoder.ts'));
  const dir = tmp('decode');
  ctx.onCleanup?.(() => fs.rmSync(dir, { recursive: true, force: true }));
  const clip = path.join(root, 'assets', 'media', 'vtest_h264.mp4');
  // The live feed: the clip in real time as fragmented MP4, the way the recorder hands it to viewers.
  const feed = spawnTracked(ctx.ffmpeg, ['-v', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-an', '-c', 'copy', '-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', 'pipe:1'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const dec = spawnTracked(ctx.ffmpeg, decoderArgs(2, dir), { stdio: ['pipe', 'pipe', 'ignore'] });
  feed.stdout.pipe(dec.stdin);
  dec.stdin.on('error', () => {});
  let bytes = 0;
  dec.stdout.on('data', (b) => (bytes += b.length));
  await sleep(3000);
  const m = cpuMeter(() => [dec.pid]);
  const b0 = bytes;
  await sleep(seconds * 1000);
  const r = m.stop();
  const framesOut = (bytes - b0) / (416 * 312 * 3);
  await stopTracked(feed, 2000);
  await stopTracked(dec, 2000);
  return { cpuPct: r.cpuPct, seconds: r.seconds, framesPerSecond: framesOut / r.seconds };
}

export default {
  name: 'detection',
  order: 70,
  title: 'Detection: inference per frame in the worker vs a bare session.run; decoder CPU per camera',
  description: 'p50 of session.run in the detector worker / in the main thread (same frames, same run); CPU of one decoder ffmpeg at 2 fps',
  async run(ctx) {
    const quick = ctx.opts.mode === 'quick';
    const runs = quick ? 40 : 200;
    const inf = await inference(ctx, runs);
    const dec = await decodeCpu(ctx, quick ? 15 : 60);
    const lines = [
      `main thread session.run: p50 ${inf.bare.p50.toFixed(1)} ms, p95 ${inf.bare.p95.toFixed(1)} ms (${inf.bare.n} runs)`,
      `worker session.run: p50 ${inf.infer.p50.toFixed(1)} ms, p95 ${inf.infer.p95.toFixed(1)} ms; round trip (transfer + preprocess + run + decode/NMS + reply) p50 ${inf.roundTrip.p50.toFixed(1)} ms`,
      `${inf.personsPerFrame.toFixed(1)} persons per frame on average (README: 3–10, mean 6.8)`,
      `decoder: ${dec.cpuPct.toFixed(1)} % of one core over ${dec.seconds.toFixed(0)} s at ${dec.framesPerSecond.toFixed(2)} frames/s out (vtest 768×576 H.264 in real time)`,
    ];
    const figures = [
      figure('worker session.run / main-thread session.run (p50)', inf.infer.p50 / inf.bare.p50, '×', { op: '<=', value: 1.15 }),
      figure('worker round trip / main-thread session.run (p50)', inf.roundTrip.p50 / inf.bare.p50, '×', { op: '<=', value: 1.5 }),
      figure('decoder CPU per camera', dec.cpuPct, '%', { op: '<=', value: 15 }, 'one decoder ffmpeg per camera with detection on'),
    ];
    return { lines, figures, details: { inference: inf, decoder: dec } };
  },
};
