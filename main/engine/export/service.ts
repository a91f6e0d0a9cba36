/**
 * The rules of an export job, shared by the engine's queue and the CLI's
 * `export create` (which runs a job in its own process, with or without a
 * running server): check the request, make or find its case, record the
 * job, then run it:
 *
 *   lock the source segments (evidence lock, one transaction with the
 *   selection) → gather the events/alarms/access/audit tables → build and
 *   sign the bundle (createExportBundle) → record the result on the job,
 *   the lock, the case and in the audit trail (with the manifest's SHA-256).
 *
 * A cancelled or failed job leaves nothing that verifies (the bundle is
 * built in a hidden folder and renamed into place only when signed), and
 * releases its lock. Audit actions: export.completed, export.failed,
 * export.cancelled, export.verify, export.key.rotated, evidence.locked,
 * evidence.released (API calls are also recorded by the call hook).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { ApiError } from '../../api/contract.js';
import type { EvidenceLock, ExportJob, ExportPreview, ExportRequest, SiteKey, VerifyReport } from '../../api/export.js';
import type { AuditTrail } from '../audit/trail.js';
import { CaseStore } from '../cases/store.js';
import { alarmSetupOf, settingsOf, type ConfigFile } from '../config/schema.js';
import type { SecretBox } from '../config/secrets.js';
import { EvidenceLocks } from '../evidence/locks.js';
import { readSitePublicKeys, SiteKeyStore, type SiteKeyInfo } from '../keys/site-key.js';
import { logger } from '../log.js';
import type { DataPaths } from '../paths.js';
import type { Db } from '../store/db.js';
import { createExportBundle, estimateExport, type ExportCamera, type ExportProgress } from './bundle.js';
import { contextTables } from './context-tables.js';
import { ExportError } from './errors.js';
import { JobStore } from './job-store.js';
import type { MaskPolygon } from './masks.js';
import { selectSegments, type CameraSelection } from './select.js';
import { verifyBundle } from './verify.js';

const log = logger('export');

/** Who acts: a console user, or the command line's OS user. */
export interface Actor {
  username: string;
  displayName?: string | null;
}

export interface ExportServiceDeps {
  /** The index (the engine's durable connection, or the CLI's own). */
  db: Db;
  paths: DataPaths;
  config: () => ConfigFile;
  secrets: SecretBox;
  audit: AuditTrail;
  /** ffmpeg for re-encoded cameras (privacy masks, frame-exact). */
  ffmpeg: () => string | null;
  /** How to start ffmpeg (the engine passes its ChildRegistry). */
  spawn?: (cmd: string, args: string[], opts: SpawnOptions) => ChildProcess;
  /** `engine`, or `cli:<pid>`. */
  runner: string;
  /** The site signing key (the engine shares one with the audit checkpoints); default: the data dir's. */
  keys?: SiteKeyStore;
}

/** The latest an export may end after now (a job waits for its end to be recorded). */
export const MAX_FUTURE_MS = 10 * 60_000;
/** Longest range one export may hold. */
export const MAX_RANGE_MS = 7 * 24 * 3600_000;

const iso = (ms: number) => new Date(ms).toISOString();

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'export'
  );
}

function stamp(ms: number): string {
  return iso(ms).replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function apiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ExportError) {
    const code = err.code === 'bad_range' || err.code === 'bad_request' || err.code === 'no_footage' || err.code === 'no_space' ? 'bad_request' : err.code === 'exists' ? 'conflict' : 'internal';
    return new ApiError(code, err.message);
  }
  return new ApiError('internal', (err as Error).message);
}

export function toSiteKey(k: SiteKeyInfo): SiteKey {
  return { fingerprint: k.fingerprint, algorithm: k.algorithm, publicKeyPem: k.publicKeyPem, createdAt: k.createdAt, retiredAt: k.retiredAt, current: k.current };
}

export interface RunHooks {
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
  /** Called once the lock is taken (the job's lock id is known). */
  onLocked?: (lock: EvidenceLock) => void;
}

export class ExportService {
  readonly locks: EvidenceLocks;
  readonly cases: CaseStore;
  readonly jobs: JobStore;
  readonly keys: SiteKeyStore;

  readonly audit: AuditTrail;

  constructor(private readonly d: ExportServiceDeps) {
    this.audit = d.audit;
    this.locks = new EvidenceLocks(d.db);
    this.cases = new CaseStore(d.db);
    this.jobs = new JobStore(d.db);
    this.keys = d.keys ?? new SiteKeyStore(d.paths.root, d.secrets);
  }

  /** Cameras by id or (for the CLI) by name; unknown ones are refused by name. */
  resolveCameras(refs: string[]): { id: string; name: string }[] {
    const cams = this.d.config().cameras;
    const out: { id: string; name: string }[] = [];
    for (const ref of refs) {
      const c = cams.find((x) => x.id === ref) ?? cams.find((x) => x.name.toLowerCase() === ref.trim().toLowerCase());
      if (!c) throw new ApiError('not_found', `there is no camera "${ref}"; see the camera list (gatehouse cameras list)`, 'cameraIds');
      if (out.some((o) => o.id === c.id)) throw new ApiError('bad_request', `camera "${c.name}" is listed twice`, 'cameraIds');
      out.push({ id: c.id, name: c.name });
    }
    if (!out.length) throw new ApiError('bad_request', 'choose at least one camera', 'cameraIds');
    return out;
  }

  /** The privacy masks of a camera (burned into its export). */
  privacyMasks(cameraId: string): MaskPolygon[] {
    const cam = this.d.config().cameras.find((c) => c.id === cameraId);
    return (cam?.masks ?? []).filter((m) => m.kind === 'privacy').map((m) => m.polygon as MaskPolygon);
  }

  /** Parse and check a range: clear messages for from ≥ to, too long, too far ahead. */
  range(from: string, to: string, now = Date.now()): { fromMs: number; toMs: number } {
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    if (!Number.isFinite(fromMs)) throw new ApiError('bad_request', `from: "${from}" is not a time`, 'from');
    if (!Number.isFinite(toMs)) throw new ApiError('bad_request', `to: "${to}" is not a time`, 'to');
    if (toMs <= fromMs) throw new ApiError('bad_request', `the range ends (${iso(toMs)}) before it starts (${iso(fromMs)}); swap from and to`, 'to');
    if (toMs - fromMs > MAX_RANGE_MS) throw new ApiError('bad_request', 'one export holds at most 7 days; export a shorter range, or several', 'to');
    if (toMs > now + MAX_FUTURE_MS) throw new ApiError('bad_request', `the range ends at ${iso(toMs)}, more than 10 minutes from now; nothing is recorded there yet`, 'to');
    return { fromMs, toMs };
  }

  private selections(cams: { id: string; name: string }[], fromMs: number, toMs: number): CameraSelection[] {
    return cams.map((c) => selectSegments(this.d.db, this.d.paths.recordings, c.id, fromMs, toMs));
  }

  private exportCameras(cams: { id: string; name: string }[], sels: CameraSelection[], reencode: boolean): ExportCamera[] {
    return cams.map((c, i) => {
      const masks = this.privacyMasks(c.id);
      return { id: c.id, name: c.name, ...sels[i]!, ...(masks.length || reencode ? { reencode: { ...(masks.length ? { masks } : {}), ...(reencode ? { frameExact: true } : {}) } } : {}) };
    });
  }

  /** What an export would take, without doing it. Refuses a range with no footage at all. */
  async preview(p: { cameraIds: string[]; from: string; to: string; zip?: boolean; reencode?: boolean }, target = this.d.paths.exports): Promise<ExportPreview> {
    const cams = this.resolveCameras(p.cameraIds);
    const { fromMs, toMs } = this.range(p.from, p.to);
    const sels = this.selections(cams, fromMs, toMs);
    const ec = this.exportCameras(cams, sels, !!p.reencode);
    const est = await estimateExport({ cameras: ec, fromMs, toMs, zip: p.zip, target: path.join(target, 'preview') }).catch((err: unknown) => {
      throw apiError(err);
    });
    const notes: string[] = [];
    const cameras = cams.map((c, i) => {
      const e = est.cameras.find((x) => x.id === c.id)!;
      const masks = this.privacyMasks(c.id).length;
      if (e.noFootage) notes.push(`${c.name}: nothing recorded in this range`);
      const gaps = sels[i]!.gaps.length;
      if (!e.noFootage && gaps) notes.push(`${c.name}: ${gaps} gap${gaps > 1 ? 's' : ''} in the range (listed in the manifest)`);
      if (masks) notes.push(`${c.name}: ${masks} privacy mask${masks > 1 ? 's' : ''} will be burned in (re-encoded)`);
      return { id: c.id, name: c.name, bytes: e.bytes, recordedSeconds: Math.round(e.seconds), noFootage: e.noFootage, masks, segments: sels[i]!.segments.length };
    });
    if (cameras.every((c) => c.noFootage)) throw new ApiError('bad_request', `nothing was recorded between ${iso(fromMs)} and ${iso(toMs)} by ${cams.map((c) => c.name).join(', ')}; choose another range`, 'from');
    const fits = est.freeBytes === null || est.freeBytes >= est.neededBytes + 64 * 1024 * 1024;
    if (!fits) notes.push(`needs about ${(est.neededBytes / 1024 ** 3).toFixed(2)} GiB; ${((est.freeBytes ?? 0) / 1024 ** 3).toFixed(2)} GiB free`);
    return { from: iso(fromMs), to: iso(toMs), bundleBytes: est.bundleBytes, neededBytes: est.neededBytes, freeBytes: est.freeBytes, fits, cameras, notes };
  }

  /**
   * Check a request and record it as a queued job (nothing is locked or
   * copied yet). `outDir`: the folder the bundle goes into (default the data
   * dir's exports/). Refuses unknown cameras, bad ranges, no footage at all,
   * and a bundle larger than the free space (with the estimate). A range
   * whose end is not recorded yet makes the job wait for it (`wait: false`:
   * export what is there, when nothing records, e.g. the CLI without a server).
   */
  async create(req: ExportRequest, me: Actor, o: { outDir?: string; caseName?: string; now?: number; wait?: boolean } = {}): Promise<ExportJob> {
    const now = o.now ?? Date.now();
    const cams = this.resolveCameras(req.cameraIds);
    const { fromMs, toMs } = this.range(req.from, req.to, now);
    if (req.caseId !== undefined && req.newCase) throw new ApiError('bad_request', 'give either a case (caseId) or a new case, not both', 'caseId');
    if (req.caseId !== undefined) this.cases.mustGet(req.caseId);
    const outDir = path.resolve(o.outDir ?? this.d.paths.exports);
    const pv = await this.preview({ cameraIds: cams.map((c) => c.id), from: req.from, to: req.to, zip: req.zip, reencode: req.reencode }, outDir);
    if (!pv.fits) {
      throw new ApiError(
        'bad_request',
        `this export needs about ${(pv.neededBytes / 1024 ** 3).toFixed(2)} GiB and ${outDir} has ${((pv.freeBytes ?? 0) / 1024 ** 3).toFixed(2)} GiB free; free some space, export a shorter range or fewer cameras, or export to another disk`,
        'to',
      );
    }
    const caseInfo =
      req.caseId !== undefined
        ? this.cases.mustGet(req.caseId)
        : req.newCase
          ? this.cases.create(req.newCase, me.username, now)
          : this.cases.findOrCreate(o.caseName ?? `Export ${iso(fromMs).slice(0, 16).replace('T', ' ')} UTC`, me.username);
    const settle = (settingsOf(this.d.config()).segmentSeconds + 5) * 1000;
    const waitUntilMs = o.wait !== false && toMs + settle > now ? toMs + settle : null;
    const maskedCameras = pv.cameras.filter((c) => c.masks > 0).map((c) => c.id);
    const name = `${slug(caseInfo.name)}_${stamp(fromMs)}`;
    const job = this.jobs.insert(
      {
        runner: this.d.runner,
        username: me.username,
        caseId: caseInfo.id,
        reason: req.reason.trim(),
        fromMs,
        toMs,
        cameraIds: cams.map((c) => c.id),
        dir: '',
        options: { zip: !!req.zip, reencode: !!req.reencode, source: req.source ?? null, maskedCameras, estimateBytes: pv.bundleBytes, waitUntilMs },
      },
      now,
    );
    return this.jobs.update(job.id, { dir: path.join(outDir, `${name}_${job.id.slice(2, 8)}`) });
  }

  /**
   * Run a recorded job to its end (done, failed or cancelled). Never throws
   * for the export's own failures: they end up on the job.
   */
  async run(jobId: string, me: Actor, h: RunHooks = {}): Promise<ExportJob> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`no export job ${jobId}`);
    const opts = this.jobs.options(jobId);
    const fromMs = Date.parse(job.from);
    const toMs = Date.parse(job.to);
    this.jobs.update(jobId, { state: 'running', started_ms: Date.now(), progress: 0, phase: 'plan', error: null, error_code: null });
    let lock: EvidenceLock | null = null;
    try {
      if (h.signal?.aborted) throw new ExportError('aborted', 'the export was cancelled');
      const cams = this.resolveCameras(job.cameraIds);
      const caseInfo = job.caseId ? this.cases.get(job.caseId) : null;
      // the evidence lock, in one transaction with the selection: what is read is what is locked
      const locked = this.locks.lock(
        { cameraIds: cams.map((c) => c.id), fromMs, toMs, username: me.username, reason: `export ${jobId}: ${job.reason}`, caseId: job.caseId, exportJob: jobId },
        () => this.selections(cams, fromMs, toMs),
      );
      lock = locked.lock;
      this.jobs.update(jobId, { lock_id: lock.id });
      this.d.audit.append({
        actor: me.username,
        action: 'evidence.locked',
        target: `lock:${lock.id}`,
        details: { lockId: lock.id, exportJob: jobId, caseId: job.caseId, cameraIds: lock.cameraIds, from: lock.from, to: lock.to, segments: lock.segments, bytes: lock.bytes, reason: lock.reason },
      });
      h.onLocked?.(lock);
      let ctx: ReturnType<typeof contextTables> = { tables: [], markers: [], truncated: [] };
      try {
        ctx = contextTables({ db: this.d.db, cameraIds: cams.map((c) => c.id), fromMs, toMs, setup: () => alarmSetupOf(this.d.config()), audit: this.d.audit, caseId: job.caseId });
      } catch (err) {
        log.warn(`export ${jobId}: the events, alarms and access tables could not be read`, err);
      }
      const r = await createExportBundle({
        target: job.dir!,
        zip: job.zip,
        fromMs,
        toMs,
        cameras: this.exportCameras(cams, locked.within, job.reencode),
        case: { name: caseInfo?.name ?? 'Export', reference: caseInfo?.reference ?? null, notes: caseInfo?.notes ?? null },
        reason: job.reason,
        operator: { username: me.username, displayName: me.displayName ?? null },
        site: { name: os.hostname(), id: null },
        tables: ctx.tables,
        markers: ctx.markers,
        signer: this.keys.signer(),
        ffmpeg: this.d.ffmpeg(),
        signal: h.signal,
        onProgress: h.onProgress,
        spawn: this.d.spawn,
      });
      this.locks.setManifest(lock.id, r.manifestSha256);
      const reencoded = r.manifest.files.filter((f) => f.kind === 'video' && f.reencoded).map((f) => (f as { camera: { id: string } }).camera.id);
      const done = this.jobs.update(jobId, {
        state: 'done',
        finished_ms: Date.now(),
        progress: 1,
        phase: 'done',
        dir: r.dir,
        zip: r.zip,
        bytes: r.bytes,
        manifest_sha256: r.manifestSha256,
        fingerprint: r.fingerprint,
        export_id: r.manifest.exportId,
      });
      if (job.caseId) this.cases.addItem({ caseId: job.caseId, kind: 'export', ref: jobId, text: `${cams.map((c) => c.name).join(', ')} · ${job.from} – ${job.to}` }, me.username);
      this.d.audit.append({
        actor: me.username,
        action: 'export.completed',
        target: job.caseId ? `case:${job.caseId}` : null,
        details: {
          jobId,
          exportId: r.manifest.exportId,
          caseId: job.caseId,
          manifestSha256: r.manifestSha256,
          fingerprint: r.fingerprint,
          dir: r.dir,
          zip: r.zip,
          bytes: r.bytes,
          cameraIds: job.cameraIds,
          from: job.from,
          to: job.to,
          reason: job.reason,
          lockId: lock.id,
          reencoded: [...new Set(reencoded)],
          source: opts.source ?? null,
        },
      });
      return done;
    } catch (err) {
      const e = err instanceof ExportError ? err : err instanceof ApiError ? new ExportError('bad_request', err.message) : new ExportError('io', (err as Error).message ?? String(err));
      const cancelled = e.code === 'aborted';
      if (lock) {
        try {
          this.locks.release(lock.id, me.username, `export ${jobId} ${cancelled ? 'cancelled' : 'failed'}`);
          this.d.audit.append({ actor: me.username, action: 'evidence.released', target: `lock:${lock.id}`, details: { lockId: lock.id, exportJob: jobId, caseId: job.caseId, reason: `export ${cancelled ? 'cancelled' : 'failed'}` } });
        } catch (e2) {
          log.error(`export ${jobId}: could not release lock ${lock.id}`, e2);
        }
      }
      // nothing half-made: the library removed its work folder; make sure of it
      this.removeLeftovers(job.dir);
      const end = this.jobs.update(jobId, { state: cancelled ? 'cancelled' : 'failed', finished_ms: Date.now(), error: e.message, error_code: e.code });
      this.d.audit.append({
        actor: me.username,
        action: cancelled ? 'export.cancelled' : 'export.failed',
        target: job.caseId ? `case:${job.caseId}` : null,
        details: { jobId, caseId: job.caseId, code: e.code, error: e.message, cameraIds: job.cameraIds, from: job.from, to: job.to, ...(e.details.neededBytes ? { neededBytes: e.details.neededBytes, freeBytes: e.details.freeBytes } : {}) },
      });
      if (!cancelled) log.warn(`export ${jobId} failed: ${e.message}`);
      return end;
    }
  }

  /** Hidden work folders and zip parts of a bundle that never finished (a crash, a kill). */
  removeLeftovers(dir: string | null): void {
    if (!dir) return;
    const parent = path.dirname(dir);
    const base = path.basename(dir);
    try {
      for (const n of fs.readdirSync(parent)) {
        if (n.startsWith(`.${base}.`) && n.endsWith('.partial')) fs.rmSync(path.join(parent, n), { recursive: true, force: true });
        if (n.startsWith(`.${base}.zip.`) && n.endsWith('.partial')) fs.rmSync(path.join(parent, n), { force: true });
      }
    } catch {
      /* no parent: nothing to remove */
    }
  }

  /** A job that never ended (its process died): interrupted, lock released, leftovers removed. */
  interrupt(jobId: string, why: string): ExportJob {
    const job = this.jobs.get(jobId)!;
    if (job.lockId) {
      const l = this.locks.get(job.lockId);
      if (l?.active) {
        this.locks.release(job.lockId, 'system', `export ${jobId} interrupted`);
        this.d.audit.append({ actor: 'system', action: 'evidence.released', target: `lock:${job.lockId}`, details: { lockId: job.lockId, exportJob: jobId, caseId: job.caseId, reason: 'export interrupted' } });
      }
    }
    this.removeLeftovers(job.dir);
    this.d.audit.append({ actor: 'system', action: 'export.failed', target: job.caseId ? `case:${job.caseId}` : null, details: { jobId, caseId: job.caseId, code: 'interrupted', error: why } });
    return this.jobs.update(jobId, { state: 'interrupted', finished_ms: Date.now(), error: why, error_code: 'interrupted' });
  }

  /** A queued (not yet running) job is cancelled without having touched anything. */
  cancelQueued(jobId: string, me: Actor): ExportJob {
    const job = this.jobs.get(jobId)!;
    this.d.audit.append({ actor: me.username, action: 'export.cancelled', target: job.caseId ? `case:${job.caseId}` : null, details: { jobId, caseId: job.caseId, code: 'aborted', error: 'cancelled before it started' } });
    return this.jobs.update(jobId, { state: 'cancelled', finished_ms: Date.now(), error: 'cancelled before it started', error_code: 'aborted' });
  }

  /** Lock footage without exporting it (a supervisor's decision). */
  lock(p: { cameraIds: string[]; from: string; to: string; reason: string; caseId?: number }, me: Actor): EvidenceLock {
    const cams = this.resolveCameras(p.cameraIds);
    const fromMs = Date.parse(p.from);
    const toMs = Date.parse(p.to);
    if (!(toMs > fromMs)) throw new ApiError('bad_request', 'the range ends before it starts; swap from and to', 'to');
    if (p.caseId !== undefined) this.cases.mustGet(p.caseId);
    const { lock } = this.locks.lock({ cameraIds: cams.map((c) => c.id), fromMs, toMs, username: me.username, reason: p.reason.trim(), caseId: p.caseId ?? null });
    this.d.audit.append({
      actor: me.username,
      action: 'evidence.locked',
      target: `lock:${lock.id}`,
      details: { lockId: lock.id, caseId: lock.caseId, cameraIds: lock.cameraIds, from: lock.from, to: lock.to, segments: lock.segments, bytes: lock.bytes, reason: lock.reason },
    });
    return lock;
  }

  /** Release a lock (a supervisor, with a reason). */
  unlock(id: number, reason: string, me: Actor): EvidenceLock {
    const before = this.locks.get(id);
    if (!before) throw new ApiError('not_found', `no evidence lock ${id}; see "gatehouse evidence list"`, 'id');
    if (!before.active) throw new ApiError('conflict', `evidence lock ${id} was already released ${before.releasedAt} by ${before.releasedBy}`, 'id');
    if (before.exportJob) {
      const j = this.jobs.get(before.exportJob);
      if (j && (j.state === 'running' || j.state === 'waiting' || j.state === 'queued')) throw new ApiError('conflict', `export ${j.id} is still using lock ${id}; cancel the export first`, 'id');
    }
    const l = this.locks.release(id, me.username, reason.trim());
    this.d.audit.append({
      actor: me.username,
      action: 'evidence.released',
      target: `lock:${id}`,
      details: { lockId: id, exportJob: l.exportJob, caseId: l.caseId, cameraIds: l.cameraIds, from: l.from, to: l.to, manifestSha256: l.manifestSha256, reason: reason.trim() },
    });
    return l;
  }

  /** Verify a bundle (its folder, or its .zip read in place) and record it in the audit trail. */
  async verify(dir: string, me: Actor): Promise<VerifyReport> {
    const abs = path.resolve(dir);
    if (!fs.existsSync(abs)) throw new ApiError('not_found', `${abs} does not exist`, 'path');
    const st = fs.statSync(abs);
    if (!st.isDirectory() && !(st.isFile() && /\.zip$/i.test(abs))) {
      throw new ApiError('bad_request', `${abs} is neither an export folder nor an export's .zip; give the folder or the .zip`, 'path');
    }
    let keys: SiteKeyInfo[] = [];
    try {
      keys = readSitePublicKeys(this.d.paths.root);
    } catch (err) {
      log.warn('the site keys could not be read for verify', err);
    }
    const r = await verifyBundle(abs, { siteKeys: keys.length ? keys : null });
    const counts = { ok: 0, changed: 0, missing: 0, extra: 0 };
    for (const f of r.files) counts[f.status]++;
    const m = r.manifest;
    const report: VerifyReport = {
      ok: r.ok,
      dir: abs,
      signature: r.signature,
      fingerprint: r.fingerprint,
      manifestSha256: r.manifestSha256,
      siteKey:
        r.siteKey.status === 'this-site'
          ? { status: 'this-site', current: r.siteKey.key.current, createdAt: r.siteKey.key.createdAt, retiredAt: r.siteKey.key.retiredAt }
          : r.siteKey.status === 'unknown'
            ? { status: 'other' }
            : { status: 'unknown' },
      counts,
      files: r.files.filter((f) => f.status !== 'ok').map((f) => ({ path: f.path, status: f.status as 'changed' | 'missing' | 'extra', ...(f.detail ? { detail: f.detail } : {}) })),
      problems: r.problems,
      manifest: m
        ? {
            exportId: m.exportId,
            createdAt: m.createdAt,
            case: m.case?.name ?? null,
            reference: m.case?.reference ?? null,
            operator: m.operator?.username ?? null,
            from: m.range?.from ?? null,
            to: m.range?.to ?? null,
            cameras: m.cameras.map((c) => c.name).filter((n): n is string => typeof n === 'string'),
          }
        : null,
    };
    this.d.audit.append({
      actor: me.username,
      action: 'export.verify',
      target: null,
      details: { dir: abs, ok: r.ok, signature: r.signature, manifestSha256: r.manifestSha256, fingerprint: r.fingerprint, siteKey: report.siteKey.status, exportId: m?.exportId ?? null, problems: r.problems.slice(0, 20) },
    });
    return report;
  }

  keyInfo(): { keys: SiteKey[]; current: SiteKey | null } {
    const keys = this.keys.list().map(toSiteKey);
    return { keys, current: keys.find((k) => k.current) ?? null };
  }

  rotateKey(reason: string, me: Actor): SiteKey {
    const before = this.keys.list().find((k) => k.current) ?? null;
    const k = toSiteKey(this.keys.rotate());
    this.d.audit.append({ actor: me.username, action: 'export.key.rotated', target: null, details: { from: before?.fingerprint ?? null, to: k.fingerprint, reason } });
    return k;
  }
}
