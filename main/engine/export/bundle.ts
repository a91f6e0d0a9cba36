/**
 * createExportBundle: one evidence export, from the segments of each camera
 * to a signed folder (and optionally a .zip) that anyone can play offline
 * and check by hand. Layout and manifest: docs/export.md.
 *
 * The bundle is built in a hidden folder beside the target
 * (`.<name>.<random>.partial`) and renamed into place at the very end, after
 * every file is written, hashed, fsynced and the manifest signed. A
 * cancelled or failed export removes that folder: nothing is left that
 * could pass verify.
 *
 * This module does the work only. The job queue (progress, ETA, cancel),
 * evidence locks, cases and audit rows belong to its caller.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { walkFile } from '../media/boxes.js';
import { packageVersion } from '../paths.js';
import { planClip, type ClipPart, type ClipPlan, type SourceSegment } from './clip-plan.js';
import { checkAbort, ExportError, ioError } from './errors.js';
import { hashFile, sha256Hex } from './hash.js';
import {
  BUNDLE,
  isoMs,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  sha256Sums,
  type CutPrecision,
  type Manifest,
  type ManifestCamera,
  type ManifestFile,
  type ManifestGap,
  type ManifestRun,
  type ManifestVideoFile,
  type ReencodeReason,
} from './manifest.js';
import { validateMasks, type MaskPolygon } from './masks.js';
import { fsyncDir } from '../util/fsync.js';
import { layoutClip, writeClip } from './mp4-writer.js';
import { buildPlayerHtml, type PlayerData, type PlayerMarker } from './player.js';
import { readmeText } from './readme.js';
import { findDejaVu, reencodeClip, type TimePiece } from './reencode.js';
import type { ExportSigner } from '../keys/site-key.js';
import { stableJson } from './stable-json.js';
import { tableCsv, tableJson, validateTable, type ExportTable } from './tables.js';
import { writeZip } from './zip.js';

/** A gap the index knows (its reason is what the manifest reports). */
export interface KnownGap {
  startMs: number;
  endMs: number;
  reason: string;
  /** Still going on (the index has no end for it yet). */
  open?: boolean;
}

export interface ExportCamera {
  id: string;
  name: string;
  /** Its segments overlapping the range (see selectSegments). */
  segments: SourceSegment[];
  /** Its gaps overlapping the range, from the index. */
  gaps: KnownGap[];
  /**
   * Re-encode this camera's clip: burn in privacy masks (polygons, 0–1
   * coordinates) and/or cut frame-exact. Either one also burns in the
   * wall-clock time, the camera name and the operator watermark.
   * Absent: stream copy.
   */
  reencode?: { masks?: MaskPolygon[]; frameExact?: boolean };
}

export type ExportPhase = 'plan' | 'copy' | 'reencode' | 'files' | 'sign' | 'zip' | 'done';

export interface ExportProgress {
  phase: ExportPhase;
  /** 0–1 over the whole export (copy, re-encode, hashing, zip), for a bar and an ETA. */
  fraction: number;
  /** Bytes of clip data handled so far and in all (the copy and re-encode phases). */
  bytesDone: number;
  bytesTotal: number;
  /** The camera being worked on, if any. */
  cameraId?: string;
}

export interface CreateExportOptions {
  /** The bundle folder to create (must not exist; its parent is created). */
  target: string;
  /** Also write `<target>.zip` holding the folder. */
  zip?: boolean;
  fromMs: number;
  toMs: number;
  cameras: ExportCamera[];
  case: { name: string; reference?: string | null; notes?: string | null };
  /** Why this export was made (required). */
  reason: string;
  operator: { username: string; displayName?: string | null };
  site: { name: string; id?: string | null };
  /** Exporting computer's name (default: os.hostname()). */
  host?: string;
  /** Events, alarms, access-log rows, audit excerpt... written as JSON and CSV. */
  tables?: ExportTable[];
  /** Marks on the player's timeline (events, alarms, access rows). */
  markers?: PlayerMarker[];
  signer: ExportSigner;
  /** ffmpeg binary, needed only when a camera is re-encoded. */
  ffmpeg?: string | null;
  /** Font for the burned-in texts (default: DejaVu Sans where installed). */
  fontFile?: string | null;
  /** Refuse before copying when the estimate does not fit the free space (default true). */
  checkSpace?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
  now?: () => Date;
  /** How to start ffmpeg (the engine passes its ChildRegistry's spawn). */
  spawn?: Parameters<typeof reencodeClip>[0]['spawn'];
}

export interface ExportResult {
  dir: string;
  zip: string | null;
  manifest: Manifest;
  /** SHA-256 (hex) of manifest.json's bytes: what the audit row carries. */
  manifestSha256: string;
  fingerprint: string;
  /** Bytes of the bundle folder. */
  bytes: number;
}

export interface ExportEstimate {
  /** Bytes the bundle folder will take (close for stream copy; an upper guess for re-encoded cameras). */
  bundleBytes: number;
  /** Bytes needed while exporting (bundle, temporary copies for re-encode, the zip). */
  neededBytes: number;
  freeBytes: number | null;
  cameras: { id: string; bytes: number; parts: number; seconds: number; noFootage: boolean }[];
}

const MARGIN = 64 * 1024 * 1024;

function slugOf(id: string, taken: Set<string>): string {
  let s = id
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  if (!s) s = 'camera';
  let out = s;
  for (let i = 2; taken.has(out); i++) out = `${s}-${i}`;
  taken.add(out);
  return out;
}

function validate(o: CreateExportOptions): void {
  if (!Number.isFinite(o.fromMs) || !Number.isFinite(o.toMs)) throw new ExportError('bad_range', 'the range needs a start and an end time');
  if (o.toMs <= o.fromMs) throw new ExportError('bad_range', `the range ends (${isoMs(o.toMs)}) before it starts (${isoMs(o.fromMs)}); swap --from and --to`);
  if (!o.cameras.length) throw new ExportError('bad_request', 'choose at least one camera to export');
  if (!o.reason?.trim()) throw new ExportError('bad_request', 'an export needs a reason');
  if (!o.case?.name?.trim()) throw new ExportError('bad_request', 'an export belongs to a case: give the case a name');
  if (!o.operator?.username) throw new ExportError('bad_request', 'an export needs its operator');
  const ids = new Set<string>();
  for (const c of o.cameras) {
    if (ids.has(c.id)) throw new ExportError('bad_request', `camera ${c.id} is listed twice`);
    ids.add(c.id);
    if (c.reencode?.masks) validateMasks(c.reencode.masks, c.name);
  }
  const names = new Set<string>();
  for (const t of o.tables ?? []) {
    validateTable(t);
    if (names.has(t.name)) throw new ExportError('bad_request', `table ${t.name} is listed twice`);
    names.add(t.name);
  }
}

function needsReencode(c: ExportCamera): boolean {
  return !!(c.reencode && ((c.reencode.masks?.length ?? 0) > 0 || c.reencode.frameExact));
}

async function planAll(o: Pick<CreateExportOptions, 'cameras' | 'fromMs' | 'toMs' | 'signal'>): Promise<Map<string, ClipPlan | null>> {
  const plans = new Map<string, ClipPlan | null>();
  for (const c of o.cameras) {
    try {
      plans.set(c.id, await planClip(c.segments, o.fromMs, o.toMs, { signal: o.signal }));
    } catch (err) {
      if (err instanceof ExportError && err.code === 'no_footage') plans.set(c.id, null);
      else throw err;
    }
  }
  return plans;
}

function freeBytesAt(dir: string): number | null {
  try {
    let d = dir;
    while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
    const s = fs.statfsSync(d);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

function estimateFrom(o: Pick<CreateExportOptions, 'cameras' | 'zip' | 'target'>, plans: Map<string, ClipPlan | null>): ExportEstimate {
  let bundle = 1024 * 1024; // manifest, player, tables
  let extra = 0;
  const cams: ExportEstimate['cameras'] = [];
  for (const c of o.cameras) {
    const plan = plans.get(c.id);
    let bytes = 0;
    let seconds = 0;
    for (const p of plan?.parts ?? []) {
      const size = layoutClip(p).totalBytes;
      bytes += size;
      seconds += p.video.ticks / p.video.timescale;
      // re-encode: the copy is temporary, the output rarely larger than the copy ×1.5
      if (needsReencode(c)) extra += size;
    }
    const out = needsReencode(c) ? Math.round(bytes * 1.5) : bytes;
    bundle += out;
    cams.push({ id: c.id, bytes: out, parts: plan?.parts.length ?? 0, seconds, noFootage: !plan });
  }
  const needed = bundle + extra + (o.zip ? bundle : 0);
  return { bundleBytes: bundle, neededBytes: needed, freeBytes: freeBytesAt(path.dirname(path.resolve(o.target))), cameras: cams };
}

/**
 * What an export of these cameras and range will take, without writing
 * anything (reads the segments' boxes only). For the "refused before
 * copying" check and the job's ETA.
 */
export async function estimateExport(o: Pick<CreateExportOptions, 'cameras' | 'fromMs' | 'toMs' | 'zip' | 'target' | 'signal'>): Promise<ExportEstimate> {
  return estimateFrom(o, await planAll(o));
}

const fmtGiB = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`;

/** Wall-clock [start, end) of each run of a part. */
function runSpans(p: ClipPart): { startMs: number; endMs: number }[] {
  const T = p.video.timescale;
  return p.runs.map((r) => ({ startMs: r.wallStartMs, endMs: r.wallStartMs + ((r.mediaEnd - r.mediaStart) * 1000) / T }));
}

/**
 * The gaps of one camera inside [from, to]: what the runs do not cover,
 * named by the index's gap rows, or by the segments that could not be read,
 * else "unknown". Holes shorter than `tolMs` (frame jitter at segment seams)
 * are not gaps.
 */
export function cameraGaps(fromMs: number, toMs: number, covered: { startMs: number; endMs: number }[], known: KnownGap[], skipped: ClipPlan['skipped'], tolMs: number): ManifestGap[] {
  const spans = [...covered].sort((a, b) => a.startMs - b.startMs);
  const holes: { s: number; e: number }[] = [];
  let cur = fromMs;
  for (const sp of spans) {
    if (sp.startMs > cur) holes.push({ s: cur, e: Math.min(sp.startMs, toMs) });
    cur = Math.max(cur, sp.endMs);
    if (cur >= toMs) break;
  }
  if (cur < toMs) holes.push({ s: cur, e: toMs });
  const out: ManifestGap[] = [];
  const labels: { s: number; e: number; reason: string; open?: boolean; detail?: string }[] = [
    ...known.map((g) => ({ s: g.startMs, e: g.endMs, reason: g.reason, open: g.open })),
    ...skipped.map((k) => ({ s: k.segment.startMs, e: k.segment.endMs, reason: k.reason, detail: k.detail })),
  ].sort((a, b) => a.s - b.s);
  for (const h of holes) {
    if (h.e - h.s <= 0) continue;
    const overlaps = labels.filter((l) => l.e > h.s && l.s < h.e);
    if (h.e - h.s <= tolMs && !overlaps.length) continue;
    let t = h.s;
    const push = (s: number, e: number, reason: string, open?: boolean, detail?: string) => {
      if (e - s <= 0) return;
      const last = out[out.length - 1];
      if (last && last.reason === reason && Math.abs(Date.parse(last.end) - s) < 1 && !detail) {
        last.end = isoMs(e);
        last.seconds = Math.round((Date.parse(last.end) - Date.parse(last.start))) / 1000;
        return;
      }
      out.push({ start: isoMs(s), end: isoMs(e), seconds: Math.round(e - s) / 1000, reason, ...(open ? { open: true } : {}), ...(detail ? { detail } : {}) });
    };
    for (const l of overlaps) {
      const s = Math.max(t, l.s);
      if (s > t && s - t > tolMs) push(t, s, 'unknown');
      const e = Math.min(h.e, l.e);
      if (e > s) push(s, e, l.reason, l.open && e >= h.e, l.detail);
      t = Math.max(t, e);
    }
    if (h.e - t > tolMs || (t === h.s && h.e > t)) push(t, h.e, 'unknown');
  }
  return out;
}

function coveredSeconds(fromMs: number, toMs: number, spans: { startMs: number; endMs: number }[]): number {
  let ms = 0;
  for (const s of spans) ms += Math.max(0, Math.min(toMs, s.endMs) - Math.max(fromMs, s.startMs));
  return Math.round(ms) / 1000;
}

/** Presentation times (s, sorted) of a part's video frames on its media timeline. */
function frameTimes(p: ClipPart): Float64Array {
  const s = p.video.samples;
  const T = p.video.timescale;
  const out = new Float64Array(s.count);
  let dts = 0;
  const c0 = s.count ? s.cto[0]! : 0;
  for (let i = 0; i < s.count; i++) {
    out[i] = (dts + s.cto[i]! - c0) / T;
    dts += s.dur[i]!;
  }
  return out.sort();
}

function toManifestRuns(p: ClipPart, shiftSec = 0, endSec = Infinity): ManifestRun[] {
  const T = p.video.timescale;
  const out: ManifestRun[] = [];
  for (const r of p.runs) {
    const a = Math.max(r.mediaStart / T, shiftSec);
    const b = Math.min(r.mediaEnd / T, endSec);
    if (b <= a) continue;
    const w0 = r.wallStartMs + (a - r.mediaStart / T) * 1000;
    const w1 = r.wallStartMs + (b - r.mediaStart / T) * 1000;
    out.push({ mediaStart: Math.round((a - shiftSec) * 1000) / 1000, mediaEnd: Math.round((b - shiftSec) * 1000) / 1000, start: isoMs(w0), end: isoMs(w1) });
  }
  return out;
}

/** Create the bundle. See the module comment; throws ExportError with a code and a clear message. */
export async function createExportBundle(o: CreateExportOptions): Promise<ExportResult> {
  validate(o);
  const now = o.now ?? (() => new Date());
  const target = path.resolve(o.target);
  const parent = path.dirname(target);
  const zipPath = o.zip ? `${target}.zip` : null;
  if (fs.existsSync(target)) throw new ExportError('exists', `${target} exists already; choose another folder name`);
  if (zipPath && fs.existsSync(zipPath)) throw new ExportError('exists', `${zipPath} exists already; choose another name`);
  const progress = (p: Omit<ExportProgress, 'fraction'> & { fraction?: number }) => o.onProgress?.({ fraction: 0, ...p });
  progress({ phase: 'plan', bytesDone: 0, bytesTotal: 0 });

  // plan every camera (reads boxes only)
  const plans = await planAll(o);
  if (![...plans.values()].some(Boolean)) {
    const names = o.cameras.map((c) => c.name).join(', ');
    throw new ExportError('no_footage', `nothing was recorded between ${isoMs(o.fromMs)} and ${isoMs(o.toMs)} by ${names}; choose another range`);
  }
  const est = estimateFrom(o, plans);
  if (o.checkSpace !== false && est.freeBytes !== null && est.freeBytes < est.neededBytes + MARGIN) {
    throw new ExportError('no_space', `this export needs about ${fmtGiB(est.neededBytes)} and ${parent} has ${fmtGiB(est.freeBytes)} free; free some space, export a shorter range or fewer cameras, or export to another disk`, {
      neededBytes: est.neededBytes,
      freeBytes: est.freeBytes,
    });
  }
  const reencoding = o.cameras.some(needsReencode);
  const fontFile = o.fontFile === undefined ? findDejaVu() : o.fontFile;
  if (reencoding && !o.ffmpeg) throw new ExportError('ffmpeg', 'a re-encoded export (privacy masks, frame-exact cut) needs ffmpeg; install it or set GATEHOUSE_FFMPEG');

  // weights for one overall fraction
  let copyTotal = 0;
  let reencodeTotal = 0;
  for (const c of o.cameras) {
    for (const p of plans.get(c.id)?.parts ?? []) {
      copyTotal += p.mdatBytes;
      if (needsReencode(c)) reencodeTotal += p.mdatBytes;
    }
  }
  const REENCODE_WEIGHT = 8; // re-encoding a byte costs far more than copying it
  const zipTotal = o.zip ? copyTotal : 0;
  const units = copyTotal + reencodeTotal * REENCODE_WEIGHT + zipTotal * 0.5 + 1;
  let doneUnits = 0;
  const bytesTotal = copyTotal;
  let bytesDone = 0;

  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(target)}.${crypto.randomBytes(5).toString('hex')}.partial`);
  let renamed = false;
  try {
    fs.mkdirSync(tmp);
    const work = path.join(tmp, '.work');
    fs.mkdirSync(path.join(tmp, BUNDLE.videoDir));
    const createdAt = now().toISOString();
    const files: ManifestFile[] = [];
    const cameras: ManifestCamera[] = [];
    const notes: string[] = [];
    const taken = new Set<string>();
    const playerCams: PlayerData['cameras'] = [];
    const watermark = `Exported by ${o.operator.displayName || o.operator.username} · ${o.case.reference ? `${o.case.name} (${o.case.reference})` : o.case.name}`;

    for (const c of o.cameras) {
      checkAbort(o.signal);
      const plan = plans.get(c.id) ?? null;
      const slug = slugOf(c.id, taken);
      const spans = plan ? plan.parts.flatMap(runSpans) : [];
      const frameMs = plan ? (plan.parts[0]!.video.samples.dur[0]! * 1000) / plan.parts[0]!.video.timescale : 100;
      const gaps = cameraGaps(o.fromMs, o.toMs, spans, c.gaps, plan?.skipped ?? [], 1.5 * frameMs + 5);
      const masks = c.reencode?.masks ?? [];
      const camEntry: ManifestCamera = { id: c.id, name: c.name, files: [], recordedSeconds: coveredSeconds(o.fromMs, o.toMs, spans), gaps, privacyMasks: masks.length };
      cameras.push(camEntry);
      const playerFiles: PlayerData['cameras'][number]['files'] = [];
      if (!plan) {
        notes.push(`${c.name}: nothing was recorded in the range (see its gaps)`);
        playerCams.push({ id: c.id, name: c.name, files: playerFiles, gaps });
        continue;
      }
      for (const k of plan.skipped) notes.push(`${c.name}: segment ${path.basename(k.segment.path)} could not be used (${k.reason}): ${k.detail}`);
      const parts = plan.parts.length;
      if (parts > 1) notes.push(`${c.name}: the stream settings changed during the range, so its video is in ${parts} files (${plan.parts.slice(1).map((p) => `part ${p.index}: ${p.splitReason}`).join('; ')})`);
      for (const part of plan.parts) {
        checkAbort(o.signal);
        const rel = `${BUNDLE.videoDir}/${parts > 1 ? `${slug}-part${part.index}` : slug}.mp4`;
        const out = path.join(tmp, rel);
        const re = needsReencode(c);
        const reasons: ReencodeReason[] = [];
        if (masks.length) reasons.push('privacy-mask');
        if (c.reencode?.frameExact) reasons.push('frame-exact');
        const base = bytesDone;
        const baseUnits = doneUnits;
        const onCopy = (p: { bytesDone: number; bytesTotal: number }) => {
          const frac = p.bytesTotal ? Math.min(1, p.bytesDone / p.bytesTotal) : 1;
          bytesDone = base + frac * part.mdatBytes;
          doneUnits = baseUnits + frac * part.mdatBytes;
          progress({ phase: 'copy', bytesDone, bytesTotal, cameraId: c.id, fraction: doneUnits / units });
        };
        let entry: ManifestVideoFile;
        const common = {
          kind: 'video' as const,
          path: rel,
          camera: { id: c.id, name: c.name },
          part: part.index,
          parts,
          splitReason: part.splitReason,
          codec: part.video.codec,
          width: part.video.width ?? 0,
          height: part.video.height ?? 0,
          audio: part.audio && part.audio.samples.count ? { codec: part.audio.codec } : null,
          gaps,
          sourceSegments: part.segmentIds,
        };
        if (!re) {
          const w = await writeClip(part, out, { signal: o.signal, onProgress: onCopy });
          entry = {
            ...common,
            sha256: w.sha256!,
            bytes: w.bytes,
            firstFrame: isoMs(part.firstFrameMs),
            lastFrame: isoMs(part.lastFrameMs),
            durationSeconds: Math.round(w.durationSeconds * 1000) / 1000,
            frames: w.videoSamples,
            cut: 'key-frame',
            reencoded: false,
            reencodeReasons: [],
            burnedIn: null,
            runs: toManifestRuns(part),
          };
        } else {
          fs.mkdirSync(work, { recursive: true });
          const src = path.join(work, `${slug}-part${part.index}-copy.mp4`);
          await writeClip(part, src, { signal: o.signal, onProgress: onCopy, hash: false, fsync: false });
          // frame-exact: the first frame at or after `from` (only the first part can start before it)
          const times = frameTimes(part);
          const T = part.video.timescale;
          let startSec = 0;
          if (c.reencode?.frameExact && part.index === 1) {
            const r0 = part.runs[0]!;
            const fromMedia = part.firstFrameMs < o.fromMs ? r0.mediaStart / T + (o.fromMs - r0.wallStartMs) / 1000 : 0;
            const first = times.find((t) => t >= fromMedia - 0.0005) ?? 0;
            startSec = first > 0 ? Math.max(0, first - 0.0005) : 0;
          }
          const endSec = part.video.ticks / T;
          const keptTimes = times.filter((t) => t >= startSec);
          const pieces: TimePiece[] = part.runs
            .map((r) => {
              const a = Math.max(r.mediaStart / T, startSec);
              const b = r.mediaEnd / T;
              return { t0: a - startSec, t1: b - startSec, wallStartMs: r.wallStartMs + (a - r.mediaStart / T) * 1000 };
            })
            .filter((p) => p.t1 > p.t0);
          const reBase = doneUnits;
          await reencodeClip({
            ffmpeg: o.ffmpeg!,
            input: src,
            output: out,
            workDir: path.join(work, `${slug}-part${part.index}`),
            startSeconds: startSec,
            durationSeconds: endSec - startSec,
            width: part.video.width ?? 0,
            height: part.video.height ?? 0,
            hasAudio: !!(part.audio && part.audio.samples.count),
            masks,
            overlay: { camera: c.name, watermark, pieces },
            fontFile,
            signal: o.signal,
            spawn: o.spawn,
            onProgress: (f) => {
              doneUnits = reBase + f * part.mdatBytes * REENCODE_WEIGHT;
              progress({ phase: 'reencode', bytesDone, bytesTotal, cameraId: c.id, fraction: doneUnits / units });
            },
          });
          fs.rmSync(src, { force: true });
          const h = await hashFile(out, { signal: o.signal });
          const firstMs = wallOfMedia(part, (keptTimes[0] ?? startSec) ) ?? part.firstFrameMs;
          entry = {
            ...common,
            codec: walkFile(out).video?.codec ?? 'avc1',
            sha256: h.sha256,
            bytes: h.bytes,
            firstFrame: isoMs(firstMs),
            lastFrame: isoMs(part.lastFrameMs),
            durationSeconds: Math.round((endSec - startSec) * 1000) / 1000,
            frames: keptTimes.length,
            cut: (c.reencode?.frameExact ? 'frame-exact' : 'key-frame') as CutPrecision,
            reencoded: true,
            reencodeReasons: reasons,
            burnedIn: { timestamp: true, camera: true, watermark, privacyMasks: masks.length },
            runs: toManifestRuns(part, startSec, endSec),
          };
        }
        files.push(entry);
        camEntry.files.push(rel);
        playerFiles.push({
          path: rel,
          part: part.index,
          firstFrame: entry.firstFrame,
          lastFrame: entry.lastFrame,
          runs: entry.runs,
          width: entry.width,
          height: entry.height,
          codec: entry.codec,
          fps: Math.round((part.video.timescale / (part.video.samples.dur[0] || 1)) * 1000) / 1000,
          reencoded: entry.reencoded,
        });
      }
      playerCams.push({ id: c.id, name: c.name, files: playerFiles, gaps });
    }
    fs.rmSync(work, { recursive: true, force: true });

    // the data tables, the key, the README, the player
    progress({ phase: 'files', bytesDone, bytesTotal, fraction: doneUnits / units });
    const writeFile = (rel: string, data: string | Buffer): { sha256: string; bytes: number } => {
      const abs = path.join(tmp, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      const fd = fs.openSync(abs, 'wx');
      try {
        fs.writeSync(fd, buf);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return { sha256: sha256Hex(buf), bytes: buf.length };
    };
    for (const t of o.tables ?? []) {
      checkAbort(o.signal);
      for (const format of ['json', 'csv'] as const) {
        const rel = `${BUNDLE.dataDir}/${t.name}.${format}`;
        const h = writeFile(rel, format === 'json' ? tableJson(t) : tableCsv(t));
        files.push({ kind: 'table', path: rel, ...h, table: t.name, title: t.title, format, rows: t.rows.length });
      }
    }
    const head = {
      case: { name: o.case.name, reference: o.case.reference ?? null, notes: o.case.notes ?? null },
      reason: o.reason,
      operator: { username: o.operator.username, displayName: o.operator.displayName ?? null },
      site: { name: o.site.name, id: o.site.id ?? null },
      host: { name: o.host ?? os.hostname() },
      createdAt,
      range: { from: isoMs(o.fromMs), to: isoMs(o.toMs), seconds: (o.toMs - o.fromMs) / 1000 },
      signature: { algorithm: 'Ed25519' as const, fingerprint: o.signer.fingerprint, file: BUNDLE.signature, publicKey: BUNDLE.publicKey },
      cameras,
    };
    files.push({ kind: 'public-key', path: BUNDLE.publicKey, ...writeFile(BUNDLE.publicKey, o.signer.publicKeyPem) });
    files.push({ kind: 'readme', path: BUNDLE.readme, ...writeFile(BUNDLE.readme, readmeText(head)) });
    const player: PlayerData = {
      title: o.case.name,
      case: head.case,
      reason: o.reason,
      operator: head.operator,
      site: head.site,
      host: head.host.name,
      createdAt,
      range: head.range,
      fingerprint: o.signer.fingerprint,
      cameras: playerCams,
      markers: (o.markers ?? []).filter((m) => Date.parse(m.time) <= o.toMs && Date.parse(m.end ?? m.time) >= o.fromMs),
    };
    files.push({ kind: 'player', path: BUNDLE.player, ...writeFile(BUNDLE.player, buildPlayerHtml(player)) });
    files.push({ kind: 'checksums', path: BUNDLE.sums, ...writeFile(BUNDLE.sums, sha256Sums(files)) });

    // the manifest and its signature
    checkAbort(o.signal);
    progress({ phase: 'sign', bytesDone, bytesTotal, fraction: doneUnits / units });
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      exportId: crypto.randomUUID(),
      generator: { name: 'gatehouse', version: packageVersion() },
      ...head,
      files,
      notes,
    };
    const manifestBytes = Buffer.from(stableJson(manifest), 'utf8');
    writeFile(BUNDLE.manifest, manifestBytes);
    const sig = o.signer.sign(manifestBytes);
    if (sig.length !== 64) throw new ExportError('io', `the signer returned ${sig.length} bytes, not a 64-byte Ed25519 signature`);
    writeFile(BUNDLE.signature, sig);
    for (const d of [path.join(tmp, BUNDLE.videoDir), path.join(tmp, BUNDLE.dataDir), tmp]) if (fs.existsSync(d)) fsyncDir(d);

    // the zip is made from the finished folder before it is renamed into place, so a
    // cancel or failure at any point leaves neither
    let zip: string | null = null;
    if (zipPath) {
      const zipBase = doneUnits;
      const all = listFiles(tmp);
      await writeZip(
        zipPath,
        all.map((rel) => ({ name: `${path.basename(target)}/${rel}`, file: path.join(tmp, rel), compress: !rel.endsWith('.mp4') })),
        {
          signal: o.signal,
          onProgress: (d, t) => progress({ phase: 'zip', bytesDone, bytesTotal, fraction: (zipBase + (t ? (d / t) * zipTotal * 0.5 : 0)) / units }),
        },
      );
      zip = zipPath;
    }
    try {
      checkAbort(o.signal);
      if (fs.existsSync(target)) throw new ExportError('exists', `${target} appeared during the export; choose another folder name`);
      fs.renameSync(tmp, target);
    } catch (err) {
      if (zip) fs.rmSync(zip, { force: true });
      throw err;
    }
    renamed = true;
    fsyncDir(parent);
    const bundleBytes = files.reduce((a, f) => a + f.bytes, 0) + manifestBytes.length + 64;
    progress({ phase: 'done', bytesDone: bytesTotal, bytesTotal, fraction: 1 });
    return { dir: target, zip, manifest, manifestSha256: sha256Hex(manifestBytes), fingerprint: o.signer.fingerprint, bytes: bundleBytes };
  } catch (err) {
    if (!renamed) fs.rmSync(tmp, { recursive: true, force: true });
    throw ioError(err, 'the export');
  }
}

function wallOfMedia(p: ClipPart, sec: number): number | null {
  const T = p.video.timescale;
  for (const r of p.runs) {
    const a = r.mediaStart / T;
    const b = r.mediaEnd / T;
    if (sec >= a - 1e-6 && sec < b) return r.wallStartMs + (sec - a) * 1000;
  }
  return null;
}

/** Every file under dir (relative, forward slashes, sorted). */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out;
}
