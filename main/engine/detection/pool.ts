/**
 * Detector pool: N worker threads (default 1 on a 2-core machine), each
 * with its own ORT session. `detect()` returns null at once when every
 * worker is busy, so callers drop the frame instead of queueing: a slow
 * detector never slows anything else. A crashed worker is restarted with
 * backoff and never takes the engine down.
 */
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { logger } from '../log.js';
import type { WorkerDetection, WorkerReply } from '../../../native-workers/detector-worker.js';

const log = logger('detection');

export type { WorkerDetection };

export interface DetectResult {
  detections: WorkerDetection[];
  inferMs: number;
  totalMs: number;
}

/** The worker script: the TS source under tsx in development, the compiled JS under dist/. */
export function workerUrl(): URL {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  const url = new URL(`../../../native-workers/detector-worker.${ts ? 'ts' : 'js'}`, here);
  if (!ts && !fs.existsSync(fileURLToPath(url))) {
    // Compiled engine but only the TS worker present (unusual layouts): fall back to the source.
    const src = new URL('../../../native-workers/detector-worker.ts', here);
    if (fs.existsSync(fileURLToPath(src))) return src;
  }
  return url;
}

/**
 * Start the worker. A .ts worker gets tsx registered inside the thread first
 * (`execArgv: ['--import', 'tsx']` does not reach worker threads on Node 20).
 */
function startWorker(url: URL, workerData: unknown): Worker {
  const opts = { workerData, resourceLimits: { maxOldGenerationSizeMb: 512 } };
  if (!url.pathname.endsWith('.ts')) return new Worker(url, opts);
  // tsx's tsImport() loads a TS module graph with hooks scoped to this thread.
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)})).catch((e) => { console.error(e); process.exit(1); });`;
  return new Worker(code, { ...opts, eval: true });
}

interface Slot {
  worker: Worker | null;
  ready: boolean;
  busy: { id: number; resolve: (r: DetectResult | null) => void; reject: (e: Error) => void } | null;
  restarts: number;
  timer: NodeJS.Timeout | null;
}

export interface PoolOptions {
  modelPath: string;
  size?: number;
  scoreThreshold?: number;
  iouThreshold?: number;
}

export class DetectorPool {
  private slots: Slot[] = [];
  private nextId = 1;
  private stopped = false;
  /** Spare frame buffers handed back by the workers. */
  private spare: ArrayBuffer[] = [];
  lastError: string | null = null;

  constructor(private readonly opts: PoolOptions) {}

  start(): void {
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

  /** Resolves when at least one worker has loaded the model (or after timeoutMs). */
  async whenReady(timeoutMs = 30_000): Promise<boolean> {
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

  /** A buffer of at least `bytes`, reused when possible. */
  buffer(bytes: number): ArrayBuffer {
    const i = this.spare.findIndex((b) => b.byteLength === bytes);
    if (i >= 0) return this.spare.splice(i, 1)[0]!;
    return new ArrayBuffer(bytes);
  }

  /**
   * Run one frame (packed BGR, width×height ≤ 416×416). The buffer is
   * transferred to the worker. Null when every worker is busy or none is ready.
   */
  detect(frame: ArrayBuffer, width: number, height: number): Promise<DetectResult | null> | null {
    const slot = this.slots.find((s) => s.ready && !s.busy && s.worker);
    if (!slot) return null;
    const id = this.nextId++;
    return new Promise<DetectResult | null>((resolve, reject) => {
      slot.busy = { id, resolve, reject };
      slot.worker!.postMessage({ type: 'detect', id, width, height, frame }, [frame]);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      this.slots.map(async (s) => {
        if (s.timer) clearTimeout(s.timer);
        s.busy?.resolve(null);
        s.busy = null;
        const w = s.worker;
        s.worker = null;
        s.ready = false;
        if (w) await w.terminate().catch(() => 0);
      }),
    );
    this.slots = [];
    this.spare = [];
  }

  private spawn(slot: Slot): void {
    let worker: Worker;
    try {
      worker = startWorker(workerUrl(), { modelPath: this.opts.modelPath, scoreThreshold: this.opts.scoreThreshold, iouThreshold: this.opts.iouThreshold });
    } catch (err) {
      this.lastError = `could not start a detector worker: ${(err as Error).message}`;
      log.error(this.lastError);
      this.scheduleRestart(slot);
      return;
    }
    slot.worker = worker;
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'ready') {
        slot.ready = true;
        slot.restarts = 0;
        log.info(`detector worker ready (model loaded in ${Math.round(m.loadMs)} ms)`);
      } else if (m.type === 'result') {
        const b = slot.busy;
        slot.busy = null;
        if (this.spare.length < 4) this.spare.push(m.frame);
        b?.resolve({ detections: m.detections, inferMs: m.inferMs, totalMs: m.totalMs });
      } else if (m.type === 'error') {
        this.lastError = m.message;
        if (m.id === null) {
          log.error(m.message);
          return;
        }
        const b = slot.busy;
        slot.busy = null;
        log.warn(`detection failed: ${m.message}`);
        b?.resolve(null);
      }
    });
    worker.on('error', (err) => {
      this.lastError = `detector worker crashed: ${err.message}`;
      log.error(this.lastError);
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      slot.worker = null;
      slot.ready = false;
      const b = slot.busy;
      slot.busy = null;
      b?.resolve(null);
      if (this.stopped) return;
      log.warn(`detector worker exited (code ${code}); restarting`);
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
