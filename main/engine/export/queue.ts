/**
 * The engine's export job queue: jobs run in the background, one at a time
 * by default (config `exports.concurrency`), oldest first; a job whose range
 * ends in the future waits until its end has been recorded. Live progress
 * and an ETA are kept in memory and pushed as `export.job` events (at most
 * four a second per job); the table is written on every state change and
 * every few seconds. Jobs outlive the console that asked for them.
 *
 * At start, jobs left running by an engine or CLI process that is gone are
 * marked interrupted (their lock released, their hidden work folders
 * removed); queued and waiting jobs of the engine run again. At stop,
 * running jobs are stopped and marked interrupted.
 *
 * State machine (docs/export.md): queued → (waiting →) running → done |
 * failed | cancelled; queued/waiting → cancelled; running → interrupted.
 */
import type http from 'node:http';
import type { Me } from '../../api/contract.js';
import type { ExportJob } from '../../api/export.js';
import type { EventBus } from '../bus.js';
import { logger } from '../log.js';
import type { EngineModule } from '../module.js';
import type { ExportProgress } from './bundle.js';
import { serveDownload } from './download-http.js';
import { runnerAlive } from './job-store.js';
import type { Actor, ExportService } from './service.js';

const log = logger('export');

export interface QueueDeps {
  service: ExportService;
  bus: EventBus;
  /** Jobs at once (read at each scheduling step). */
  concurrency: () => number;
  now?: () => number;
  /** How often to push progress (ms) and to write it to the table (ms). */
  emitEveryMs?: number;
  persistEveryMs?: number;
}

interface Live {
  abort: AbortController;
  startedMs: number;
  progress: number;
  phase: string | null;
  lastEmit: number;
  lastPersist: number;
  done: Promise<void>;
}

/** Seconds left from the progress so far; null until it can be told (1 s and 1 % in). */
export function etaSeconds(elapsedMs: number, fraction: number): number | null {
  if (fraction <= 0.01 || elapsedMs < 1000) return null;
  if (fraction >= 1) return 0;
  return Math.round(((elapsedMs * (1 - fraction)) / fraction) / 1000);
}

export class ExportQueue implements EngineModule {
  readonly name = 'export';
  private live = new Map<string, Live>();
  private actors = new Map<string, Actor>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  private stopping = false;

  constructor(private readonly d: QueueDeps) {}

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  get service(): ExportService {
    return this.d.service;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    const s = this.d.service;
    for (const j of s.jobs.active()) {
      if (j.runnerId === 'engine') {
        if (j.state === 'running') s.interrupt(j.id, 'Gatehouse stopped during the export; nothing of it was kept. Export again.');
        else if (j.state === 'waiting') s.jobs.update(j.id, { state: 'queued' });
      } else if (!runnerAlive(j.runnerId)) {
        s.interrupt(j.id, 'the command that ran this export stopped before it finished; nothing of it was kept. Export again.');
      }
    }
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const running = [...this.live.values()];
    for (const l of running) l.abort.abort(new Error('engine stopping'));
    await Promise.allSettled(running.map((l) => l.done));
  }

  /** A job with its live progress and ETA. */
  decorate(j: ExportJob): ExportJob {
    const l = this.live.get(j.id);
    if (!l || j.state !== 'running') return j;
    return { ...j, progress: l.progress, phase: l.phase, etaSeconds: etaSeconds(this.now() - l.startedMs, l.progress) };
  }

  list(o: { limit?: number; caseId?: number } = {}): ExportJob[] {
    return this.d.service.jobs.list(o).map((j) => this.decorate(j));
  }

  get(id: string): ExportJob | null {
    const j = this.d.service.jobs.get(id);
    return j ? this.decorate(j) : null;
  }

  /** Queue a job already recorded by the service (export.create). */
  submit(job: ExportJob, actor: Actor): ExportJob {
    this.actors.set(job.id, actor);
    this.emit(job);
    this.pump();
    return this.get(job.id)!;
  }

  /** Cancel a queued, waiting or running job. */
  async cancel(id: string, actor: Actor): Promise<ExportJob | null> {
    const j = this.d.service.jobs.get(id);
    if (!j) return null;
    const l = this.live.get(id);
    if (l) {
      l.abort.abort(new Error(`cancelled by ${actor.username}`));
      await l.done;
      return this.get(id);
    }
    if (j.state === 'queued' || j.state === 'waiting') {
      const c = this.d.service.cancelQueued(id, actor);
      this.emit(c);
      this.pump();
      return c;
    }
    return j;
  }

  /** `GET /api/exports/<id>/download` (download-http.ts); false when the URL is not an export route. */
  download(req: http.IncomingMessage, res: http.ServerResponse, url: URL, me: Me): Promise<boolean> {
    return serveDownload(this.d.service, req, res, url, me);
  }

  /** Whether a job is running in this engine. */
  isRunning(id: string): boolean {
    return this.live.has(id);
  }

  private emit(j: ExportJob): void {
    this.d.bus.emit('export.job', this.decorate(j));
  }

  /** Start what may start; wake up for the next waiting job. */
  private pump(): void {
    if (!this.started || this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.d.service;
    const now = this.now();
    let nextWake = Infinity;
    const pending = s.jobs.active().filter((j) => j.runnerId === 'engine' && !this.live.has(j.id) && j.state !== 'running');
    for (const j of pending) {
      const until = s.jobs.options(j.id).waitUntilMs ?? null;
      if (until !== null && until > now) {
        if (j.state !== 'waiting') this.emit(s.jobs.update(j.id, { state: 'waiting' }));
        nextWake = Math.min(nextWake, until);
        continue;
      }
      if (this.live.size >= Math.max(1, this.d.concurrency())) continue;
      this.run(j.id);
    }
    if (nextWake < Infinity) this.timer = setTimeout(() => this.pump(), Math.max(50, Math.min(nextWake - now, 60_000)));
  }

  private run(id: string): void {
    const s = this.d.service;
    const job = s.jobs.get(id)!;
    const actor = this.actors.get(id) ?? { username: job.username };
    const abort = new AbortController();
    const live: Live = { abort, startedMs: this.now(), progress: 0, phase: 'plan', lastEmit: 0, lastPersist: this.now(), done: Promise.resolve() };
    this.live.set(id, live);
    const emitEvery = this.d.emitEveryMs ?? 250;
    const persistEvery = this.d.persistEveryMs ?? 5000;
    const onProgress = (p: ExportProgress) => {
      live.progress = p.fraction;
      live.phase = p.phase;
      const now = this.now();
      if (now - live.lastPersist >= persistEvery) {
        live.lastPersist = now;
        s.jobs.update(id, { progress: p.fraction, phase: p.phase });
      }
      if (now - live.lastEmit >= emitEvery) {
        live.lastEmit = now;
        this.emit(s.jobs.get(id)!);
      }
    };
    live.done = (async () => {
      this.emit(s.jobs.update(id, { state: 'running', started_ms: this.now(), phase: 'plan' }));
      let end: ExportJob;
      try {
        end = await s.run(id, actor, { signal: abort.signal, onProgress, onLocked: (l) => this.d.bus.emit('evidence.changed', { lockId: l.id, cameraIds: l.cameraIds, active: true }) });
      } catch (err) {
        log.error(`export ${id} failed unexpectedly`, err);
        end = s.jobs.update(id, { state: 'failed', finished_ms: this.now(), error: (err as Error).message, error_code: 'internal' });
      }
      if (end.state === 'cancelled' && this.stopping) {
        end = s.jobs.update(id, { state: 'interrupted', error: 'Gatehouse stopped during the export; nothing of it was kept. Export again.', error_code: 'interrupted' });
      }
      this.live.delete(id);
      this.actors.delete(id);
      this.emit(end);
      if (end.lockId) {
        const l = s.locks.get(end.lockId);
        if (l && !l.active) this.d.bus.emit('evidence.changed', { lockId: l.id, cameraIds: l.cameraIds, active: false });
      }
      if (end.caseId) this.d.bus.emit('cases.changed', { caseId: end.caseId });
      this.pump();
    })();
  }
}
