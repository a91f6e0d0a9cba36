/**
 * Detector worker (worker_threads): owns one ONNX Runtime session of
 * YOLOX-Nano, one thread, and answers `detect` messages. Frames arrive as
 * transferred ArrayBuffers of packed BGR (already resized to fit 416×416);
 * the reply carries detections with boxes normalised to 0..1 of the frame.
 *
 * Loaded from native-workers/detector-worker.ts through tsx in development
 * and from dist/native-workers/detector-worker.js when built.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { decode, toTensor, INPUT_SIZE, type Detection } from './yolox.js';

export interface WorkerInit {
  modelPath: string;
  scoreThreshold?: number;
  iouThreshold?: number;
}

export interface DetectRequest {
  type: 'detect';
  id: number;
  width: number;
  height: number;
  frame: ArrayBuffer;
}

export interface WorkerDetection {
  label: string;
  classId: number;
  score: number;
  /** [x1, y1, x2, y2], 0..1 of the frame. */
  box: [number, number, number, number];
}

export type WorkerReply =
  | { type: 'ready'; loadMs: number }
  | { type: 'result'; id: number; detections: WorkerDetection[]; inferMs: number; totalMs: number; frame: ArrayBuffer }
  | { type: 'error'; id: number | null; message: string };

const port = parentPort;
if (!port) throw new Error('detector-worker must run in a worker thread');
const init = workerData as WorkerInit;
const tensorData = new Float32Array(3 * INPUT_SIZE * INPUT_SIZE);

let session: ort.InferenceSession;
const t0 = performance.now();
try {
  session = await ort.InferenceSession.create(init.modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  port.postMessage({ type: 'ready', loadMs: performance.now() - t0 } satisfies WorkerReply);
} catch (err) {
  port.postMessage({ type: 'error', id: null, message: `could not load the detector model ${init.modelPath}: ${(err as Error).message}` } satisfies WorkerReply);
  process.exit(1);
}

const inputName = session.inputNames[0] ?? 'images';
const outputName = session.outputNames[0] ?? 'output';

port.on('message', (msg: DetectRequest) => {
  if (msg?.type !== 'detect') return;
  void run(msg);
});

async function run(msg: DetectRequest): Promise<void> {
  const start = performance.now();
  try {
    const bgr = new Uint8Array(msg.frame);
    toTensor(bgr, msg.width, msg.height, tensorData);
    const input = new ort.Tensor('float32', tensorData, [1, 3, INPUT_SIZE, INPUT_SIZE]);
    const i0 = performance.now();
    const out = await session.run({ [inputName]: input });
    const inferMs = performance.now() - i0;
    const data = out[outputName]!.data as Float32Array;
    const dets: Detection[] = decode(data, {
      width: msg.width,
      height: msg.height,
      scoreThreshold: init.scoreThreshold,
      iouThreshold: init.iouThreshold,
    });
    const detections: WorkerDetection[] = dets.map((d) => ({
      label: d.label,
      classId: d.classId,
      score: Math.round(d.score * 1000) / 1000,
      box: [d.box[0] / msg.width, d.box[1] / msg.height, d.box[2] / msg.width, d.box[3] / msg.height].map((v) => Math.round(v * 10000) / 10000) as WorkerDetection['box'],
    }));
    // Hand the frame buffer back so the caller can reuse it.
    port!.postMessage({ type: 'result', id: msg.id, detections, inferMs, totalMs: performance.now() - start, frame: msg.frame } satisfies WorkerReply, [msg.frame]);
  } catch (err) {
    port!.postMessage({ type: 'error', id: msg.id, message: (err as Error).message } satisfies WorkerReply);
  }
}
