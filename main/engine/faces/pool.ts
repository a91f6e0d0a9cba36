/**
 * Face worker pool: N worker threads (default 1 on a 2-core machine), each
 * with its own face pipeline. Modelled on detection/pool.ts:
 *
 * - `tryAnalyze()` returns null at once when every worker is busy, so the
 *   person-track path drops a crop instead of queueing (nothing grows).
 * - `analyze()` waits for a worker in a short bounded queue (enrolment: a
 *   person waits for an answer); a full queue is a clear error.
 * - A worker that dies is restarted with backoff (0.5 s … 30 s); a failing
 *   picture is an error reply, not a crash; a request that takes longer than
 *   `requestTimeoutMs` terminates its worker (which then restarts). The
 *   engine never goes down with a worker.
 */
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { logger } from '../log.js';
import { assetPath } from '../paths.js';
import type { FaceAnalyzeRequest, FaceWorkerInit, FaceWorkerReply, WorkerFace } from '../../../native-workers/face-worker.js';
import type { AnalyzeTimings, FaceAnalyzeOptions } from '../../../native-workers/face-pipeline.js';
import type { PixelOrder } from '../../../native-workers/face-image.js';

const log = logger('faces');

export type { WorkerFace, AnalyzeTimings, PixelOrder };
export type FaceOptions = Omit<FaceAnalyzeOptions, 'reference'>;

/** A picture for the face worker: packed 8-bit RGB or BGR, rows without padding. */
export interface FaceImage {
  data: Uint8Array;
  width: number;
  height: number;
  order: PixelOrder;
}

export interface FaceAnalysis {
  faces: WorkerFace[];
  timings: AnalyzeTimings;
  /** Wall time of the round trip (copy, queue wait excluded, worker, reply). */
  roundTripMs: number;
}

/** The models shipped in assets/models/face (see its README). */
export function defaultFaceModels(): FaceWorkerInit {
  return {
    blazeface: assetPath('models', 'face', 'blazeface-back.onnx'),
    ultraface: assetPath('models', 'face', 'ultraface-rfb-320.onnx'),
    descriptor: assetPath('models', 'face', 'dlib-resnet-128.onnx'),
  };
}

/** The worker script: the TS source under tsx in development, the compiled JS under dist/. */
export function faceWorkerUrl(): URL {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  const url = new URL(`../../../native-workers/face-worker.${ts ? 'ts' : 'js'}`, here);
  if (!ts && !fs.existsSync(fileURLToPath(url))) {
    const src = new URL('../../../native-workers/face-worker.ts', here);
    if (fs.existsSync(fileURLToPath(src))) return src;
  }
  return url;
}

/** Start a worker; a .ts worker gets tsx inside the thread (Node 20 does not pass --import to workers). */
function startWorker(url: URL, workerData: unknown): Worker {
  const opts = { workerData, resourceLimits: { maxOldGenerationSizeMb: 512 } };
  if (!url.pathname.endsWith('.ts')) return new Worker(url, opts);
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)})).catch((e) => { console.error(e); process.exit(1); });`;
  return new Worker(code, { ...opts, eval: true });
}

interface Job {
  image: FaceImage;
  options: FaceOptions;
  resolve: (r: FaceAnalysis | null) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker | null;
  ready: boolean;
  busy: (Job & { id: number; started: number; timer: NodeJS.Timeout | null }) | null;
  restarts: number;
  timer: NodeJS.Timeout | null;
}

export interface FacePoolOptions {
  models?: FaceWorkerInit;
  /** Worker threads (default 1). */
  size?: number;
  /** Requests that may wait for a worker in analyze() (default 4). */
  maxQueue?: number;
  /** A request running longer than this terminates its worker (default 30 s). */
  requestTimeoutMs?: number;
}

/** Thrown by analyze() when the worker gives an error for the picture, or the queue is full. */
export class FaceWorkerError extends Error {}

export class FacePool {
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private stopped = true;
  lastError: string | null = null;
  /** Counters for status and the bench. */
  readonly stats = { analysed: 0, dropped: 0, errors: 0, restarts: 0 };

  constructor(private readonly opts: FacePoolOptions = {}) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const n = Math.max(1, this.opts.size ?? 1);
    for (let i = 0; i < n; i++) {
      const slot: Slot = { worker: null, ready: false, busy: null, restarts: 0, timer: null };
      this.slots.push(slot);
      this.spawn(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  readyCount(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  /** Resolves true when at least one worker has loaded the models (false after timeoutMs). */
  async whenReady(timeoutMs = 60_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && !this.stopped) {
      if (this.readyCount() > 0) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.readyCount() > 0;
  }

  idle(): boolean {
    return this.slots.some((s) => s.ready && !s.busy);
  }

  /**
   * Analyse now or not at all: null when every worker is busy or none is
   * ready (the caller drops the picture), or when the worker failed on it.
   * The pixels are copied; the caller keeps its buffer.
   */
  tryAnalyze(image: FaceImage, options: FaceOptions = {}): Promise<FaceAnalysis | null> | null {
    const slot = this.freeSlot();
    if (!slot) {
      this.stats.dropped++;
      return null;
    }
    return new Promise<FaceAnalysis | null>((resolve, reject) => this.dispatch(slot, { image, options, resolve, reject }));
  }

  /**
   * Analyse, waiting for a worker in a bounded queue. Rejects with a
   * FaceWorkerError when the queue is full, the worker failed on the picture,
   * or no worker became ready within the request timeout.
   */
  async analyze(image: FaceImage, options: FaceOptions = {}): Promise<FaceAnalysis> {
    if (this.stopped) throw new FaceWorkerError('face recognition is not running');
    const r = await new Promise<FaceAnalysis | null>((resolve, reject) => {
      const job: Job = { image, options, resolve, reject };
      const slot = this.freeSlot();
      if (slot) return this.dispatch(slot, job);
      if (this.queue.length >= (this.opts.maxQueue ?? 4)) {
        reject(new FaceWorkerError('the face worker is busy; try again in a moment'));
        return;
      }
      this.queue.push(job);
      const t = setTimeout(() => {
        const i = this.queue.indexOf(job);
        if (i >= 0) {
          this.queue.splice(i, 1);
          reject(new FaceWorkerError(`no face worker became free within ${Math.round(this.timeoutMs() / 1000)} s${this.lastError ? ` (${this.lastError})` : ''}`));
        }
      }, this.timeoutMs());
      t.unref?.();
    });
    if (!r) throw new FaceWorkerError(this.lastError ?? 'the face worker failed on this picture');
    return r;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const j of this.queue.splice(0)) j.resolve(null);
    await Promise.all(
      this.slots.map(async (s) => {
        if (s.timer) clearTimeout(s.timer);
        if (s.busy?.timer) clearTimeout(s.busy.timer);
        s.busy?.resolve(null);
        s.busy = null;
        const w = s.worker;
        s.worker = null;
        s.ready = false;
        if (w) await w.terminate().catch(() => 0);
      }),
    );
    this.slots = [];
  }

  private timeoutMs(): number {
    return this.opts.requestTimeoutMs ?? 30_000;
  }

  private freeSlot(): Slot | undefined {
    return this.slots.find((s) => s.ready && !s.busy && s.worker);
  }

  private dispatch(slot: Slot, job: Job): void {
    const id = this.nextId++;
    const { image } = job;
    if (image.data.length < image.width * image.height * 3) {
      job.reject(new FaceWorkerError(`picture buffer holds ${image.data.length} bytes, ${image.width}×${image.height} needs ${image.width * image.height * 3}`));
      this.drain();
      return;
    }
    // Copy into a buffer the worker owns (transferred), so the caller's frame stays valid.
    const buf = new ArrayBuffer(image.width * image.height * 3);
    new Uint8Array(buf).set(image.data.subarray(0, buf.byteLength));
    const timer = setTimeout(() => {
      if (slot.busy?.id !== id) return;
      this.lastError = `the face worker took longer than ${Math.round(this.timeoutMs() / 1000)} s; restarting it`;
      log.warn(this.lastError);
      void slot.worker?.terminate();
    }, this.timeoutMs());
    timer.unref?.();
    slot.busy = { ...job, id, started: performance.now(), timer };
    const msg: FaceAnalyzeRequest = { type: 'analyze', id, width: image.width, height: image.height, order: image.order, image: buf, options: job.options };
    slot.worker!.postMessage(msg, [buf]);
  }

  /** Hand the next queued job to a free worker. */
  private drain(): void {
    while (this.queue.length) {
      const slot = this.freeSlot();
      if (!slot) return;
      this.dispatch(slot, this.queue.shift()!);
    }
  }

  private finish(slot: Slot, r: FaceAnalysis | null): void {
    const b = slot.busy;
    slot.busy = null;
    if (b?.timer) clearTimeout(b.timer);
    b?.resolve(r);
    this.drain();
  }

  private spawn(slot: Slot): void {
    let worker: Worker;
    try {
      worker = startWorker(faceWorkerUrl(), this.opts.models ?? defaultFaceModels());
    } catch (err) {
      this.lastError = `could not start a face worker: ${(err as Error).message}`;
      log.error(this.lastError);
      this.scheduleRestart(slot);
      return;
    }
    slot.worker = worker;
    worker.on('message', (m: FaceWorkerReply) => {
      if (m.type === 'ready') {
        slot.ready = true;
        slot.restarts = 0;
        log.info(`face worker ready (models loaded in ${Math.round(m.loadMs)} ms)`);
        this.drain();
      } else if (m.type === 'result') {
        this.stats.analysed++;
        const started = slot.busy?.started ?? performance.now();
        this.finish(slot, { faces: m.faces, timings: m.timings, roundTripMs: performance.now() - started });
      } else if (m.type === 'error') {
        this.lastError = m.message;
        if (m.id === null) {
          log.error(m.message);
          return;
        }
        this.stats.errors++;
        log.warn(`face analysis failed: ${m.message}`);
        this.finish(slot, null);
      }
    });
    worker.on('error', (err) => {
      this.lastError = `face worker crashed: ${err.message}`;
      log.error(this.lastError);
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      slot.worker = null;
      slot.ready = false;
      this.finish(slot, null);
      if (this.stopped) return;
      this.stats.restarts++;
      log.warn(`face worker exited (code ${code}); restarting`);
      this.scheduleRestart(slot);
    });
  }

  private scheduleRestart(slot: Slot): void {
    if (this.stopped) return;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(slot.restarts, 6));
    slot.restarts++;
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (!this.stopped) this.spawn(slot);
    }, delay);
    slot.timer.unref?.();
  }
}
