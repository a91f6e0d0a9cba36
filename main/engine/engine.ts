import fs from 'node:fs';
import {
  ApiError,
  isMethod,
  parseParams,
  requests,
  roleRank,
  type Me,
  type Method,
  type ResultOf,
  type Role,
} from '../api/contract.js';
import { EventBus } from './bus.js';
import { ConfigStore } from './config/store.js';
import { settingsOf } from './config/schema.js';
import { KeyFileSecretBox, type SecretBox } from './config/secrets.js';
import { openIndex, type Db } from './store/db.js';
import { Users } from './auth/users.js';
import { Sessions } from './auth/sessions.js';
import { RateLimiter } from './auth/ratelimit.js';
import { CameraRegistry } from './cameras/registry.js';
import * as catalog from './cameras/catalog.js';
import { ChildRegistry } from './process/children.js';
import { resolveFfmpeg, type FfmpegPaths } from './media/ffmpeg.js';
import { DataPaths, packageVersion } from './paths.js';
import { logger } from './log.js';
import type { EngineModule } from './module.js';
import type { Recorder } from './recording/types.js';
import { createRecorder } from './recording/index.js';
import { layoutsHandlers } from './layouts/handlers.js';
import { AlarmsModule } from './alarms/index.js';
import { alarmsHandlers } from './alarms/handlers.js';
import { createOnvif, type OnvifService } from './onvif/service.js';
import { DetectionService, detectionHandlers } from './detection/service.js';
import type { CallInfo } from './audit/hook.js';

const log = logger('engine');

export interface EngineOptions {
  dataDir: string;
  adminPassword?: string;
  demo?: boolean;
  /** True when started by `gatehouse serve` rather than the desktop shell. */
  headless?: boolean;
  secrets?: SecretBox;
  ffmpegPath?: string;
  /** MQTT broker for sensors and alarm notices (serve --mqtt URL). */
  mqttUrl?: string | null;
}

/** Who is calling: resolved by the transport from its cookie, bearer token or IPC session. */
export interface CallContext {
  token?: string | null;
  /** Client address or "ipc", for rate limits and the log. */
  peer: string;
}

export type Handler<M extends Method> = (params: ReturnType<typeof parseParams<M>>, ctx: CallContext, me: Me | null) => Promise<ResultOf<M>> | ResultOf<M>;
/** Request handlers; each concern contributes its own with `Engine.addHandlers()`. */
export type Handlers = { [M in Method]: Handler<M> };

/**
 * The engine: every module with an explicit start and stop, and the one
 * `handle()` that all transports call. Never imports electron.
 */
export class Engine {
  readonly paths: DataPaths;
  readonly bus = new EventBus();
  readonly version = packageVersion();
  readonly startedAt = new Date().toISOString();
  config!: ConfigStore;
  secrets!: SecretBox;
  db!: Db;
  users!: Users;
  sessions!: Sessions;
  cameras!: CameraRegistry;
  children!: ChildRegistry;
  ffmpeg: FfmpegPaths | null = null;
  recorder!: Recorder;
  private modules: EngineModule[] = [];
  alarms?: AlarmsModule;
  onvif?: OnvifService;
  detection?: DetectionService;
  private callHooks = new Set<(c: CallInfo) => void>();
  private started = false;
  private stopping: Promise<void> | null = null;
  private loginLimiter = new RateLimiter(10, 60_000);
  private logoutLimiter = new RateLimiter(30, 60_000);
  /** Set when the first admin password was generated: print it once. */
  generatedAdminPassword: string | null = null;

  constructor(readonly opts: EngineOptions) {
    this.paths = new DataPaths(opts.dataDir);
    this.addHandlers(this.coreHandlers());
    this.addHandlers(layoutsHandlers({ config: () => this.config, bus: this.bus }));
    this.addHandlers(alarmsHandlers({ alarms: () => this.alarms, config: () => this.config }));
    this.addHandlers(detectionHandlers(() => this.detection));
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.paths.ensure();
    this.takeLock();
    this.config = new ConfigStore(this.paths.config);
    await this.config.load();
    this.secrets = this.opts.secrets ?? new KeyFileSecretBox(this.paths.secretKey);
    this.db = openIndex(this.paths.index);
    this.users = new Users(this.config);
    this.sessions = new Sessions(this.db);
    this.sessions.purgeExpired();
    this.cameras = new CameraRegistry(this.config, this.bus);
    this.children = new ChildRegistry(this.paths.children, this.paths.root);
    this.children.reapStrays();

    const admin = await this.users.ensureAdmin(this.opts.adminPassword ?? process.env.GATEHOUSE_ADMIN_PASSWORD ?? undefined);
    this.generatedAdminPassword = admin.generated;

    if (this.opts.demo && !this.config.data.cameras.some((c) => c.demo)) {
      const n = await catalog.addDemoCameras(this.config, this.secrets);
      log.info(`added ${n} demo cameras`);
    }

    try {
      this.ffmpeg = resolveFfmpeg(this.opts.ffmpegPath);
      log.info(`ffmpeg ${this.ffmpeg.version ?? '?'} at ${this.ffmpeg.ffmpeg} (${this.ffmpeg.source})`);
    } catch (err) {
      log.error((err as Error).message);
    }

    this.recorder = createRecorder({
      paths: this.paths,
      db: this.db,
      bus: this.bus,
      cameras: this.cameras,
      secrets: this.secrets,
      ffmpeg: this.ffmpeg,
      children: this.children,
      settings: () => settingsOf(this.config.data),
    });
    this.modules = [this.recorder];
    this.alarms = new AlarmsModule({ paths: this.paths, bus: this.bus, config: this.config, cameras: this.cameras, mqttUrl: this.opts.mqttUrl, onCall: (fn) => this.onCall(fn) });
    this.modules.unshift(this.alarms);
    this.onvif = createOnvif({ config: this.config, cameras: this.cameras, secrets: this.secrets, db: this.db, bus: this.bus, ffmpeg: () => this.ffmpeg, children: this.children });
    this.modules.push(this.onvif);
    this.addHandlers(this.onvif.handlers());
    this.detection = new DetectionService({ paths: this.paths, db: this.db, bus: this.bus, cameras: this.cameras, recorder: this.recorder, children: this.children, ffmpeg: () => this.ffmpeg, settings: () => settingsOf(this.config.data) });
    this.modules.push(this.detection);

    let lastCams = JSON.stringify(this.config.data.cameras);
    let lastSettings = JSON.stringify(this.config.data.settings);
    let lastUsers = JSON.stringify(this.config.data.users.map((u) => [u.username, u.role, u.disabled]));
    this.config.onChange((cfg) => {
      const cams = JSON.stringify(cfg.cameras);
      if (cams !== lastCams) {
        lastCams = cams;
        this.bus.emit('cameras.changed', { reason: 'config' });
      }
      const st = JSON.stringify(cfg.settings);
      if (st !== lastSettings) {
        lastSettings = st;
        this.bus.emit('settings.changed', settingsOf(cfg));
      }
      const us = JSON.stringify(cfg.users.map((u) => [u.username, u.role, u.disabled]));
      if (us !== lastUsers) {
        lastUsers = us;
        this.bus.emit('users.changed', {});
      }
    });
    this.config.watch();

    for (const m of this.modules) {
      await m.start();
      log.debug(`module ${m.name} started`);
    }
    this.started = true;
  }

  async stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      for (const m of [...this.modules].reverse()) {
        try {
          await m.stop();
        } catch (err) {
          log.error(`module ${m.name} failed to stop`, err);
        }
      }
      if (this.children) await this.children.stopAll(3000);
      this.config?.unwatch();
      try {
        this.db?.close();
      } catch {
        /* already closed */
      }
      this.releaseLock();
      this.started = false;
    })();
    return this.stopping;
  }

  /** One engine per data dir: a second one would fight over the same files. */
  private takeLock(): void {
    const file = this.paths.lock;
    try {
      const prev = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number };
      if (prev.pid !== process.pid) {
        try {
          process.kill(prev.pid, 0);
          const cmd = fs.existsSync(`/proc/${prev.pid}/cmdline`) ? fs.readFileSync(`/proc/${prev.pid}/cmdline`, 'utf8') : 'node';
          if (/node|gatehouse|electron/i.test(cmd)) {
            throw new Error(`another Gatehouse engine (pid ${prev.pid}) is already running on ${this.paths.root}; stop it first, or use another --data dir`);
          }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH' && (err as Error).message.startsWith('another')) throw err;
        }
      }
    } catch (err) {
      if ((err as Error).message?.startsWith('another')) throw err;
    }
    fs.writeFileSync(file, JSON.stringify({ pid: process.pid, startedAt: this.startedAt }));
  }

  /** Transports record where they listen, so the CLI can find a running server. */
  setListening(url: string): void {
    try {
      const cur = JSON.parse(fs.readFileSync(this.paths.lock, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(this.paths.lock, JSON.stringify({ ...cur, url }));
    } catch {
      /* lock gone: stopping */
    }
  }

  private releaseLock(): void {
    try {
      const cur = JSON.parse(fs.readFileSync(this.paths.lock, 'utf8')) as { pid: number };
      if (cur.pid === process.pid) fs.rmSync(this.paths.lock, { force: true });
    } catch {
      /* nothing to release */
    }
  }

  /** Resolve a session token to a user, or null. */
  whoami(token: string | null | undefined): Me | null {
    if (!token || !this.sessions) return null;
    const name = this.sessions.lookup(token);
    if (!name) return null;
    const u = this.users.find(name);
    if (!u || u.disabled) return null;
    return { username: u.username, role: u.role };
  }

  /** The single entry point for every request from every transport. */
  async handle(method: string, params: unknown, ctx: CallContext): Promise<unknown> {
    if (!isMethod(method)) throw new ApiError('not_found', `unknown method "${method}"`);
    const spec = requests[method];
    const me = this.whoami(ctx.token);
    const need = spec.role as Role | null;
    if (need) {
      if (!me) throw new ApiError('unauthorized', 'not logged in, or the session has expired: log in again');
      if (roleRank[me.role] < roleRank[need]) throw new ApiError('forbidden', `${method} needs the ${need} role; you are ${me.role}`);
    }
    const p = parseParams(method, params);
    const h = this.handlers[method] as Handler<typeof method> | undefined;
    if (!h) throw new ApiError('unavailable', `${method} is not available: the engine is still starting, or this part is not enabled`);
    try {
      const result = await h(p as never, ctx, me);
      this.called({ method, params: p, me, peer: ctx.peer, result });
      return result;
    } catch (error) {
      this.called({ method, params: p, me, peer: ctx.peer, error });
      throw error;
    }
  }

  /** Hear of every finished call (after success or failure): the audit trail records the mutations. */
  onCall(fn: (c: CallInfo) => void): () => void {
    this.callHooks.add(fn);
    return () => this.callHooks.delete(fn);
  }

  private called(c: CallInfo): void {
    for (const fn of this.callHooks) {
      try {
        fn(c);
      } catch (err) {
        log.error(`call hook failed for ${c.method}`, err);
      }
    }
  }

  private publicCam(id: string) {
    const info = this.cameras.info(id);
    if (!info) throw new ApiError('not_found', `no camera with id "${id}"`);
    return info;
  }

  private handlers: Partial<Handlers> = {};

  /** Register request handlers (each concern keeps its own in its folder). */
  addHandlers(h: Partial<Handlers>): void {
    Object.assign(this.handlers, h);
  }

  private coreHandlers(): Partial<Handlers> {
    return {
    'auth.login': async (p, ctx) => {
      const wait = Math.max(this.loginLimiter.take(`ip:${ctx.peer}`), this.loginLimiter.take(`user:${p.username.toLowerCase()}`));
      if (wait > 0) throw new ApiError('rate_limited', `too many login attempts; try again in ${wait} s`);
      const u = this.users.authenticate(p.username, p.password);
      if (!u) {
        log.warn(`failed login for "${p.username}" from ${ctx.peer}`);
        throw new ApiError('unauthorized', 'wrong username or password');
      }
      this.loginLimiter.reset(`user:${p.username.toLowerCase()}`);
      const token = this.sessions.create(u.username);
      await this.users.touchLogin(u.username);
      log.info(`${u.username} logged in from ${ctx.peer}`);
      return { user: { username: u.username, role: u.role }, token };
    },
    'auth.logout': (_p, ctx) => {
      const wait = this.logoutLimiter.take(`ip:${ctx.peer}`);
      if (wait > 0) throw new ApiError('rate_limited', `too many requests; try again in ${wait} s`);
      if (ctx.token) this.sessions.revoke(ctx.token);
      return { ok: true as const };
    },
    'auth.me': (_p, _ctx, me) => me!,
    'auth.changePassword': async (p, _ctx, me) => {
      if (!this.users.authenticate(me!.username, p.current)) throw new ApiError('forbidden', 'the current password is wrong', 'current');
      await this.users.setPassword(me!.username, p.next);
      return { ok: true as const };
    },
    'system.health': () => ({ status: 'ok' as const, version: this.version, cameras: this.cameras.counts() }),
    'system.info': () => ({
      version: this.version,
      dataDir: this.paths.root,
      ffmpeg: this.ffmpeg?.ffmpeg ?? null,
      ffmpegVersion: this.ffmpeg?.version ?? null,
      headless: !!this.opts.headless,
      startedAt: this.startedAt,
    }),
    'cameras.list': () => this.cameras.list(),
    'cameras.add': async (p) => {
      const cam = await catalog.addCamera(this.config, this.secrets, p);
      log.info(`camera "${cam.name}" added`);
      return this.publicCam(cam.id);
    },
    'cameras.update': async (p) => {
      const cam = await catalog.updateCamera(this.config, this.secrets, p.id, p.patch);
      return this.publicCam(cam.id);
    },
    'cameras.remove': async (p) => {
      const cam = this.cameras.get(p.id);
      if (!cam) throw new ApiError('not_found', `no camera with id "${p.id}"`);
      await catalog.removeCamera(this.config, cam.id);
      this.cameras.forget(cam.id);
      log.info(`camera "${cam.name}" removed; its recordings stay on disk until retention deletes them`);
      return { ok: true as const };
    },
    'cameras.removeDemo': async () => ({ removed: await catalog.removeDemoCameras(this.config) }),
    'cameras.addDemo': async () => ({ added: await catalog.addDemoCameras(this.config, this.secrets) }),
    'users.list': () => this.users.list(),
    'users.add': async (p) => this.users.add(p.username, p.password, p.role),
    'users.update': async (p) => {
      const u = await this.users.update(p.username, { role: p.role, disabled: p.disabled });
      if (p.disabled) this.sessions.revokeUser(u.username);
      return u;
    },
    'users.resetPassword': async (p) => {
      await this.users.setPassword(p.username, p.password);
      this.sessions.revokeUser(p.username);
      return { ok: true as const };
    },
    'settings.get': () => settingsOf(this.config.data),
    'settings.update': async (p) => {
      await this.config.update((c) => {
        c.settings = { ...c.settings, ...p.patch };
      });
      return settingsOf(this.config.data);
    },
    'recordings.list': (p) => {
      this.publicCam(p.cameraId);
      return this.recorder.list(p.cameraId, Date.parse(p.from), Date.parse(p.to));
    },
    'recordings.coverage': (p) => {
      this.publicCam(p.cameraId);
      const tz = p.timeZone ?? settingsOf(this.config.data).timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
      return { days: this.recorder.coverage(p.cameraId, Date.parse(p.from), Date.parse(p.to), tz) };
    },
    'storage.status': () => this.recorder.storage(),
    };
  }
}
