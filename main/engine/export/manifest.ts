/**
 * The bundle's manifest (`manifest.json`), format "gatehouse-evidence-export"
 * version 1. Every field is described in docs/export.md. It is written with
 * stableJson (sorted keys), signed as exact bytes (manifest.sig), and lists
 * every other file of the bundle with its SHA-256, except manifest.sig.
 */

export const MANIFEST_FORMAT = 'gatehouse-evidence-export';
export const MANIFEST_VERSION = 1;

/** Fixed names in a bundle. */
export const BUNDLE = {
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  publicKey: 'public-key.pem',
  readme: 'README.txt',
  player: 'index.html',
  sums: 'SHA256SUMS',
  videoDir: 'video',
  dataDir: 'data',
} as const;

/** A stretch of a clip's media timeline that is one stretch of wall-clock time. */
export interface ManifestRun {
  /** Media time in the file (seconds, millisecond precision). */
  mediaStart: number;
  mediaEnd: number;
  /** Wall-clock time (UTC, ISO 8601 with ms) of mediaStart and mediaEnd. */
  start: string;
  end: string;
}

export interface ManifestGap {
  start: string;
  end: string;
  seconds: number;
  /** Why nothing was recorded: the index's gap reason (camera_unreachable, stall, engine_down, …), or file_missing / file_unreadable / unknown. */
  reason: string;
  /** Still going on when the index was read (the range reaches the present). */
  open?: boolean;
  detail?: string;
}

export type CutPrecision = 'key-frame' | 'frame-exact';
export type ReencodeReason = 'privacy-mask' | 'frame-exact';

interface FileBase {
  /** Relative path inside the bundle, forward slashes. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface ManifestVideoFile extends FileBase {
  kind: 'video';
  camera: { id: string; name: string };
  /** 1-based part of this camera's clip, and how many there are (a new part when the stream setup changed). */
  part: number;
  parts: number;
  splitReason: string | null;
  /** Wall-clock time (UTC) of the first and the last frame in the file. */
  firstFrame: string;
  lastFrame: string;
  durationSeconds: number;
  frames: number;
  /** RFC 6381 codec string of the video, e.g. avc1.640028, hvc1.1.6.L93.B0. */
  codec: string;
  width: number;
  height: number;
  audio: { codec: string } | null;
  cut: CutPrecision;
  reencoded: boolean;
  reencodeReasons: ReencodeReason[];
  /** Burned-in texts, when re-encoded. */
  burnedIn: { timestamp: boolean; camera: boolean; watermark: string | null; privacyMasks: number } | null;
  runs: ManifestRun[];
  /** Gaps of this camera inside the requested range. */
  gaps: ManifestGap[];
  /** Index ids of the source segments (empty when unknown). */
  sourceSegments: number[];
}

export interface ManifestTableFile extends FileBase {
  kind: 'table';
  table: string;
  title: string;
  format: 'json' | 'csv';
  rows: number;
}

export interface ManifestOtherFile extends FileBase {
  kind: 'player' | 'readme' | 'public-key' | 'checksums';
}

export type ManifestFile = ManifestVideoFile | ManifestTableFile | ManifestOtherFile;

export interface ManifestCamera {
  id: string;
  name: string;
  /** Paths of its video files (empty when nothing was recorded in the range). */
  files: string[];
  /** Seconds of recorded footage inside the requested range. */
  recordedSeconds: number;
  gaps: ManifestGap[];
  privacyMasks: number;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: typeof MANIFEST_VERSION;
  exportId: string;
  createdAt: string;
  generator: { name: 'gatehouse'; version: string };
  case: { name: string; reference: string | null; notes: string | null };
  reason: string;
  operator: { username: string; displayName: string | null };
  site: { name: string; id: string | null };
  host: { name: string };
  range: { from: string; to: string; seconds: number };
  signature: { algorithm: 'Ed25519'; fingerprint: string; file: typeof BUNDLE.signature; publicKey: typeof BUNDLE.publicKey };
  cameras: ManifestCamera[];
  files: ManifestFile[];
  /** Anything a reader should know (a camera without footage, a part split…). */
  notes: string[];
}

/** Is `p` a safe relative path inside a bundle (no absolute path, no "..", forward slashes)? */
export function safeBundlePath(p: unknown): p is string {
  return (
    typeof p === 'string' &&
    p.length > 0 &&
    p.length < 512 &&
    !p.startsWith('/') &&
    !p.includes('\\') &&
    !/^[a-zA-Z]:/.test(p) &&
    p.split('/').every((s) => s !== '' && s !== '.' && s !== '..') &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f]/.test(p)
  );
}

/** SHA256SUMS text ("<hex>  <path>" lines, sorted by path, as sha256sum -c reads it). */
export function sha256Sums(files: { path: string; sha256: string }[]): string {
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.path}\n`)
    .join('');
}

const iso = (ms: number) => new Date(Math.round(ms)).toISOString();
export { iso as isoMs };
