/**
 * The recording subsystem: one supervised ingest per enabled camera (plus an
 * on-demand sub-stream ingest), salvage at start, the storage keeper, the
 * live hubs and the playback routes. See docs/recording.md and
 * docs/storage.md.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { ApiError, type GapReason, type StorageStatus } from '../../api/contract.js';
import { logger } from '../log.js';
import { indexRecovery } from '../store/db.js';
import { LiveHub } from '../live/hub.js';
import { CameraRelay } from '../rtsp/index.js';
import { RecordingClock } from './clock.js';
import type { ClosedSegment } from './closer.js';
import { checkTimeZone } from '../util/time-zone.js';
import { dayCoverage } from './coverage.js';
import { Ingest } from './ingest.js';
import { journalPath } from './layout.js';
import { MediaRoutes } from './media-http.js';
import { listRecordings, segmentsIn } from './query.js';
import { hasMediaFiles, reindexInBackground } from './rebuild.js';
import { salvageIncoming } from './salvage.js';
import { camerasWithSegments, StorageKeeper } from './storage.js';
import { Timeline } from './timeline.js';
import type { LiveSink, Recorder, RecorderDeps } from './types.js';

const log = logger('recorder');

/** A sub-stream ffmpeg keeps running this long after its last viewer left. */
const SUB_LINGER_MS = 20_000;

interface OfflineWatch {
  since: number;
  timer: NodeJS.Timeout | null;
  alarmed: boolean;
}

export function createRecorder(deps: RecorderDeps): Recorder {
  return new RecorderImpl(deps);
}

class RecorderImpl implements Recorder {
  readonly name = 'recorder';
  private readonly root: string;
  private timeline: Timeline;
  private keeper: StorageKeeper;
  private media: MediaRoutes;
  private ingests = new Map<string, Ingest>();
  private subIngests = new Map<string, Ingest>();
  private subStopTimers = new Map<string, NodeJS.Timeout>();
  private hubs = new Map<string, LiveHub>();
  private fingerprints = new Map<string, string>();
  private offline = new Map<string, OfflineWatch>();
  private offBus: (() => void)[] = [];
  private segmentSeconds: number;
  private started = false;
  private reconciling: Promise<void> = Promise.resolve();
  /** How ffmpeg reaches network cameras without their passwords on its command line. */
  private readonly relay = new CameraRelay();
  /** Wall time for the timeline, and clock steps. */
  private readonly clock = new RecordingClock();
  /** The background re-index after the index was lost or damaged (null when not running). */
  private reindex: { since: number; reason: string; cameras: number; camerasDone: number; segments: number; done: Promise<void>; stop: boolean } | null =
    null;

  constructor(private readonly deps: RecorderDeps) {
    this.root = deps.paths.recordings;
    this.timeline = new Timeline(deps.db, (id) => journalPath(this.root, id), () => this.clock.now());
    this.segmentSeconds = deps.settings().segmentSeconds;
    this.keeper = new StorageKeeper({
      db: deps.db,
      bus: deps.bus,
      recordingsRoot: this.root,
      dataDir: deps.paths.root,
      settings: deps.settings,
      retentionDaysOf: (id) => deps.cameras.get(id)?.retentionDays ?? deps.settings().defaultRetentionDays,
      cameraName: (id) => deps.cameras.get(id)?.name ?? id,
      cameraIds: () => deps.cameras.stored().map((c) => c.id),
      afterPurge: () => void this.timeline.flushDeferred(), // index writes that waited for space; the queue logs when they are done
    });
    this.media = new MediaRoutes({
      db: deps.db,
      recordingsRoot: this.root,
      ffmpeg: () => deps.ffmpeg?.ffmpeg ?? null,
      children: deps.children,
      cameraExists: (id) => !!deps.cameras.get(id) || !!deps.db.prepare('SELECT 1 FROM segments WHERE camera_id = ? LIMIT 1').get(id),
      liveHub: (id) => this.hubs.get(`${id}/main`) ?? null,
    });
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.root, { recursive: true });
    const sessionStartMs = Date.now();
    const reindexWhy = this.reindexNeeded();
    // after a lost index the salvage waits for the re-index, which places the leftovers after their runs
    if (!reindexWhy) this.salvageAtStart();
    this.keeper.start();
    await this.relay.start();
    this.clock.start();
    this.offBus.push(this.clock.onStep((s) => this.clockStepped(s.stepMs, s.at, s.visibleMs)));
    this.started = true;
    this.offBus.push(this.deps.bus.on('cameras.changed', () => this.reconcileSoon()));
    this.offBus.push(
      this.deps.bus.on('settings.changed', (s) => {
        if (s.segmentSeconds !== this.segmentSeconds) {
          this.segmentSeconds = s.segmentSeconds;
          log.info(`segment length is now ${s.segmentSeconds} s: restarting the ingests`);
          for (const ing of this.ingests.values()) ing.restart();
        }
      }),
    );
    if (!this.deps.ffmpeg) {
      for (const c of this.deps.cameras.stored()) {
        if (c.enabled)
          this.deps.cameras.setStatus(c.id, {
            state: 'offline',
            message: 'ffmpeg is not installed: install it (Debian/Ubuntu: apt-get install ffmpeg) and restart Gatehouse',
          });
      }
      if (reindexWhy) this.startReindex(reindexWhy, sessionStartMs);
      return;
    }
    await this.reconcile();
    // recording has started; the old footage is indexed again meanwhile
    if (reindexWhy) this.startReindex(reindexWhy, sessionStartMs);
  }

  /** Present while a background re-index has not finished (it resumes at the next start). */
  private get reindexMarker(): string {
    return path.join(this.deps.paths.run, 'reindex-pending');
  }

  /** Why the media files must be indexed again (the index has no segments, the folder has footage), or null. */
  private reindexNeeded(): string | null {
    if (fs.existsSync(this.reindexMarker)) return 'the last re-index of the recordings did not finish';
    if (this.deps.db.prepare('SELECT 1 FROM seg LIMIT 1').get()) return null;
    if (!hasMediaFiles(this.root)) return null;
    const r = indexRecovery(this.deps.db);
    if (r?.kind === 'damaged') return `the index was damaged (${r.detail}) and moved to ${r.movedTo ?? '?'}`;
    if (r?.kind === 'missing') return 'the index file was missing';
    return 'the index has no recordings, but the recordings folder has footage';
  }

  private startReindex(reason: string, sessionStartMs: number): void {
    const t0 = Date.now();
    log.warn(`${reason}: indexing the recordings again from their media files in the background; recording goes on meanwhile`);
    const st = { since: t0, reason, cameras: 0, camerasDone: 0, segments: 0, done: Promise.resolve(), stop: false };
    this.reindex = st;
    try {
      fs.writeFileSync(this.reindexMarker, `${new Date(t0).toISOString()} ${reason}\n`);
    } catch (err) {
      log.warn('could not write the re-index marker', err);
    }
    st.done = reindexInBackground(this.deps.db, this.root, this.timeline, {
      sessionStartMs,
      now: () => this.clock.now(),
      stopped: () => st.stop,
      progress: (p) => Object.assign(st, p),
    }).then(
      (r) => {
        for (const s of r.salvaged) this.segmentClosed(s);
        if (!st.stop) fs.rmSync(this.reindexMarker, { force: true });
        if (!st.stop)
          log.info(
            `recordings index rebuilt in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${r.segments} segment(s) of ${st.cameras} camera(s) ` +
              `added, ${r.salvaged.length} salvaged, ${r.gaps} gap(s)${r.skipped ? `; ${r.skipped} file(s) not ours left alone` : ''}`,
          );
      },
      (err) => log.error('rebuilding the recordings index failed; run "gatehouse index rebuild" with the server stopped', err),
    );
    void st.done.finally(() => {
      if (this.reindex === st) this.reindex = null;
    });
    this.keeper.holdDeletions(st.done);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const off of this.offBus) off();
    this.offBus = [];
    await this.reconciling.catch(() => {});
    if (this.reindex) {
      this.reindex.stop = true;
      await this.reindex.done;
    }
    for (const t of this.subStopTimers.values()) clearTimeout(t);
    for (const w of this.offline.values()) if (w.timer) clearTimeout(w.timer);
    const stops = await Promise.allSettled([...this.ingests.values(), ...this.subIngests.values()].map((i) => i.stop('engine_down')));
    for (const r of stops) if (r.status === 'rejected') log.error('an ingest failed to stop cleanly', r.reason);
    this.ingests.clear();
    this.subIngests.clear();
    this.clock.stop();
    await this.relay.stop();
    this.keeper.stop();
    this.timeline.dispose();
    for (const h of this.hubs.values()) h.end('the engine is stopping');
  }

  /** Index what a crash or kill left in .incoming, and open an engine_down gap where none is open. */
  private salvageAtStart(): void {
    let dirs: string[] = [];
    try {
      dirs = fs
        .readdirSync(this.root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => d.name);
    } catch {
      /* no recordings yet */
    }
    for (const id of dirs) {
      const r = salvageIncoming(this.root, this.timeline, id);
      if (r.indexed.length || r.discarded)
        log.info(`${id}: salvaged ${r.indexed.length} segment(s) left by the last run, dropped ${r.discarded} empty file(s)`);
      for (const s of r.indexed) this.segmentClosed(s);
    }
    for (const { camera_id } of camerasWithSegments(this.deps.db)) {
      if (!this.timeline.openGap(camera_id)) this.timeline.noteDown(camera_id, 'engine_down');
    }
  }

  private reconcileSoon(): void {
    this.reconciling = this.reconciling.then(() => this.reconcile()).catch((err) => log.error('camera reconcile failed', err));
  }

  /** Make the running ingests match the camera configuration. */
  private async reconcile(): Promise<void> {
    if (!this.started || !this.deps.ffmpeg) return;
    const cams = this.deps.cameras.stored();
    const seen = new Set<string>();
    for (const cam of cams) {
      seen.add(cam.id);
      const fp = JSON.stringify([cam.url, cam.subUrl, cam.username, cam.password]);
      const ing = this.ingests.get(cam.id);
      if (!cam.enabled) {
        if (ing) {
          this.ingests.delete(cam.id);
          await ing.stop('disabled');
          log.info(`${cam.id}: disabled; recording stopped`);
        } else {
          const g = this.timeline.noteDown(cam.id, 'disabled');
          if (g) log.debug(`${cam.id}: gap reason now "disabled"`);
        }
        await this.stopSub(cam.id, 'disabled');
        this.clearOffline(cam.id);
        this.deps.cameras.setStatus(cam.id, { state: 'disabled', message: 'disabled by an admin' });
        continue;
      }
      if (!ing) {
        this.fingerprints.set(cam.id, fp);
        this.startIngest(cam.id);
      } else if (this.fingerprints.get(cam.id) !== fp) {
        this.fingerprints.set(cam.id, fp);
        log.info(`${cam.id}: camera settings changed; reconnecting`);
        ing.restart();
        this.subIngests.get(cam.id)?.restart();
      }
    }
    for (const [id, ing] of [...this.ingests]) {
      if (seen.has(id)) continue;
      this.ingests.delete(id);
      await ing.stop('disabled');
      await this.stopSub(id, 'disabled');
      this.clearOffline(id);
      this.hubs.get(`${id}/main`)?.end('camera removed');
      log.info(`${id}: removed; its recordings stay until retention deletes them`);
    }
  }

  private hub(cameraId: string, role: 'main' | 'sub'): LiveHub {
    const key = `${cameraId}/${role}`;
    let h = this.hubs.get(key);
    if (!h) {
      h = new LiveHub(key);
      if (role === 'sub') h.onDemand = (n) => this.subDemand(cameraId, n);
      this.hubs.set(key, h);
    }
    return h;
  }

  private startIngest(cameraId: string): void {
    const deps = this.deps;
    const ing = new Ingest(cameraId, 'main', {
      recordingsRoot: this.root,
      ffmpeg: deps.ffmpeg!,
      children: deps.children,
      secrets: deps.secrets,
      settings: deps.settings,
      timeline: this.timeline,
      camera: () => deps.cameras.get(cameraId),
      hub: this.hub(cameraId, 'main'),
      report: (patch) => deps.cameras.setStatus(cameraId, patch),
      onSegment: (s) => this.segmentClosed(s),
      onDiskFull: () => this.keeper.diskFull(),
      onDown: (since) => this.wentDown(cameraId, since),
      onUp: () => this.cameUp(cameraId),
      relay: this.relay,
      clock: this.clock,
      onClockBehind: (ms) => this.clockStepped(-ms, this.clock.now() - this.clock.hold, 0, cameraId),
    });
    this.ingests.set(cameraId, ing);
    ing.start();
  }

  private segmentClosed(s: ClosedSegment): void {
    const end = new Date(s.endMs).toISOString();
    this.deps.bus.emit('recording.segment', { cameraId: s.cameraId, start: new Date(s.startMs).toISOString(), end, bytes: s.bytes });
    for (const g of s.closedGaps) {
      this.deps.bus.emit('recording.gap', {
        cameraId: s.cameraId,
        gap: { start: new Date(g.startMs).toISOString(), end: new Date(g.endMs).toISOString(), reason: g.reason as GapReason },
      });
    }
    if (this.deps.cameras.get(s.cameraId)) this.deps.cameras.setStatus(s.cameraId, { lastSegmentAt: end });
  }

  /** The wall clock was stepped (or found behind a camera's last recording): say so, once. */
  private clockStepped(stepMs: number, at: number, visibleMs: number, cameraId?: string): void {
    const s = (Math.abs(stepMs) / 1000).toFixed(1);
    if (cameraId) log.warn(`${cameraId}: the clock is ${s} s behind this camera's last recording; its new run continues from there`);
    else
      log.warn(
        `the wall clock was stepped ${stepMs > 0 ? 'forward' : 'back'} by ${s} s: ` +
          (stepMs > 0
            ? `recordings continue ${(visibleMs / 1000).toFixed(1)} s later on the timeline (a clock_step gap)`
            : `recording times stay after what was already recorded (now ${(this.clock.hold / 1000).toFixed(1)} s ahead of the clock)`),
      );
    this.deps.bus.emit('clock.step', { ...(cameraId ? { cameraId } : {}), stepMs: Math.round(stepMs), at: new Date(at).toISOString() });
  }

  // ---- camera.offline / camera.online

  private wentDown(cameraId: string, since: number): void {
    this.clearOffline(cameraId);
    const w: OfflineWatch = { since, timer: null, alarmed: false };
    const wait = Math.max(0, this.deps.settings().offlineAlarmSeconds * 1000 - (Date.now() - since));
    w.timer = setTimeout(() => {
      w.timer = null;
      const cam = this.deps.cameras.get(cameraId);
      if (!cam || !cam.enabled) return;
      w.alarmed = true;
      log.warn(`${cameraId}: offline for more than ${this.deps.settings().offlineAlarmSeconds} s`);
      this.deps.bus.emit('camera.offline', { cameraId, name: cam.name, since: new Date(since).toISOString() });
    }, wait);
    w.timer.unref();
    this.offline.set(cameraId, w);
  }

  private cameUp(cameraId: string): void {
    const w = this.offline.get(cameraId);
    if (!w) return;
    this.clearOffline(cameraId);
    if (w.alarmed) {
      const cam = this.deps.cameras.get(cameraId);
      this.deps.bus.emit('camera.online', { cameraId, name: cam?.name ?? cameraId, offlineSince: new Date(w.since).toISOString() });
    }
  }

  private clearOffline(cameraId: string): void {
    const w = this.offline.get(cameraId);
    if (w?.timer) clearTimeout(w.timer);
    this.offline.delete(cameraId);
  }

  // ---- sub stream on demand

  private subDemand(cameraId: string, viewers: number): void {
    const cam = this.deps.cameras.get(cameraId);
    if (viewers > 0) {
      const t = this.subStopTimers.get(cameraId);
      if (t) clearTimeout(t);
      this.subStopTimers.delete(cameraId);
      if (!cam || !cam.enabled || !cam.subUrl || this.subIngests.has(cameraId) || !this.deps.ffmpeg || !this.started) return;
      const ing = new Ingest(cameraId, 'sub', {
        recordingsRoot: this.root,
        ffmpeg: this.deps.ffmpeg,
        children: this.deps.children,
        secrets: this.deps.secrets,
        settings: this.deps.settings,
        timeline: this.timeline,
        camera: () => this.deps.cameras.get(cameraId),
        hub: this.hub(cameraId, 'sub'),
        relay: this.relay,
        clock: this.clock,
      });
      this.subIngests.set(cameraId, ing);
      ing.start();
      log.info(`${cameraId}: sub stream started for live view`);
    } else {
      const t = setTimeout(() => void this.stopSub(cameraId, 'engine_down'), SUB_LINGER_MS);
      t.unref();
      this.subStopTimers.set(cameraId, t);
    }
  }

  private async stopSub(cameraId: string, reason: GapReason): Promise<void> {
    const t = this.subStopTimers.get(cameraId);
    if (t) clearTimeout(t);
    this.subStopTimers.delete(cameraId);
    const ing = this.subIngests.get(cameraId);
    if (!ing) return;
    this.subIngests.delete(cameraId);
    await ing.stop(reason);
    log.info(`${cameraId}: sub stream stopped`);
  }

  // ---- the Recorder interface

  list(cameraId: string, fromMs: number, toMs: number) {
    return listRecordings(this.deps.db, cameraId, fromMs, toMs, this.root);
  }

  coverage(cameraId: string, fromMs: number, toMs: number, timeZone: string) {
    try {
      checkTimeZone(timeZone);
    } catch {
      throw new ApiError('bad_request', `unknown time zone "${timeZone}"; use an IANA name such as Europe/Berlin`, 'timeZone');
    }
    if (toMs - fromMs > 400 * 86_400_000) throw new ApiError('bad_request', 'coverage ranges are limited to 400 days', 'to');
    const segs = segmentsIn(this.deps.db, cameraId, fromMs, toMs);
    return dayCoverage(segs, fromMs, toMs, timeZone);
  }

  storage(): StorageStatus {
    const st = this.keeper.status();
    const r = this.reindex;
    if (!r) return st;
    return {
      ...st,
      rebuilding: { since: new Date(r.since).toISOString(), reason: r.reason, cameras: r.cameras, camerasDone: r.camerasDone, segments: r.segments },
    };
  }

  subscribeLive(cameraId: string, stream: 'main' | 'sub', sink: LiveSink): () => void {
    const cam = this.deps.cameras.get(cameraId);
    if (!cam) {
      sink.close(`no camera with id "${cameraId}"`);
      return () => {};
    }
    const role = stream === 'sub' && cam.subUrl ? 'sub' : 'main';
    const hub = this.hub(cameraId, role);
    const detach = hub.subscribe(sink);
    if (!cam.enabled) sink.close('this camera is disabled');
    return detach;
  }

  handleMedia(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
    return this.media.handle(req, res, url);
  }

  snapshotJpeg(cameraId: string, atMs: number | null, maxWidth?: number): Promise<Buffer> {
    return this.media.jpeg(cameraId, atMs, maxWidth);
  }
}
