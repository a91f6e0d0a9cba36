/**
 * The ONVIF module: for every enabled ONVIF camera, a pull-point event
 * subscription and a clock check. Runtimes follow the camera configuration:
 * added, changed or removed cameras start, restart or stop theirs. Its
 * request handlers (discovery, onboarding, device info, relays, PTZ, the
 * event log, the stream test) are in handlers.ts and use the helpers below.
 */
import { ApiError, type Me } from '../../api/contract.js';
import type { DiscoveredDeviceInfo } from '../../api/onvif.js';
import type { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import type { StoredCamera } from '../config/schema.js';
import type { SecretBox } from '../config/secrets.js';
import type { ConfigStore } from '../config/store.js';
import { settingsOf } from '../config/schema.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { EngineModule } from '../module.js';
import type { ChildRegistry } from '../process/children.js';
import type { Db } from '../store/db.js';
import { logger } from '../log.js';
import { OnvifDevice, type NotificationItem } from './client.js';
import { discover, WSD_PORT } from './discovery.js';
import { EventLog } from './event-log.js';
import { ClockWatch, type ClockResult } from './health.js';
import type { OnvifMeta } from './meta.js';
import { findOnvifCamera } from './onboard.js';
import { PtzWatchdog } from './ptz.js';
import { PullPointSubscriber, type SubscriptionState } from './pullpoint.js';
import { mapNotification } from './topics.js';

const log = logger('onvif');

export interface OnvifDeps {
  config: ConfigStore;
  cameras: CameraRegistry;
  secrets: SecretBox;
  db: Db;
  bus: EventBus;
  ffmpeg: () => FfmpegPaths | null;
  children: ChildRegistry;
}

export interface OnvifOptions {
  /** WS-Discovery UDP port (3702). */
  discoveryPort: number;
  /** Interfaces (IPv4 addresses) to probe from; empty = all non-internal ones. */
  interfaces: string[];
  /** Hosts to probe by unicast as well (networks without multicast). */
  unicast: string[];
  clockCheckMs: number;
  pullWaitMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
const numEnv = (s: string | undefined, d: number) => (s && Number.isFinite(Number(s)) && Number(s) > 0 ? Number(s) : d);

/** Options from the environment (GATEHOUSE_ONVIF_*), for deployments and tests. */
export function optionsFromEnv(env = process.env): OnvifOptions {
  return {
    discoveryPort: numEnv(env.GATEHOUSE_ONVIF_DISCOVERY_PORT, WSD_PORT),
    interfaces: list(env.GATEHOUSE_ONVIF_INTERFACES),
    unicast: list(env.GATEHOUSE_ONVIF_UNICAST),
    clockCheckMs: numEnv(env.GATEHOUSE_ONVIF_CLOCK_CHECK_S, 300) * 1000,
    pullWaitMs: numEnv(env.GATEHOUSE_ONVIF_PULL_WAIT_S, 10) * 1000,
    maxBackoffMs: numEnv(env.GATEHOUSE_ONVIF_RETRY_MAX_S, 30) * 1000,
    timeoutMs: numEnv(env.GATEHOUSE_ONVIF_TIMEOUT_S, 8) * 1000,
  };
}

/** The monitoring state of one enabled ONVIF camera. */
export interface Runtime {
  key: string;
  cameraId: string;
  meta: OnvifMeta;
  device: OnvifDevice;
  sub: PullPointSubscriber | null;
  events: { state: SubscriptionState; message: string; since: string; lastEventAt: string | null };
  clock: ClockResult | null;
  skewReportedAt: number | null;
  /** Last known state per kind+source, to drop repeats and the initial "false" snapshot. */
  last: Map<string, boolean>;
}

export class OnvifService implements EngineModule {
  readonly name = 'onvif';
  readonly events: EventLog;
  private runtimes = new Map<string, Runtime>();
  /** PTZ moves with a dead-man stop (the handlers drive it). */
  readonly ptz: PtzWatchdog;
  private clocks: ClockWatch;
  private offs: (() => void)[] = [];
  private started = false;
  private purgeTimer: NodeJS.Timeout | null = null;
  private firstPurge: NodeJS.Timeout | null = null;
  /** Endpoint references seen by the last probes, by device address host. */
  private seen = new Map<string, string>();

  constructor(
    private readonly d: OnvifDeps,
    readonly opts: OnvifOptions = optionsFromEnv(),
  ) {
    this.events = new EventLog(d.db);
    this.ptz = new PtzWatchdog(
      (id) => this.ptzTarget(id),
      (id, reason) => this.d.bus.emit('ptz.action', { cameraId: id, user: 'system', action: 'watchdogStop', detail: reason }),
    );
    this.clocks = new ClockWatch(
      opts.clockCheckMs,
      (id, r) => this.onClock(id, r),
      () => {},
    );
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.offs.push(this.d.bus.on('cameras.changed', () => this.reconcile()));
    this.offs.push(this.d.bus.on('camera.status', (e) => this.keepClockNote(e.cameraId)));
    this.reconcile();
    this.purgeTimer = setInterval(() => this.purgeEvents(), 6 * 3600_000);
    this.purgeTimer.unref?.();
    this.firstPurge = setTimeout(() => this.purgeEvents(), 60_000);
    this.firstPurge.unref?.();
  }

  /** Keep events as long as the longest footage retention (at least 30 days; forever when footage is kept forever). */
  purgeEvents(now = Date.now()): number {
    if (!this.started) return 0;
    const dflt = settingsOf(this.d.config.data).defaultRetentionDays;
    const effective = [dflt, ...this.d.cameras.stored().map((c) => c.retentionDays ?? dflt)];
    if (effective.some((d) => d === null)) return 0;
    const keepDays = Math.max(30, ...(effective as number[]));
    try {
      const n = this.events.purgeBefore(now - keepDays * 86400_000);
      if (n) log.info(`deleted ${n} camera event(s) older than ${keepDays} days`);
      return n;
    } catch (err) {
      log.warn(`could not purge old camera events: ${(err as Error).message}`);
      return 0;
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    if (this.firstPurge) clearTimeout(this.firstPurge);
    this.purgeTimer = this.firstPurge = null;
    for (const off of this.offs.splice(0)) off();
    this.clocks.stopAll();
    await this.ptz.stopAll().catch(() => undefined);
    await Promise.allSettled([...this.runtimes.values()].map((r) => r.sub?.stop()));
    this.runtimes.clear();
  }

  // ---------------- runtimes ----------------

  private keyOf(c: StoredCamera): string {
    return JSON.stringify([c.enabled, c.username, c.password, c.onvif?.xaddr, c.onvif?.services, c.onvif?.capabilities]);
  }

  /** Start, restart or stop per-camera runtimes to match the configuration. */
  reconcile(): void {
    if (!this.started) return;
    const want = new Map(this.d.cameras.stored().filter((c) => c.onvif && c.enabled).map((c) => [c.id, c]));
    for (const [id, rt] of this.runtimes) {
      const c = want.get(id);
      if (!c || this.keyOf(c) !== rt.key) this.drop(id);
    }
    for (const [id, c] of want) {
      if (this.runtimes.has(id)) continue;
      try {
        this.runtimes.set(id, this.spawn(c));
      } catch (err) {
        log.error(`${id}: cannot start ONVIF monitoring: ${(err as Error).message}`);
      }
    }
  }

  private drop(id: string): void {
    const rt = this.runtimes.get(id);
    if (!rt) return;
    this.runtimes.delete(id);
    this.clocks.unwatch(id);
    this.ptz.forget(id);
    void rt.sub?.stop();
  }

  private deviceFor(c: StoredCamera): OnvifDevice {
    const meta = c.onvif!;
    let password = '';
    try {
      password = c.password ? this.d.secrets.open(c.password) : '';
    } catch (err) {
      throw new ApiError('conflict', `the stored password of camera "${c.name}" cannot be decrypted (${(err as Error).message}); enter it again in the camera settings`, 'password');
    }
    const creds = c.username ? { username: c.username, password } : null;
    return new OnvifDevice({ xaddr: meta.xaddr, creds, services: meta.services, timeoutMs: this.opts.timeoutMs });
  }

  private spawn(c: StoredCamera): Runtime {
    const meta = c.onvif!;
    const device = this.deviceFor(c);
    const rt: Runtime = {
      key: this.keyOf(c),
      cameraId: c.id,
      meta,
      device,
      sub: null,
      events: { state: 'off', message: meta.capabilities.events ? 'starting' : 'the camera reports no event service', since: new Date().toISOString(), lastEventAt: null },
      clock: null,
      skewReportedAt: null,
      last: new Map(),
    };
    if (meta.capabilities.events && meta.capabilities.pullPoint !== false) {
      rt.sub = new PullPointSubscriber({
        cameraId: c.id,
        device,
        pullWaitMs: this.opts.pullWaitMs,
        maxBackoffMs: this.opts.maxBackoffMs,
        minBackoffMs: Math.min(1000, this.opts.maxBackoffMs),
        onMessages: (items) => this.onMessages(rt, items),
        onState: (state, message) => {
          if (rt.events.state !== state) rt.events.since = new Date().toISOString();
          rt.events.state = state;
          rt.events.message = message;
        },
      });
      rt.sub.start();
    }
    this.clocks.watch(c.id, device);
    return rt;
  }

  private onMessages(rt: Runtime, items: NotificationItem[]): void {
    if (this.runtimes.get(rt.cameraId) !== rt) return;
    for (const it of items) {
      const m = mapNotification(it);
      if (!m) {
        log.debug(`${rt.cameraId}: unmapped event topic ${it.topic}`);
        continue;
      }
      const k = `${m.kind}|${m.source ?? ''}`;
      const prev = rt.last.get(k);
      rt.last.set(k, m.state);
      // "Initialized" messages report the state at subscription time: only a real change is an event.
      if (m.initial && (prev ?? false) === m.state) continue;
      if (!m.initial && prev === m.state && m.kind !== 'motion') continue;
      const camMs = it.utcTime ? Date.parse(it.utcTime) : NaN;
      // Camera time, brought onto our clock; our own time if the camera's is unusable.
      let timeMs = Date.now();
      if (Number.isFinite(camMs)) {
        const corrected = camMs - rt.device.clockOffsetMs;
        if (Math.abs(corrected - Date.now()) < 3600_000) timeMs = corrected;
      }
      const data = { state: m.state, source: m.source, topic: m.topic, cameraTime: it.utcTime, initial: m.initial || undefined };
      let id: number | undefined;
      try {
        id = this.events.insert({ cameraId: rt.cameraId, timeMs, kind: m.kind, source: 'onvif', data });
      } catch (err) {
        log.error(`${rt.cameraId}: could not store a ${m.kind} event`, err);
      }
      rt.events.lastEventAt = new Date().toISOString();
      this.d.bus.emit('onvif.event', {
        cameraId: rt.cameraId,
        kind: m.kind,
        state: m.state,
        ...(m.source ? { source: m.source } : {}),
        time: new Date(timeMs).toISOString(),
        topic: m.topic,
        ...(id !== undefined ? { id } : {}),
      });
    }
  }

  private onClock(id: string, r: ClockResult): void {
    const rt = this.runtimes.get(id);
    if (!rt) return;
    const prev = rt.clock;
    rt.clock = r;
    // Report a bad clock when it turns bad, again every 10 minutes while it stays bad, and once when it is fixed.
    const turnedBad = !r.ok && (!prev || prev.ok);
    const stillBad = !r.ok && rt.skewReportedAt !== null && r.checkedAt - rt.skewReportedAt >= 600_000;
    const fixed = r.ok && prev !== null && !prev.ok;
    if (turnedBad || stillBad || fixed) {
      if (r.ok) log.info(`${id}: ${r.message}`);
      else log.warn(`${id}: ${r.message}`);
      rt.skewReportedAt = r.ok ? null : r.checkedAt;
      this.d.bus.emit('camera.clockSkew', { cameraId: id, skewMs: r.skewMs, ok: r.ok, message: r.message });
    }
    this.keepClockNote(id);
  }

  /** Keep a clock warning on the camera's status message while the skew lasts (the recorder rewrites the message). */
  private keepClockNote(id: string): void {
    const rt = this.runtimes.get(id);
    const cam = this.d.cameras.get(id);
    if (!rt || !cam) return;
    const status = this.d.cameras.statusOf(cam);
    const base = status.message.replace(/ · camera clock .*$/, '');
    const want = rt.clock && !rt.clock.ok ? `${base} · ${rt.clock.message}` : base;
    if (want !== status.message) this.d.cameras.setStatus(id, { message: want });
  }

  // ---------------- helpers (also used by the request handlers, handlers.ts) ----------------

  /** The monitoring runtime of a camera (events subscription, clock), if it has one. */
  runtime(id: string): Readonly<Runtime> | undefined {
    return this.runtimes.get(id);
  }

  /** Check a camera's clock now (and keep the result for its runtime). */
  checkClock(id: string, dev: OnvifDevice): Promise<ClockResult | null> {
    return this.clocks.check(id, dev);
  }

  private camera(id: string): StoredCamera {
    const c = this.d.cameras.get(id);
    if (!c) throw new ApiError('not_found', `no camera with id "${id}"`, 'cameraId');
    return c;
  }

  onvifCamera(id: string): { cam: StoredCamera; meta: OnvifMeta } {
    const cam = this.camera(id);
    if (!cam.onvif) throw new ApiError('conflict', `camera "${cam.name}" was not added through ONVIF; remove it and add it again with ONVIF to use this`, 'cameraId');
    return { cam, meta: cam.onvif };
  }

  device(id: string): OnvifDevice {
    const { cam } = this.onvifCamera(id);
    const rt = this.runtimes.get(id);
    if (rt) return rt.device;
    return this.deviceFor(cam);
  }

  ptzTarget(id: string): { device: OnvifDevice; profile: string } {
    const { cam, meta } = this.onvifCamera(id);
    if (!meta.capabilities.ptz || !meta.ptzProfile) throw new ApiError('conflict', `camera "${cam.name}" has no PTZ (its ONVIF capabilities list none)`, 'cameraId');
    return { device: this.device(id), profile: meta.ptzProfile };
  }

  ptzAction(cameraId: string, me: Me | null, action: 'move' | 'stop' | 'gotoPreset' | 'setPreset' | 'home', detail?: string): void {
    const user = me?.username ?? 'unknown';
    log.info(`PTZ ${action} on ${cameraId} by ${user}${detail ? ` (${detail})` : ''}`);
    this.d.bus.emit('ptz.action', { cameraId, user, action, ...(detail ? { detail } : {}) });
  }

  annotate(devs: Awaited<ReturnType<typeof discover>>): DiscoveredDeviceInfo[] {
    const cams = this.d.cameras.stored();
    return devs.map((d) => {
      try {
        this.seen.set(new URL(d.xaddr).host.toLowerCase(), d.endpoint);
      } catch {
        /* unparsable address: no cache */
      }
      const cam = findOnvifCamera(cams, d.xaddr, d.endpoint);
      return {
        endpoint: d.endpoint,
        xaddr: d.xaddr,
        xaddrs: d.xaddrs,
        address: d.address,
        name: d.name,
        hardware: d.hardware,
        location: d.location,
        manufacturer: d.manufacturer,
        model: d.model,
        firmware: d.firmware,
        serial: d.serial,
        infoFrom: d.infoFrom,
        scopes: d.scopes,
        types: d.types,
        cameraId: cam?.id ?? null,
      };
    });
  }

  endpointFor(xaddr: string): string | null {
    try {
      let s = xaddr.trim();
      if (!/^https?:\/\//i.test(s)) s = 'http://' + s;
      return this.seen.get(new URL(s).host.toLowerCase()) ?? null;
    } catch {
      return null;
    }
  }
}

export function createOnvif(deps: OnvifDeps, opts?: Partial<OnvifOptions>): OnvifService {
  return new OnvifService(deps, { ...optionsFromEnv(), ...opts });
}
