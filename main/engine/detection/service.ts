/**
 * Object detection module: frames (recorder live feed → decoder ffmpeg) →
 * scheduler (newest frame wins, motion gate with motion masks, batches) →
 * detector pool (worker_threads) → filters (labels, size, object masks) →
 * tracker → object, zone and motion events, live boxes, best shots.
 *
 * Every event is a row of `events` committed before its bus event: one
 * `object` row per track (written when the track is confirmed, updated with
 * its zones, its best shot and `end`), one `zone` row per enter/dwell/leave,
 * one `motion` row (source `software`) per start/end. `detection.frame`
 * (live boxes) is not stored. Per-camera settings, zones and masks come from
 * config.json (`cameras[].detection`, `.zones`, `.masks`) and are picked up on
 * `cameras.changed` (the config watch: within a second of a change by the
 * API, the CLI or an editor). docs/detection.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../api/contract.js';
import type { DetectionCameraStatus, DetectionFrameEvent, DetectionSettings, DetectionSettingsInput, DetectionStatus, FrameObject, NormBox } from '../../api/detection.js';
import type { Point } from '../../api/masks.js';
import type { Settings } from '../../api/types.js';
import type { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import type { StoredCamera } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { EngineModule } from '../module.js';
import { assetPath, type DataPaths } from '../paths.js';
import type { ChildRegistry } from '../process/children.js';
import type { Recorder } from '../recording/types.js';
import type { Db } from '../store/db.js';
import { logger } from '../log.js';
import { FrameSource, type FrameMeta } from './decoder.js';
import { StreamTimeline } from './media-clock.js';
import { MODEL_FILES, type ModelKind } from './models.js';
import { MotionEvents } from './motion-events.js';
import { MotionGate } from './motion.js';
import { DetectorPool, detectorDefaults, type WorkerDetection } from './pool.js';
import { DetectionScheduler, type LaneFrame } from './scheduler.js';
import { defaultEnabled, detectionSettingsOf, filterDetections } from './settings.js';
import { considerShot, encodeShot, snapshotFile, sweepSnapshots, writeAtomic, type ShotCrop } from './snapshots.js';
import { Tracker, type Track } from './tracker.js';
import { ZoneTracker, type ZoneTransition } from './zones.js';
import type { FaceHook } from './face-hook.js';
import type { FaceMatchInfo } from '../../api/faces.js';

const log = logger('detection');

export { defaultEnabled };

export interface DetectionDeps {
  paths: DataPaths;
  db: Db;
  bus: EventBus;
  cameras: CameraRegistry;
  recorder: Recorder;
  children: ChildRegistry;
  ffmpeg: () => FfmpegPaths | null;
  /** The config (per-camera settings are written there). Without it, settings are read-only (tests). */
  config?: ConfigStore;
  /** The engine settings (for `detectionModel`); without it, the float model. */
  settings?: () => Settings;
  /** Face recognition on person tracks and motion frames (faces/wiring.ts); absent: none. */
  faces?: () => FaceHook | null;
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
  /** Decoded frames per second per camera, for every camera (else each camera's `fps` setting). */
  fps?: number;
  /** Inference at least this often even without motion (ms). */
  maxIdleMs?: number;
  /** After this long without motion the decoder goes idle: key frames only (ms, default 10 s). */
  idleAfterMs?: number;
  /** While idle, inference at least this often even without motion (ms, default 15 s). */
  idleMaxIdleMs?: number;
  minHits?: number;
  maxMisses?: number;
  /** Software motion events: changed share of the cells that starts one, and quiet ms that ends it. */
  motionMinScore?: number;
  motionEndAfterMs?: number;
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

/** What a camera's pipeline is built from; a change of `pipeKey` restarts it, the rest applies in place. */
interface CameraConfig {
  settings: DetectionSettings;
  zones: NonNullable<StoredCamera['zones']>;
  motionMasks: Point[][];
  objectMasks: Point[][];
  /** The main picture's size (for minSize), when known. */
  picture: { width: number; height: number } | null;
  hasSub: boolean;
}

function configOf(cam: StoredCamera): CameraConfig {
  const masks = cam.masks ?? [];
  return {
    settings: detectionSettingsOf(cam),
    zones: cam.zones ?? [],
    motionMasks: masks.filter((m) => m.kind === 'motion').map((m) => m.polygon),
    objectMasks: masks.filter((m) => m.kind === 'object').map((m) => m.polygon),
    picture: null,
    hasSub: !!cam.subUrl,
  };
}

/** Per track: its object row, the zones it entered, its best shot and whether that was written. */
interface TrackRecord {
  row: number;
  zones: Map<string, string>;
  best: ShotCrop | null;
  /** Quality of the crop on disk (0: none yet). */
  written: number;
  snapshot: { file: string; width: number; height: number; time: string; quality: number } | null;
  /** The face match of a person track on a camera with face recognition on (set when the track ends). */
  face?: FaceMatchInfo | null;
}

class CameraRunner {
  readonly gate: MotionGate | null;
  readonly tracker: Tracker;
  readonly zones = new ZoneTracker();
  readonly motion: MotionEvents;
  source: FrameSource | null = null;
  /** The other live stream's media timeline (for live boxes on the stream detection does not decode). */
  other: StreamTimeline | null = null;
  detachOther: (() => void) | null = null;
  state: DetectionCameraStatus['state'] = 'starting';
  error: string | null = null;
  /** Best shots of tracks not confirmed yet (by track id). */
  shots = new Map<number, ShotCrop>();
  /** track id → its object event */
  tracks = new Map<number, TrackRecord>();
  /** The last detection.frame had objects (the next empty one is sent once, to clear the boxes). */
  boxesShown = false;

  constructor(
    readonly cameraId: string,
    public cfg: CameraConfig,
    readonly pipeKey: string,
    opts: DetectionOptions,
    gate: boolean,
  ) {
    this.gate = gate ? new MotionGate({ maxIdleMs: opts.maxIdleMs ?? 5000 }) : null;
    this.tracker = new Tracker({ minHits: opts.minHits ?? 3, maxMisses: opts.maxMisses ?? 4 });
    this.motion = new MotionEvents({ minScore: opts.motionMinScore, endAfterMs: opts.motionEndAfterMs });
    this.apply(cfg);
  }

  /** Settings, zones and masks that apply without restarting the pipeline. */
  apply(cfg: CameraConfig): void {
    this.cfg = cfg;
    this.gate?.setMasks(cfg.motionMasks);
    this.zones.setZones(cfg.zones);
  }

  get stream(): 'sub' | 'main' {
    return this.cfg.settings.stream === 'main' || !this.cfg.hasSub ? 'main' : 'sub';
  }
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** How often the running engine writes run/detection-status.json for the CLI. */
export const STATUS_FILE_MS = 2000;

/** Camera states in which no video comes: detection ends its objects and says so. */
const CAMERA_DOWN = new Set(['offline', 'stalled', 'auth_failed', 'unsupported']);

export class DetectionService implements EngineModule {
  readonly name = 'detection';
  private pool: DetectorPool | null = null;
  private runners = new Map<string, CameraRunner>();
  private offBus: (() => void)[] = [];
  private running = false;
  private ins;
  private upd;
  private readonly scheduler = new DetectionScheduler(() => this.pool);
  private readonly tuning: ReturnType<typeof detectionTuning>;
  private sweepTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private firstSweep: NodeJS.Timeout | null = null;
  /** Crop writes in flight (awaited on stop). */
  private writes = new Set<Promise<void>>();
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

  /** Before settings lived in config.json, on/off overrides were kept in <data>/detection.json. */
  private get legacyFile(): string {
    return path.join(this.d.paths.root, 'detection.json');
  }

  /** Move <data>/detection.json's on/off overrides into config.json (once), keeping the file as .migrated. */
  private async migrateLegacy(): Promise<void> {
    if (!this.d.config || !fs.existsSync(this.legacyFile)) return;
    try {
      const j = JSON.parse(fs.readFileSync(this.legacyFile, 'utf8')) as { cameras?: Record<string, unknown> };
      const over = j && typeof j.cameras === 'object' && j.cameras ? j.cameras : {};
      await this.d.config.update((cfg) => {
        for (const c of cfg.cameras) {
          const v = over[c.id];
          if (typeof v === 'boolean' && c.detection?.enabled === undefined) c.detection = { ...c.detection, enabled: v };
        }
      });
      fs.renameSync(this.legacyFile, `${this.legacyFile}.migrated`);
      log.info('detection on/off overrides moved from detection.json into config.json (cameras[].detection.enabled)');
    } catch (err) {
      log.warn(`could not move detection.json into config.json (${(err as Error).message}); its overrides are ignored`);
    }
  }

  async start(): Promise<void> {
    this.running = true;
    await this.migrateLegacy();
    this.offBus = [
      this.d.bus.on('cameras.changed', () => this.reconcile()),
      this.d.bus.on('camera.status', ({ cameraId, status }) => {
        const r = this.runners.get(cameraId);
        if (!r) return;
        if (status.width && status.height) r.cfg.picture = { width: status.width, height: status.height };
        // The camera stopped sending (the live feed stays open, with nothing in it): end what was on screen now,
        // not when it comes back; the decoder's next frame sets the state back to running.
        if (CAMERA_DOWN.has(status.state) && r.state !== 'error') {
          r.state = 'error';
          r.error = `the camera is ${status.state.replace('_', ' ')}${status.message ? `: ${status.message}` : ''}; detection resumes when its video comes back`;
          this.flushRunner(r, Date.now());
        }
      }),
      this.d.bus.on('settings.changed', () => void this.switchModel()),
    ];
    const t = this.tuning;
    log.info(`detection: ${t.workers} worker(s) × ${t.threads} thread(s), batches of up to ${t.maxBatch}${t.gate ? '' : ', motion gate off'} (${t.why})`);
    this.reconcile();
    this.firstSweep = setTimeout(() => this.sweep(), 120_000);
    this.firstSweep.unref?.();
    this.sweepTimer = setInterval(() => this.sweep(), 3600_000);
    this.sweepTimer.unref?.();
    this.statusTimer = setInterval(() => this.writeStatusFile(), STATUS_FILE_MS);
    this.statusTimer.unref?.();
  }

  /** run/detection-status.json: the status for `gatehouse detection status` while this engine runs (every 2 s). */
  get statusFile(): string {
    return path.join(this.d.paths.run, 'detection-status.json');
  }

  private writeStatusFile(): void {
    try {
      const tmp = `${this.statusFile}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, at: new Date().toISOString(), status: this.status() }));
      fs.renameSync(tmp, this.statusFile);
    } catch (err) {
      log.debug(`could not write ${this.statusFile}: ${(err as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const off of this.offBus) off();
    this.offBus = [];
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.firstSweep) clearTimeout(this.firstSweep);
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.sweepTimer = this.firstSweep = this.statusTimer = null;
    fs.rmSync(this.statusFile, { force: true });
    await Promise.all([...this.runners.keys()].map((id) => this.stopCamera(id)));
    await this.pool?.stop();
    this.pool = null;
    await Promise.allSettled([...this.writes]);
  }

  /** Delete best-shot crops whose object event is gone (events retention). */
  sweep(): number {
    try {
      const n = sweepSnapshots(this.d.paths.root, this.d.db);
      if (n) log.info(`deleted ${n} object snapshot(s) whose events are gone`);
      return n;
    } catch (err) {
      log.warn(`could not sweep object snapshots: ${(err as Error).message}`);
      return 0;
    }
  }

  settingsOf(cam: StoredCamera): DetectionSettings {
    return detectionSettingsOf(cam);
  }

  enabled(cam: StoredCamera): boolean {
    // GATEHOUSE_DETECTION=off turns detection off everywhere (e.g. for tests of other parts).
    if (process.env.GATEHOUSE_DETECTION === 'off') return false;
    return detectionSettingsOf(cam).enabled;
  }

  private pipeKey(cam: StoredCamera, cfg: CameraConfig): string {
    return JSON.stringify([this.opts.fps ?? cfg.settings.fps, cfg.settings.stream, cam.subUrl ? 1 : 0]);
  }

  /** Start, stop, restart or update per-camera pipelines to match the config. */
  reconcile(): void {
    if (!this.running) return;
    const cams = this.d.cameras.stored();
    const want = new Map(cams.filter((c) => c.enabled && this.enabled(c)).map((c) => [c.id, c]));
    for (const id of [...this.runners.keys()]) if (!want.has(id)) void this.stopCamera(id);
    for (const [id, cam] of want) {
      const cfg = configOf(cam);
      const key = this.pipeKey(cam, cfg);
      const r = this.runners.get(id);
      if (!r) this.startCamera(cam, cfg, key);
      else if (r.pipeKey !== key) {
        log.info(`detection on ${id}: frame rate or stream changed; restarting its decoder`);
        void this.stopCamera(id).then(() => {
          const now = this.d.cameras.get(id);
          if (this.running && now && now.enabled && this.enabled(now) && !this.runners.has(id)) {
            const c2 = configOf(now);
            this.startCamera(now, c2, this.pipeKey(now, c2));
          }
        });
      } else {
        cfg.picture = r.cfg.picture;
        r.apply(cfg);
      }
    }
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

  private startCamera(cam: StoredCamera, cfg: CameraConfig, key: string): void {
    const id = cam.id;
    const st = this.d.cameras.statusOf(cam);
    if (st.width && st.height) cfg.picture = { width: st.width, height: st.height };
    const r = new CameraRunner(id, cfg, key, this.opts, this.tuning.gate);
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
    this.scheduler.add({
      id,
      gate: r.gate,
      onResult: (dets, frameMs, frame) => this.onResult(r, dets, frameMs, frame),
      onLooked: (frame, passed, at) => this.onLooked(r, frame, passed, at),
    });
    // The other live stream's media timeline, for live boxes on it (a camera with one stream has one timeline).
    if (cfg.hasSub) {
      const other = r.stream === 'sub' ? 'main' : 'sub';
      const tl = new StreamTimeline();
      r.other = tl;
      try {
        r.detachOther = this.d.recorder.subscribeLive(id, other, {
          init: (_c, init) => tl.init(Buffer.from(init)),
          fragment: (data) => void tl.fragment(data),
          close: () => tl.reset(),
        });
      } catch (err) {
        log.debug(`detection on ${id}: no ${other} stream timeline (${(err as Error).message})`);
      }
    }
    r.source = new FrameSource({
      cameraId: id,
      recorder: this.d.recorder,
      children: this.d.children,
      ffmpegPath: ff.ffmpeg,
      ffmpegVersion: ff.version,
      ownerMark: this.d.paths.root,
      stream: r.stream,
      fps: this.opts.fps ?? cfg.settings.fps,
      onFrame: (frame, w, h, meta) => {
        if (this.runners.get(id) !== r) return;
        this.scheduler.offer(id, frame, w, h, meta);
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
      // The camera went offline (or was disabled): what was on screen is gone; end it now rather than when it comes back.
      onFeedClosed: () => {
        if (this.runners.get(id) === r) this.flushRunner(r, Date.now());
      },
    });
    r.source.start();
    log.info(`detection on for ${id} (${r.stream} stream, ${this.opts.fps ?? cfg.settings.fps} fps, ${cfg.settings.labels.join('/')})`);
  }

  private async stopCamera(id: string): Promise<void> {
    const r = this.runners.get(id);
    if (!r) return;
    this.runners.delete(id);
    this.scheduler.remove(id);
    r.detachOther?.();
    r.detachOther = null;
    await r.source?.stop();
    this.flushRunner(r, Date.now());
    this.d.faces?.()?.cameraStopped(id);
    log.info(`detection off for ${id}`);
  }

  /** End every track (with its zones) and any motion on a camera: stopped, or its feed closed. */
  private flushRunner(r: CameraRunner, nowMs: number): void {
    for (const t of r.tracker.flush()) this.endTrack(r, t, nowMs);
    r.shots.clear();
    for (const m of r.motion.flush()) this.motionEvent(r, m.phase, m.timeMs, m.score);
    this.sendFrame(r, null, [], nowMs);
  }

  /** Frame time: when its fragment arrived (the scheduler's time when unknown). */
  private frameTime(frame: LaneFrame, fallback: number): number {
    const m = frame.meta as FrameMeta | undefined;
    return m?.wallMs ?? fallback;
  }

  /** Every frame the motion gate looked at: software motion events, dwell timers, and boxes kept fresh on still frames. */
  private onLooked(r: CameraRunner, frame: LaneFrame, passed: boolean, at: number): void {
    if (this.runners.get(r.cameraId) !== r || !r.gate) return;
    const t = this.frameTime(frame, at);
    for (const m of r.motion.frame(r.gate.lastChange, t)) this.motionEvent(r, m.phase, m.timeMs, m.score);
    if (passed) return;
    // Everything is motion-masked: nothing will be inferred, so what was there is ended now.
    if (r.gate.allMasked && r.tracker.open.length) {
      for (const tr of r.tracker.flush()) this.endTrack(r, tr, t);
      r.shots.clear();
    }
    this.zoneTransitions(r, r.zones.tick(t));
    const shown = this.shownObjects(r);
    if (shown.length || r.boxesShown) this.sendFrame(r, frame, shown, t);
  }

  /** The objects with an event that were seen on the last inference. */
  private shownObjects(r: CameraRunner): FrameObject[] {
    return r.tracker.open
      .filter((t) => t.started && t.misses === 0 && r.tracks.has(t.id))
      .map((t) => ({ trackId: t.id, label: t.label, score: round3(t.score), box: t.box.map(round3) as NormBox }));
  }

  private onResult(r: CameraRunner, detections: WorkerDetection[], frameMs: number, frame: LaneFrame): void {
    if (this.runners.get(r.cameraId) !== r) return;
    const t = this.frameTime(frame, frameMs);
    const cfg = r.cfg;
    const picture = cfg.picture ?? { width: frame.w, height: frame.h };
    const dets = filterDetections(detections, { labels: cfg.settings.labels, minSize: cfg.settings.minSize, picture, objectMasks: cfg.objectMasks });
    const u = r.tracker.update(
      dets.map((d) => ({ label: d.label, score: d.score, box: d.box })),
      t,
    );
    // best shots of the tracks seen on this frame
    for (const tr of r.tracker.open) {
      if (tr.misses !== 0 || tr.lastMs !== t) continue;
      const rec = r.tracks.get(tr.id);
      const best = rec ? rec.best : (r.shots.get(tr.id) ?? null);
      const next = considerShot(best, { score: tr.score, box: tr.box, frame: frame.frame, w: frame.w, h: frame.h, timeMs: t });
      if (next) {
        if (rec) rec.best = next;
        else r.shots.set(tr.id, next);
      }
    }
    // A track becomes an event once it is confirmed and its best score reaches the camera's minimum score.
    for (const tr of [...u.started, ...u.active]) {
      if (!r.tracks.has(tr.id) && tr.maxScore >= cfg.settings.minScore) this.startTrack(r, tr);
    }
    for (const tr of u.ended) this.endTrack(r, tr, t);
    this.offerFaces(r, dets, frame, t);
    for (const id of [...r.shots.keys()]) if (!r.tracker.open.some((x) => x.id === id)) r.shots.delete(id);
    // zones: the confirmed tracks seen on this frame
    const seen = r.tracker.open.filter((tr) => r.tracks.has(tr.id) && tr.misses === 0).map((tr) => ({ trackId: tr.id, label: tr.label, box: tr.box }));
    this.zoneTransitions(r, r.zones.update(seen, t));
    this.sendFrame(r, frame, this.shownObjects(r), t);
  }

  /**
   * Face recognition (cameras with it on): the person tracks with an event seen on this frame go to the
   * face side (which drops what its worker cannot take); with no person but motion, the whole frame.
   */
  private offerFaces(r: CameraRunner, dets: { label: string }[], frame: LaneFrame, t: number): void {
    const hook = this.d.faces?.();
    if (!hook || !hook.enabled(r.cameraId)) return;
    const px = { frame: frame.frame, w: frame.w, h: frame.h };
    let persons = 0;
    for (const tr of r.tracker.open) {
      if (tr.label !== 'person' || tr.misses !== 0 || tr.lastMs !== t) continue;
      const rec = r.tracks.get(tr.id);
      if (!rec) continue;
      persons++;
      hook.personFrame(r.cameraId, tr.id, rec.row, t, px, tr.box);
    }
    if (!persons && !dets.some((d) => d.label === 'person') && (!r.gate || r.motion.moving || r.gate.quietMs(t) < 1000)) hook.motionFrame(r.cameraId, t, px);
  }

  /** Live boxes: the objects on this frame, with its media time in both live streams. */
  private sendFrame(r: CameraRunner, frame: LaneFrame | null, objects: FrameObject[], t: number): void {
    if (!objects.length && !r.boxesShown) return;
    r.boxesShown = objects.length > 0;
    const meta = frame?.meta as FrameMeta | undefined;
    const own = meta?.mediaTime ?? null;
    const other = own !== null && r.other && meta ? r.other.mediaAt(meta.wallMs) : null;
    const single = !r.cfg.hasSub;
    const mediaTime: DetectionFrameEvent['mediaTime'] =
      r.stream === 'sub' ? { sub: own, main: single ? own : other } : { main: own, sub: single ? own : other };
    this.d.bus.emit('detection.frame', { cameraId: r.cameraId, stream: r.stream, mediaTime, time: new Date(t).toISOString(), objects });
  }

  private trackData(t: Track, end: number | null, rec?: TrackRecord): Record<string, unknown> {
    return {
      label: t.label,
      score: round3(t.maxScore),
      box: t.box,
      trackId: t.id,
      start: new Date(t.firstMs).toISOString(),
      end: end === null ? null : new Date(end).toISOString(),
      zones: rec ? [...rec.zones].map(([id, name]) => ({ id, name })) : [],
      snapshot: rec?.snapshot ?? null,
      ...(rec?.face ? { face: rec.face } : {}),
    };
  }

  /** Persist first, then tell the consoles. */
  private startTrack(r: CameraRunner, t: Track): void {
    let id: number;
    const rec: TrackRecord = { row: 0, zones: new Map(), best: r.shots.get(t.id) ?? null, written: 0, snapshot: null };
    r.shots.delete(t.id);
    try {
      const res = this.ins.run(r.cameraId, Math.round(t.firstMs), 'object', 'detector', JSON.stringify(this.trackData(t, null, rec)));
      id = Number(res.lastInsertRowid);
    } catch (err) {
      log.error(`could not store a detection on ${r.cameraId}: ${(err as Error).message}`);
      return;
    }
    rec.row = id;
    r.tracks.set(t.id, rec);
    this.d.bus.emit('detection.object', {
      cameraId: r.cameraId,
      label: t.label,
      score: round3(t.maxScore),
      box: t.box,
      trackId: t.id,
      time: new Date(t.firstMs).toISOString(),
      id,
    });
    this.writeShot(r, t, rec);
  }

  private endTrack(r: CameraRunner, t: Track, endMs: number): void {
    const rec = r.tracks.get(t.id);
    this.zoneTransitions(r, r.zones.end(t.id, t.lastMs));
    r.tracks.delete(t.id);
    if (!rec) return;
    if (t.label === 'person') {
      try {
        rec.face = this.d.faces?.()?.trackEnded(r.cameraId, t.id, rec.row, endMs) ?? rec.face ?? null;
      } catch (err) {
        log.warn(`face match of object ${rec.row} on ${r.cameraId} failed: ${(err as Error).message}`);
      }
    }
    try {
      this.upd.run(JSON.stringify(this.trackData(t, Math.min(endMs, t.lastMs + 1000), rec)), rec.row);
    } catch (err) {
      log.warn(`could not close a detection row on ${r.cameraId}: ${(err as Error).message}`);
    }
    this.writeShot(r, t, rec, Math.min(endMs, t.lastMs + 1000));
  }

  /** Write the best shot's crop when it is better than the one on disk, then name it in the object row. */
  private writeShot(r: CameraRunner, t: Track, rec: TrackRecord, endMs: number | null = null): void {
    const best = rec.best;
    if (!best || best.quality <= rec.written) return;
    rec.written = best.quality;
    const rel = snapshotFile(r.cameraId, rec.row, t.firstMs);
    const p = (async () => {
      const { jpeg, width, height } = await encodeShot(best);
      await writeAtomic(this.d.paths.root, rel, jpeg);
      rec.snapshot = { file: rel, width, height, time: new Date(best.timeMs).toISOString(), quality: best.quality };
      // the row as it is now: still open (zones may have grown) or ended
      const open = r.tracks.get(t.id) === rec;
      this.upd.run(JSON.stringify(this.trackData(t, open ? null : (endMs ?? t.lastMs), rec)), rec.row);
    })().catch((err: unknown) => log.warn(`could not write the snapshot of object ${rec.row} on ${r.cameraId}: ${(err as Error).message}`));
    this.writes.add(p);
    void p.finally(() => this.writes.delete(p));
  }

  /** Zone transitions: stored (kind 'zone'), the object row updated on enter, then `detection.zone`. */
  private zoneTransitions(r: CameraRunner, list: ZoneTransition[]): void {
    for (const z of list) {
      const rec = r.tracks.get(z.trackId);
      const tr = r.tracker.open.find((x) => x.id === z.trackId);
      // (an ending track is still in r.tracks while its leave events go out)
      const row = rec?.row;
      if (!row) continue;
      const data = {
        cameraId: r.cameraId,
        zoneId: z.zoneId,
        zone: z.zone,
        label: z.label,
        trackId: z.trackId,
        objectEventId: row,
        phase: z.phase,
        dwellSeconds: z.dwellSeconds,
        count: z.count,
        time: new Date(z.timeMs).toISOString(),
      };
      let eventId: number;
      try {
        eventId = Number(this.ins.run(r.cameraId, Math.round(z.timeMs), 'zone', 'detector', JSON.stringify(data)).lastInsertRowid);
        if (z.phase === 'enter' && rec && !rec.zones.has(z.zoneId) && tr) {
          rec.zones.set(z.zoneId, z.zone);
          this.upd.run(JSON.stringify(this.trackData(tr, null, rec)), rec.row);
        }
      } catch (err) {
        log.error(`could not store a zone event on ${r.cameraId}: ${(err as Error).message}`);
        continue;
      }
      this.d.bus.emit('detection.zone', { ...data, eventId });
    }
  }

  /** Software motion: stored (kind 'motion', source 'software'), then `detection.motion`. */
  private motionEvent(r: CameraRunner, phase: 'start' | 'end', timeMs: number, score: number): void {
    let eventId: number;
    try {
      eventId = Number(this.ins.run(r.cameraId, Math.round(timeMs), 'motion', 'software', JSON.stringify({ phase, score })).lastInsertRowid);
    } catch (err) {
      log.error(`could not store a motion event on ${r.cameraId}: ${(err as Error).message}`);
      return;
    }
    this.d.bus.emit('detection.motion', { cameraId: r.cameraId, phase, time: new Date(timeMs).toISOString(), score, eventId });
  }

  cameraStatus(cam: StoredCamera): DetectionCameraStatus {
    const r = this.runners.get(cam.id);
    const enabled = this.enabled(cam);
    const c = this.scheduler.counters(cam.id);
    const cfg = configOf(cam);
    const base = {
      cameraId: cam.id,
      enabled,
      settings: cfg.settings,
      zones: cfg.zones.length,
      motionMasks: cfg.motionMasks.length,
      objectMasks: cfg.objectMasks.length,
    };
    if (!r || !c)
      return {
        ...base,
        state: r?.state === 'error' ? 'error' : 'off',
        fps: 0,
        inferFps: 0,
        idle: false,
        motion: false,
        offered: 0,
        processed: 0,
        skipped: 0,
        dropped: 0,
        gated: 0,
        msPerFrame: null,
        lastInferenceMs: null,
        lastInferenceAt: null,
        objects: [],
        error: r?.error ?? (enabled && !cam.enabled ? 'the camera is disabled' : null),
      };
    const rates = this.scheduler.rates(cam.id);
    return {
      ...base,
      state: r.state === 'running' && !this.pool?.readyCount() ? 'starting' : r.state,
      fps: rates.fps,
      inferFps: rates.inferFps,
      idle: r.source?.idle ?? false,
      motion: r.motion.moving,
      offered: c.offered,
      processed: c.processed,
      skipped: c.skipped,
      dropped: c.skipped,
      gated: c.gated,
      msPerFrame: c.msPerFrame === null ? null : Math.round(c.msPerFrame * 10) / 10,
      lastInferenceMs: c.lastInferenceMs,
      lastInferenceAt: c.lastInferenceAt ? new Date(c.lastInferenceAt).toISOString() : null,
      objects: r.tracker.open
        .filter((t) => t.started && t.misses === 0 && r.tracks.has(t.id))
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

  setEnabled(cameraId: string, enabled: boolean): Promise<DetectionCameraStatus> {
    return this.update(cameraId, { enabled });
  }

  /** Change a camera's settings in config.json; the pipeline follows at once. */
  async update(cameraId: string, patch: DetectionSettingsInput): Promise<DetectionCameraStatus> {
    const cam = this.d.cameras.get(cameraId);
    if (!cam) throw new ApiError('not_found', `no camera with id "${cameraId}"; list cameras with cameras.list`);
    if (!this.d.config) throw new ApiError('unavailable', 'detection settings cannot be changed here (no config store)');
    await updateDetectionSettings(this.d.config, cameraId, patch);
    this.reconcile();
    return this.cameraStatus(this.d.cameras.get(cameraId) ?? cam);
  }
}

/** Merge a settings patch into a camera's `detection` in config.json (the API and the CLI). */
export async function updateDetectionSettings(store: ConfigStore, cameraId: string, patch: DetectionSettingsInput): Promise<DetectionSettings> {
  return store.update((cfg) => {
    const cam = cfg.cameras.find((c) => c.id === cameraId);
    if (!cam) throw new ApiError('not_found', `no camera with id "${cameraId}"; see "gatehouse cameras list"`, 'cameraId');
    const next = { ...cam.detection };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
    cam.detection = next;
    return detectionSettingsOf(cam);
  });
}
