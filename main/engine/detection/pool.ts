/**
 * Detector pool: the generic WorkerPool running native-workers/detector-worker
 * (one ORT session of YOLOX-Nano per worker). `detectBatch()` sends frames of
 * several cameras as one request (one `session.run` with a dynamic-batch
 * model); it returns null at once when every worker is busy, so callers keep
 * their newest frame instead of queueing. A crashed or hung worker is counted
 * and restarted; the engine never goes down with it.
 *
 * How many workers, ORT threads and frames per batch a machine gets by
 * default: `detectorDefaults()` (docs/detection.md "Sizing").
 */
import os from 'node:os';
import type { DetectFrame, FrameResult, WorkerDetection, WorkerReply } from '../../../native-workers/detector-worker.js';
import { nativeWorkerUrl, WorkerPool, type WorkerPoolStats } from './worker-pool.js';

export type { WorkerDetection };

type ReadyReply = Extract<WorkerReply, { type: 'ready' }>;
type ResultReply = Extract<WorkerReply, { type: 'result' }>;

export interface DetectResult {
  detections: WorkerDetection[];
  /** session.run time (of the whole batch when the frame was part of one). */
  inferMs: number;
  totalMs: number;
}

export interface BatchFrame {
  frame: ArrayBuffer;
  width: number;
  height: number;
}

export interface BatchResult {
  /** Per frame, in the order sent: detections, or null when that frame was bad. */
  results: (WorkerDetection[] | null)[];
  /** session.run time for the whole batch. */
  inferMs: number;
  /** Time in the worker for the whole batch (pre-processing, run, decoding). */
  totalMs: number;
  /** How many session.run calls the batch took (1 with a dynamic-batch model). */
  runs: number;
}

/** The worker script: the TS source under tsx in development, the compiled JS under dist/. */
export function workerUrl(): URL {
  return nativeWorkerUrl('detector-worker');
}

export interface DetectorSizing {
  workers: number;
  threads: number;
  maxBatch: number;
  why: string;
}

/**
 * Default pool shape for a machine with `cores` logical CPUs. Measured on the
 * project's 2-core machine (docs/detection.md "Sizing"): one ORT thread per
 * session is the cheapest per frame (2 threads cost ~25 % more CPU per
 * frame), and batching frames into one session.run costs more CPU per frame
 * on this CPU, not less, so it is off. Bigger machines get more one-thread
 * workers, about a quarter of the cores: detection never takes more than that,
 * the recorder and the per-camera decoders come first.
 */
export function detectorDefaults(cores = os.availableParallelism?.() ?? os.cpus().length): DetectorSizing {
  const n = Math.max(1, Math.floor(cores));
  const workers = Math.min(4, Math.max(1, Math.floor(n / 4)));
  return {
    workers,
    threads: 1,
    maxBatch: 1,
    why:
      `${n} core${n > 1 ? 's' : ''}: ${workers} worker${workers > 1 ? 's' : ''} with one ORT thread each (the cheapest per frame), ` +
      `leaving ${n - workers} core${n - workers > 1 ? 's' : ''} to the recorder and the decoders; no batching (it costs more per frame on a CPU)`,
  };
}

export interface PoolOptions {
  modelPath: string;
  /** Workers (default from detectorDefaults()). */
  size?: number;
  /** ORT intra-op threads per worker (default from detectorDefaults()). */
  threads?: number;
  /** Most frames per request (default from detectorDefaults(); 1 = no batching). */
  maxBatch?: number;
  scoreThreshold?: number;
  iouThreshold?: number;
  jobTimeoutMs?: number;
}

export class DetectorPool {
  private readonly pool: WorkerPool<ReadyReply, ResultReply>;
  /** Spare frame buffers handed back by the workers, by size. */
  private spare: ArrayBuffer[] = [];
  readonly threads: number;
  private readonly wantBatch: number;

  constructor(private readonly opts: PoolOptions) {
    const d = detectorDefaults();
    this.threads = Math.max(1, Math.floor(opts.threads ?? d.threads));
    this.wantBatch = Math.max(1, Math.floor(opts.maxBatch ?? d.maxBatch));
    this.pool = new WorkerPool<ReadyReply, ResultReply>({
      name: 'detector',
      script: workerUrl(),
      workerData: { modelPath: opts.modelPath, scoreThreshold: opts.scoreThreshold, iouThreshold: opts.iouThreshold, threads: this.threads },
      size: Math.max(1, Math.floor(opts.size ?? d.workers)),
      jobTimeoutMs: opts.jobTimeoutMs,
    });
  }

  start(): void {
    this.pool.start();
  }

  stop(): Promise<void> {
    this.spare = [];
    return this.pool.stop();
  }

  get size(): number {
    return this.pool.size;
  }

  get lastError(): string | null {
    return this.pool.lastError;
  }

  /** Frames one request may carry: the configured batch, or 1 when the model has a fixed batch of 1. */
  get maxBatch(): number {
    const b = this.pool.info?.batch;
    return b === 0 ? this.wantBatch : 1;
  }

  readyCount(): number {
    return this.pool.readyCount();
  }

  whenReady(timeoutMs = 30_000): Promise<boolean> {
    return this.pool.whenReady(timeoutMs);
  }

  idle(): boolean {
    return this.pool.idleCount() > 0;
  }

  stats(): WorkerPoolStats {
    return this.pool.stats();
  }

  /** Test hook: the live worker threads. */
  workers(): ReturnType<WorkerPool<ReadyReply, ResultReply>['workers']> {
    return this.pool.workers();
  }

  /** Test hook: every worker throws on its next request (a crash with a request in flight). */
  crashNext(): void {
    this.pool.crashNext();
  }

  /** A buffer of exactly `bytes`, reused when possible. */
  buffer(bytes: number): ArrayBuffer {
    const i = this.spare.findIndex((b) => b.byteLength === bytes);
    if (i >= 0) return this.spare.splice(i, 1)[0]!;
    return new ArrayBuffer(bytes);
  }

  /**
   * Run frames (packed BGR, each width×height ≤ 416×416) as one request. The
   * buffers are transferred to the worker. Null at once when every worker is
   * busy or none is ready; resolves to null when the worker failed or died.
   */
  detectBatch(frames: BatchFrame[]): Promise<BatchResult | null> | null {
    if (!frames.length) return null;
    const msg: DetectFrame[] = frames.map((f) => ({ frame: f.frame, width: f.width, height: f.height }));
    const p = this.pool.run({ type: 'detect', frames: msg }, [...new Set(frames.map((f) => f.frame))]);
    if (!p) return null;
    return p.then((r) => {
      if (!r) return null;
      for (const b of r.frames) if (this.spare.length < 8) this.spare.push(b);
      return {
        results: r.results.map((x: FrameResult) => ('detections' in x ? x.detections : null)),
        inferMs: r.inferMs,
        totalMs: r.totalMs,
        runs: r.runs,
      };
    });
  }

  /** One frame. Null at once when busy; resolves to null when the frame was bad or the worker failed. */
  detect(frame: ArrayBuffer, width: number, height: number): Promise<DetectResult | null> | null {
    const p = this.detectBatch([{ frame, width, height }]);
    if (!p) return null;
    return p.then((r) => {
      const d = r?.results[0];
      return r && d ? { detections: d, inferMs: r.inferMs, totalMs: r.totalMs } : null;
    });
  }
}
