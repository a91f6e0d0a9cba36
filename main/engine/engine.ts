/**
 * The engine: the wiring of its concerns, and nothing else.
 *
 * start() opens the shared services (config, secrets, the SQLite index and
 * its durable connection, users, sessions, the camera registry, the child
 * registry, ffmpeg), then asks each concern's factory (`<concern>/handlers.ts`)
 * for its handlers and module, registers them in one order, and starts the
 * modules in that order. stop() stops the modules in reverse, then the child
 * processes, and only then closes what they used. `handle()` (dispatch.ts) is
 * the one entry point of every transport. Never imports electron.
 *
 * To add a concern, see docs/architecture.md, "Adding an engine concern".
 */
import os from 'node:os';
import type { Me } from '../api/contract.js';
import { alarmsConcern } from './alarms/handlers.js';
import type { AlarmsModule } from './alarms/index.js';
import { armingConcern } from './arming/handlers.js';
import type { ArmingService } from './arming/service.js';
import { osActor } from './audit/actor.js';
import { auditConcern, type AuditModule } from './audit/handlers.js';
import { bookmarksConcern } from './bookmarks/handlers.js';
import { authConcern } from './auth/handlers.js';
import { Sessions } from './auth/sessions.js';
import { TwoFactor } from './auth/two-factor.js';
import { Users } from './auth/users.js';
import { EventBus } from './bus.js';
import * as catalog from './cameras/catalog.js';
import { camerasConcern } from './cameras/handlers.js';
import { CameraRegistry } from './cameras/registry.js';
import type { CallContext, CallInfo, Concern } from './concern.js';
import { settingsConcern } from './config/handlers.js';
import { alarmSetupOf, securityOf, settingsOf } from './config/schema.js';
import { KeyFileSecretBox, type SecretBox } from './config/secrets.js';
import { ConfigStore } from './config/store.js';
import { detectionConcern } from './detection/handlers.js';
import type { DetectionService } from './detection/service.js';
import { Dispatcher } from './dispatch.js';
import { casesConcern } from './cases/handlers.js';
import { evidenceConcern } from './evidence/handlers.js';
import { exportConcern } from './export/handlers.js';
import { facesConcern, type FacesModule } from './faces/handlers.js';
import type { ExportQueue } from './export/queue.js';
import { masksConcern } from './masks/handlers.js';
import { zonesConcern } from './zones/handlers.js';
import { integrationsConcern } from './integrations/handlers.js';
import type { IntegrationsModule } from './integrations/index.js';
import { SiteKeyStore } from './keys/site-key.js';
import { layoutsConcern } from './layouts/handlers.js';
import { notifyConcern } from './notify/handlers.js';
import type { NotifyModule } from './notify/index.js';
import { logger } from './log.js';
import { resolveFfmpeg, type FfmpegPaths } from './media/ffmpeg.js';
import type { EngineModule } from './module.js';
import { onvifConcern } from './onvif/handlers.js';
import type { OnvifService } from './onvif/service.js';
import { DataPaths, packageVersion, secureDataDir } from './paths.js';
import { ChildRegistry } from './process/children.js';
import { recordingConcern } from './recording/handlers.js';
import type { Recorder } from './recording/types.js';
import { RunLock } from './run-lock.js';
import { openIndex, type Db } from './store/db.js';
import { Exposure } from './system/exposure.js';
import { systemConcern } from './system/handlers.js';
import { remoteAccessConcern } from './system/remote-access.js';
import { timelineConcern } from './timeline/handlers.js';
import { rulesConcern } from './rules/handlers.js';
import type { RulesModule } from './rules/index.js';
import { actionPorts } from './rules/ports.js';
import { zoneOrSystem } from './util/time-zone.js';

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

export class Engine {
  readonly paths: DataPaths;
  readonly bus = new EventBus();
  /** Where the transports listen (they add themselves): remote access and the admins' two-factor rule read it. */
  readonly exposure = new Exposure();
  readonly version = packageVersion();
  readonly startedAt = new Date().toISOString();
  config!: ConfigStore;
  secrets!: SecretBox;
  /** The index connection (recorder, sessions, events; synchronous=NORMAL). */
  db!: Db;
  /** The durable connection (synchronous=FULL): alarms, audit trail, sensor messages. */
  durableDb!: Db;
  users!: Users;
  /** The login sessions; the transports hear here when one ends (`onEnded`). */
  sessions!: Sessions;
  cameras!: CameraRegistry;
  children!: ChildRegistry;
  ffmpeg: FfmpegPaths | null = null;
  recorder!: Recorder;
  /** The audit trail and its signed checkpoints. */
  audit?: AuditModule;
  alarms?: AlarmsModule;
  /** Arming modes (the HTTP server serves its webhook). */
  arming?: ArmingService;
  rules?: RulesModule;
  integrations?: IntegrationsModule;
  /** Push, e-mail, on-call contacts and the escalation ladder. */
  notify?: NotifyModule;
  onvif?: OnvifService;
  detection?: DetectionService;
  /** Face recognition: people, enrolments, the face worker, person-track faces (docs/faces.md). */
  faces?: FacesModule;
  /** The export job queue (the HTTP server serves its bundles for download). */
  exports?: ExportQueue;
  /** Set when the first admin password was generated: print it once. */
  generatedAdminPassword: string | null = null;
  /** What ensureAdmin did at this start (audited once the trail is open). */
  private adminAtStart: { created: boolean; reset: boolean } = { created: false, reset: false };
  private readonly lock: RunLock;
  private readonly calls = new Dispatcher((token) => this.whoami(token));
  private modules: EngineModule[] = [];
  private started = false;
  private stopping: Promise<void> | null = null;

  constructor(readonly opts: EngineOptions) {
    this.paths = new DataPaths(opts.dataDir);
    this.lock = new RunLock(this.paths.lock, this.paths.root);
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.openServices();
    const { paths, bus, config, secrets, db, durableDb, cameras, children, users, sessions } = this;
    const settings = () => settingsOf(config.data);
    const ffmpeg = () => this.ffmpeg;

    // Every concern, in start order (stopped in reverse). The config watch first; the audit
    // and the alarms before the recorder, so they hear its first events.
    this.use(settingsConcern({ config, bus }));
    this.use(systemConcern({ version: this.version, dataDir: paths.root, startedAt: this.startedAt, headless: !!this.opts.headless, cameras, ffmpeg, children: () => children.count() }));
    // Admins must use two-factor sign-in once the server is reachable from the network (docs/security.md).
    const adminTotpRequired = () => this.exposure.beyondLoopback() || securityOf(config.data).adminTotp === 'always';
    const twoFactor = new TwoFactor({ config, secrets, adminRequired: adminTotpRequired, issuer: `Gatehouse ${os.hostname()}`.slice(0, 64) });
    this.use(authConcern({ users, sessions, twoFactor }));
    this.use(remoteAccessConcern({ config, exposure: this.exposure, adminTotpRequired }));
    this.use(camerasConcern({ config, secrets, cameras }));
    this.use(layoutsConcern({ config, bus }));
    const siteKeys = new SiteKeyStore(paths.root, secrets);
    const siteKey = {
      signer: () => siteKeys.signer(),
      publicKeys: () => siteKeys.list(),
    };
    const audit = this.use(auditConcern({ db: durableDb, bus, onCall: (fn) => this.onCall(fn), siteKey, security: () => securityOf(config.data) })).module;
    this.audit = audit;
    const timeZone = () => zoneOrSystem(settings().timeZone);
    // arming before the alarms (rules name modes); its MQTT and webhook go through the integrations, wired below
    const arming = (this.arming = this.use(
      armingConcern({
        db: durableDb,
        audit: audit.trail,
        bus,
        config,
        timeZone,
        mqtt: () => this.integrations ?? null,
        identify: () => (this.integrations ? (auth) => this.integrations!.webhook.identify(auth) : null),
      }),
    ).module);
    this.alarms = this.use(
      alarmsConcern({ db: durableDb, audit: audit.trail, bus, config, cameras, modeAt: (ms) => arming.modeAt(ms), onMatch: (m) => this.rules?.onMatch(m) }),
    ).module;
    const setup = () => alarmSetupOf(config.data);
    const bookmarkConcern = this.use(bookmarksConcern({ db: durableDb, audit: audit.trail, bus, cameras }));
    const bookmarks = bookmarkConcern.store;
    this.use(timelineConcern({ db: durableDb, bookmarks, setup }));
    this.integrations = this.use(
      integrationsConcern({ db: durableDb, bus, config, setup, alarms: this.alarms, dataDir: paths.root, mqttUrl: this.opts.mqttUrl }),
    ).module;
    // after the alarms and the integrations (it hears alarms, publishes on their MQTT); snapshots come from the recorder
    this.notify = this.use(
      notifyConcern({
        db: durableDb,
        bus,
        config,
        secrets,
        audit: audit.trail,
        alarms: this.alarms,
        cameras,
        mqtt: () => this.integrations?.mqttPublisher() ?? null,
        snapshot: (cameraId, atMs, maxWidth) => this.recorder.snapshotJpeg(cameraId, atMs, maxWidth),
        timeZone: () => this.alarms!.timeZone(),
      }),
    ).module;
    this.recorder = this.use(recordingConcern({ paths, db, bus, cameras, secrets, ffmpeg: this.ffmpeg, children, settings })).module;
    this.onvif = this.use(onvifConcern({ config, cameras, secrets, db, bus, ffmpeg, children })).module;
    // faces before detection (detection offers it person tracks and motion frames; started on first need)
    this.faces = this.use(
      facesConcern({
        db,
        secrets,
        dataDir: paths.root,
        runDir: paths.run,
        bus,
        config,
        cameras,
        audit: audit.trail,
        alarms: () => this.alarms ?? null,
        alarmDetails: (id) => this.alarms?.store.get(id)?.details ?? null,
      }),
    ).module;
    this.detection = this.use(
      detectionConcern({ paths, db, durableDb, bus, cameras, recorder: this.recorder, children, ffmpeg, config, settings, faces: () => this.faces?.wiring ?? null }),
    ).module;
    // masks (privacy/motion/object polygons in the config), detection zones, and evidence export: jobs, locks, cases
    this.use(masksConcern({ config, bus }));
    this.use(zonesConcern({ config, bus }));
    this.exports = this.use(
      exportConcern({
        db: durableDb,
        paths,
        config,
        secrets,
        audit: audit.trail,
        bus,
        ffmpeg: () => this.ffmpeg?.ffmpeg ?? null,
        spawn: (c, a, o) => children.spawn('export', c, a, o),
        keys: siteKeys,
      }),
    ).module;
    this.use(evidenceConcern({ service: this.exports.service, bus }));
    this.use(casesConcern({ service: this.exports.service, bus, decorate: (j) => this.exports!.decorate(j) }));
    // rules last: zone and motion events of the detection into the alarms, the actions onto every concern above
    this.rules = this.use(
      rulesConcern({
        db,
        bus,
        config,
        alarms: this.alarms,
        timeZone,
        modeTimeline: (toMs) => arming.timeline(toMs),
        cameraName: (id) => cameras.get(id)?.name ?? null,
        ports: () => actionPorts({ bus, bookmarks: bookmarkConcern.service, integrations: () => this.integrations, onvif: () => this.onvif }),
      }),
    ).module;

    // Changes made from the command line at this start, by the OS account that ran it.
    if (this.adminAtStart.created) audit.trail.append({ actor: 'system', action: 'users.add', target: 'username:admin', details: { role: 'admin', via: 'first start' } });
    if (this.adminAtStart.reset) {
      audit.trail.append({ actor: osActor(), action: 'users.resetPassword', target: 'username:admin', details: { via: '--admin-password or GATEHOUSE_ADMIN_PASSWORD at start' } });
      this.sessions.revokeUser('admin', 'the admin password was reset at the engine start');
    }

    for (const m of this.modules) {
      await m.start();
      log.debug(`module ${m.name} started`);
    }
    this.started = true;
  }

  /** Register a concern: its handlers answer from now on, its module starts with the others. */
  private use<C extends Concern>(c: C): C {
    this.calls.add(c.handlers);
    if (c.module) this.modules.push(c.module);
    return c;
  }

  /** The services every concern may use, in dependency order. */
  private async openServices(): Promise<void> {
    for (const fix of this.paths.ensure()) log.warn(`tightened file modes: ${fix} (the data dir is for this account only)`);
    this.lock.take(this.startedAt);
    this.config = new ConfigStore(this.paths.config);
    await this.config.load();
    this.secrets = this.opts.secrets ?? new KeyFileSecretBox(this.paths.secretKey);
    this.db = openIndex(this.paths.index, { recover: true });
    this.durableDb = openIndex(this.paths.index);
    this.durableDb.pragma('synchronous = FULL');
    secureDataDir(this.paths); // a new index (and its -wal, -shm) is created 0644 by SQLite: make it 0600
    this.users = new Users(this.config);
    this.sessions = new Sessions(this.db);
    this.sessions.purgeExpired();
    this.cameras = new CameraRegistry(this.config, this.bus);
    this.children = new ChildRegistry(this.paths.children, this.paths.root);
    this.children.reapStrays();

    const admin = await this.users.ensureAdmin(this.opts.adminPassword ?? process.env.GATEHOUSE_ADMIN_PASSWORD ?? undefined);
    this.generatedAdminPassword = admin.generated;
    this.adminAtStart = { created: admin.created, reset: admin.reset };
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
  }

  /**
   * Stop in the reverse of start: every module (its timers, workers and
   * children) first, then any child process left, and only then close the
   * connections they wrote through and release the lock.
   */
  async stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      // Seal the trail while the integrations can still publish the checkpoint (MQTT, notify).
      this.audit?.checkpoint('shutdown');
      for (const m of [...this.modules].reverse()) {
        try {
          await m.stop();
        } catch (err) {
          log.error(`module ${m.name} failed to stop`, err);
        }
      }
      if (this.children) await this.children.stopAll(3000);
      for (const db of [this.durableDb, this.db]) {
        try {
          db?.close();
        } catch {
          /* already closed */
        }
      }
      this.lock.release();
      this.started = false;
    })();
    return this.stopping;
  }

  /** Transports record where they listen, so the CLI can find a running server. */
  setListening(url: string): void {
    this.lock.setUrl(url);
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

  /**
   * Why a token no longer signs anyone in, when the users say so (the account was disabled or removed), for the
   * sockets' close reason: a config change reaches the sockets before the handler that made it revokes the sessions.
   */
  endedReason(token: string | null | undefined): string | null {
    const name = token && this.sessions ? this.sessions.lookup(token) : null;
    if (!name) return null;
    const u = this.users.find(name);
    if (!u) return 'your account was removed by an administrator';
    return u.disabled ? 'your account was disabled by an administrator' : null;
  }

  /** The single entry point for every request from every transport. */
  handle(method: string, params: unknown, ctx: CallContext): Promise<unknown> {
    return this.calls.handle(method, params, ctx);
  }

  /** Hear of every finished call (after success or failure): the audit trail records the mutations. */
  onCall(fn: (c: CallInfo) => void): () => void {
    return this.calls.onCall(fn);
  }
}
