/**
 * Object detection module: frames (recorder live feed → decoder ffmpeg) →
 * motion gate → detector pool (worker_threads) → tracker → events.
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
import { MotionGate } from './motion.js';
import { DetectorPool, type DetectResult } from './pool.js';
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
}

export interface DetectionOptions {
  modelPath?: string;
  workers?: number;
  /** Decoded frames per second per camera. */
  fps?: number;
  /** Inference at least this often even without motion (ms). */
  maxIdleMs?: number;
  minHits?: number;
  maxMisses?: number;
}

/** Default: on for the demo cameras that show people (vtest), off elsewhere. */
export function defaultEnabled(cam: StoredCamera): boolean {
  return cam.demo && /^demo:\/\/vtest(-offset)?$/.test(cam.url);
}

class CameraRunner {
  readonly gate: MotionGate;
  readonly tracker: Tracker;
  source: FrameSource | null = null;
  state: DetectionCameraStatus['state'] = 'starting';
  error: string | null = null;
  frameTimes: number[] = [];
  inferTimes: number[] = [];
  dropped = 0;
  gated = 0;
  lastInferenceMs: number | null = null;
  lastInferenceAt: number | null = null;
  /** The newest decoded frame not yet looked at. */
  pending: { frame: Buffer; w: number; h: number } | null = null;
  servedAt = 0;
  /** track id → events row id */
  rows = new Map<number, number>();

  constructor(
    readonly cameraId: string,
    opts: DetectionOptions,
  ) {
    this.gate = new MotionGate({ maxIdleMs: opts.maxIdleMs ?? 5000 });
    this.tracker = new Tracker({ minHits: opts.minHits ?? 3, maxMisses: opts.maxMisses ?? 4 });
  }
}

function rate(times: number[], now: number): number {
  const since = now - 10_000;
  while (times.length && times[0]! < since) times.shift();
  return Math.round((times.length / 10) * 10) / 10;
}

export class DetectionService implements EngineModule {
  readonly name = 'detection';
  private pool: DetectorPool | null = null;
  private runners = new Map<string, CameraRunner>();
  private overrides: Record<string, boolean> = {};
  private offBus: (() => void) | null = null;
  private running = false;
  private ins;
  private upd;
  readonly modelPath: string;

  constructor(
    private readonly d: DetectionDeps,
    private readonly opts: DetectionOptions = {},
  ) {
    this.modelPath = opts.modelPath ?? assetPath('models', 'yolox_nano.onnx');
    this.ins = d.db.prepare('INSERT INTO events (camera_id, time_ms, kind, source, data) VALUES (?, ?, ?, ?, ?)');
    this.upd = d.db.prepare('UPDATE events SET data = ? WHERE id = ?');
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
    this.offBus = this.d.bus.on('cameras.changed', () => this.reconcile());
    this.reconcile();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.offBus?.();
    this.offBus = null;
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
      this.pool = new DetectorPool({ modelPath: this.modelPath, size: this.opts.workers ?? 1 });
      this.pool.start();
    }
    return this.pool;
  }

  private startCamera(id: string): void {
    const r = new CameraRunner(id, this.opts);
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
    r.source = new FrameSource({
      cameraId: id,
      recorder: this.d.recorder,
      children: this.d.children,
      ffmpegPath: ff.ffmpeg,
      ownerMark: this.d.paths.root,
      fps: this.opts.fps ?? 2,
      onFrame: (frame, w, h) => this.onFrame(r, frame, w, h),
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
    await r.source?.stop();
    const now = Date.now();
    for (const t of r.tracker.flush()) this.endTrack(r, t, now);
    log.info(`detection off for ${id}`);
  }

  /**
   * Keep only the newest frame per camera; an older one still waiting is
   * dropped. Frames go to the pool whenever a worker is free, cameras in turn.
   */
  private onFrame(r: CameraRunner, frame: Buffer, w: number, h: number): void {
    r.frameTimes.push(Date.now());
    if (this.runners.get(r.cameraId) !== r) return;
    if (r.pending) r.dropped++;
    r.pending = { frame, w, h };
    this.pump();
  }

  private pump(): void {
    const pool = this.pool;
    if (!pool) return;
    while (pool.idle()) {
      // The camera served longest ago goes first.
      const r = [...this.runners.values()].filter((x) => x.pending).sort((a, b) => a.servedAt - b.servedAt)[0];
      if (!r) return;
      const { frame, w, h } = r.pending!;
      r.pending = null;
      r.servedAt = Date.now();
      const now = Date.now();
      // No force while tracks are open: a still scene keeps its objects (misses count only on
      // inferences), a parked car does not keep the detector busy, and whatever leaves moves.
      if (!r.gate.check(frame, w, h, now)) {
        r.gated++;
        continue;
      }
      const buf = pool.buffer(frame.length);
      new Uint8Array(buf).set(frame);
      const p = pool.detect(buf, w, h);
      if (!p) {
        r.dropped++;
        return;
      }
      p.then(
        (res) => {
          if (res && this.runners.get(r.cameraId) === r) this.onResult(r, res, now);
          this.pump();
        },
        (err: Error) => {
          log.warn(`detection on ${r.cameraId} failed: ${err.message}`);
          this.pump();
        },
      );
    }
  }

  private onResult(r: CameraRunner, res: DetectResult, frameMs: number): void {
    const t = Date.now();
    r.inferTimes.push(t);
    r.lastInferenceMs = Math.round(res.inferMs * 10) / 10;
    r.lastInferenceAt = t;
    const dets = res.detections.filter((d) => EVENT_LABELS.includes(d.label)).map((d) => ({ label: d.label, score: d.score, box: d.box as NormBox }));
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
    const now = Date.now();
    const enabled = this.enabled(cam);
    if (!r)
      return { cameraId: cam.id, enabled, state: 'off', fps: 0, inferFps: 0, dropped: 0, gated: 0, lastInferenceMs: null, lastInferenceAt: null, objects: [], error: enabled && !cam.enabled ? 'the camera is disabled' : null };
    return {
      cameraId: cam.id,
      enabled,
      state: r.state === 'running' && !this.pool?.readyCount() ? 'starting' : r.state,
      fps: rate(r.frameTimes, now),
      inferFps: rate(r.inferTimes, now),
      dropped: r.dropped,
      gated: r.gated,
      lastInferenceMs: r.lastInferenceMs,
      lastInferenceAt: r.lastInferenceAt ? new Date(r.lastInferenceAt).toISOString() : null,
      objects: r.tracker.open
        .filter((t) => t.started && t.misses === 0)
        .map((t) => ({ trackId: t.id, label: t.label, score: t.score, box: t.box, since: new Date(t.firstMs).toISOString() })),
      error: r.error ?? r.source?.lastError ?? null,
    };
  }

  status(cameraId?: string): DetectionStatus {
    const cams = this.d.cameras.stored().filter((c) => !cameraId || c.id === cameraId);
    if (cameraId && !cams.length) throw new ApiError('not_found', `no camera with id "${cameraId}"; list cameras with cameras.list`);
    return {
      ready: (this.pool?.readyCount() ?? 0) > 0,
      workers: this.pool?.size ?? 0,
      model: path.basename(this.modelPath),
      error: this.pool?.lastError ?? null,
      cameras: cams.map((c) => this.cameraStatus(c)),
    };
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
