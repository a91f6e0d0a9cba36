/**
 * One supervised ffmpeg per camera stream. For the main stream it opens the
 * camera once and writes, from that one connection, both the recording
 * (fragmented-MP4 segments, stream copy) and the live fMP4 on stdout that
 * live view and detection share. A sub stream (camera.subUrl) gets its own
 * ffmpeg that only feeds live view.
 *
 * Supervision: every exit is a failure; a watchdog kills an ffmpeg that
 * makes no progress for settings.stallSeconds; restarts back off 1 s, 2 s,
 * 4 s … 30 s (reset after a healthy minute). While a network camera is down
 * it is probed about once a second (TCP connect + RTSP OPTIONS, no ffmpeg),
 * and ffmpeg starts as soon as a camera that stopped answering answers
 * again; a camera that answers but fails keeps the back-off. The camera's
 * state machine and its messages are reported through `report`.
 *
 * Network cameras are reached through the relay (../rtsp/): ffmpeg's
 * command line carries a loopback URL with a one-time token, never the
 * camera's password. Wall time comes from the RecordingClock (clock.ts),
 * durations from its monotonic clock.
 */
import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { CameraStatus, GapReason, Settings } from '../../api/contract.js';
import type { StoredCamera } from '../config/schema.js';
import type { SecretBox } from '../config/secrets.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import { Fragmenter } from '../media/fragmenter.js';
import type { ChildRegistry } from '../process/children.js';
import { LiveHub } from '../live/hub.js';
import { logger, redact } from '../log.js';
import type { CameraRelay, RelayLease } from '../rtsp/index.js';
import { probeCamera } from '../rtsp/probe.js';
import { Backoff } from './backoff.js';
import { classifyExit, mp4CanCarryAudio, StreamInfoParser, videoCodecLabel, type Failure } from './classify.js';
import { closeSegment, prepareFile, type ClosedSegment } from './closer.js';
import { appendJournal } from './journal.js';
import { incomingDir, incomingName, journalPath, newIngestId, parseIncomingName, runIdOf } from './layout.js';
import { AnchorEstimator, driftMs, segmentStartMs } from './runs.js';
import { STEP_MS, type RecordingClock } from './clock.js';
import { salvageIncoming } from './salvage.js';
import { LineSplitter, parseSegmentListLine, type SegmentListEntry } from './segment-list.js';
import { FFMPEG_TIMEOUT_PAST_WATCHDOG_S, rawUrlOf, sourceFor, sourceWhere, withoutCredentials, type SourceSpec } from './sources.js';
import type { Timeline } from './timeline.js';

const log = logger('ingest');

/** Past this much drift between the wall clock and the stream's clock, a run ends and a new one is anchored. */
export const DRIFT_LIMIT_MS = 2000;
/** While a camera is down it is probed this often (TCP connect + RTSP OPTIONS)... */
export const PROBE_EVERY_MS = 1000;
/** ...and each probe gives up after this long. */
export const PROBE_TIMEOUT_MS = 900;
/** A camera that never answers the probe still gets an ffmpeg attempt this often. */
export const PROBE_SAFETY_NET_MS = 30_000;
/** After the watchdog's first SIGTERM: the second one (ffmpeg leaves a blocked read on its second signal)... */
const STALL_SECOND_SIGNAL_MS = 300;
/** ...and SIGKILL if it has still not exited. */
const STALL_KILL_GRACE_MS = 5000;
/**
 * Recording fragments close at each key frame and at least every this long (mov `frag_duration`), and each is
 * flushed to the file as it closes: a kill or a stall loses at most this much of what came before it (plus the
 * frames in flight), not a whole GOP.
 */
export const RECORD_FRAGMENT_US = 500_000;

/**
 * An ffmpeg killed from outside (SIGKILL, SIGTERM … that the engine did not send) after recording this long
 * restarts at once, without a back-off step: the camera is fine. Killed sooner, it backs off as any failure (so
 * something that kills every new ffmpeg cannot make a restart loop).
 */
export const KILLED_RESTART_HEALTHY_MS = 1000;

export interface IngestDeps {
  recordingsRoot: string;
  ffmpeg: FfmpegPaths;
  children: ChildRegistry;
  secrets: SecretBox;
  settings: () => Settings;
  timeline: Timeline;
  /** Current camera config (it may change between restarts). */
  camera: () => StoredCamera | undefined;
  hub: LiveHub;
  /** Status updates (main stream only). */
  report?: (patch: Partial<CameraStatus>) => void;
  onSegment?: (seg: ClosedSegment) => void;
  onGap?: (startMs: number, reason: GapReason) => void;
  /** The disk is full: free space, then resolve. */
  onDiskFull?: () => Promise<void>;
  /** The camera went down / came back (for camera.offline / camera.online). */
  onDown?: (since: number) => void;
  onUp?: () => void;
  /** Reaches network cameras without a secret on ffmpeg's command line. */
  relay: CameraRelay;
  /** Wall time for the recording timeline, monotonic time for durations, clock steps. */
  clock: RecordingClock;
  /**
   * A new run would have started before this camera's last segment ended (the
   * clock is behind what was recorded, e.g. set back while the engine was
   * stopped): it was moved to start at that end, `behindMs` later.
   */
  onClockBehind?: (behindMs: number) => void;
}

type AudioMode = 'copy' | 'aac' | 'none';

interface RunState {
  ingestId: string;
  child: ChildProcess;
  generators: ChildProcess[];
  source: SourceSpec;
  stderrTail: string[];
  info: StreamInfoParser;
  fragmenter: Fragmenter;
  estimator: AnchorEstimator;
  /** Monotonic time of the last live fragment (watchdog). */
  lastProgress: number;
  firstDataAt: number | null;
  /** The relay lease of a network camera (released when ffmpeg exits). */
  lease: RelayLease | null;
  /** Stream time (s) of the first segment's start: stream time of the anchor. */
  origin: number | null;
  anchorMs: number | null;
  anchorJournaled: boolean;
  /** Runs of this ingest: from segment `fromSeq` on, run `runId` with `anchorMs`. */
  runs: { fromSeq: number; runId: string; anchorMs: number | null; journaled?: boolean }[];
  /** clock.steps when the current run was anchored: a change means the wall clock was stepped. */
  stepsSeen: number;
  /** Recording time minus monotonic time when the current run was anchored (how far a step moved the timeline). */
  clockOffset: number;
  reanchors: number;
  pending: Map<number, { entry: SegmentListEntry; arrivedAt: number }>;
  openedSeq: number;
  exited: boolean;
  stalledFor?: number;
  processing: Promise<void>;
  segments: number;
  audioMode: AudioMode;
}

export class Ingest {
  private run: RunState | null = null;
  private stopping = false;
  private stopReason: GapReason = 'engine_down';
  private backoff = new Backoff();
  private timer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private audioMode: AudioMode | null = null;
  private audioFixes = 0;
  /** When the camera stopped recording (the system clock, as events carry it; null while recording). */
  private downSince: number | null;
  private downReported = false;
  private restartRequested = false;
  /** Monotonic time since the current run records. */
  private healthySince: number | null = null;
  private lastIngestId = '';
  /** Resolves the wait between attempts early (stop). */
  private wake: (() => void) | null = null;
  private woken = false;
  /**
   * How far this camera's runs are placed after the recording clock, because
   * a run found the clock behind the camera's last segment (notBeforeLastSegment).
   * Kept across ffmpeg restarts, so later outages keep their true length.
   */
  private holdMs = 0;
  readonly key: string;

  constructor(
    readonly cameraId: string,
    readonly role: 'main' | 'sub',
    private readonly deps: IngestDeps,
  ) {
    this.key = `${cameraId}/${role}`;
    this.downSince = Date.now();
  }

  get recording(): boolean {
    return !!this.run && this.run.firstDataAt !== null && !this.run.exited;
  }

  start(): void {
    this.stopping = false;
    this.loopDone = this.loop().catch((err) => log.error(`${this.key}: supervisor failed`, err));
    this.watchdog = setInterval(() => this.checkStall(), 1000);
    this.watchdog.unref();
  }

  /** Stop for good: ffmpeg is asked to finish its segment, which is then indexed. */
  async stop(reason: GapReason = 'engine_down'): Promise<void> {
    this.stopping = true;
    this.stopReason = reason;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    const r = this.run;
    if (r && !r.exited) {
      for (const g of r.generators) this.deps.children.kill(g, 'SIGTERM');
      await this.deps.children.stop(r.child, 4000);
    }
    await this.loopDone;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    if (this.role === 'main') {
      // the camera was down (no ffmpeg running): the outage now has this cause
      try {
        const g = this.deps.timeline.noteDown(this.cameraId, reason);
        if (g) this.deps.onGap?.(g.startMs, g.reason);
      } catch (err) {
        log.error(`${this.key}: could not record the gap at stop`, err);
      }
    }
  }

  /** Restart ffmpeg now (config changed). */
  restart(): void {
    const r = this.run;
    this.backoff.reset();
    if (r && !r.exited) {
      this.restartRequested = true;
      this.deps.children.kill(r.child, 'SIGTERM');
    } else this.wake?.();
  }

  private report(patch: Partial<CameraStatus>): void {
    this.deps.report?.(patch);
  }

  private async loop(): Promise<void> {
    let first = true;
    while (!this.stopping) {
      const cam = this.deps.camera();
      if (!cam) return;
      if (first) this.report({ state: 'connecting', message: `connecting to ${this.whereOf(cam)}` });
      first = false;
      let failure: Failure | null = null;
      let healthyFor = 0;
      try {
        const res = await this.attempt(cam);
        failure = res.failure;
        healthyFor = res.healthyFor;
        if (res.restarted) {
          this.report({ state: 'connecting', message: `reconnecting to ${this.whereOf(cam)} with the new settings` });
          continue;
        }
      } catch (err) {
        failure = { state: 'offline', reason: 'ffmpeg_restart', message: `could not start ffmpeg: ${(err as Error).message}` };
        log.error(`${this.key}: attempt failed`, err);
      }
      if (this.stopping) break;
      if (!failure) continue;
      this.backoff.runEnded(healthyFor);
      if (failure.transcodeAudio) {
        this.audioMode = 'aac';
        this.audioFixes++;
      }
      this.wentDown();
      this.report({ state: failure.state, message: failure.message });
      if (failure.state === 'disk_full' && this.deps.onDiskFull) {
        try {
          await this.deps.onDiskFull();
        } catch (err) {
          log.error(`${this.key}: emergency purge failed`, err);
        }
      }
      // a full disk is handled by the purge above: retry soon instead of backing off
      // killed from outside while recording (a kill, the OOM killer): not the camera's fault, so no back-off step
      const killedWhileRecording = failure.killed === true && healthyFor >= KILLED_RESTART_HEALTHY_MS;
      const delay =
        (failure.retryNow && this.audioFixes <= 2) || killedWhileRecording ? 0 : failure.state === 'disk_full' ? 2000 : this.backoff.next();
      const probe = failure.state === 'disk_full' ? null : this.probeUrlOf(cam);
      if (delay > 0)
        log.info(`${this.key}: ${failure.message}; next attempt in ${Math.round(delay / 1000)} s${probe ? ', or as soon as the camera answers again' : ''}`);
      if (probe && delay > 0) await this.waitProbing(delay, probe, this.whereOf(cam));
      else await this.sleep(delay);
    }
  }

  private whereOf(cam: StoredCamera): string {
    return sourceWhere(cam, this.role);
  }

  /** The camera's URL without credentials, for the probe; null for demo sources. */
  private probeUrlOf(cam: StoredCamera): string | null {
    const raw = rawUrlOf(cam, this.role);
    return /^(rtsps?|https?):\/\//i.test(raw) ? withoutCredentials(raw) : null;
  }

  /**
   * Wait before the next attempt, probing the camera about once a second
   * instead of starting ffmpeg:
   *  - a camera that did not answer a probe and now answers is back: return
   *    at once, so ffmpeg starts within a probe interval of its return;
   *  - a camera that answers all along (it is there, ffmpeg failed for
   *    another reason: auth, path, codec, crashes) waits the back-off;
   *  - a camera that does not answer keeps being probed past the back-off,
   *    without ffmpeg; as a safety net against a probe that is wrong,
   *    ffmpeg still tries every PROBE_SAFETY_NET_MS.
   * While it does not answer, the status says why (refused, timed out...).
   */
  private async waitProbing(delayMs: number, url: string, where: string): Promise<void> {
    const clock = this.deps.clock;
    const t0 = clock.mono();
    let sawDown = false;
    let lastMessage = '';
    this.woken = false;
    while (!this.stopping && !this.woken) {
      const started = clock.mono();
      const r = await this.interruptible(probeCamera(url, PROBE_TIMEOUT_MS));
      if (!r || this.stopping || this.woken) return;
      if (r.up) {
        if (sawDown) {
          log.info(`${this.key}: the camera answers again (${r.status ? `RTSP ${r.status}` : 'TCP'}): reconnecting now`);
          return;
        }
      } else {
        sawDown = true;
        const f = classifyExit([`camera probe: ${r.reason}`], { code: 1, signal: null, where });
        if (this.role === 'main' && f.message !== lastMessage && f.state === 'offline' && !f.message.startsWith('ffmpeg stopped')) {
          lastMessage = f.message;
          this.report({ state: 'offline', message: f.message });
        }
      }
      const now = clock.mono();
      const elapsed = now - t0;
      if (elapsed >= delayMs && (r.up || elapsed >= Math.max(delayMs, PROBE_SAFETY_NET_MS))) return;
      const untilBackoff = delayMs - elapsed;
      await this.sleep(Math.max(0, Math.min(PROBE_EVERY_MS - (now - started), untilBackoff > 0 ? untilBackoff : PROBE_EVERY_MS)));
    }
  }

  /** A promise that also settles (with null) when the ingest is stopped or restarted. */
  private interruptible<T>(p: Promise<T>): Promise<T | null> {
    return new Promise((resolve) => {
      let done = false;
      this.wake = () => {
        this.wake = null;
        this.woken = true;
        if (!done) resolve(null);
        done = true;
      };
      p.then(
        (v) => {
          if (!done) {
            done = true;
            this.wake = null;
            resolve(v);
          }
        },
        () => {
          if (!done) {
            done = true;
            this.wake = null;
            resolve(null);
          }
        },
      );
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0 || this.stopping) return resolve();
      this.timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        if (this.timer) clearTimeout(this.timer);
        this.wake = null;
        this.woken = true;
        resolve();
      };
    });
  }

  private wentDown(): void {
    if (this.downSince === null) this.downSince = Date.now();
    if (!this.downReported) {
      this.downReported = true;
      this.deps.onDown?.(this.downSince);
    }
    this.healthySince = null;
  }

  private cameUp(): void {
    if (this.downReported) this.deps.onUp?.();
    this.downReported = false;
    this.downSince = null;
    this.healthySince = this.deps.clock.mono();
  }

  private checkStall(): void {
    const r = this.run;
    if (!r || r.exited || r.stalledFor !== undefined) return;
    const limit = this.deps.settings().stallSeconds;
    const idle = (this.deps.clock.mono() - r.lastProgress) / 1000;
    // Data flowed and stopped: a stall, the watchdog's (ffmpeg's own timeout is 2 s later). Nothing came yet: ffmpeg's
    // own timeout says why in its words first ("no answer … timed out"); the watchdog is only the net behind it.
    if (idle < (r.firstDataAt !== null ? limit : Math.max(3, limit) + FFMPEG_TIMEOUT_PAST_WATCHDOG_S + 3)) return;
    r.stalledFor = limit;
    log.warn(`${this.key}: no progress for ${Math.round(idle)} s: killing ffmpeg (pid ${r.child.pid})`);
    if (r.firstDataAt !== null) this.report({ state: 'stalled', message: `no video from the camera for ${limit} s: reconnecting` });
    for (const g of r.generators) this.deps.children.kill(g, 'SIGKILL');
    // ffmpeg is stuck reading from the silent camera: the first SIGTERM alone does not get it out of that read, the
    // second does (a third would make it exit hard). What it had written stays: fragments are flushed as they close
    // (recordOutputArgs), so at most the last half second is lost. SIGKILL if it is still there after the grace.
    void this.deps.children.stop(r.child, STALL_KILL_GRACE_MS, { againAfterMs: STALL_SECOND_SIGNAL_MS });
  }

  private newIngestId(): string {
    let t = Math.max(Date.now(), this.deps.clock.now());
    let id = newIngestId(t);
    while (id <= this.lastIngestId) id = newIngestId(++t);
    this.lastIngestId = id;
    return id;
  }

  /** One ffmpeg run, from spawn to the last segment indexed. */
  private attempt(cam: StoredCamera): Promise<{ failure: Failure | null; healthyFor: number; restarted?: boolean }> {
    const st = this.deps.settings();
    let lease: RelayLease | null = null;
    const source = sourceFor(cam, this.deps.secrets, this.role, st.stallSeconds, {
      ownerMark: `${this.deps.recordingsRoot}/.owner`,
      route: (target) => {
        lease = this.deps.relay.lease(target, { connectTimeoutMs: Math.max(3, st.stallSeconds) * 1000 });
        return lease.url;
      },
    });
    const ingestId = this.newIngestId();
    const audioMode: AudioMode = source.noAudio ? 'none' : (this.audioMode ?? 'copy');
    const dir = incomingDir(this.deps.recordingsRoot, this.cameraId);
    if (this.role === 'main') fs.mkdirSync(dir, { recursive: true });
    const args = [
      '-hide_banner',
      '-nostdin',
      '-nostats',
      '-loglevel',
      'info',
      ...source.inputArgs,
      ...(this.role === 'main' ? recordOutputArgs(dir, ingestId, st.segmentSeconds, audioMode) : []),
      ...liveOutputArgs(),
      // the recording output names the data dir; the others carry it for reapStrays()
      ...(this.role === 'main' ? [] : ownerMarkArgs(this.deps.recordingsRoot)),
    ];

    const generators: ChildProcess[] = [];
    let stdin: 'ignore' | Readable = 'ignore';
    for (const [i, gargs] of (source.generator ?? []).entries()) {
      const g = this.deps.children.spawn(`demo-generator-${i + 1}:${this.key}`, this.deps.ffmpeg.ffmpeg, gargs, {
        stdio: [stdin, 'pipe', 'pipe'],
      });
      if (typeof stdin !== 'string') stdin.destroy(); // the child holds its own copy of the pipe
      g.stderr?.on('data', (d: Buffer) => {
        const msg = `${this.key} demo generator: ${redact(d.toString().trim())}`;
        if (this.stopping || r.exited || r.stalledFor !== undefined) log.debug(msg);
        else log.warn(msg);
      });
      g.on('error', (err) => log.error(`${this.key}: demo generator failed to start`, err));
      generators.push(g);
      stdin = g.stdout!;
    }
    let child: ChildProcess;
    try {
      child = this.deps.children.spawn(`ffmpeg:${this.key}`, this.deps.ffmpeg.ffmpeg, args, {
        stdio: [stdin, 'pipe', 'pipe', this.role === 'main' ? 'pipe' : 'ignore'],
      });
    } catch (err) {
      (lease as RelayLease | null)?.release();
      throw err;
    }
    if (typeof stdin !== 'string') stdin.destroy(); // ffmpeg holds its own copy of the pipe
    log.info(`${this.key}: ffmpeg started (pid ${child.pid ?? '?'}, ingest ${ingestId}, audio ${audioMode})`);

    const r: RunState = {
      ingestId,
      child,
      generators,
      source,
      stderrTail: [],
      info: new StreamInfoParser(),
      fragmenter: null as unknown as Fragmenter,
      estimator: new AnchorEstimator(Math.max(2000, st.segmentSeconds * 1000)),
      lastProgress: this.deps.clock.mono(),
      firstDataAt: null,
      lease,
      origin: null,
      anchorMs: null,
      anchorJournaled: false,
      runs: [{ fromSeq: 0, runId: runIdOf(ingestId, 0), anchorMs: null }],
      stepsSeen: this.deps.clock.steps,
      clockOffset: this.deps.clock.now() - this.deps.clock.mono(),
      reanchors: 0,
      pending: new Map(),
      openedSeq: -1,
      exited: false,
      processing: Promise.resolve(),
      segments: 0,
      audioMode,
    };
    this.run = r;
    r.fragmenter = new Fragmenter({
      init: (init, tracks) => {
        const v = tracks.find((t) => t.handler === 'vide');
        this.deps.hub.setInit(v?.codec ?? 'avc1.640028', init);
      },
      fragment: (data, keyframe, f) => {
        const now = this.deps.clock.now();
        r.lastProgress = this.deps.clock.mono();
        if (f && f.timescale > 0 && this.role === 'main') {
          const streamMs = (f.baseTime * 1000) / f.timescale;
          if (r.estimator.observe(now, streamMs)) r.anchorMs = r.estimator.anchorMs;
          if (!r.anchorJournaled && r.anchorMs !== null) {
            // provisional anchor for salvage if we die before the first segment closes
            appendJournal(
              journalPath(this.deps.recordingsRoot, this.cameraId),
              { ev: 'anchor', t: now, ingest: ingestId, seq: 0, run: r.runs[0]!.runId, startMs: r.anchorMs + this.holdMs },
              true,
            );
            r.anchorJournaled = true;
          }
        }
        if (r.firstDataAt === null) {
          r.firstDataAt = now;
          this.onFirstData(r);
        }
        this.deps.hub.publish(data, keyframe);
      },
      error: (err) => {
        log.error(`${this.key}: live stream could not be parsed: ${err.message}`);
      },
    });

    return new Promise((resolve) => {
      let pipesOpen = this.role === 'main' ? 3 : 2;
      let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
      const finish = () => {
        if (pipesOpen > 0 || !exitInfo) return;
        r.exited = true;
        for (const g of generators) this.deps.children.kill(g, 'SIGKILL');
        this.kick(r);
        r.processing
          .then(() => this.afterExit(r, exitInfo!))
          .then(resolve, (err) => {
            log.error(`${this.key}: after-exit handling failed`, err);
            resolve({ failure: { state: 'offline', reason: 'ffmpeg_restart', message: 'ffmpeg stopped; restarting' }, healthyFor: 0 });
          });
      };
      const pipeDone = () => {
        pipesOpen--;
        finish();
      };
      child.stdout!.on('data', (d: Buffer) => r.fragmenter.push(d));
      child.stdout!.on('close', pipeDone);
      const errLines = new LineSplitter((l) => this.onStderr(r, l), true);
      child.stderr!.on('data', (d: Buffer) => errLines.push(d));
      child.stderr!.on('close', () => {
        errLines.end();
        pipeDone();
      });
      if (this.role === 'main') {
        const list = child.stdio[3] as Readable;
        const lines = new LineSplitter((l) => this.onListLine(r, l));
        list.on('data', (d: Buffer) => lines.push(d));
        list.on('close', () => {
          lines.end();
          pipeDone();
        });
        list.on('error', () => {});
      }
      child.on('error', (err) => {
        r.stderrTail.push(`spawn error: ${err.message}`);
        if (!exitInfo) {
          exitInfo = { code: -1, signal: null };
          pipesOpen = 0;
          finish();
        }
      });
      child.on('exit', (code, signal) => {
        exitInfo = { code, signal };
        finish();
      });
    });
  }

  private onFirstData(r: RunState): void {
    this.cameUp();
    const i = r.info.info;
    const label = videoCodecLabel(i.videoCodec);
    let message = `recording ${label ?? ''} ${i.width && i.height ? `${i.width}×${i.height}` : ''}${i.fps ? ` ${i.fps} fps` : ''}`
      .replace(/\s+/g, ' ')
      .trim();
    if (i.videoCodec === 'hevc')
      message = "H.265 source: recording works but browsers can't play it live (switch the camera to H.264 for live view)";
    let audio: string | null = null;
    if (i.audioCodec) {
      if (r.audioMode === 'aac')
        audio = `${i.audioCodec} → AAC (MP4 can't carry ${i.audioCodec.startsWith('pcm_') ? 'G.711/PCM' : i.audioCodec} as is)`;
      else if (r.audioMode === 'copy') audio = `${i.audioCodec} (recorded as is)`;
      else audio = `${i.audioCodec} (dropped)`;
    }
    if (this.role === 'main') {
      this.report({
        state: 'recording',
        message,
        codec: label,
        width: i.width,
        height: i.height,
        fps: i.fps,
        audio,
      });
    }
    log.info(`${this.key}: ${message}`);
  }

  private onStderr(r: RunState, line: string): void {
    if (!line.trim()) return;
    r.stderrTail.push(line);
    if (r.stderrTail.length > 80) r.stderrTail.splice(0, r.stderrTail.length - 80);
    r.info.line(line);
    const m = /Opening '([^']+)' for writing/.exec(line);
    if (m) {
      const p = parseIncomingName(m[1]!.split(/[\\/]/).pop() ?? '');
      if (p && p.ingestId === r.ingestId) {
        r.openedSeq = Math.max(r.openedSeq, p.seq);
        this.kick(r);
      }
    }
    if (/error|failed|refused|unauthorized|not found|invalid/i.test(line) && !/^\s/.test(line)) log.debug(`${this.key}: ${redact(line)}`);
  }

  private onListLine(r: RunState, line: string): void {
    const e = parseSegmentListLine(line);
    if (!e) return;
    const p = parseIncomingName(e.file.split(/[\\/]/).pop() ?? '');
    if (!p || p.ingestId !== r.ingestId) return;
    r.pending.set(p.seq, { entry: e, arrivedAt: this.deps.clock.now() });
    this.kick(r);
  }

  /** Index every segment that ffmpeg has closed (its successor opened, or ffmpeg exited). */
  private kick(r: RunState): void {
    r.processing = r.processing.then(() => {
      const ready = [...r.pending.keys()].filter((s) => s < r.openedSeq || r.exited).sort((a, b) => a - b);
      for (const seq of ready) {
        const p = r.pending.get(seq)!;
        r.pending.delete(seq);
        try {
          this.closeListed(r, seq, p.entry, p.arrivedAt);
        } catch (err) {
          log.error(`${this.key}: could not close segment ${seq}`, err);
        }
      }
    });
  }

  private runFor(r: RunState, seq: number) {
    let cur = r.runs[0]!;
    for (const x of r.runs) if (x.fromSeq <= seq) cur = x;
    return cur;
  }

  private closeListed(r: RunState, seq: number, e: SegmentListEntry, arrivedAt: number): void {
    const file = `${incomingDir(this.deps.recordingsRoot, this.cameraId)}/${incomingName(r.ingestId, seq)}`;
    if (!fs.existsSync(file)) return;
    if (r.origin === null) r.origin = e.start;
    const run = this.runFor(r, seq);
    if (run.anchorMs === null) {
      // the run's anchor: estimated from live arrivals, else from this close
      run.anchorMs = (r.anchorMs ?? Math.round(arrivedAt - (e.end - r.origin) * 1000)) + this.holdMs;
      this.notBeforeLastSegment(run, r.origin, e.start);
    }
    const startMs = segmentStartMs(run.anchorMs, r.origin, e.start);
    const journal = journalPath(this.deps.recordingsRoot, this.cameraId);
    const clock = this.deps.clock;
    if (run.fromSeq === seq && !run.journaled) {
      run.journaled = true;
      appendJournal(journal, { ev: 'anchor', t: clock.now(), ingest: r.ingestId, seq, run: run.runId, startMs }, true);
    }
    const prepared = prepareFile(file);
    if (!prepared) {
      fs.rmSync(file, { force: true });
      log.warn(`${this.key}: segment ${seq} had no complete fragment; dropped`);
      return;
    }
    const seg = closeSegment(this.deps.recordingsRoot, this.deps.timeline, file, prepared, {
      cameraId: this.cameraId,
      startMs,
      runId: run.runId,
      salvaged: false,
    });
    r.segments++;
    this.deps.onSegment?.(seg);
    if (r.exited) return;
    const steps = clock.steps;
    if (steps !== r.stepsSeen) {
      // the wall clock was stepped during this segment: the run ends with it (recording.md, "Clock steps")
      const offset = clock.now() - clock.mono();
      let jump = Math.round(offset - r.clockOffset);
      r.stepsSeen = steps;
      r.clockOffset = offset;
      if (jump > 0 && this.holdMs > 0) {
        // a forward step first undoes what this camera's runs were held by
        const used = Math.min(this.holdMs, jump);
        this.holdMs -= used;
        jump -= used;
      }
      // forward: the timeline moves on by the jump (a clock_step gap); back: it was held, the next run follows on
      const nextStart = seg.endMs + (jump >= STEP_MS ? jump : 0);
      const next = this.splitRun(r, seq + 1, e.end, nextStart, journal);
      appendJournal(journal, { ev: 'step', t: clock.now(), startMs: seg.endMs, stepMs: jump });
      log.warn(
        `${this.key}: the wall clock was stepped (the recording time moved ${jump >= 0 ? '+' : ''}${(jump / 1000).toFixed(1)} s): ` +
          `ending run ${run.runId}; run ${next.runId} starts at ${new Date(nextStart).toISOString()}` +
          (jump >= STEP_MS ? ' after a clock_step gap' : ', right after it, so nothing overlaps'),
      );
      if (nextStart > seg.endMs) {
        const g = this.deps.timeline.noteDown(this.cameraId, 'clock_step', seg.endMs);
        if (g) this.deps.onGap?.(g.startMs, g.reason);
      }
      return;
    }
    // drift: the wall clock at this close vs the stream's own clock (runs.ts R1), on this ingest's held timeline
    const heldArrival = arrivedAt + this.holdMs;
    const drift = driftMs(heldArrival, run.anchorMs, r.origin, e.end);
    if (Math.abs(drift) > DRIFT_LIMIT_MS) {
      const next = this.splitRun(r, seq + 1, e.end, Math.round(heldArrival), journal);
      log.warn(
        `${this.key}: stream clock ${drift > 0 ? 'behind' : 'ahead of'} the wall clock by ${(Math.abs(drift) / 1000).toFixed(1)} s; ` +
          `ending run ${run.runId} and anchoring run ${next.runId} to the wall clock`,
      );
      if (drift > 0) {
        const g = this.deps.timeline.noteDown(this.cameraId, 'stall', seg.endMs);
        if (g) this.deps.onGap?.(g.startMs, g.reason);
      }
    }
  }

  /** Start a new run at segment `fromSeq` (stream time `streamSec`), placed at `startMs`; journal its anchor. */
  private splitRun(r: RunState, fromSeq: number, streamSec: number, startMs: number, journal: string): RunState['runs'][number] {
    r.reanchors++;
    const anchorMs = Math.round(startMs - (streamSec - r.origin!) * 1000);
    const next: RunState['runs'][number] = { fromSeq, runId: runIdOf(r.ingestId, r.reanchors), anchorMs, journaled: true };
    r.runs.push(next);
    appendJournal(
      journal,
      { ev: 'anchor', t: this.deps.clock.now(), ingest: r.ingestId, seq: fromSeq, run: next.runId, startMs: segmentStartMs(anchorMs, r.origin!, streamSec) },
      true,
    );
    return next;
  }

  /**
   * A camera's recordings never overlap: a new run that would start at or
   * before its last segment's start (the clock is behind what was recorded:
   * set back while the engine was stopped, say) starts at that segment's
   * end instead. A smaller overlap (a GOP sent at connect) is left to the
   * clamp in Timeline.addSegment (runs.ts R3).
   */
  private notBeforeLastSegment(run: RunState['runs'][number], origin: number, streamStart: number): void {
    if (this.role !== 'main' || run.anchorMs === null) return;
    const last = this.deps.timeline.lastSegment(this.cameraId);
    if (!last) return;
    const start = segmentStartMs(run.anchorMs, origin, streamStart);
    if (start > last.start_ms) return;
    const behind = last.end_ms - start;
    run.anchorMs += behind;
    this.holdMs += behind;
    log.warn(
      `${this.key}: the clock is ${(behind / 1000).toFixed(1)} s behind this camera's last recorded segment ` +
        `(${new Date(last.end_ms).toISOString()}): the new run starts there, so nothing overlaps`,
    );
    appendJournal(journalPath(this.deps.recordingsRoot, this.cameraId), { ev: 'step', t: this.deps.clock.now(), startMs: last.end_ms, stepMs: -behind });
    this.deps.onClockBehind?.(behind);
  }

  private async afterExit(
    r: RunState,
    exit: { code: number | null; signal: NodeJS.Signals | null },
  ): Promise<{ failure: Failure | null; healthyFor: number; restarted?: boolean }> {
    const healthyFor = this.healthySince ? this.deps.clock.mono() - this.healthySince : 0;
    r.lease?.release();
    // why the relay could not reach the camera, in ffmpeg's words (ffmpeg's own stderr usually has it too)
    if (r.lease?.lastError) r.stderrTail.push(`camera connection: ${r.lease.lastError}`);
    // a segment cut mid-write (killed, stalled, camera gone): salvage it now
    if (this.role === 'main') {
      const s = salvageIncoming(this.deps.recordingsRoot, this.deps.timeline, this.cameraId, r.ingestId);
      for (const seg of s.indexed) {
        r.segments++;
        this.deps.onSegment?.(seg);
      }
    }
    // ffmpeg names the relay URL: messages name the camera
    const relayUrl = r.lease?.url;
    const camUrl = r.source.probeUrl ?? r.source.where;
    const tail = r.stderrTail.map((l) => redact(relayUrl ? l.split(relayUrl).join(camUrl) : l));
    let failure: Failure | null;
    if (this.restartRequested && !this.stopping) {
      this.restartRequested = false;
      const g = this.role === 'main' ? this.deps.timeline.noteDown(this.cameraId, 'ffmpeg_restart') : null;
      if (g) this.deps.onGap?.(g.startMs, g.reason);
      this.run = null;
      log.info(`${this.key}: restarting ffmpeg for new settings`);
      return { failure: null, healthyFor, restarted: true };
    }
    if (this.stopping) {
      failure = null;
      log.info(`${this.key}: ffmpeg stopped (${r.segments} segment(s) this run)`);
    } else {
      failure = classifyExit(tail, {
        code: exit.code,
        signal: exit.signal,
        stalledFor: r.stalledFor,
        where: r.source.where,
        audioTranscoded: r.audioMode === 'aac',
      });
      if (
        r.info.info.videoCodec === null &&
        r.info.done &&
        !failure.transcodeAudio &&
        failure.state !== 'disk_full' &&
        failure.state !== 'stalled'
      ) {
        failure = {
          state: 'unsupported',
          reason: 'unsupported',
          message: "the source sends no video stream (audio only?): check the URL's stream path or the camera's video settings",
        };
      }
      log.warn(`${this.key}: ffmpeg exited (${exit.signal ?? exit.code}) after ${r.segments} segment(s): ${failure.message}`);
      if (failure.state !== 'disk_full') log.debug(`${this.key}: stderr tail:\n${tail.slice(-12).join('\n')}`);
    }
    if (this.role === 'main') {
      const reason: GapReason = failure ? failure.reason : this.stopReason;
      const g = this.deps.timeline.noteDown(this.cameraId, reason);
      if (g) this.deps.onGap?.(g.startMs, g.reason);
    }
    if (this.stopping) this.deps.hub.end(this.stopReason === 'disabled' ? 'camera disabled' : 'recording stopped');
    this.run = null;
    return { failure, healthyFor };
  }
}

/** Output 0: the recording — fragmented-MP4 segments, the list on fd 3. */
export function recordOutputArgs(dir: string, ingestId: string, segmentSeconds: number, audio: AudioMode): string[] {
  const a: string[] = ['-map', '0:v:0'];
  if (audio !== 'none') a.push('-map', '0:a:0?');
  a.push('-c:v', 'copy');
  if (audio === 'copy') a.push('-c:a', 'copy');
  else if (audio === 'aac') a.push('-c:a', 'aac', '-b:a', '48k');
  a.push(
    '-f',
    'segment',
    '-segment_time',
    String(segmentSeconds),
    '-segment_format',
    'mp4',
    '-segment_format_options',
    // frag_duration: a fragment at each key frame and at least every half second (RECORD_FRAGMENT_US);
    // flush_packets: each fragment reaches the file as soon as it is complete (not when ffmpeg's 32 KiB write buffer
    // fills). Together they bound what a kill or a stall loses to the fragment being muxed: ≤ 0.5 s, not up to two GOPs
    `movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=${RECORD_FRAGMENT_US}:flush_packets=1`,
    '-segment_list',
    'pipe:3',
    '-segment_list_type',
    'csv',
    '-reset_timestamps',
    '0',
    `${dir}/${ingestId}-%06d.mp4`,
  );
  return a;
}

/**
 * A null output whose "file name" is in the data dir: it writes nothing, but
 * puts the data dir on the command line, which is how ChildRegistry
 * recognises its own strays after a crash.
 */
export function ownerMarkArgs(recordingsRoot: string): string[] {
  return ['-map', '0:v:0?', '-c', 'copy', '-f', 'null', `${recordingsRoot}/.owner`];
}

/** Output 1: the live fMP4 on stdout (a fragment per frame, video only). */
export function liveOutputArgs(): string[] {
  return [
    '-map',
    '0:v:0',
    '-c:v',
    'copy',
    '-f',
    'mp4',
    '-movflags',
    '+frag_every_frame+empty_moov+default_base_moof',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
}

export { mp4CanCarryAudio };
