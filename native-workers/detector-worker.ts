/**
 * Detector worker (worker_threads): owns one ONNX Runtime session of
 * YOLOX-Nano and answers `detect` messages carrying one or more frames
 * (a batch, usually from several cameras). Frames arrive as transferred
 * ArrayBuffers of packed BGR (already resized to fit 416×416); the reply
 * carries, per frame, detections with boxes normalised to 0..1 of the frame,
 * and hands the buffers back for reuse.
 *
 * A model with a dynamic batch dimension (`yolox_nano_dyn.onnx`,
 * `yolox_nano_int8.onnx`) runs a batch in one `session.run`; a model with a
 * fixed batch of 1 runs the frames one after the other.
 *
 * Protocol (shared with the generic pool, main/engine/detection/worker-pool.ts):
 * the worker posts `ready` once, then one `result` or `error` per request id.
 * `close` makes it exit once its request in flight (if any) is answered:
 * terminating a thread while onnxruntime-node still runs a session aborts
 * the whole process, so the pool never does that to a busy worker.
 * `crash` (a test hook) makes it throw on its next request, before the run.
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
  /** ORT intra-op threads (default 1). */
  threads?: number;
}

export interface DetectFrame {
  width: number;
  height: number;
  frame: ArrayBuffer;
}

export interface DetectRequest {
  type: 'detect';
  id: number;
  frames: DetectFrame[];
}

export interface WorkerDetection {
  label: string;
  classId: number;
  score: number;
  /** [x1, y1, x2, y2], 0..1 of the frame. */
  box: [number, number, number, number];
}

/** Per frame of a request: its detections, or why it failed (a bad frame does not fail the batch). */
export type FrameResult = { detections: WorkerDetection[] } | { error: string };

export interface CloseRequest {
  type: 'close' | 'crash';
}

export type WorkerReply =
  | { type: 'ready'; loadMs: number; threads: number; /** frames one session.run can take (0 = any) */ batch: number; inputShape: (number | string)[] }
  /** inferMs: session.run time for the whole request; totalMs: also pre/post-processing. */
  | { type: 'result'; id: number; results: FrameResult[]; inferMs: number; totalMs: number; runs: number; frames: ArrayBuffer[] }
  | { type: 'error'; id: number | null; message: string };

const port = parentPort;
if (!port) throw new Error('detector-worker must run in a worker thread');
const init = workerData as WorkerInit;
const threads = Math.max(1, Math.floor(init.threads ?? 1));
const PLANE = 3 * INPUT_SIZE * INPUT_SIZE;

let session: ort.InferenceSession;
const t0 = performance.now();
try {
  session = await ort.InferenceSession.create(init.modelPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // With more than one thread, do not let the pool's threads spin between runs: on a small
    // machine that spinning is CPU the decoders and the recorder need.
    ...(threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  });
} catch (err) {
  port.postMessage({ type: 'error', id: null, message: `could not load the detector model ${init.modelPath}: ${(err as Error).message}` } satisfies WorkerReply);
  process.exit(1);
}

const inputName = session.inputNames[0] ?? 'images';
const outputName = session.outputNames[0] ?? 'output';
const meta = session.inputMetadata?.[0];
const inputShape: (number | string)[] = meta && meta.isTensor ? [...meta.shape] : [1, 3, INPUT_SIZE, INPUT_SIZE];
const dim0 = inputShape[0];
/** 0 = dynamic batch (any number of frames per run); otherwise the fixed batch size (1 for the original model). */
const batch = typeof dim0 === 'number' && dim0 > 0 ? dim0 : 0;
if (batch > 1) {
  port.postMessage({ type: 'error', id: null, message: `the detector model ${init.modelPath} has a fixed batch of ${batch}; use a model with batch 1 or a dynamic batch` } satisfies WorkerReply);
  process.exit(1);
}
port.postMessage({ type: 'ready', loadMs: performance.now() - t0, threads, batch, inputShape } satisfies WorkerReply);

/** Tensor storage by batch size, reused across requests. */
const tensors = new Map<number, Float32Array>();
function tensorFor(n: number): Float32Array {
  let t = tensors.get(n);
  if (!t) {
    t = new Float32Array(n * PLANE);
    tensors.set(n, t);
  }
  return t;
}

let inFlight = 0;
let closing = false;
let crashNext = false;

function exitWhenIdle(): void {
  if (!closing || inFlight > 0) return;
  port!.removeAllListeners('message');
  void session
    .release()
    .catch(() => undefined)
    .finally(() => process.exit(0));
}

port.on('message', (msg: DetectRequest | CloseRequest) => {
  if (msg?.type === 'close') {
    closing = true;
    exitWhenIdle();
  } else if (msg?.type === 'crash') {
    crashNext = true;
  } else if (msg?.type === 'detect' && !closing) {
    if (crashNext) throw new Error('detector worker: crash requested (test hook)');
    inFlight++;
    void run(msg).finally(() => {
      inFlight--;
      exitWhenIdle();
    });
  }
});

function checkFrame(f: DetectFrame): string | null {
  if (!(f.frame instanceof ArrayBuffer)) return 'the frame is not an ArrayBuffer';
  if (!(f.width >= 1 && f.height >= 1 && f.width <= INPUT_SIZE && f.height <= INPUT_SIZE)) return `frame ${f.width}×${f.height} must be resized to fit ${INPUT_SIZE}×${INPUT_SIZE} first`;
  if (f.frame.byteLength < f.width * f.height * 3) return `frame buffer holds ${f.frame.byteLength} bytes, ${f.width}×${f.height} BGR needs ${f.width * f.height * 3}`;
  return null;
}

function toDetections(out: Float32Array, f: DetectFrame): WorkerDetection[] {
  const dets: Detection[] = decode(out, { width: f.width, height: f.height, scoreThreshold: init.scoreThreshold, iouThreshold: init.iouThreshold });
  return dets.map((d) => ({
    label: d.label,
    classId: d.classId,
    score: Math.round(d.score * 1000) / 1000,
    box: [d.box[0] / f.width, d.box[1] / f.height, d.box[2] / f.width, d.box[3] / f.height].map((v) => Math.round(v * 10000) / 10000) as WorkerDetection['box'],
  }));
}

async function run(msg: DetectRequest): Promise<void> {
  const start = performance.now();
  const frames = Array.isArray(msg.frames) ? msg.frames : [];
  const buffers = frames.map((f) => f.frame).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
  try {
    const results: FrameResult[] = frames.map((f) => {
      const bad = checkFrame(f);
      return bad ? { error: bad } : { detections: [] };
    });
    const good = frames.map((_, i) => i).filter((i) => !('error' in results[i]!));
    // One run for the whole batch when the model allows it, else one run per frame.
    const groups = batch === 0 ? (good.length ? [good] : []) : good.map((i) => [i]);
    let inferMs = 0;
    for (const group of groups) {
      const data = tensorFor(group.length);
      group.forEach((fi, k) => {
        const f = frames[fi]!;
        toTensor(new Uint8Array(f.frame), f.width, f.height, data.subarray(k * PLANE, (k + 1) * PLANE));
      });
      const input = new ort.Tensor('float32', data, [group.length, 3, INPUT_SIZE, INPUT_SIZE]);
      const i0 = performance.now();
      const out = await session.run({ [inputName]: input });
      inferMs += performance.now() - i0;
      const all = out[outputName]!.data as Float32Array;
      const per = all.length / group.length;
      group.forEach((fi, k) => {
        results[fi] = { detections: toDetections(all.subarray(k * per, (k + 1) * per), frames[fi]!) };
      });
    }
    port!.postMessage(
      { type: 'result', id: msg.id, results, inferMs, totalMs: performance.now() - start, runs: groups.length, frames: buffers } satisfies WorkerReply,
      buffers,
    );
  } catch (err) {
    port!.postMessage({ type: 'error', id: msg.id, message: (err as Error).message } satisfies WorkerReply);
  }
}
