/**
 * Object detection module: frames (recorder live feed → decoder ffmpeg) →
 * scheduler (newest frame wins, motion gate, batches) → detector pool
 * (worker_threads) → tracker → events.
 *
 * One `object` row in the `events` table per track (written when the track
 * is confirmed, updated with `end` when it disappears), committed before the
 * `detection.object` bus event. Per-camera enable overrides live in
 * <data>/detection.json; without one, detection runs on the vtest demo
 * cameras and is off elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../api/contract.js';
import type { DetectionCameraStatus, DetectionStatus, NormBox } from '../../api/detection.js';
import type { Settings } from '../../api/types.js';
import type { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import type { StoredCamera } from '../config/schema.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { EngineModule } from '../module.js';
import { assetPath, type DataPaths } from '../paths.js';
import type { ChildRegistry } from '../process/children.js';
import type { Recorder } from '../recording/types.js';
import type { Db } from '../store/db.js';
import { logger } from '../log.js';
import { FrameSource } from './decoder.js';
import { MODEL_FILES, type ModelKind } from './models.js';
import { MotionGate } from './motion.js';
import { DetectorPool, detectorDefaults, type WorkerDetection } from './pool.js';
import { DetectionScheduler } from './scheduler.js';
import { Tracker, type Track } from './tracker.js';

const log = logger('detection');

/** Labels that make events; the rest of COCO is ignored. */
export const EVENT_LABELS = ['person', 'vehicle', 'bicycle', 'motorcycle', 'dog', 'cat'];

export interface DetectionDeps {
  paths: DataPaths;
  db: Db;
  bus: EventBus;
  cameras: CameraRegistry;
  recorder: Recorder;
  children: ChildRegistry;
  ffmpeg: () => FfmpegPaths | null;
  /** The engine settings (for `detectionModel`); without it, the float model. */
  settings?: () => Settings;
}

export interface DetectionOptions {
  /** A model file instead of the one the detectionModel setting picks. */
  modelPath?: string;
  workers?: number;
  /** ORT threads per worker. */
  threads?: number;
  /** Most frames per detector request (1 = no batching). */
  maxBatch?: number;
  /** false: infer every frame (no motion gate), for measurements. */
  gate?: boolean;
  /** Decoded frames per second per camera. */
  fps?: number;
  /** Inference at least this often even without motion (ms). */
  maxIdleMs?: number;
  /** After this long without motion the decoder goes idle: key frames only (ms, default 10 s). */
  idleAfterMs?: number;
  /** While idle, inference at least this often even without motion (ms, default 15 s). */
  idleMaxIdleMs?: number;
  minHits?: number;
  maxMisses?: number;
}

/** A positive integer from the environment, or undefined. */
function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    log.warn(`${name}=${v} is not a whole number from 1 to 64; ignored`);
    return undefined;
  }
  return n;
}

/**
 * Pool shape and gate: options, then the tuning overrides GATEHOUSE_DETECTION_WORKERS,
 * _THREADS, _BATCH and GATEHOUSE_DETECTION_GATE=off (docs/detection.md "Sizing"), then the
 * machine's defaults.
 */
export function detectionTuning(opts: DetectionOptions = {}): { workers: number; threads: number; maxBatch: number; gate: boolean; why: string } {
  const d = detectorDefaults();
  const workers = opts.workers ?? envInt('GATEHOUSE_DETECTION_WORKERS') ?? d.workers;
  const threads = opts.threads ?? envInt('GATEHOUSE_DETECTION_THREADS') ?? d.threads;
  const maxBatch = opts.maxBatch ?? envInt('GATEHOUSE_DETECTION_BATCH') ?? d.maxBatch;
  const gate = opts.gate ?? process.env.GATEHOUSE_DETECTION_GATE !== 'off';
  const same = workers === d.workers && threads === d.threads && maxBatch === d.maxBatch;
  return { workers, threads, maxBatch, gate, why: same ? d.why : 'set by options or GATEHOUSE_DETECTION_* overrides' };
}

/** Default: on for the demo cameras that show people (vtest), off elsewhere. */
export function defaultEnabled(cam: StoredCamera): boolean {
  return cam.demo && /^demo:\/\/vtest(-offset)?$/.test(cam.url);
}

class CameraRunner {
  readonly gate: MotionGate | null;
  readonly tracker: Tracker;
  source: FrameSource | null = null;
  state: DetectionCameraStatus['state'] = 'starting';
  error: string | null = null;
  /** track id → events row id */
  rows = new Map<number, number>();

  constructor(
    readonly cameraId: string,
    opts: DetectionOptions,
    gate: boolean,
  ) {
    this.gate = gate ? new MotionGate({ maxIdleMs: opts.maxIdleMs ?? 5000 }) : null;
    this.tracker = new Tracker({ minHits: opts.minHits ?? 3, maxMisses: opts.maxMisses ?? 4 });
  }
}

export class DetectionService implements EngineModule {
  readonly name = 'detection';
  private pool: DetectorPool | null = null;
  private runners = new Map<string, CameraRunner>();
  private overrides: Record<string, boolean> = {};
  private offBus: (() => void)[] = [];
  private running = false;
  private ins;
  private upd;
  private readonly scheduler = new DetectionScheduler(() => this.pool);
  private readonly tuning: ReturnType<typeof detectionTuning>;
  /** Crash counts of pools replaced by a model switch. */
  private pastCrashes = 0;
  private pastRestarts = 0;
  modelKind: ModelKind;
  modelPath: string;

  constructor(
    private readonly d: DetectionDeps,
    private readonly opts: DetectionOptions = {},
  ) {
    this.modelKind = this.wantedKind();
    this.modelPath = this.pathFor(this.modelKind);
    this.tuning = detectionTuning(opts);
    this.ins = d.db.prepare('INSERT INTO events (camera_id, time_ms, kind, source, data) VALUES (?, ?, ?, ?, ?)');
    this.upd = d.db.prepare('UPDATE events SET data = ? WHERE id = ?');
  }

  private wantedKind(): ModelKind {
    return this.d.settings?.().detectionModel === 'int8' ? 'int8' : 'float';
  }

  private pathFor(kind: ModelKind): string {
    return this.opts.modelPath ?? assetPath('models', MODEL_FILES[kind]);
  }

  /** The detectionModel setting changed: load the other model (a new pool; frames in flight are skipped). */
  private async switchModel(): Promise<void> {
    const kind = this.wantedKind();
    if (kind === this.modelKind) return;
    this.modelKind = kind;
    this.modelPath = this.pathFor(kind);
    log.info(`detection model: ${kind} (${path.basename(this.modelPath)})`);
    const old = this.pool;
    this.pool = null;
    if (old) {
      const st = old.stats();
      this.pastCrashes += st.crashes;
      this.pastRestarts += st.restarts;
      await old.stop();
    }
    if (this.runners.size && this.running) {
      if (!fs.existsSync(this.modelPath)) {
        for (const r of this.runners.values()) {
          r.state = 'error';
          r.error = `the detector model is missing (${this.modelPath}); reinstall Gatehouse or set detectionModel back to 'float'`;
        }
        return;
      }
      this.ensurePool();
    }
  }

  private get file(): string {
    return path.join(this.d.paths.root, 'detection.json');
  }

  start(): void {
    this.running = true;
    try {
      const j = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { cameras?: Record<string, boolean> };
      if (j && typeof j.cameras === 'object') this.overrides = { ...j.cameras };
    } catch {
      /* no overrides yet */
    }
    this.offBus = [
      this.d.bus.on('cameras.changed', () => this.reconcile()),
      this.d.bus.on('settings.changed', () => void this.switchModel()),
    ];
    const t = this.tuning;
    log.info(`detection: ${t.workers} worker(s) × ${t.threads} thread(s), batches of up to ${t.maxBatch}${t.gate ? '' : ', motion gate off'} (${t.why})`);
    this.reconcile();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const off of this.offBus) off();
    this.offBus = [];
    await Promise.all([...this.runners.keys()].map((id) => this.stopCamera(id)));
    await this.pool?.stop();
    this.pool = null;
  }

  enabled(cam: StoredCamera): boolean {
    // GATEHOUSE_DETECTION=off turns detection off everywhere (e.g. for tests of other parts).
    if (process.env.GATEHOUSE_DETECTION === 'off') return false;
    return this.overrides[cam.id] ?? defaultEnabled(cam);
  }

  /** Start or stop per-camera pipelines to match the config. */
  reconcile(): void {
    if (!this.running) return;
    const cams = this.d.cameras.stored();
    const want = new Set(cams.filter((c) => c.enabled && this.enabled(c)).map((c) => c.id));
    for (const id of [...this.runners.keys()]) if (!want.has(id)) void this.stopCamera(id);
    for (const id of want) if (!this.runners.has(id)) this.startCamera(id);
  }

  private ensurePool(): DetectorPool {
    if (!this.pool) {
      const t = this.tuning;
      this.pool = new DetectorPool({ modelPath: this.modelPath, size: t.workers, threads: t.threads, maxBatch: t.maxBatch });
      this.pool.start();
      void this.pool.whenReady(60_000).then((ok) => ok && this.scheduler.pump());
    }
    return this.pool;
  }

  private startCamera(id: string): void {
    const r = new CameraRunner(id, this.opts, this.tuning.gate);
    this.runners.set(id, r);
    const ff = this.d.ffmpeg();
    if (!ff) {
      r.state = 'error';
      r.error = 'ffmpeg was not found, so detection cannot decode video; install ffmpeg or set its path';
      return;
    }
    if (!fs.existsSync(this.modelPath)) {
      r.state = 'error';
      r.error = `the detector model is missing (${this.modelPath}); reinstall Gatehouse`;
      return;
    }
    this.ensurePool();
    this.scheduler.add({ id, gate: r.gate, onResult: (dets, frameMs) => this.onResult(r, dets, frameMs) });
    r.source = new FrameSource({
      cameraId: id,
      recorder: this.d.recorder,
      children: this.d.children,
      ffmpegPath: ff.ffmpeg,
      ownerMark: this.d.paths.root,
      fps: this.opts.fps ?? 2,
      onFrame: (frame, w, h) => {
        if (this.runners.get(id) !== r) return;
        this.scheduler.offer(id, frame, w, h);
        // Nothing moved for a while: decode key frames only, and look without motion less often, until something moves.
        if (r.gate && r.source) {
          const idle = r.gate.quietMs(Date.now()) >= (this.opts.idleAfterMs ?? 10_000);
          r.source.setIdle(idle);
          r.gate.maxIdleMs = idle ? (this.opts.idleMaxIdleMs ?? 15_000) : (this.opts.maxIdleMs ?? 5000);
        }
      },
      onState: (s, msg) => {
        r.state = s;
        r.error = msg ?? (s === 'running' ? null : r.error);
      },
    });
    r.source.start();
    log.info(`detection on for ${id}`);
  }

  private async stopCamera(id: string): Promise<void> {
    const r = this.runners.get(id);
    if (!r) return;
    this.runners.delete(id);
    this.scheduler.remove(id);
    await r.source?.stop();
    const now = Date.now();
    for (const t of r.tracker.flush()) this.endTrack(r, t, now);
    log.info(`detection off for ${id}`);
  }

  private onResult(r: CameraRunner, detections: WorkerDetection[], frameMs: number): void {
    if (this.runners.get(r.cameraId) !== r) return;
    const t = Date.now();
    const dets = detections.filter((d) => EVENT_LABELS.includes(d.label)).map((d) => ({ label: d.label, score: d.score, box: d.box as NormBox }));
    const u = r.tracker.update(dets, frameMs);
    for (const tr of u.started) this.startTrack(r, tr);
    for (const tr of u.ended) this.endTrack(r, tr, t);
  }

  private trackData(t: Track, end: number | null): Record<string, unknown> {
    return {
      label: t.label,
      score: Math.round(t.maxScore * 1000) / 1000,
      box: t.box,
      trackId: t.id,
      start: new Date(t.firstMs).toISOString(),
      end: end === null ? null : new Date(end).toISOString(),
    };
  }

  /** Persist first, then tell the consoles. */
  private startTrack(r: CameraRunner, t: Track): void {
    let id: number | undefined;
    try {
      const res = this.ins.run(r.cameraId, Math.round(t.firstMs), 'object', 'detector', JSON.stringify(this.trackData(t, null)));
      id = Number(res.lastInsertRowid);
      r.rows.set(t.id, id);
    } catch (err) {
      log.error(`could not store a detection on ${r.cameraId}: ${(err as Error).message}`);
    }
    this.d.bus.emit('detection.object', {
      cameraId: r.cameraId,
      label: t.label,
      score: Math.round(t.maxScore * 1000) / 1000,
      box: t.box,
      trackId: t.id,
      time: new Date(t.firstMs).toISOString(),
      id,
    });
  }

  private endTrack(r: CameraRunner, t: Track, endMs: number): void {
    const row = r.rows.get(t.id);
    r.rows.delete(t.id);
    if (row === undefined) return;
    try {
      this.upd.run(JSON.stringify(this.trackData(t, Math.min(endMs, t.lastMs + 1000))), row);
    } catch (err) {
      log.warn(`could not close a detection row on ${r.cameraId}: ${(err as Error).message}`);
    }
  }

  cameraStatus(cam: StoredCamera): DetectionCameraStatus {
    const r = this.runners.get(cam.id);
    const enabled = this.enabled(cam);
    const c = this.scheduler.counters(cam.id);
    if (!r || !c)
      return {
        cameraId: cam.id,
        enabled,
        state: 'off',
        fps: 0,
        inferFps: 0,
        idle: false,
        offered: 0,
        processed: 0,
        skipped: 0,
        dropped: 0,
        gated: 0,
        msPerFrame: null,
        lastInferenceMs: null,
        lastInferenceAt: null,
        objects: [],
        error: enabled && !cam.enabled ? 'the camera is disabled' : null,
      };
    const rates = this.scheduler.rates(cam.id);
    return {
      cameraId: cam.id,
      enabled,
      state: r.state === 'running' && !this.pool?.readyCount() ? 'starting' : r.state,
      fps: rates.fps,
      inferFps: rates.inferFps,
      idle: r.source?.idle ?? false,
      offered: c.offered,
      processed: c.processed,
      skipped: c.skipped,
      dropped: c.skipped,
      gated: c.gated,
      msPerFrame: c.msPerFrame === null ? null : Math.round(c.msPerFrame * 10) / 10,
      lastInferenceMs: c.lastInferenceMs,
      lastInferenceAt: c.lastInferenceAt ? new Date(c.lastInferenceAt).toISOString() : null,
      objects: r.tracker.open
        .filter((t) => t.started && t.misses === 0)
        .map((t) => ({ trackId: t.id, label: t.label, score: t.score, box: t.box, since: new Date(t.firstMs).toISOString() })),
      error: r.error ?? r.source?.lastError ?? null,
    };
  }

  status(cameraId?: string): DetectionStatus {
    const cams = this.d.cameras.stored().filter((c) => !cameraId || c.id === cameraId);
    if (cameraId && !cams.length) throw new ApiError('not_found', `no camera with id "${cameraId}"; list cameras with cameras.list`);
    const ps = this.pool?.stats();
    const ss = this.scheduler.stats();
    return {
      ready: (this.pool?.readyCount() ?? 0) > 0,
      workers: this.pool?.size ?? 0,
      threads: this.tuning.threads,
      maxBatch: this.pool?.maxBatch ?? this.tuning.maxBatch,
      meanBatch: ss.meanBatch,
      model: path.basename(this.modelPath),
      modelKind: this.modelKind,
      msPerFrame: ss.msPerFrame,
      crashes: this.pastCrashes + (ps?.crashes ?? 0),
      restarts: this.pastRestarts + (ps?.restarts ?? 0),
      error: this.pool?.lastError ?? null,
      cameras: cams.map((c) => this.cameraStatus(c)),
    };
  }

  /** Frames waiting and in flight (at most one each per camera): for tests and the bench. */
  backlog(): { waiting: number; inFlight: number; cameras: number } {
    return { ...this.scheduler.backlog(), cameras: this.runners.size };
  }

  /** Test hook: the detector pool. */
  get detectorPool(): DetectorPool | null {
    return this.pool;
  }

  setEnabled(cameraId: string, enabled: boolean): DetectionCameraStatus {
    const cam = this.d.cameras.get(cameraId);
    if (!cam) throw new ApiError('not_found', `no camera with id "${cameraId}"; list cameras with cameras.list`);
    this.overrides[cameraId] = enabled;
    try {
      const tmp = `${this.file}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ cameras: this.overrides }, null, 2));
      fs.renameSync(tmp, this.file);
    } catch (err) {
      throw new ApiError('internal', `could not save the detection setting (${(err as Error).message}); check the data dir is writable`);
    }
    this.reconcile();
    return this.cameraStatus(cam);
  }
}
