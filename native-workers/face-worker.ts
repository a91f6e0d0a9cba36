/**
 * Face worker (worker_threads): owns the face pipeline (BlazeFace, UltraFace
 * when configured, the dlib descriptor; one ONNX Runtime thread each) and
 * answers `analyze` messages. Pictures arrive as transferred ArrayBuffers of
 * packed RGB or BGR and are handed back with the reply for reuse. Started by
 * main/engine/faces/pool.ts (through tsx in development, from
 * dist/native-workers/face-worker.js when built). See docs/faces.md.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FacePipeline, type FaceAnalyzeOptions, type FaceModelPaths, type AnalyzeTimings, type FaceQuality, type Box, type Point } from './face-pipeline.js';
import type { PixelOrder } from './face-image.js';

export type FaceWorkerInit = FaceModelPaths;

export interface FaceAnalyzeRequest {
  type: 'analyze';
  id: number;
  width: number;
  height: number;
  order: PixelOrder;
  image: ArrayBuffer;
  options: Omit<FaceAnalyzeOptions, 'reference'>;
}

/** A face as it leaves the worker (plain data, structured-clone friendly). */
export interface WorkerFace {
  box: Box;
  score: number;
  keypoints: Point[] | null;
  quality: FaceQuality;
  descriptor: Float32Array | null;
  chip?: Uint8Array;
}

export type FaceWorkerReply =
  | { type: 'ready'; loadMs: number }
  | { type: 'result'; id: number; faces: WorkerFace[]; timings: AnalyzeTimings; image: ArrayBuffer }
  | { type: 'error'; id: number | null; message: string; image?: ArrayBuffer };

const port = parentPort;
if (!port) throw new Error('face-worker must run in a worker thread');
const init = workerData as FaceWorkerInit;

let pipeline: FacePipeline;
const t0 = performance.now();
try {
  pipeline = await FacePipeline.load(init);
  port.postMessage({ type: 'ready', loadMs: performance.now() - t0 } satisfies FaceWorkerReply);
} catch (err) {
  port.postMessage({ type: 'error', id: null, message: `could not load the face models: ${(err as Error).message}` } satisfies FaceWorkerReply);
  process.exit(1);
}

port.on('message', (msg: FaceAnalyzeRequest) => {
  if (msg?.type !== 'analyze') return;
  void run(msg);
});

async function run(msg: FaceAnalyzeRequest): Promise<void> {
  try {
    const img = { data: new Uint8Array(msg.image), width: msg.width, height: msg.height, order: msg.order };
    const r = await pipeline.analyze(img, msg.options);
    const faces: WorkerFace[] = r.faces.map((f) => ({ ...f }));
    const transfer: ArrayBuffer[] = [msg.image];
    for (const f of faces) {
      if (f.descriptor) transfer.push(f.descriptor.buffer as ArrayBuffer);
      if (f.chip) transfer.push(f.chip.buffer as ArrayBuffer);
    }
    port!.postMessage({ type: 'result', id: msg.id, faces, timings: r.timings, image: msg.image } satisfies FaceWorkerReply, transfer);
  } catch (err) {
    port!.postMessage({ type: 'error', id: msg.id, message: (err as Error).message, image: msg.image } satisfies FaceWorkerReply, [msg.image]);
  }
}
