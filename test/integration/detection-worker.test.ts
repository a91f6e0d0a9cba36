/**
 * The real model in a real worker thread on frames of the test clip:
 * decoded with ffmpeg (scaled to fit 416×416, BGR) exactly like the engine's
 * decoder does. Expected counts follow assets/models/README.md (7 persons at
 * 10 s, 8 at 20 s, as ranges), and nothing on a synthetic test pattern.
 * The engine's models (yolox_nano_dyn.onnx, float, dynamic batch, and
 * yolox_nano_int8.onnx) take a batch of frames in one session.run and give
 * the same answers as frame by frame.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLogErrors } from '../support/log-guard.js';
import { DetectorPool, type DetectResult } from '../../main/engine/detection/pool.js';
import { assetPath } from '../../main/engine/paths.js';
import { resolveFfmpeg } from '../../main/engine/media/ffmpeg.js';

const ffmpeg = resolveFfmpeg().ffmpeg;
let pool: DetectorPool;

function frameAt(input: string[], w = 416, h = 312): ArrayBuffer {
  const buf = execFileSync(ffmpeg, ['-v', 'error', ...input, '-frames:v', '1', '-vf', `scale=${w}:${h}`, '-f', 'rawvideo', '-pix_fmt', 'bgr24', 'pipe:1'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  expect(buf.length).toBe(w * h * 3);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
}

async function detect(frame: ArrayBuffer, w = 416, h = 312): Promise<DetectResult> {
  const r = await pool.detect(frame, w, h);
  if (!r) throw new Error('the pool was busy or not ready');
  return r;
}

beforeAll(async () => {
  pool = new DetectorPool({ modelPath: assetPath('models', 'yolox_nano.onnx'), size: 1, threads: 1 });
  pool.start();
  expect(await pool.whenReady(60_000)).toBe(true);
});

afterAll(async () => {
  await pool?.stop();
});

describe('detector worker on the test clip', () => {
  const clip = assetPath('media', 'vtest_h264.mp4');

  it('finds the walking people at 10 s and 20 s, with boxes in 0..1', async () => {
    const at10 = await detect(frameAt(['-ss', '10', '-i', clip]));
    const at20 = await detect(frameAt(['-ss', '20', '-i', clip]));
    const persons = (r: DetectResult) => r.detections.filter((d) => d.label === 'person');
    expect(persons(at10).length).toBeGreaterThanOrEqual(5);
    expect(persons(at10).length).toBeLessThanOrEqual(9);
    expect(persons(at20).length).toBeGreaterThanOrEqual(6);
    expect(persons(at20).length).toBeLessThanOrEqual(9);
    // car + truck on the parked van are merged into one "vehicle" (plus the parked car)
    const vehicles = at20.detections.filter((d) => d.label === 'vehicle');
    expect(vehicles.length).toBeGreaterThanOrEqual(1);
    expect(vehicles.length).toBeLessThanOrEqual(3);
    for (const d of at20.detections) {
      expect(d.score).toBeGreaterThanOrEqual(0.3);
      expect(d.box[0]).toBeLessThan(d.box[2]);
      expect(d.box[1]).toBeLessThan(d.box[3]);
      for (const v of d.box) expect(v >= 0 && v <= 1).toBe(true);
    }
    expect(at20.inferMs).toBeGreaterThan(0);
  });

  it('finds no person on a synthetic testsrc2 frame', async () => {
    const r = await detect(frameAt(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=1'], 416, 234), 416, 234);
    expect(r.detections.filter((d) => d.label === 'person')).toHaveLength(0);
  });

  it('says busy instead of queueing, and survives a bad frame', async () => {
    const f1 = frameAt(['-ss', '5', '-i', clip]);
    const f2 = frameAt(['-ss', '6', '-i', clip]);
    const p1 = pool.detect(f1, 416, 312);
    expect(p1).not.toBeNull();
    expect(pool.detect(f2, 416, 312)).toBeNull(); // the only worker is busy: the caller drops the frame
    await p1;
    // A frame that is too small for its size: the worker reports an error (null result) and keeps serving.
    expect(await pool.detect(new ArrayBuffer(10), 416, 312)).toBeNull();
    expect((await detect(frameAt(['-ss', '20', '-i', clip]))).detections.length).toBeGreaterThan(0);
  });

  it('restarts a worker that died, and counts it', async () => {
    const before = pool.stats();
    await pool.workers()[0]!.terminate();
    expect(pool.readyCount()).toBe(0);
    expect(await pool.whenReady(60_000)).toBe(true);
    expect((await detect(frameAt(['-ss', '20', '-i', clip]))).detections.length).toBeGreaterThan(0);
    const after = pool.stats();
    expect(after.crashes).toBe(before.crashes + 1);
    expect(after.restarts).toBe(before.restarts + 1);
  });

  it('a frame in flight when its worker crashes resolves to null (the caller counts it skipped)', async () => {
    expectLogErrors(/detector worker crashed: detector worker: crash requested \(test hook\)/); // provoked on purpose
    const before = pool.stats();
    pool.crashNext();
    const p = pool.detect(frameAt(['-ss', '30', '-i', clip]), 416, 312);
    expect(p).not.toBeNull();
    expect(await p).toBeNull();
    expect(await pool.whenReady(60_000)).toBe(true);
    expect(pool.stats()).toMatchObject({ crashes: before.crashes + 1, failed: before.failed + 1 });
    expect((await detect(frameAt(['-ss', '20', '-i', clip]))).detections.length).toBeGreaterThan(0);
  });

  it('stopping a pool while a frame is in the detector waits for the run (no abort), the caller gets null', async () => {
    for (let i = 0; i < 3; i++) {
      const p = new DetectorPool({ modelPath: assetPath('models', 'yolox_nano_dyn.onnx'), size: 1, threads: 1, maxBatch: 4 });
      p.start();
      expect(await p.whenReady(60_000)).toBe(true);
      const frames = ['10', '20', '30', '40'].map((t) => ({ frame: frameAt(['-ss', t, '-i', clip]), width: 416, height: 312 }));
      const r = p.detectBatch(frames);
      await new Promise((res) => setTimeout(res, 5 + 10 * i));
      await p.stop();
      expect(await r).toBeNull();
      expect(p.readyCount()).toBe(0);
    }
  });
});

describe('the engine models: a batch of frames from several cameras in one session.run', () => {
  const clip = assetPath('media', 'vtest_h264.mp4');
  const persons = (d: { label: string }[] | null) => (d ?? []).filter((x) => x.label === 'person').length;

  for (const file of ['yolox_nano_dyn.onnx', 'yolox_nano_int8.onnx']) {
    it(`${file}: a batch of 4 gives the same persons as one by one, and a bad frame fails alone`, async () => {
      const p = new DetectorPool({ modelPath: assetPath('models', file), size: 1, threads: 1, maxBatch: 4 });
      p.start();
      try {
        expect(await p.whenReady(60_000)).toBe(true);
        expect(p.maxBatch).toBe(4);
        const times = ['10', '20', '30', '70'];
        const single: number[] = [];
        for (const t of times) single.push(persons((await p.detect(frameAt(['-ss', t, '-i', clip]), 416, 312))?.detections ?? null));
        const r = await p.detectBatch(times.map((t) => ({ frame: frameAt(['-ss', t, '-i', clip]), width: 416, height: 312 })));
        expect(r).not.toBeNull();
        expect(r!.runs).toBe(1);
        expect(r!.results.map(persons)).toEqual(single);
        // README counts at 10/20/30/70 s: 7, 8, 8, 9 (±1 for the H.264 copy and the model)
        single.forEach((n, i) => expect(Math.abs(n - [7, 8, 8, 9][i]!)).toBeLessThanOrEqual(1));
        const mixed = await p.detectBatch([
          { frame: frameAt(['-ss', '20', '-i', clip]), width: 416, height: 312 },
          { frame: new ArrayBuffer(10), width: 416, height: 312 },
        ]);
        expect(mixed!.results[1]).toBeNull();
        expect(persons(mixed!.results[0]!)).toBe(single[1]);
      } finally {
        await p.stop();
      }
    });
  }

  it('the original model (fixed batch of 1) runs a batch frame by frame', async () => {
    const p = new DetectorPool({ modelPath: assetPath('models', 'yolox_nano.onnx'), size: 1, threads: 1, maxBatch: 4 });
    p.start();
    try {
      expect(await p.whenReady(60_000)).toBe(true);
      expect(p.maxBatch).toBe(1);
      const r = await p.detectBatch(['10', '20'].map((t) => ({ frame: frameAt(['-ss', t, '-i', clip]), width: 416, height: 312 })));
      expect(r!.runs).toBe(2);
      expect(r!.results.every((d) => persons(d) >= 5)).toBe(true);
    } finally {
      await p.stop();
    }
  });
});
