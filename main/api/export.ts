/**
 * Evidence export: export jobs, evidence locks, cases and the site's export
 * key. Part of the one API contract, merged in contract.ts. Imported by the
 * renderer too: no Node APIs here. Design: docs/export.md.
 *
 * Roles: guards see the jobs, the locks and the cases and may verify a
 * bundle in the exports folder; supervisors export, cancel, lock and unlock
 * evidence, manage cases and verify any folder; admins rotate the key.
 */
import { z } from 'zod';

const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time such as 2026-11-26T08:00:00Z');
const CameraId = z.string().min(1).max(80);
const CameraIds = z.array(CameraId).min(1, 'choose at least one camera').max(16, 'an export holds at most 16 cameras');
const Reason = z.string().trim().min(1, 'give a reason: why is this exported (it goes into the manifest and the audit trail)').max(500, 'the reason is longer than 500 characters');
const JobId = z.string().regex(/^x_[a-z0-9]{6,32}$/, 'an export job id looks like x_1a2b3c4d5e');
const CaseId = z.number().int().min(1);
const CaseName = z.string().trim().min(1, 'the case needs a name').max(120, 'the case name is longer than 120 characters');
const CaseRef = z.string().trim().max(120, 'the reference is longer than 120 characters');
const CaseNotes = z.string().max(4000, 'the notes are longer than 4000 characters');

export const EXPORT_JOB_STATES = ['queued', 'waiting', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type ExportJobState = (typeof EXPORT_JOB_STATES)[number];
/** States in which a job still holds its place in the queue. */
export const ACTIVE_JOB_STATES: readonly ExportJobState[] = ['queued', 'waiting', 'running'];

export const EXPORT_SOURCES = ['playback', 'alarm', 'event', 'access', 'cli', 'api'] as const;
export type ExportSourceKind = (typeof EXPORT_SOURCES)[number];
const ExportSource = z.object({ kind: z.enum(EXPORT_SOURCES), id: z.string().max(80).optional() }).strict();

export const NewCase = z.object({ name: CaseName, reference: CaseRef.optional(), notes: CaseNotes.optional() }).strict();

/** What an export asks for (export.create; export.preview takes the same without reason and case). */
export const ExportRequest = z
  .object({
    cameraIds: CameraIds,
    from: IsoTime,
    to: IsoTime,
    reason: Reason,
    /** An existing case, or `newCase`; neither: a case named after the range is made. */
    caseId: CaseId.optional(),
    newCase: NewCase.optional(),
    /** Also write `<bundle>.zip`. */
    zip: z.boolean().optional(),
    /**
     * Re-encode every camera: a frame-exact cut with the wall-clock time, the
     * camera name and the operator watermark burned in. Cameras with privacy
     * masks are always re-encoded (masks burned in).
     */
    reencode: z.boolean().optional(),
    /** Where the selection started: playback, an alarm, an event, an access-log row. */
    source: ExportSource.optional(),
  })
  .strict();
export type ExportRequest = z.infer<typeof ExportRequest>;

export interface ExportJob {
  id: string;
  state: ExportJobState;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Who asked for it. */
  username: string;
  /** `engine`, or `cli` for a job the command line runs in its own process. */
  runner: 'engine' | 'cli';
  caseId: number | null;
  caseName: string | null;
  reason: string;
  from: string;
  to: string;
  cameraIds: string[];
  zip: boolean;
  reencode: boolean;
  source: { kind: ExportSourceKind; id?: string } | null;
  /** 0–1 while running. */
  progress: number;
  /** plan, copy, reencode, files, sign, zip, done (docs/export.md). */
  phase: string | null;
  /** Seconds left, from the progress so far; null until it can be told. */
  etaSeconds: number | null;
  /** A job waits until the end of its range has been recorded (an alarm's post-roll). */
  waitUntil: string | null;
  /** Cameras re-encoded because they have privacy masks. */
  maskedCameras: string[];
  /** The bundle folder (also while running: where it will be), its .zip and size. */
  dir: string | null;
  zipPath: string | null;
  bytes: number | null;
  estimateBytes: number | null;
  manifestSha256: string | null;
  fingerprint: string | null;
  exportId: string | null;
  /** The evidence lock that holds its source segments. */
  lockId: number | null;
  error: string | null;
  errorCode: string | null;
}

export interface ExportPreview {
  from: string;
  to: string;
  /** Bytes the bundle will take, and need while it is made (temporary copies, the zip). */
  bundleBytes: number;
  neededBytes: number;
  freeBytes: number | null;
  fits: boolean;
  cameras: { id: string; name: string; bytes: number; recordedSeconds: number; noFootage: boolean; masks: number; segments: number }[];
  /** Plain sentences: no footage for a camera, gaps, masks to burn in, space. */
  notes: string[];
}

export interface SiteKey {
  fingerprint: string;
  algorithm: 'Ed25519';
  publicKeyPem: string;
  createdAt: string;
  retiredAt: string | null;
  current: boolean;
}

export interface VerifyReport {
  ok: boolean;
  /** The folder or .zip that was checked. */
  dir: string;
  signature: string;
  fingerprint: string | null;
  manifestSha256: string | null;
  /** this-site (current or retired), other (a key this site does not know), unknown (no key read). */
  siteKey: { status: 'this-site'; current: boolean; createdAt: string; retiredAt: string | null } | { status: 'other' | 'unknown' };
  counts: { ok: number; changed: number; missing: number; extra: number };
  /** Files that are not ok. */
  files: { path: string; status: 'changed' | 'missing' | 'extra'; detail?: string }[];
  problems: string[];
  manifest: { exportId: string; createdAt: string; case: string | null; reference: string | null; operator: string | null; from: string | null; to: string | null; cameras: string[] } | null;
}

export interface EvidenceLock {
  id: number;
  createdAt: string;
  username: string;
  reason: string;
  caseId: number | null;
  caseName: string | null;
  /** The export job that made it, if any. */
  exportJob: string | null;
  from: string;
  to: string;
  cameraIds: string[];
  /** Segments and bytes it locked when it was made. */
  segments: number;
  bytes: number;
  manifestSha256: string | null;
  active: boolean;
  releasedAt: string | null;
  releasedBy: string | null;
  releaseReason: string | null;
}

export const CASE_ITEM_KINDS = ['export', 'bookmark', 'note'] as const;
export type CaseItemKind = (typeof CASE_ITEM_KINDS)[number];

export interface CaseInfo {
  id: number;
  name: string;
  reference: string | null;
  notes: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  closedAt: string | null;
  /** Items by kind. */
  counts: Record<CaseItemKind, number>;
}

export interface CaseItem {
  id: number;
  caseId: number;
  kind: CaseItemKind;
  /** The export job id, the bookmark id; null for a note. */
  ref: string | null;
  text: string | null;
  addedAt: string;
  addedBy: string;
  /** For an export item: the job (when it still exists). */
  export?: ExportJob | null;
}

export const exportRequests = {
  /** Queue an export job (a supervisor's decision: it locks the footage). */
  'export.create': { role: 'supervisor', input: ExportRequest },
  /** What an export would take (bytes, free space, footage per camera), without doing it. */
  'export.preview': {
    role: 'supervisor',
    input: z.object({ cameraIds: CameraIds, from: IsoTime, to: IsoTime, zip: z.boolean().optional(), reencode: z.boolean().optional() }).strict(),
  },
  /** Export jobs, newest first (queued, running and the finished ones). */
  'export.list': { role: 'guard', input: z.object({ limit: z.number().int().min(1).max(500).optional(), caseId: CaseId.optional() }).strict() },
  'export.get': { role: 'guard', input: z.object({ id: JobId }).strict() },
  /** Stop a queued or running job; nothing it made is kept, its evidence lock is released. */
  'export.cancel': { role: 'supervisor', input: z.object({ id: JobId }).strict() },
  /**
   * Check a bundle: a job's folder (`id`), or a folder or an export's .zip
   * (read in place, not unzipped) on the engine's computer (`path`; guards
   * only inside the exports folder). Recorded in the audit trail.
   */
  'export.verify': { role: 'guard', input: z.object({ id: JobId.optional(), path: z.string().min(1).max(4096).optional() }).strict() },
  /** The site's export signing keys (public parts only). */
  'export.listKeys': { role: 'guard', input: z.object({}).strict() },
  /** Make a new signing key; the old one is kept (public part) so old exports still verify as this site's. */
  'export.rotateKey': { role: 'admin', input: z.object({ reason: Reason }).strict() },

  /** Evidence locks (active ones unless `all`), optionally of a camera and time range. */
  'evidence.list': {
    role: 'guard',
    input: z.object({ all: z.boolean().optional(), cameraId: CameraId.optional(), from: IsoTime.optional(), to: IsoTime.optional(), caseId: CaseId.optional() }).strict(),
  },
  /** Lock the footage of cameras in a range without exporting it. */
  'evidence.lock': { role: 'supervisor', input: z.object({ cameraIds: CameraIds, from: IsoTime, to: IsoTime, reason: Reason, caseId: CaseId.optional() }).strict() },
  /** Release a lock: its segments go back to retention unless another lock holds them. */
  'evidence.unlock': { role: 'supervisor', input: z.object({ id: z.number().int().min(1), reason: Reason }).strict() },

  'cases.list': { role: 'guard', input: z.object({ closed: z.boolean().optional() }).strict() },
  'cases.get': { role: 'guard', input: z.object({ id: CaseId }).strict() },
  'cases.create': { role: 'supervisor', input: NewCase },
  'cases.update': {
    role: 'supervisor',
    input: z.object({ id: CaseId, name: CaseName.optional(), reference: CaseRef.nullable().optional(), notes: CaseNotes.nullable().optional(), closed: z.boolean().optional() }).strict(),
  },
  /** Attach an export, a bookmark or a note to a case. */
  'cases.addItem': {
    role: 'supervisor',
    input: z
      .object({ caseId: CaseId, kind: z.enum(CASE_ITEM_KINDS), ref: z.string().min(1).max(80).optional(), text: z.string().trim().max(2000).optional() })
      .strict(),
  },
  'cases.removeItem': { role: 'supervisor', input: z.object({ id: z.number().int().min(1) }).strict() },
} as const;

export interface ExportResults {
  'export.create': ExportJob;
  'export.preview': ExportPreview;
  'export.list': ExportJob[];
  'export.get': ExportJob;
  'export.cancel': ExportJob;
  'export.verify': VerifyReport;
  'export.listKeys': { keys: SiteKey[]; current: SiteKey | null };
  'export.rotateKey': SiteKey;
  'evidence.list': EvidenceLock[];
  'evidence.lock': EvidenceLock;
  'evidence.unlock': EvidenceLock;
  'cases.list': CaseInfo[];
  'cases.get': { case: CaseInfo; items: CaseItem[]; locks: EvidenceLock[] };
  'cases.create': CaseInfo;
  'cases.update': CaseInfo;
  'cases.addItem': CaseItem;
  'cases.removeItem': { ok: true };
}

export interface ExportEvents {
  /** A job was queued, changed state or made progress (at most a few times a second). */
  'export.job': ExportJob;
  /** Locks were added or released (the timeline shows locked footage). */
  'evidence.changed': { lockId: number; cameraIds: string[]; active: boolean };
  'cases.changed': { caseId: number };
}
export const EXPORT_EVENT_NAMES = ['export.job', 'evidence.changed', 'cases.changed'] as const;
