/**
 * A generic pool of worker threads, each running one model script from
 * native-workers/ (the detector today; a face worker can reuse it).
 *
 * Protocol with the worker script: it posts `{type: 'ready', ...info}` once
 * its model is loaded, then exactly one `{type: 'result', id, ...}` or
 * `{type: 'error', id, message}` per request it got; `{type: 'error', id: null}`
 * is a fatal message (e.g. the model could not be loaded) before it exits.
 * `{type: 'close'}` asks it to exit once its request in flight is answered.
 * The pool never terminates a busy worker: with a native module such as
 * onnxruntime-node, tearing a thread down while the module's async work is
 * pending aborts the whole process.
 *
 * `run()` returns null at once when every worker is busy or none is ready:
 * there is no queue inside the pool, so callers keep only their newest input
 * (newest-frame-wins) and a slow model never slows anything else. A worker
 * that exits or crashes is counted and restarted with backoff (0.5 s … 30 s);
 * its request resolves to null. A worker that hangs past `jobTimeoutMs` is
 * counted too, its request resolves to null, it is asked to close, and a
 * fresh worker takes its place at once.
 */
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { logger } from '../log.js';

const log = logger('detection');

/** URL of native-workers/<name>: the TS source under tsx in development, the compiled JS under dist/. */
export function nativeWorkerUrl(name: string): URL {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  const url = new URL(`../../../native-workers/${name}.${ts ? 'ts' : 'js'}`, here);
  if (!ts && !fs.existsSync(fileURLToPath(url))) {
    // Compiled engine but only the TS worker present (unusual layouts): fall back to the source.
    const src = new URL(`../../../native-workers/${name}.ts`, here);
    if (fs.existsSync(fileURLToPath(src))) return src;
  }
  return url;
}

/** Ask a worker to close, wait for it to exit, terminate it only after graceMs. */
async function closeWorker(w: Worker, graceMs: number, name: string): Promise<void> {
  const gone = new Promise<void>((r) => w.once('exit', () => r()));
  try {
    w.postMessage({ type: 'close' });
  } catch {
    /* already gone */
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(true), graceMs);
  });
  const timedOut = await Promise.race([gone.then(() => false), late]);
  clearTimeout(timer);
  if (timedOut) {
    log.warn(`${name} worker did not close within ${Math.round(graceMs / 1000)} s; terminating it`);
    await w.terminate().catch(() => 0);
  }
}

/**
 * Start a worker. A .ts worker gets tsx registered inside the thread first
 * (`execArgv: ['--import', 'tsx']` does not reach worker threads on Node 20).
 */
function startWorker(url: URL, workerData: unknown, maxOldGenerationSizeMb: number): Worker {
  const opts = { workerData, resourceLimits: { maxOldGenerationSizeMb } };
  if (!url.pathname.endsWith('.ts')) return new Worker(url, opts);
  // tsx's tsImport() loads a TS module graph with hooks scoped to this thread.
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)})).catch((e) => { console.error(e); process.exit(1); });`;
  return new Worker(code, { ...opts, eval: true });
}

export interface PoolReply {
  type: string;
  id?: number | null;
  message?: string;
}

interface Job<R> {
  id: number;
  resolve: (r: R | null) => void;
  timer: NodeJS.Timeout | null;
}

interface Slot<R> {
  worker: Worker | null;
  ready: boolean;
  busy: Job<R> | null;
  /** Consecutive failed starts, for the backoff. */
  failures: number;
  timer: NodeJS.Timeout | null;
}

export interface WorkerPoolOptions {
  /** For logs: "detector", "face", … */
  name: string;
  script: URL;
  workerData: unknown;
  size: number;
  /** A request still running after this long means a hung worker: it is terminated and restarted. */
  jobTimeoutMs?: number;
  maxOldGenerationSizeMb?: number;
}

export interface WorkerPoolStats {
  size: number;
  ready: number;
  busy: number;
  /** Workers that exited or hung without being asked to (each was restarted). */
  crashes: number;
  /** Workers started again after a crash or a failed start. */
  restarts: number;
  /** Requests answered with a result. */
  jobs: number;
  /** Requests answered with an error, or lost with a crashed worker. */
  failed: number;
}

export class WorkerPool<TReady extends PoolReply, TResult extends PoolReply & { id: number }> {
  private slots: Slot<TResult>[] = [];
  private nextId = 1;
  private stopped = true;
  private counts = { crashes: 0, restarts: 0, jobs: 0, failed: 0 };
  /** Hung workers asked to close, until they exit (terminated by stop() if they never do). */
  private retired = new Set<Worker>();
  /** The last `ready` message (what the worker reported about its model). */
  info: TReady | null = null;
  lastError: string | null = null;

  constructor(private readonly opts: WorkerPoolOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (let i = 0; i < Math.max(1, this.opts.size); i++) {
      const slot: Slot<TResult> = { worker: null, ready: false, busy: null, failures: 0, timer: null };
      this.slots.push(slot);
      this.spawn(slot, false);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  readyCount(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  idleCount(): number {
    return this.slots.filter((s) => s.ready && !s.busy && s.worker).length;
  }

  stats(): WorkerPoolStats {
    return { size: this.slots.length, ready: this.readyCount(), busy: this.slots.filter((s) => s.busy).length, ...this.counts };
  }

  /** Resolves when at least one worker is ready (or after timeoutMs). */
  async whenReady(timeoutMs = 30_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && !this.stopped) {
      if (this.readyCount() > 0) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.readyCount() > 0;
  }

  /**
   * Send one request to a free worker (`id` is added). Null at once when every
   * worker is busy or none is ready. Resolves to the worker's `result`, or null
   * on an error reply or a lost worker.
   */
  run(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<TResult | null> | null {
    const slot = this.slots.find((s) => s.ready && !s.busy && s.worker);
    if (!slot) return null;
    const id = this.nextId++;
    return new Promise<TResult | null>((resolve) => {
      const job: Job<TResult> = { id, resolve, timer: null };
      slot.busy = job;
      const limit = this.opts.jobTimeoutMs ?? 30_000;
      job.timer = setTimeout(() => {
        if (slot.busy !== job) return;
        this.lastError = `${this.opts.name} worker did not answer within ${Math.round(limit / 1000)} s; replacing it`;
        log.error(this.lastError);
        this.counts.crashes++;
        const w = slot.worker;
        this.lose(slot);
        if (w) {
          // Not terminate(): its run may still be inside the native module. It exits when done.
          this.retired.add(w);
          w.once('exit', () => this.retired.delete(w));
          w.postMessage({ type: 'close' });
        }
        this.scheduleRestart(slot);
      }, limit);
      job.timer.unref?.();
      try {
        slot.worker!.postMessage({ ...msg, id }, transfer);
      } catch (err) {
        clearTimeout(job.timer);
        slot.busy = null;
        this.counts.failed++;
        this.lastError = `could not send a request to the ${this.opts.name} worker: ${(err as Error).message}`;
        resolve(null);
      }
    });
  }

  /**
   * Ask every worker to close and wait for it: a busy one finishes its request
   * first (its caller gets null). Only a worker still there after `graceMs`
   * is terminated.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    const workers = [...this.retired];
    for (const s of this.slots) {
      if (s.timer) clearTimeout(s.timer);
      s.timer = null;
      if (s.worker) workers.push(s.worker);
      this.finish(s, null);
      s.worker = null;
      s.ready = false;
    }
    this.slots = [];
    this.retired.clear();
    await Promise.all(workers.map((w) => closeWorker(w, graceMs, this.opts.name)));
  }

  /** Test hook: the live worker threads. */
  workers(): Worker[] {
    return this.slots.map((s) => s.worker).filter((w): w is Worker => !!w);
  }

  /** Test hook: make every worker throw on its next request (a crash with a request in flight). */
  crashNext(): void {
    for (const s of this.slots) s.worker?.postMessage({ type: 'crash' });
  }

  private finish(slot: Slot<TResult>, r: TResult | null): void {
    const job = slot.busy;
    slot.busy = null;
    if (!job) return;
    if (job.timer) clearTimeout(job.timer);
    job.resolve(r);
  }

  /** Forget a worker that is gone or being killed; its request resolves to null. */
  private lose(slot: Slot<TResult>): void {
    slot.worker = null;
    slot.ready = false;
    if (slot.busy) this.counts.failed++;
    this.finish(slot, null);
  }

  private spawn(slot: Slot<TResult>, restart: boolean): void {
    if (restart) this.counts.restarts++;
    let worker: Worker;
    try {
      worker = startWorker(this.opts.script, this.opts.workerData, this.opts.maxOldGenerationSizeMb ?? 512);
    } catch (err) {
      this.lastError = `could not start a ${this.opts.name} worker: ${(err as Error).message}`;
      log.error(this.lastError);
      this.scheduleRestart(slot);
      return;
    }
    slot.worker = worker;
    worker.on('message', (m: TReady | TResult) => {
      if (slot.worker !== worker) return;
      if (m.type === 'ready') {
        slot.ready = true;
        slot.failures = 0;
        this.info = m as TReady;
        this.lastError = null;
      } else if (m.type === 'result') {
        if (slot.busy?.id !== m.id) return;
        this.counts.jobs++;
        this.finish(slot, m as TResult);
      } else if (m.type === 'error') {
        this.lastError = m.message ?? `${this.opts.name} worker error`;
        if (m.id === null || m.id === undefined) {
          log.error(this.lastError);
          return;
        }
        if (slot.busy?.id !== m.id) return;
        this.counts.failed++;
        log.warn(`${this.opts.name} request failed: ${this.lastError}`);
        this.finish(slot, null);
      }
    });
    worker.on('error', (err) => {
      this.lastError = `${this.opts.name} worker crashed: ${err.message}`;
      log.error(this.lastError);
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      const wasReady = slot.ready;
      this.lose(slot);
      if (this.stopped) return;
      this.counts.crashes++;
      if (!wasReady) slot.failures++;
      log.warn(`${this.opts.name} worker exited (code ${code}); restarting`);
      this.scheduleRestart(slot);
    });
  }

  private scheduleRestart(slot: Slot<TResult>): void {
    if (this.stopped || slot.timer) return;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(slot.failures, 6));
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (!this.stopped) this.spawn(slot, true);
    }, delay);
    slot.timer.unref?.();
  }
}
